"""Staff-home panel: reimbursements waiting for a signature the user can give (FIN-1)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import selectors
from .models import Status


def panels(request) -> list[dict]:
    waiting = [
        r
        for r in selectors.reimbursements_visible_to(request.user).filter(status=Status.SIGNING)[
            :200
        ]
        if (s := selectors.next_step(r))
        and selectors.held(request.user, selectors.step_posts(r, s), selectors.today())
    ]
    if not waiting:
        return []
    return [
        {
            "title": _("报销审批"),
            "html": format_html(
                _('{} 份报销单等待您签字。<a href="{}">查看</a>'),
                len(waiting),
                reverse("unitfinance:list"),
            ),
            "level": "info",
        }
    ]

"""Staff home panel: my approval steps, and how many are overdue (APR-3, APR-5)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import selectors


def panels(request) -> list[dict]:
    today = timezone.localdate()
    mine = list(selectors.my_steps(request.user, today)[:200])
    if not mine:
        return []
    overdue = sum(1 for s in mine if s.deadline and s.deadline < today)
    html = format_html(
        '<p><a href="{}">{}</a></p>',
        reverse("approvals:worklist"),
        _("我的审批待办 %(n)d 件，其中已超期 %(m)d 件") % {"n": len(mine), "m": overdue},
    )
    return [{"title": _("行政审批"), "html": html, "level": "warning" if overdue else "info"}]

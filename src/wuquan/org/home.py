"""Staff-home panel: how many people in the user's scope are due for rotation (ORG-4)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import selectors


def panels(request) -> list[dict]:
    due = selectors.rotation_due(user=request.user)
    if not due:
        return []
    return [
        {
            "title": _("轮岗提示"),
            "html": format_html(
                _('{} 人在重点岗位任职已超过轮岗年限。<a href="{}">查看</a>'),
                len(due),
                reverse("org:rotation"),
            ),
            "level": "warning",
        }
    ]

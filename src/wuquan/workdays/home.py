"""Staff home panels of the working-day calendar (APR-2 B).

From 1 October, administrators are warned while next year has no official schedule (neither
loaded by an administrator nor known to the chinesecalendar package); everyone sees their
unread calendar notices (deadlines moved by a newly loaded schedule).
"""

from __future__ import annotations

from datetime import date

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from . import selectors
from .selectors import is_calendar_admin


def schedule_warning(user, as_of: date | None = None) -> dict | None:
    """The APR-2 B warning panel for `user` on `as_of` (today by default), or None."""
    today = as_of or timezone.localdate()
    if not is_calendar_admin(user) or (today.month, today.day) < (10, 1):
        return None
    next_year = today.year + 1
    if selectors.has_official_schedule(next_year):
        return None
    days_left = (date(next_year, 1, 1) - today).days
    html = format_html(
        "<p>{}</p><p><a href='{}'>{}</a></p>",
        _(
            "%(year)d 年的法定节假日安排尚未载入（既无管理员载入的国务院办公厅通知，"
            "软件包也不含该年）。距 %(year)d 年 1 月 1 日还有 %(days)d 天；在此之前，跨入 %(year)d "
            "年的时限按临时日历计算并标注“临时”。通知发布后请立即载入。"
        )
        % {"year": next_year, "days": days_left},
        reverse("workdays:years"),
        _("查看工作日历"),
    )
    return {
        "title": _("%(year)d 年节假日安排待载入") % {"year": next_year},
        "html": html,
        "level": "warning",
    }


def notices_panel(user, csrf_token: str = "") -> dict | None:
    notices = selectors.unread_notices(user)
    if not notices:
        return None
    html = format_html(
        "<ul>{}</ul><form method='post' action='{}'>"
        "<input type='hidden' name='csrfmiddlewaretoken' value='{}'>"
        "<button type='submit'>{}</button></form>",
        format_html_join(
            "",
            "<li>{} <small>{}</small></li>",
            (
                (n.text, timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M"))
                for n in notices
            ),
        ),
        reverse("workdays:notices-read"),
        csrf_token,
        _("标为已读"),
    )
    return {"title": _("工作日历通知"), "html": html, "level": "info"}


def panels(request, as_of: date | None = None) -> list[dict]:
    token = get_token(request) if hasattr(request, "META") else ""
    out = [schedule_warning(request.user, as_of), notices_panel(request.user, token)]
    return [p for p in out if p]

"""Staff home panel: unread messages for everyone; open alarms for the commission (SUP-5)."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from . import selectors, services


def panels(request) -> list[dict]:
    user = request.user
    out = []
    unread = selectors.unread_count(user)
    if unread:
        out.append(
            {
                "title": _("未读消息"),
                "html": format_html(
                    '<p><a href="{}">{}</a></p>',
                    reverse("supervision:inbox"),
                    _("您有 %(n)d 条未读消息") % {"n": unread},
                ),
                "level": "info",
            }
        )
    if services.is_commission(user):
        counts = dict(selectors.board(user)["by_severity"])
        out.append(
            {
                "title": _("电子监察 · 未办结报警"),
                "html": format_html(
                    '<p id="sup-home-open">{}</p><p><a href="{}">{}</a></p>',
                    format_html_join("，", "{}：{}", counts.items()),
                    reverse("supervision:board"),
                    _("进入监察看板"),
                ),
                "level": "info",
            }
        )
    return out

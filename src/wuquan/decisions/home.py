"""Staff-home panel: void village matters and items waiting for a meeting in the user's scope
(DEC-2, DEC-10)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from wuquan.org.selectors import units_visible_to

from .models import AgendaItem, ItemStatus, VillageMatter, VillageMatterStatus


def panels(request) -> list[dict]:
    units = units_visible_to(request.user)
    out = []
    void = VillageMatter.objects.filter(village__in=units, status=VillageMatterStatus.VOID).count()
    if void:
        out.append(
            {
                "title": _("村级决策无效"),
                "html": format_html(
                    _('{} 个村级“三重一大”事项未经“六步工作法”，已认定无效。<a href="{}">查看</a>'),
                    void,
                    reverse("decisions:village"),
                ),
                "level": "warning",
            }
        )
    waiting = AgendaItem.objects.filter(unit__in=units, status=ItemStatus.PROPOSED).count()
    if waiting:
        out.append(
            {
                "title": _("待上会事项"),
                "html": format_html(
                    _('{} 个“三重一大”事项等待提交领导班子会议。<a href="{}">会议</a>'),
                    waiting,
                    reverse("decisions:meetings"),
                ),
                "level": "info",
            }
        )
    return out

"""Staff-home panel: problems awaiting rectification in the user's projects (SUP-7)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .models import Problem
from .selectors import own_unit_ids, sees_all


def panels(request) -> list[dict]:
    problems = Problem.objects.filter(rectified_on__isnull=True)
    if not sees_all(request.user):
        units = own_unit_ids(request.user)
        problems = problems.filter(
            inspection__project__construction_unit_id__in=units
        ) | problems.filter(inspection__fund__managing_unit_id__in=units)
    n = problems.count()
    if not n:
        return []
    return [
        {
            "title": _("投资项目巡查问题"),
            "html": format_html(
                _('{} 个巡查发现的问题待整改。<a href="{}">查看项目</a>'), n, reverse("invest:list")
            ),
            "level": "warning",
        }
    ]

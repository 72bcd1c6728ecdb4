"""What the investment platform publishes (附件6 三(三) 第二步), offered to the portal's search
and feeds by the convention of `disclosure/sources.py`: each public project."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from wuquan.common.publication import PublicItem

from .selectors import public_projects


def public_items(*, unit_ids=None, since=None, until=None, q=""):
    projects = public_projects()
    if unit_ids is not None:
        projects = projects.filter(Q(owner_id__in=unit_ids) | Q(construction_unit_id__in=unit_ids))
    if since is not None:
        projects = projects.filter(registered_at__gte=since)
    if until is not None:
        projects = projects.filter(registered_at__lt=until)
    if q:
        projects = projects.filter(Q(name__icontains=q) | Q(code__icontains=q))
    for p in projects:
        yield PublicItem(
            kind="invest-project",
            kind_label=_("政府投资项目"),
            title=p.name,
            unit_code=p.owner.code,
            unit_name=p.owner.name,
            published_at=p.registered_at,
            url=reverse("invest-public:detail", args=[p.pk]),
            summary=f"{p.code} · {p.get_status_display()}",
            key=f"invest-project:{p.pk}",
        )

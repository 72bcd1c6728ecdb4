"""What this app publishes, offered to the portal's search, feeds and suggestion box by the
convention of `disclosure/sources.py` (PUB-5, PUB-11). The portal imports this; this imports
nothing of the portal."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from wuquan.common.publication import PublicItem, Target

from .selectors import published_items


def _decision(ident: str):
    if not ident.isdigit():
        return None
    item = published_items().filter(pk=int(ident)).first()
    if item is None:
        return None
    return Target(
        key=f"decision:{item.pk}",
        kind="decision",
        title=item.title,
        owner=item.unit,
        url=reverse("decisions-public:list") + f"#item-{item.pk}",
    )


TARGETS = {"decision": _decision}


def public_items(*, unit_ids=None, since=None, until=None, q=""):
    items = published_items()
    if unit_ids is not None:
        items = items.filter(unit_id__in=unit_ids)
    if since is not None:
        items = items.filter(published_at__gte=since)
    if until is not None:
        items = items.filter(published_at__lt=until)
    if q:
        items = items.filter(Q(title__icontains=q) | Q(public_summary__icontains=q))
    for item in items:
        yield PublicItem(
            kind="decision",
            kind_label=_("决策公开"),
            title=item.title,
            unit_code=item.unit.code,
            unit_name=item.unit.name,
            published_at=item.published_at,
            url=reverse("decisions-public:list") + f"#item-{item.pk}",
            summary=item.public_summary[:200],
            key=f"decision:{item.pk}",
        )

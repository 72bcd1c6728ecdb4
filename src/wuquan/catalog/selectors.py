"""Reads of the catalog for the staff and public pages (CAT-1..9, PUB-1..3)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string

from wuquan.common.exceptions import NotFound
from wuquan.ledger.models import Event
from wuquan.org.models import Unit

from . import diagram, flows
from .models import (
    ApprovalItem,
    Fee,
    FeeKind,
    FlowStatus,
    ItemStatus,
    Power,
    PowerCategory,
    RiskPoint,
)

ACTION_LABELS = {
    "created": "新增",
    "changed": "变更",
    "deleted": "删除",
    "drafted": "拟订流程新版本",
    "published": "发布流程",
}


def search_items(
    unit: str | None = None, category: str | None = None, q: str | None = None
) -> QuerySet:
    """Approval items for the public catalog, filtered by unit code, power category, keyword."""
    items = ApprovalItem.objects.select_related("unit", "power").order_by("unit__sort", "code")
    if unit:
        items = items.filter(unit__code=unit)
    if category:
        items = items.filter(power__category=category)
    if q:
        items = items.filter(
            Q(name__icontains=q) | Q(basis__icontains=q) | Q(unit__name__icontains=q)
        )
    return items


def catalog_filters() -> dict:
    units = Unit.objects.filter(approval_items__isnull=False).distinct().order_by("sort", "code")
    return {"units": units, "categories": PowerCategory.choices, "statuses": ItemStatus.choices}


def item_by_code(code: str) -> ApprovalItem:
    item = (
        ApprovalItem.objects.select_related("unit", "power", "merged_into")
        .filter(code=code)
        .first()
    )
    if item is None:
        raise NotFound("没有这个事项。")
    return item


def item_guide(code: str) -> dict:
    """Everything the 办事指南 shows (PUB-2): basis, materials, limits, fees, flow, history."""
    item = item_by_code(code)
    version = item.published_flow()
    context = {
        "item": item,
        "materials": list(item.materials.all()),
        "fees": list(item.fees.all()),
        "flow": version,
        "steps": flows.steps(version) if version else [],
        "svg": diagram.svg_for(version) if version else "",
        "history": item_history(item),
    }
    return context


def guide_key(code: str) -> str:
    """Cache key of an item's guide: changes whenever the item or a row of it changes."""
    row = (
        ApprovalItem.objects.filter(code=code)
        .order_by("pk")
        .values_list("pk", "updated_at")
        .first()
    )
    if row is None:
        raise NotFound("没有这个事项。")
    return f"catalog:guide:{row[0]}:{row[1].timestamp()}"


def item_guide_html(code: str) -> tuple[ApprovalItem, str]:
    """The rendered guide body, cached per item and its last change (PUB-2).

    why: the page is read far more than the catalog changes; services bump the item's
    `updated_at` whenever the item, a material, a fee or a flow version of it changes, so the
    key changes with every recorded change. One small query validates the cache.
    """
    key = guide_key(code)
    cached = cache.get(key)
    if cached is None:
        context = item_guide(code)
        cached = (context["item"].name, render_to_string("catalog/_guide.html", context))
        cache.set(key, cached, 3600)
    return cached


def _subjects(item: ApprovalItem) -> Q:
    q = Q(subject_type="catalog.approvalitem", subject_id=str(item.pk))
    q |= Q(
        subject_type="catalog.material",
        subject_id__in=[str(i) for i in item.materials.values_list("pk", flat=True)],
    )
    q |= Q(
        subject_type="catalog.flowversion",
        subject_id__in=[str(i) for i in item.flows.values_list("pk", flat=True)],
    )
    q |= Q(
        subject_type="catalog.fee",
        subject_id__in=[str(i) for i in item.fees.values_list("pk", flat=True)],
    )
    return q


def describe(event: Event) -> dict:
    """A catalog event for display: when, who, what, why, which fields changed (CAT-9)."""
    payload = event.payload
    verb = event.action.rsplit(".", 1)[-1]
    return {
        "index": event.index,
        "at": event.at,
        "actor": event.actor,
        "action": event.action,
        "label": ACTION_LABELS.get(verb, verb),
        "kind": event.subject_type.split(".")[-1],
        "name": payload.get("name") or payload.get("item") or "",
        "reason": payload.get("reason", ""),
        "changes": payload.get("changes", {}),
    }


def item_history(item: ApprovalItem) -> list[dict]:
    return [describe(e) for e in Event.objects.filter(_subjects(item)).order_by("-index")[:100]]


def catalog_history(limit: int = 300) -> list[dict]:
    events = Event.objects.filter(action__startswith="catalog.").order_by("-index")[:limit]
    return [describe(e) for e in events]


def fee_catalog(kind: str | None = None) -> dict:
    fees = Fee.objects.select_related("unit", "item")
    if kind in FeeKind.values:
        fees = fees.filter(kind=kind)
    return {"fees": fees, "kinds": FeeKind.choices, "kind": kind}


def units_with_powers() -> QuerySet:
    return Unit.objects.filter(powers__is_public=True).distinct().order_by("sort", "code")


def unit_powers(code: str) -> dict:
    """A unit's power list, discretion standards and risk points (附件9 二(四), PUB-1)."""
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound("没有这个单位。")
    powers = (
        Power.objects.filter(unit=unit, is_public=True)
        .select_related("post", "section")
        .prefetch_related("discretion", "items")
    )
    risks = sorted(
        RiskPoint.objects.filter(unit=unit).select_related("post", "power"),
        key=lambda r: -r.score,
    )
    return {"unit": unit, "powers": powers, "risks": risks}


def published_versions(item: ApprovalItem) -> QuerySet:
    return item.flows.exclude(status=FlowStatus.DRAFT).order_by("-number")

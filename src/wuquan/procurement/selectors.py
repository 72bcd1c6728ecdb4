"""Reads of the procurement app, general enough for the later `invest` and 三资 apps: a tender
is found by buyer unit and/or project reference; releases and records by date and ocid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from wuquan.common.exceptions import InvalidInput
from wuquan.org.models import Unit, UnitKind

from . import ocds
from .models import (
    Category,
    CentralCatalogEntry,
    Method,
    ProcurementRequest,
    Release,
    Tender,
    Tier,
    TierSetting,
)


def district_of(unit: Unit) -> Unit:
    """The district a unit belongs to (the top of its chain)."""
    chain = [unit, *unit.ancestors()]
    for u in chain:
        if u.kind == UnitKind.DISTRICT:
            return u
    return chain[-1]


def tier_setting_for(unit: Unit, on: date) -> TierSetting:
    district = district_of(unit)
    setting = (
        TierSetting.objects.filter(district=district, valid_from__lte=on)
        .order_by("-valid_from")
        .first()
    )
    if setting is None:
        raise InvalidInput(
            _("本区尚未设置 %(on)s 适用的采购分级阈值。") % {"on": on.isoformat()},
            field="requested_on",
        )
    return setting


def in_central_catalog(unit: Unit, item_code: str, on: date) -> CentralCatalogEntry | None:
    """The catalog line covering `item_code` on `on` (a line covers its code's prefixes)."""
    district = district_of(unit)
    rows = CentralCatalogEntry.objects.filter(district=district, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    best = None
    for row in rows:
        if item_code.startswith(row.code) and (best is None or len(row.code) > len(best.code)):
            best = row
    return best


@dataclass(frozen=True)
class Route:
    """Where a request must go (FIN-5, FIN-6, FIN-10) and why."""

    tier: str
    required_method: str  # "" when any method is lawful
    via_trading_centre: bool
    organiser_level: str  # unit / township / district (FIN-10 for villages)
    hearing_required: bool
    setting_id: int
    catalog_code: str


def organiser_level(unit: Unit, amount_fen: int, setting: TierSetting) -> str:
    """FIN-10 (附件15 二(二)2): village collective projects are tendered by the village, the
    township or the district by amount."""
    if unit.kind not in (UnitKind.VILLAGE, UnitKind.COMMUNITY):
        return "unit"
    if amount_fen <= setting.village_limit_fen:
        return "village"
    if amount_fen <= setting.township_limit_fen:
        return "township"
    return "district"


def route_for(
    unit: Unit,
    category: str,
    item_code: str,
    amount_fen: int,
    on: date,
    *,
    is_key_project: bool = False,
    public_resource: bool = False,
) -> Route:
    """The tier and route of a purchase, from the dated settings in force on `on`."""
    setting = tier_setting_for(unit, on)
    entry = in_central_catalog(unit, item_code, on)
    if entry is not None:
        tier = Tier.CENTRAL
    elif amount_fen <= setting.deputy_limit_fen:
        tier = Tier.DEPUTY
    elif amount_fen <= setting.head_limit_fen:
        tier = Tier.DEPUTY_HEAD
    else:
        tier = Tier.COMMITTEE
    required = ""
    if category == Category.WORKS and amount_fen >= setting.works_tender_fen:
        required = Method.OPEN
    elif category != Category.WORKS and amount_fen >= setting.open_tender_fen:
        required = Method.OPEN
    key = is_key_project or (category == Category.WORKS and amount_fen >= setting.key_project_fen)
    return Route(
        tier=tier,
        required_method=required,
        # 附件3 第四: construction tenders and every public-resource deal go to the centre
        via_trading_centre=public_resource or required == Method.OPEN,
        organiser_level=organiser_level(unit, amount_fen, setting),
        hearing_required=key,
        setting_id=setting.pk,
        catalog_code=entry.code if entry else "",
    )


def tenders_for(*, buyer: Unit | None = None, project_ref: str | None = None) -> QuerySet:
    """Tenders of a buyer and/or a project (what `invest` and 三资 read)."""
    qs = Tender.objects.select_related("request", "request__buyer")
    if buyer is not None:
        qs = qs.filter(request__buyer=buyer)
    if project_ref is not None:
        qs = qs.filter(request__project_ref=project_ref)
    return qs


def public_tenders(q: str = "", method: str = "", buyer: str = "") -> QuerySet:
    qs = Tender.objects.select_related("request__buyer").order_by("-published_at", "-id")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(awards__supplier__name__icontains=q)).distinct()
    if method:
        qs = qs.filter(method=method)
    if buyer:
        qs = qs.filter(request__buyer__code=buyer)
    return qs


def requests_for(buyer: Unit | None = None) -> QuerySet:
    qs = ProcurementRequest.objects.select_related("buyer")
    return qs.filter(buyer=buyer) if buyer is not None else qs


def releases(
    *, since: datetime | None = None, until: datetime | None = None, ocid: str | None = None
) -> QuerySet:
    qs = Release.objects.order_by("date", "id")
    if since is not None:
        qs = qs.filter(date__gte=since)
    if until is not None:
        qs = qs.filter(date__lt=until)
    if ocid:
        qs = qs.filter(ocid=ocid)
    return qs


def release_dicts(tender_ids=None) -> dict[str, list[dict]]:
    """Every published release by ocid, oldest first."""
    qs = Release.objects.order_by("ocid", "date", "id")
    if tender_ids is not None:
        qs = qs.filter(tender_id__in=list(tender_ids))
    out: dict[str, list[dict]] = {}
    for ocid, data in qs.values_list("ocid", "data").iterator(chunk_size=2000):
        out.setdefault(ocid, []).append(data)
    return out


def records(ocids: list[str], uri: str) -> list[dict]:
    by_ocid = {}
    for ocid, data in (
        Release.objects.filter(ocid__in=ocids).order_by("date", "id").values_list("ocid", "data")
    ):
        by_ocid.setdefault(ocid, []).append(data)
    out = []
    for ocid in ocids:
        rels = by_ocid.get(ocid, [])
        if rels:
            out.append(record_of(ocid, rels, uri))
    return out


def record_of(ocid: str, rels: list[dict], uri: str) -> dict:
    rec = ocds.compile_record(ocid, rels)
    rec["releases"] = [
        {"url": f"{uri}#{r['id']}", "date": r["date"], "tag": r["tag"]} for r in rec["releases"]
    ]
    return rec


def compiled_releases(tender_ids=None) -> list[dict]:
    """The compiled release of every process (what the red flags read)."""
    return [
        ocds.merger().create_compiled_release(rels) for rels in release_dicts(tender_ids).values()
    ]

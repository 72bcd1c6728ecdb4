"""The district's own procurement red flags as supervision rules (FIN-5, FIN-6, FIN-10; issue 16),
run by the supervision engine as sweeps over current state as of a time. Thresholds are the
rules' defaults, overridden per district and versioned by the engine (RuleSetting).

Legal bases were checked with the search tool where marked "checked"; the others are cited
from the statute as we know it and say "not confirmed here".

Inputs never carry a private person's name or phone in clear: a shared phone, address or legal
representative is shown by which field it is and a SHA-256 digest of the shared value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from wuquan.common.rules import (
    DAILY,
    SEVERITY_RED,
    SEVERITY_WARNING,
    SEVERITY_YELLOW,
    Finding,
    Rule,
)

from .events import digest
from .models import (
    Amendment,
    Award,
    Bid,
    BidStatus,
    Contract,
    Method,
    Tender,
    TenderStatus,
    TierSetting,
)

TENDER = "procurement.tender"
CONTRACT = "procurement.contract"
UNIT = "org.unit"


def _tenders(as_of: datetime):
    return Tender.objects.filter(published_at__lte=as_of).exclude(status=TenderStatus.CANCELLED)


# ---- fewer than 3 valid bids ----------------------------------------------------------------


def sweep_few_bids(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """招标 with an award made on fewer than `min_valid_bids` valid bids (should re-tender)."""
    methods = thresholds["methods"]
    minimum = thresholds["min_valid_bids"]
    awarded = set(
        Award.objects.filter(status="active", awarded_at__lte=as_of).values_list(
            "tender_id", flat=True
        )
    )
    counts: dict[int, int] = defaultdict(int)
    for tender_id in Bid.objects.filter(
        tender_id__in=awarded, status=BidStatus.VALID, received_at__lte=as_of
    ).values_list("tender_id", flat=True):
        counts[tender_id] += 1
    for t in _tenders(as_of).filter(pk__in=awarded, method__in=methods).select_related("request"):
        n = counts.get(t.pk, 0)
        if n < minimum:
            yield Finding(
                subject_type=TENDER,
                subject_id=str(t.pk),
                message=str(_("招标项目有效投标不足%(m)d家即定标（应重新招标）：%(n)d家"))
                % {"m": minimum, "n": n},
                inputs={"valid_bids": n, "min_valid_bids": minimum, "method": t.method},
                unit_id=t.request.buyer_id,
            )


FEW_BIDS = Rule(
    code="FIN-6-fewer-than-3-valid-bids",
    name=_("有效投标不足三家仍定标"),
    clause="附件3 第四；《招标投标法》第二十八条（投标人少于三个的，应当重新招标；checked）",
    severity=SEVERITY_RED,
    thresholds={"min_valid_bids": 3, "methods": [Method.OPEN.value, Method.INVITED.value]},
    sweep=sweep_few_bids,
    clock=DAILY,
)


# ---- tender period shorter than the legal minimum --------------------------------------------


def sweep_short_period(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    minimum_days = thresholds["min_days"]
    for t in _tenders(as_of).filter(method__in=list(minimum_days)).select_related("request"):
        days = (t.period_end - t.period_start) / timedelta(days=1)
        minimum = minimum_days[t.method]
        if days < minimum:
            yield Finding(
                subject_type=TENDER,
                subject_id=str(t.pk),
                message=str(_("%(method)s 等标期 %(d).1f 天，少于法定最短 %(m)d 天"))
                % {"method": Method(t.method).label, "d": days, "m": minimum},
                inputs={"method": t.method, "days": round(days, 2), "min_days": minimum},
                unit_id=t.request.buyer_id,
            )


SHORT_PERIOD = Rule(
    code="FIN-6-tender-period-below-legal-minimum",
    name=_("等标期短于法定最短期限"),
    clause=(
        "《招标投标法》第二十四条（依法必须招标的项目不少于二十日；checked）；"
        "《政府采购法》第三十五条（招标不少于二十日）、财政部令第74号第二十九条、第四十五条"
        "（竞争性谈判、询价不少于3个工作日，此处按3日计）、财库〔2014〕214号第十条"
        "（竞争性磋商不少于10日）：not confirmed here"
    ),
    severity=SEVERITY_YELLOW,
    thresholds={
        "min_days": {
            Method.OPEN.value: 20,
            Method.INVITED.value: 20,
            Method.CONSULTATION.value: 10,
            Method.NEGOTIATION.value: 3,
            Method.QUOTATION.value: 3,
        }
    },
    sweep=sweep_short_period,
    clock=DAILY,
)


# ---- split purchases (化整为零) ---------------------------------------------------------------


def _tier_for(district_id: int, on, cache: dict):
    key = (district_id, on)
    if key not in cache:
        cache[key] = (
            TierSetting.objects.filter(district_id=district_id, valid_from__lte=on)
            .order_by("-valid_from")
            .first()
        )
    return cache[key]


def sweep_split(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """Same buyer, same item category, one fiscal year: purchases by non-tender methods that
    each stay below the open-tender threshold but together reach it."""
    from .selectors import district_of

    methods = thresholds["methods"]
    digits = thresholds["item_code_digits"]
    groups: dict[tuple, list] = defaultdict(list)
    rows = (
        _tenders(as_of)
        .filter(method__in=methods)
        .select_related("request", "request__buyer")
        .order_by("request__requested_on", "pk")
    )
    for t in rows:
        r = t.request
        groups[(r.buyer_id, r.requested_on.year, r.category, r.item_code[:digits])].append(t)
    cache: dict = {}
    districts: dict[int, int] = {}
    for (buyer_id, year, category, code), tenders in groups.items():
        if len(tenders) < 2:
            continue
        buyer = tenders[0].request.buyer
        if buyer_id not in districts:
            districts[buyer_id] = district_of(buyer).pk
        tier = _tier_for(districts[buyer_id], tenders[-1].request.requested_on, cache)
        if tier is None:
            continue
        limit = tier.works_tender_fen if category == "works" else tier.open_tender_fen
        total = sum(t.request.amount_fen for t in tenders)
        if total >= limit:
            yield Finding(
                subject_type=UNIT,
                subject_id=str(buyer_id),
                key=f"{year}:{category}:{code}",
                message=str(
                    _(
                        "%(year)d年同类（%(code)s）非招标采购%(n)d笔合计%(total).2f元，达到公开招标数额标准%(limit).2f元"
                    )
                )
                % {
                    "year": year,
                    "code": code,
                    "n": len(tenders),
                    "total": total / 100,
                    "limit": limit / 100,
                },
                inputs={
                    "year": year,
                    "category": category,
                    "item_code": code,
                    "tenders": [t.pk for t in tenders],
                    "total_fen": total,
                    "open_tender_fen": limit,
                },
                unit_id=buyer_id,
            )


SPLIT = Rule(
    code="FIN-5-split-purchase",
    name=_("化整为零规避公开招标"),
    clause="附件3 第四；《政府采购法》第二十八条（不得化整为零规避公开招标；not confirmed here）",
    severity=SEVERITY_RED,
    thresholds={
        "methods": [
            Method.DIRECT.value,
            Method.QUOTATION.value,
            Method.SINGLE_SOURCE.value,
            Method.NEGOTIATION.value,
            Method.CONSULTATION.value,
        ],
        "item_code_digits": 5,
    },
    sweep=sweep_split,
    clock=DAILY,
)


# ---- contract raised > 10 % or changed more than once in 90 days ------------------------------


def sweep_contract_changes(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    limit = thresholds["max_raise_percent"]
    window = timedelta(days=thresholds["window_days"])
    max_changes = thresholds["max_changes_in_window"]
    by_contract: dict[int, list] = defaultdict(list)
    for a in Amendment.objects.filter(amended_at__lte=as_of).order_by("amended_at", "id"):
        by_contract[a.contract_id].append(a)
    contracts = Contract.objects.filter(pk__in=list(by_contract)).select_related("tender__request")
    for c in contracts:
        amendments = by_contract[c.pk]
        current = amendments[-1].new_amount_fen
        raise_pct = (current - c.original_amount_fen) * 100 / c.original_amount_fen
        price_changes = [a for a in amendments if a.new_amount_fen != a.old_amount_fen]
        most_in_window = 0
        for i, a in enumerate(price_changes):
            n = sum(1 for b in price_changes[i:] if b.amended_at - a.amended_at <= window)
            most_in_window = max(most_in_window, n)
        reasons = []
        if raise_pct > limit:
            reasons.append("raised")
        if most_in_window > max_changes:
            reasons.append("changed_often")
        if reasons:
            yield Finding(
                subject_type=CONTRACT,
                subject_id=str(c.pk),
                key=",".join(reasons),
                message=str(_("合同金额较原合同增加%(p).1f%%；%(w)d天内价格变更%(n)d次"))
                % {"p": raise_pct, "w": window.days, "n": most_in_window},
                inputs={
                    "original_fen": c.original_amount_fen,
                    "current_fen": current,
                    "raise_percent": round(raise_pct, 2),
                    "price_changes_in_window": most_in_window,
                    "reasons": reasons,
                    "tender": c.tender_id,
                },
                unit_id=c.tender.request.buyer_id,
            )


CONTRACT_CHANGES = Rule(
    code="FIN-10-contract-raised-or-changed-often",
    name=_("合同金额增加超过10%或90日内多次变更价格"),
    clause=(
        "《政府采购法》第四十九条（所有补充合同的采购金额不得超过原合同采购金额的百分之十；"
        "checked）；附件3 第四"
    ),
    severity=SEVERITY_YELLOW,
    thresholds={"max_raise_percent": 10.0, "window_days": 90, "max_changes_in_window": 1},
    sweep=sweep_contract_changes,
    clock=DAILY,
)


# ---- winner concentration per buyer and category ---------------------------------------------


def sweep_concentration(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    share_limit = thresholds["share_percent"]
    min_awards = thresholds["min_awards"]
    digits = thresholds["item_code_digits"]
    totals: dict[tuple, int] = defaultdict(int)
    counts: dict[tuple, int] = defaultdict(int)
    by_supplier: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    wins: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    rows = Award.objects.filter(status="active", awarded_at__lte=as_of).values_list(
        "tender__request__buyer_id",
        "tender__request__item_code",
        "awarded_at",
        "supplier_id",
        "supplier__uscc",
        "amount_fen",
    )
    usccs = {}
    for buyer_id, item_code, awarded_at, supplier_id, uscc, amount in rows:
        key = (buyer_id, item_code[:digits], awarded_at.year)
        totals[key] += amount
        counts[key] += 1
        by_supplier[key][supplier_id] += amount
        wins[key][supplier_id] += 1
        usccs[supplier_id] = uscc
    for key, total in totals.items():
        if counts[key] < min_awards:
            continue
        # share of the awards won (by number: one large contract must not look like a
        # monopoly of a buyer's many small ones)
        supplier_id, won = max(wins[key].items(), key=lambda kv: (kv[1], -kv[0]))
        share = won * 100 / counts[key]
        if share >= share_limit:
            buyer_id, code, year = key
            yield Finding(
                subject_type=UNIT,
                subject_id=str(buyer_id),
                key=f"{year}:{code}:{usccs[supplier_id]}",
                message=str(
                    _("%(year)d年同类（%(code)s）采购%(n)d次，一家供应商中标%(w)d次（%(s).1f%%）")
                )
                % {"year": year, "code": code, "n": counts[key], "w": won, "s": share},
                inputs={
                    "year": year,
                    "item_code": code,
                    "supplier_uscc": usccs[supplier_id],
                    "share_percent": round(share, 2),
                    "wins": won,
                    "awards": counts[key],
                    "supplier_fen": by_supplier[key][supplier_id],
                    "total_fen": total,
                },
                unit_id=buyer_id,
            )


CONCENTRATION = Rule(
    code="FIN-6-winner-concentration",
    name=_("同一采购人同类采购中标人集中"),
    clause="附件3 第四（制约操控权）；无直接对应的法条，阈值为本区设定",
    severity=SEVERITY_WARNING,
    thresholds={"share_percent": 60.0, "min_awards": 5, "item_code_digits": 5},
    sweep=sweep_concentration,
    clock=DAILY,
)


# ---- tenderers sharing address, phone or legal representative (R044-style) --------------------


def _norm(value: str) -> str:
    return "".join((value or "").split()).lower()


def sweep_linked_tenderers(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    fields = thresholds["fields"]
    by_tender: dict[int, list] = defaultdict(list)
    for tender_id, firm_id, uscc, address, phone, rep, buyer_id in Bid.objects.filter(
        received_at__lte=as_of, tender__in=_tenders(as_of)
    ).values_list(
        "tender_id",
        "firm_id",
        "firm__uscc",
        "firm__address",
        "firm__phone",
        "firm__legal_rep",
        "tender__request__buyer_id",
    ):
        by_tender[tender_id].append(
            (firm_id, uscc, {"address": address, "phone": phone, "legal_rep": rep}, buyer_id)
        )
    for tender_id, bids in by_tender.items():
        shared = []
        for field in fields:
            seen: dict[str, set[str]] = defaultdict(set)
            for _firm_id, uscc, values, _buyer in bids:
                v = _norm(values[field])
                if v:
                    seen[v].add(uscc)
            for value, firms in seen.items():
                if len(firms) > 1:
                    shared.append(
                        {"field": field, "firms": sorted(firms), "value_sha256": digest(value)}
                    )
        if shared:
            yield Finding(
                subject_type=TENDER,
                subject_id=str(tender_id),
                key=",".join(sorted({s["field"] for s in shared})),
                message=str(_("同一招标中不同投标人的%(f)s相同"))
                % {"f": "、".join(str(FIELD_LABELS[s["field"]]) for s in shared)},
                inputs={"shared": shared},
                unit_id=bids[0][3],
            )


FIELD_LABELS = {"address": _("地址"), "phone": _("联系电话"), "legal_rep": _("法定代表人")}

LINKED = Rule(
    code="FIN-6-tenderers-linked",
    name=_("投标人地址、电话或法定代表人相同"),
    clause=(
        "《招标投标法实施条例》第三十四条第二款（单位负责人为同一人的不同单位不得参加同一"
        "招标项目投标；checked）、第四十条（视为串通投标的情形）；Cardinal R044 的思路"
    ),
    severity=SEVERITY_RED,
    thresholds={"fields": ["address", "phone", "legal_rep"]},
    sweep=sweep_linked_tenderers,
    clock=DAILY,
)


RULES = [FEW_BIDS, SHORT_PERIOD, SPLIT, CONTRACT_CHANGES, CONCENTRATION, LINKED]

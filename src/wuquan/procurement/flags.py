"""The red-flag report the commission reads (issue 16): Cardinal's indicators over every
process's compiled release and the district's rules, flattened into rows with the inputs
that made each flag fire, and counted per indicator, buyer and supplier. Reads only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from wuquan.org.models import Unit

from . import cardinal, ocds, rules, selectors
from .models import Contract, Firm, Tender

# What the district runs Cardinal with: its defaults, except R003's minimum submission period
# per method (Cardinal's `[R003.procurement_method_details]`, set to the legal minimums of
# rules.SHORT_PERIOD) and no price comparison for 单一来源 and 直接采购.
CARDINAL_SETTINGS = {
    **{code: {} for code in cardinal.ALL},
    "R003": {
        "procurement_method_details": {
            "公开招标": 20,
            "邀请招标": 20,
            "竞争性磋商": 10,
            "竞争性谈判": 3,
            "询价": 3,
            "单一来源": 0,
            "直接采购": 0,
        }
    },
    "no_price_comparison_procurement_methods": "单一来源|直接采购",
}
CARDINAL_NAMES = {
    "R003": "等标期过短",
    "R018": "仅一家投标",
    "R024": "中标价与次低价过于接近",
    "R025": "投标屡投不中",
    "R028": "不同投标人报价相同",
    "R030": "逾期投标中标",
    "R035": "除中标人外投标均被否决",
    "R036": "最低价投标被否决",
    "R038": "否决投标比例异常",
    "R048": "供应商经营范围异常宽泛",
    "R058": "中标价大幅低于次低价",
}


@dataclass
class Row:
    code: str
    name: str
    value: float | None
    tender_id: int | None
    buyer: str
    suppliers: list[str]
    inputs: dict
    subject: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    by_indicator: Counter = field(default_factory=Counter)
    by_buyer: Counter = field(default_factory=Counter)
    by_supplier: Counter = field(default_factory=Counter)
    names: dict = field(default_factory=dict)


def _tender_id(ocid: str) -> int | None:
    tail = ocid.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def explain(compiled: dict) -> dict:
    """The fields of a compiled release the indicators read, for a person to check."""
    tender = compiled.get("tender") or {}
    period = tender.get("tenderPeriod") or {}
    start, end = (cardinal.parse_datetime(period.get(k)) for k in ("startDate", "endDate"))
    names = {p["id"]: p.get("name", p["id"]) for p in compiled.get("parties") or []}
    return {
        "method": tender.get("procurementMethodDetails"),
        "period_days": round((end - start).total_seconds() / 86400, 2) if start and end else None,
        "tender_end": period.get("endDate"),
        "number_of_tenderers": tender.get("numberOfTenderers"),
        "bids": [
            {
                "tenderer": "、".join(names.get(t["id"], t["id"]) for t in b.get("tenderers", [])),
                "amount": (b.get("value") or {}).get("amount"),
                "status": b.get("status"),
                "date": b.get("date"),
            }
            for b in (compiled.get("bids") or {}).get("details", [])
        ],
        "awards": [
            {
                "suppliers": [names.get(s["id"], s["id"]) for s in a.get("suppliers", [])],
                "amount": (a.get("value") or {}).get("amount"),
                "status": a.get("status"),
            }
            for a in compiled.get("awards") or []
        ],
    }


def report(as_of: datetime | None = None) -> Report:
    as_of = as_of or timezone.now()
    out = Report(names=dict(CARDINAL_NAMES))
    compiled = {c["ocid"]: c for c in selectors.compiled_releases()}
    result = cardinal.indicators(compiled.values(), CARDINAL_SETTINGS)
    tenders = {
        t.pk: t
        for t in Tender.objects.select_related("request__buyer").prefetch_related(
            "awards__supplier"
        )
    }
    firms = {f"{ocds.ORG_SCHEME}-{f.uscc}": f.name for f in Firm.objects.all()}

    def add(row: Row):
        out.rows.append(row)
        out.by_indicator[row.code] += 1
        if row.buyer:
            out.by_buyer[row.buyer] += 1
        for s in row.suppliers:
            out.by_supplier[s] += 1

    for ocid, codes in (result.get("OCID") or {}).items():
        tid = _tender_id(ocid)
        t = tenders.get(tid)
        for code, value in codes.items():
            add(
                Row(
                    code=code,
                    name=CARDINAL_NAMES[code],
                    value=value,
                    tender_id=tid,
                    buyer=t.request.buyer.name if t else "",
                    suppliers=[a.supplier.name for a in t.awards.all()] if t else [],
                    inputs=explain(compiled[ocid]),
                    subject=ocid,
                )
            )
    for group in ("Tenderer", "Buyer", "ProcuringEntity"):
        for org_id, codes in (result.get(group) or {}).items():
            for code, value in codes.items():
                if group == "Tenderer" and code in ("R024", "R028", "R030", "R035", "R058"):
                    continue  # the process row already names the tenderer
                name = firms.get(org_id, org_id)
                add(
                    Row(
                        code=code,
                        name=CARDINAL_NAMES[code],
                        value=value,
                        tender_id=None,
                        buyer=name if group != "Tenderer" else "",
                        suppliers=[name] if group == "Tenderer" else [],
                        inputs={"group": group, "id": org_id, "value": value},
                        subject=org_id,
                    )
                )
    contracts = {}
    for rule in rules.RULES:
        out.names[rule.code] = str(rule.name)
        for f in rule.sweep(as_of, rule.thresholds):
            tid = None
            if f.subject_type == rules.TENDER:
                tid = int(f.subject_id)
            elif f.subject_type == rules.CONTRACT:
                if not contracts:
                    contracts = dict(Contract.objects.values_list("pk", "tender_id"))
                tid = contracts.get(int(f.subject_id))
            t = tenders.get(tid)
            buyer = t.request.buyer.name if t else ""
            if not buyer and f.unit_id:
                buyer = Unit.objects.filter(pk=f.unit_id).values_list("name", flat=True).first()
            add(
                Row(
                    code=rule.code,
                    name=str(rule.name),
                    value=None,
                    tender_id=tid,
                    buyer=buyer or "",
                    suppliers=[a.supplier.name for a in t.awards.all()] if t else [],
                    inputs={"message": f.message, **f.inputs},
                    subject=f"{f.subject_type}:{f.subject_id}:{f.key}",
                )
            )
    return out


def chart_svg(counts: list[tuple[str, str, int]], width: int = 640) -> str:
    """Server-side SVG bars of the flags per indicator (no script, no style attributes)."""
    from django.utils.html import escape

    if not counts:
        return ""
    bar_h, gap, label_w = 18, 6, 260
    top = max(n for _, _, n in counts)
    height = len(counts) * (bar_h + gap) + gap
    parts = [
        f'<svg class="flag-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape("各指标红旗数")}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (code, name, n) in enumerate(counts):
        y = gap + i * (bar_h + gap)
        w = max(2, int((width - label_w - 50) * n / top))
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="12">{escape(code)} {escape(name)[:14]}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="#a4001d"></rect>'
            f'<text x="{label_w + w + 4}" y="{y + 13}" font-size="12">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

"""Red-flag indicators over OCDS compiled releases, an independent implementation of eleven of
Cardinal's (open-contracting/cardinal-rs, MIT): R003, R018, R024, R025, R028, R030, R035, R036,
R038, R048, R058, with Cardinal's settings and exclusions.

Cardinal's own fixtures (tests/procurement/cardinal/) are the reference: every one gives
exactly Cardinal's output (`test_cardinal.py`). Where Cardinal's pages leave an edge open the
fixtures decided it; the choices are listed in docs/procurement.md ("Cardinal edges").

- Input: compiled releases (dicts). Output: Cardinal's shape, `{"OCID": {ocid: {code: value}},
  "Buyer": …, "ProcuringEntity": …, "Tenderer": …}` with only flagged entries.
- Quartiles are statrs's (Cardinal's statistics crate): the R-8 quantile,
  h = (n + 1/3)·τ + 1/3, interpolated between the order statistics around h.
- Settings (a dict, as Cardinal's INI): `{"R003": {"threshold": 15, "procurement_methods":
  "open|selective", "procurement_method_details": {"x": 5}}, …, "exclusions":
  {"procurement_method_details": "EXC"}, "no_price_comparison_procurement_methods": "NPC",
  "price_comparison_procurement_methods": "…"}`; an indicator runs only when its code is a
  key of `settings` (as a `[R003]` section makes Cardinal run it).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

ALL = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")
DEFAULTS = {code: {} for code in ALL}

RFC3339 = re.compile(r"\A\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\Z")


def parse_datetime(value) -> datetime | None:
    """An RFC 3339 date-time (as chrono's `parse_from_rfc3339`), else None."""
    if not isinstance(value, str) or not RFC3339.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None


def quantile(sorted_values: list[float], tau: float) -> float:
    """statrs `Data::quantile` (R-8) over already sorted values."""
    n = len(sorted_values)
    if n == 0:
        return math.nan
    h = (n + 1.0 / 3.0) * tau + 1.0 / 3.0
    hf = math.floor(h)
    if hf <= 0 or tau == 0.0:
        return sorted_values[0]
    if hf >= n or tau == 1.0:
        return sorted_values[-1]
    a, b = sorted_values[hf - 1], sorted_values[hf]
    return a + (h - hf) * (b - a)


def lower_fence(values: Iterable[float]) -> float:
    v = sorted(values)
    q1, q3 = quantile(v, 0.25), quantile(v, 0.75)
    return q1 - 1.5 * (q3 - q1)


def upper_fence(values: Iterable[float]) -> float:
    v = sorted(values)
    q1, q3 = quantile(v, 0.25), quantile(v, 0.75)
    return q3 + 1.5 * (q3 - q1)


def _methods(value) -> set[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {m.strip() for m in value.split("|") if m.strip()}
    return set(value)


def _num(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _ids(parties) -> list[str]:
    out = []
    if isinstance(parties, list):
        for p in parties:
            if isinstance(p, dict) and isinstance(p.get("id"), (str, int)):
                out.append(str(p["id"]))
    return out


class Result:
    def __init__(self):
        self.groups: dict[str, dict[str, dict[str, float]]] = {}

    def flag(self, group: str, key: str, code: str, value: float) -> None:
        self.groups.setdefault(group, {}).setdefault(key, {})[code] = float(value)

    def as_dict(self) -> dict:
        return {g: v for g, v in self.groups.items() if v}


def _award_state(awards):
    """(active awards, any pending/invalid award)."""
    active, nonfinal = [], False
    if isinstance(awards, list):
        for a in awards:
            if not isinstance(a, dict):
                continue
            status = a.get("status")
            if status == "active":
                active.append(a)
            elif status in ("pending", "invalid"):
                nonfinal = True
    return active, nonfinal


def indicators(releases: Iterable[dict], settings: dict | None = None) -> dict:
    """Run the indicators named in `settings` (all eleven when None) over compiled releases."""
    settings = DEFAULTS if settings is None else settings
    run = {code for code in ALL if code in settings}
    result = Result()
    exclusions = settings.get("exclusions") or {}
    excluded_details = _methods(exclusions.get("procurement_method_details")) or set()
    npc = _methods(settings.get("no_price_comparison_procurement_methods"))
    pc = _methods(settings.get("price_comparison_procurement_methods"))

    s003 = settings.get("R003") or {}
    r003_threshold = int(s003.get("threshold", 15))
    r003_methods = _methods(s003.get("procurement_methods"))
    r003_details = s003.get("procurement_method_details") or {}
    r018_methods = _methods((settings.get("R018") or {}).get("procurement_methods")) or {
        "open",
        "selective",
    }
    r035_threshold = int((settings.get("R035") or {}).get("threshold", 1))
    s048 = settings.get("R048") or {}
    r048_digits = int(s048.get("digits", 2))

    # accumulators of the dataset-wide indicators
    differences: list[tuple[str, float, str, str]] = []  # R024/R058: ocid, diff, winner, second
    r025_bids: dict[str, int] = defaultdict(int)
    r025_wins: dict[str, int] = defaultdict(int)
    r038 = {
        "Buyer": [defaultdict(int), defaultdict(int)],
        "ProcuringEntity": [defaultdict(int), defaultdict(int)],
        "Tenderer": [defaultdict(int), defaultdict(int)],
    }
    r048_codes: dict[str, set[str]] = defaultdict(set)
    r048_processes: dict[str, int] = defaultdict(int)

    for release in releases:
        ocid = release.get("ocid")
        if not isinstance(ocid, str):
            continue
        tender = release.get("tender") if isinstance(release.get("tender"), dict) else {}
        details_code = tender.get("procurementMethodDetails")
        if details_code in excluded_details:
            continue
        cancelled = tender.get("status") == "cancelled"
        bids_obj = release.get("bids") if isinstance(release.get("bids"), dict) else {}
        bids = [b for b in bids_obj.get("details") or [] if isinstance(b, dict)]
        buyer_id = (
            (release.get("buyer") or {}).get("id")
            if isinstance(release.get("buyer"), dict)
            else None
        )
        pe = tender.get("procuringEntity")
        pe_id = pe.get("id") if isinstance(pe, dict) else None

        if cancelled:
            continue

        if "R038" in run:
            for group, org in (("Buyer", buyer_id), ("ProcuringEntity", pe_id)):
                if isinstance(org, (str, int)):
                    for b in bids:
                        if b.get("status") in ("valid", "disqualified"):
                            r038[group][0][str(org)] += 1
                            if b.get("status") == "disqualified":
                                r038[group][1][str(org)] += 1
            for b in bids:
                status = b.get("status")
                if status in ("valid", "disqualified"):
                    for t in _ids(b.get("tenderers")):
                        r038["Tenderer"][0][t] += 1
                        if status == "disqualified":
                            r038["Tenderer"][1][t] += 1

        method = tender.get("procurementMethod")
        price_comparison = not (
            (npc is not None and details_code in npc) or (pc is not None and details_code not in pc)
        )

        if "R003" in run and (r003_methods is None or method in r003_methods):
            period = (
                tender.get("tenderPeriod") if isinstance(tender.get("tenderPeriod"), dict) else {}
            )
            start = parse_datetime(period.get("startDate"))
            end = parse_datetime(period.get("endDate"))
            if start is not None and end is not None:
                days = int((end - start).total_seconds() / 86400)  # whole days, toward zero
                threshold = r003_details.get(details_code, r003_threshold)
                if 0 <= days < int(threshold):
                    result.flag("OCID", ocid, "R003", 1.0)

        if "R018" in run:
            n = tender.get("numberOfTenderers")
            if n == 1 and not isinstance(n, bool) and method in r018_methods:
                result.flag("OCID", ocid, "R018", 1.0)

        active, nonfinal = _award_state(release.get("awards"))
        supplier_sets = [_ids(a.get("suppliers")) for a in active]
        valid = [b for b in bids if b.get("status") == "valid"]
        multi_tenderer = any(len(_ids(b.get("tenderers"))) > 1 for b in bids)
        multi_supplier = any(len(s) > 1 for s in supplier_sets)

        if "R030" in run:
            period = (
                tender.get("tenderPeriod") if isinstance(tender.get("tenderPeriod"), dict) else {}
            )
            end = parse_datetime(period.get("endDate"))
            if end is not None:
                suppliers = {s for ids in supplier_sets for s in ids}
                for b in valid:
                    received = parse_datetime(b.get("date"))
                    if received is not None and received > end:
                        late = [t for t in _ids(b.get("tenderers")) if t in suppliers]
                        if late:
                            result.flag("OCID", ocid, "R030", 1.0)
                            for t in late:
                                result.flag("Tenderer", t, "R030", 1.0)

        if "R035" in run and not nonfinal:
            valid_tenderers = {t for b in valid for t in _ids(b.get("tenderers"))}
            suppliers = {s for ids in supplier_sets for s in ids}
            if len(valid_tenderers) == 1 and valid_tenderers == suppliers:
                disqualified = {
                    t
                    for b in bids
                    if b.get("status") == "disqualified"
                    for t in _ids(b.get("tenderers"))
                } - valid_tenderers
                if len(disqualified) >= r035_threshold:
                    result.flag("OCID", ocid, "R035", float(len(disqualified)))
                    for t in valid_tenderers:
                        result.flag("Tenderer", t, "R035", 0.0)

        if "R036" in run and price_comparison and active:
            lowest_other = None
            lowest_disqualified = None
            has_valid_amount = False
            for b in bids:
                status = b.get("status")
                value = b.get("value") if isinstance(b.get("value"), dict) else {}
                amount = _num(value.get("amount"))
                if amount is None:
                    continue
                if status == "disqualified":
                    if lowest_disqualified is None or amount < lowest_disqualified:
                        lowest_disqualified = amount
                elif status in ("valid", "pending"):
                    if status == "valid":
                        has_valid_amount = True
                    if lowest_other is None or amount < lowest_other:
                        lowest_other = amount
            if (
                has_valid_amount
                and lowest_disqualified is not None
                and lowest_disqualified <= lowest_other
            ):
                result.flag("OCID", ocid, "R036", 1.0)

        if "R028" in run and price_comparison:
            by_price: dict[tuple, set[tuple[str, ...]]] = defaultdict(set)
            for b in bids:
                value = b.get("value") if isinstance(b.get("value"), dict) else {}
                amount = _num(value.get("amount"))
                tenderers = tuple(sorted(_ids(b.get("tenderers"))))
                if amount is None or not tenderers:
                    continue
                by_price[(amount, value.get("currency"))].add(tenderers)
            flagged = set()
            for groups in by_price.values():
                if len(groups) > 1:
                    for group in groups:
                        flagged.update(group)
            if flagged:
                result.flag("OCID", ocid, "R028", 1.0)
                for t in flagged:
                    result.flag("Tenderer", t, "R028", 1.0)

        simple = not nonfinal and len(active) == 1 and not multi_tenderer and not multi_supplier

        if ("R024" in run or "R058" in run) and simple and price_comparison:
            winner_ids = supplier_sets[0]
            if winner_ids:
                winner = winner_ids[0]
                winning = None
                second = None  # (amount, tenderer)
                for b in valid:
                    value = b.get("value") if isinstance(b.get("value"), dict) else {}
                    amount = _num(value.get("amount"))
                    ids = _ids(b.get("tenderers"))
                    if amount is None or not ids:
                        continue
                    if ids[0] == winner:
                        if winning is None or amount < winning:
                            winning = amount
                    elif second is None or amount < second[0]:
                        second = (amount, ids[0])
                if winning is not None and second is not None and winning <= second[0]:
                    if winning != 0:
                        differences.append(
                            (ocid, (second[0] - winning) / winning, winner, second[1])
                        )

        if "R025" in run and simple:
            winners = set(supplier_sets[0]) if supplier_sets else set()
            for t in {t for b in valid for t in _ids(b.get("tenderers"))}:
                r025_bids[t] += 1
                if t in winners:
                    r025_wins[t] += 1

        if "R048" in run:
            for a, ids in zip(active, supplier_sets, strict=True):
                if len(ids) != 1:
                    continue
                supplier = ids[0]
                r048_processes[supplier] += 1
                for item in a.get("items") or []:
                    if not isinstance(item, dict):
                        continue
                    cls = item.get("classification")
                    code = cls.get("id") if isinstance(cls, dict) else None
                    if isinstance(code, (str, int)):
                        code = str(code)
                        if len(code) >= r048_digits:
                            r048_codes[supplier].add(code[:r048_digits])

    # ------------------------------------------------------------------ dataset-wide
    if differences and "R024" in run:
        s = settings.get("R024") or {}
        fence = s.get("threshold")
        fence = lower_fence(d for _, d, _, _ in differences) if fence is None else float(fence)
        for ocid, diff, winner, second in differences:
            if diff <= fence:
                result.flag("OCID", ocid, "R024", diff)
                result.flag("Tenderer", winner, "R024", 0.0)
                result.flag("Tenderer", second, "R024", 0.0)
    if differences and "R058" in run:
        s = settings.get("R058") or {}
        fence = s.get("threshold")
        fence = upper_fence(d for _, d, _, _ in differences) if fence is None else float(fence)
        for ocid, diff, winner, _second in differences:
            if diff >= fence:
                result.flag("OCID", ocid, "R058", diff)
                result.flag("Tenderer", winner, "R058", 0.0)
    if r025_bids and "R025" in run:
        s = settings.get("R025") or {}
        counts = sorted(float(n) for n in r025_bids.values())
        top = quantile(counts, float(s.get("percentile", 75)) / 100.0)
        ratios = {t: r025_wins[t] / n for t, n in r025_bids.items()}
        fence = s.get("threshold")
        fence = lower_fence(ratios.values()) if fence is None else float(fence)
        for t, n in r025_bids.items():
            if n >= top and ratios[t] <= fence:
                result.flag("Tenderer", t, "R025", ratios[t])
    if "R038" in run:
        s = settings.get("R038") or {}
        minimum_bids = int(s.get("minimum_submitted_bids", 2))
        minimum_processes = int(s.get("minimum_contracting_processes", 2))
        threshold = s.get("threshold")
        for group in ("Buyer", "ProcuringEntity", "Tenderer"):
            counters = r038[group]
            submitted, disqualified = counters[0], counters[1]
            # Cardinal's page says "contracting processes" for buyers and procuring entities;
            # its fixture R038 and its documented example are both only consistent with the
            # minimum being compared with the submitted bids, as for tenderers.
            minimum = minimum_bids if group == "Tenderer" else minimum_processes
            eligible = [k for k, n in submitted.items() if n and n >= minimum]
            ratios = {k: disqualified[k] / submitted[k] for k in eligible}
            if not ratios:
                continue
            fence = upper_fence(ratios.values()) if threshold is None else float(threshold)
            for k, ratio in ratios.items():
                if ratio >= fence:
                    result.flag(group, k, "R038", ratio)
    if r048_codes and "R048" in run:
        minimum = int(s048.get("minimum_contracting_processes", 20))
        varieties = {t: len(c) for t, c in r048_codes.items()}
        threshold = s048.get("threshold")
        if threshold is None:
            basis = [float(v) for t, v in varieties.items() if r048_processes[t] >= minimum]
            fence = upper_fence(basis) if basis else math.nan
        else:
            fence = float(threshold)
        if not math.isnan(fence):
            for t, v in varieties.items():
                if v >= fence:
                    result.flag("Tenderer", t, "R048", float(v))
    return result.as_dict()

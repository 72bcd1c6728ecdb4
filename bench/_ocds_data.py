"""Generated OCDS releases for the procurement benchmarks: the shape `procurement.releases`
writes (buyer, tender, bids, awards, contracts), varied by a seeded random generator."""

from __future__ import annotations

import random

METHODS = [
    ("open", "公开招标"),
    ("selective", "邀请招标"),
    ("limited", "询价"),
    ("direct", "直接采购"),
]


def release(i: int, rng: random.Random, prefix: str = "ocds-wuquan") -> dict:
    ocid = f"{prefix}-{i}"
    method, details = METHODS[rng.randrange(4)]
    buyer = {"id": f"CN-LT-UNIT-u{rng.randrange(60)}", "name": "龙潭区某单位"}
    n = rng.randrange(1, 6)
    # distinct: a release lists each party once (OCDS `parties` is uniqueItems; at 10^4
    # releases a repeated draw made 8 of them invalid)
    tenderers = [f"CN-USCC-9122020{k:04d}MA0000001" for k in rng.sample(range(4000), n)]
    base = rng.randrange(10_000, 2_000_000)
    end_day = rng.randrange(3, 28)
    bids = []
    for k, t in enumerate(tenderers):
        bids.append(
            {
                "id": str(k + 1),
                # 2 % arrive after the deadline (R030 material)
                "date": f"2025-03-{min(end_day + (1 if rng.random() < 0.02 else -1), 28):02d}"
                "T02:00:00Z",
                "status": "disqualified" if rng.random() < 0.08 else "valid",
                "tenderers": [{"id": t, "name": "某公司"}],
                "value": {"amount": int(base * rng.uniform(0.85, 1.15)), "currency": "CNY"},
            }
        )
    valid = [b for b in bids if b["status"] == "valid"] or bids
    win = min(valid, key=lambda b: b["value"]["amount"])
    supplier = win["tenderers"][0]
    item = {
        "id": "1",
        "classification": {"scheme": "CN-ZFCGPM", "id": f"{rng.randrange(10, 40)}010101"},
    }
    return {
        "ocid": ocid,
        "id": f"{ocid}-005-contract",
        "date": "2025-12-01T02:00:00Z",
        "tag": ["contract"],
        "initiationType": "tender",
        "language": "zh",
        "buyer": buyer,
        "parties": [{**buyer, "roles": ["buyer"]}]
        + [{"id": t, "name": "某公司", "roles": ["tenderer"]} for t in tenderers],
        "planning": {"budget": {"amount": {"amount": base, "currency": "CNY"}}},
        "tender": {
            "id": str(i),
            "title": "某采购项目",
            "status": "complete",
            "procuringEntity": buyer,
            "items": [item],
            "value": {"amount": base, "currency": "CNY"},
            "procurementMethod": method,
            "procurementMethodDetails": details,
            "mainProcurementCategory": "goods",
            "numberOfTenderers": n,
            "tenderPeriod": {
                "startDate": "2025-03-01T01:00:00Z",
                "endDate": f"2025-03-{end_day:02d}T01:00:00Z",
            },
        },
        "bids": {"details": bids},
        "awards": [
            {
                "id": "1",
                "status": "active",
                "date": "2025-04-01T02:00:00Z",
                "value": win["value"],
                "suppliers": [supplier],
                "items": [item],
                "relatedBid": win["id"],
            }
        ],
        "contracts": [
            {
                "id": "1",
                "awardID": "1",
                "status": "active",
                "value": win["value"],
                "dateSigned": "2025-04-05T02:00:00Z",
                "items": [item],
            }
        ],
    }

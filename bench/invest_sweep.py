"""invest_sweep: the investment sweep over P projects and M payments beside a bare count of
the same predicate in the same run (FIN-16; issue 17). Goal: ratio ≤ 10.

Figures (median of 3, interleaved): `sweep_ms` = the rule `FIN-16-spending-over-budget-estimate`
as the supervision engine runs it (`rules.OVER_BUDGET.sweep`: the 概算 in force, contracts and
payments summed per project, a Finding built for each breach); `all_rules_ms` = every invest
rule (`rules.run_all`), for information; `baseline_ms` = one raw SQL `COUNT(*)` of the projects
whose contracts or payments exceed their 概算 in force (what a hand-written report would do).
One project in 100 is planted over its 概算; both ways must count the same number.

Rows are bulk-inserted (projects, 概算, one request/tender/bid/award/contract per project, M
payments spread over them), not through the services: the benchmark times the reads.

The issue names P = 10^4 and M = 10^6. The default here is M = 10^5 (the machine's 2 cores are
shared by seven engineers; load average ≈ 14 when this was written): WUQUAN_BENCH_PROJECTS and
WUQUAN_BENCH_PAYMENTS override. Run: `.venv/bin/python bench/invest_sweep.py`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

P = int(os.environ.get("WUQUAN_BENCH_PROJECTS", "10000"))
M = int(os.environ.get("WUQUAN_BENCH_PAYMENTS", "100000"))
REPEAT = 3
GOAL = 10.0
os.environ.setdefault("WUQUAN_DEBUG", "0")
SH = ZoneInfo("Asia/Shanghai")
BATCH = 5000

BARE_SQL = """
SELECT COUNT(*) FROM (
  SELECT b.project_id, b.amount_fen,
         COALESCE(c.total, 0) AS contracted, COALESCE(p.total, 0) AS paid
  FROM invest_estimate b
  LEFT JOIN (
    SELECT r.project_ref AS ref, SUM(k.amount_fen) AS total
    FROM procurement_contract k
    JOIN procurement_tender t ON t.id = k.tender_id
    JOIN procurement_procurementrequest r ON r.id = t.request_id
    WHERE r.project_ref LIKE 'invest.project:%%' AND k.signed_at <= %s AND k.status <> 'cancelled'
    GROUP BY r.project_ref
  ) c ON c.ref = 'invest.project:' || CAST(b.project_id AS TEXT)
  LEFT JOIN (
    SELECT r.project_ref AS ref, SUM(y.amount_fen) AS total
    FROM procurement_payment y
    JOIN procurement_contract k ON k.id = y.contract_id
    JOIN procurement_tender t ON t.id = k.tender_id
    JOIN procurement_procurementrequest r ON r.id = t.request_id
    WHERE r.project_ref LIKE 'invest.project:%%' AND y.paid_at <= %s
    GROUP BY r.project_ref
  ) p ON p.ref = 'invest.project:' || CAST(b.project_id AS TEXT)
  WHERE b.stage = 'budget_estimate' AND b.recorded_on <= %s
    AND NOT EXISTS (
      SELECT 1 FROM invest_estimate n
      WHERE n.project_id = b.project_id AND n.stage = b.stage AND n.recorded_on <= %s
        AND (n.recorded_on > b.recorded_on OR (n.recorded_on = b.recorded_on AND n.version > b.version))
    )
) x WHERE x.contracted > x.amount_fen OR x.paid > x.amount_fen
"""


def _bulk(model, rows):
    out = []
    for k in range(0, len(rows), BATCH):
        out.extend(model.objects.bulk_create(rows[k : k + BATCH], batch_size=BATCH))
    return out


def setup() -> int:
    """Returns the number of projects planted over their 概算."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from wuquan.invest.models import Estimate, EstimateStage, Project, Sector
    from wuquan.org.models import Unit, UnitKind
    from wuquan.procurement.models import (
        Award,
        Bid,
        Contract,
        Firm,
        Method,
        Payment,
        ProcurementRequest,
        Tender,
    )

    district = Unit.objects.create(code="bench-d", name="基准区", kind=UnitKind.DISTRICT)
    unit = Unit.objects.create(
        code="bench-u", name="基准建设单位", kind=UnitKind.DISTRICT_BODY, parent=district
    )
    firm = Firm.objects.create(uscc="91220203MA0Y00001J", name="基准建设公司")
    now = datetime(2025, 6, 1, 9, tzinfo=SH)
    per = max(M // P, 1)
    projects = _bulk(
        Project,
        [
            Project(
                code=f"2025-220203-48-01-{i:06d}",
                name=f"基准项目{i}",
                owner=unit,
                construction_unit=unit,
                sector=Sector.TRANSPORT,
                location="基准",
                registered_at=now,
            )
            for i in range(P)
        ],
    )
    planted = 0
    estimates, requests = [], []
    for i, p in enumerate(projects):
        over = i % 100 == 0
        planted += over
        budget = 100 * per * 100 - (1 if over else 0)  # payments of 100 yuan each: just over
        estimates.append(
            Estimate(
                project=p,
                stage=EstimateStage.BUDGET_ESTIMATE,
                version=1,
                amount_fen=budget if over else budget * 2,
                recorded_on=date(2025, 1, 10),
                recorded_at=now,
            )
        )
        requests.append(
            ProcurementRequest(
                buyer=unit,
                project_ref=p.ref,
                title="施工",
                category="works",
                item_code="B0701",
                amount_fen=per * 100 * 100,
                requested_on=date(2025, 2, 1),
                tier="committee",
            )
        )
    _bulk(Estimate, estimates)
    requests = _bulk(ProcurementRequest, requests)
    tenders = _bulk(
        Tender,
        [
            Tender(
                request=r,
                title="施工",
                method=Method.OPEN,
                period_start=now - timedelta(days=60),
                period_end=now - timedelta(days=39),
                published_at=now - timedelta(days=60),
                status="complete",
            )
            for r in requests
        ],
    )
    bids = _bulk(
        Bid,
        [
            Bid(
                tender=t,
                firm=firm,
                amount_fen=per * 100 * 100,
                received_at=now - timedelta(days=40),
            )
            for t in tenders
        ],
    )
    awards = _bulk(
        Award,
        [
            Award(
                tender=b.tender,
                bid=b,
                supplier=firm,
                amount_fen=b.amount_fen,
                awarded_at=now - timedelta(days=35),
            )
            for b in bids
        ],
    )
    contracts = _bulk(
        Contract,
        [
            Contract(
                award=a,
                tender=a.tender,
                amount_fen=a.amount_fen,
                original_amount_fen=a.amount_fen,
                signed_at=now - timedelta(days=30),
            )
            for a in awards
        ],
    )
    rows = []
    for j in range(M):
        rows.append(
            Payment(
                contract=contracts[j % P],
                amount_fen=100 * 100,
                paid_at=now + timedelta(minutes=j % 10000),
            )
        )
        if len(rows) == BATCH:
            Payment.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
    if rows:
        Payment.objects.bulk_create(rows, batch_size=BATCH)
    return planted


def run(database: str) -> dict:
    from django.db import connection

    t0 = time.perf_counter()
    planted = setup()
    load_s = time.perf_counter() - t0
    from wuquan.invest import rules

    as_of = datetime(2026, 1, 1, tzinfo=SH)
    day = as_of.date()
    sweeps, bares, everything = [], [], []
    found = counted = None
    for _ in range(REPEAT):
        t = time.perf_counter()
        found = len(list(rules.OVER_BUDGET.sweep(as_of, {})))
        sweeps.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(BARE_SQL, [as_of, as_of, day, day])
            counted = cur.fetchone()[0]
        bares.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        rules.run_all(as_of)
        everything.append((time.perf_counter() - t) * 1000)
    assert found == counted == planted, (found, counted, planted)
    sweep, bare = statistics.median(sweeps), statistics.median(bares)
    return {
        "database": database,
        "projects": P,
        "payments": M,
        "breaches": found,
        "load_s": round(load_s, 1),
        "sweep_ms": round(sweep, 1),
        "all_rules_ms": round(statistics.median(everything), 1),
        "baseline_ms": round(bare, 1),
        "ratio": round(sweep / bare, 2) if bare else None,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def summary(entries: list[dict]) -> dict:
    ok = [e for e in entries if "error" not in e]
    return {
        "figure": {
            e["database"]: {"sweep_ms": e["sweep_ms"], "all_rules_ms": e["all_rules_ms"]}
            for e in ok
        },
        "unit": "ms (median of 3): FIN-16-spending-over-budget-estimate sweep (and all invest rules)",
        "baseline": {e["database"]: {"bare_count_ms": e["baseline_ms"]} for e in ok},
        "ratio": {e["database"]: e["ratio"] for e in ok},
        "goal": f"ratio ≤ {GOAL}",
        "n": {"projects": P, "payments": M},
        "note": (
            "n smaller than the issue's 10^6 payments when WUQUAN_BENCH_PAYMENTS is not set: "
            "the machine was loaded (see loadavg)"
        ),
        "loadavg": {e["database"]: e["loadavg"] for e in ok},
    }


if __name__ == "__main__":
    main("invest_sweep", run, summary)

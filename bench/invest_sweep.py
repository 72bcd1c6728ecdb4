"""invest_sweep: the investment sweep — every invest rule's `sweep` as the supervision engine
runs it (FIN-16 ×7, SUP-7, FIN-17), every Finding built — over P projects and M payments,
beside a bare count of the same predicates in the same run (issue 17). Goal: ratio ≤ 10.

Figures (median of REPEAT runs, interleaved sweep, bare, sweep, bare …): `figure` = seconds for
all nine sweeps; `baseline` = seconds for nine raw SQL `COUNT(*)`s, one per rule, of the
subjects that rule finds (what a hand-written report would do), summed; `ratio` = their
quotient, with the min–max of the per-run ratios and the spread ((max − min) / median). Each
rule's own median and bare median are in `rules`. Every count must equal the rule's number of
Findings, and both the number planted.

Data (bulk SQL, not the services: the benchmark times the reads): P projects each with an
估算 and a 概算, the approvals a contract and a works payment need, one request/tender/bid/award/
contract, an allocation, a progress certificate and a disbursement from one of ten special
funds, two separated duties; one inspection problem per ten projects; M payments spread over
the contracts (one `INSERT … SELECT` from a generated series). One project in 100 is planted
for each rule (over its 概算, no 初步设计 approval, 概算 > 估算 + 10 %, a single-source
contract above the tender threshold, a disbursement without certificate / outside the fund's
purpose / after its deadline, two roles in one unit; one problem in 10 not rectified).

Defaults are the issue's sizes, P = 10^4 and M = 10^6 (a run takes a few minutes per database);
WUQUAN_BENCH_PROJECTS, WUQUAN_BENCH_PAYMENTS and WUQUAN_BENCH_REPEAT override for a quick run.
Run: `.venv/bin/python bench/invest_sweep.py`.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main, series, time_rules  # noqa: E402

P = int(os.environ.get("WUQUAN_BENCH_PROJECTS", "10000"))
M = int(os.environ.get("WUQUAN_BENCH_PAYMENTS", "1000000"))
REPEAT = int(os.environ.get("WUQUAN_BENCH_REPEAT", "5"))
GOAL = 10.0
os.environ.setdefault("WUQUAN_DEBUG", "0")
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 6, 1, 9, tzinfo=SH)
AS_OF = datetime(2026, 1, 1, tzinfo=SH)
BATCH = 5000
# i % 100 == planted rule's residue (one project in 100 per rule)
OVER, NO_DESIGN, EST_OVER, SINGLE_SOURCE, NO_CERT, OUTSIDE, LATE, TWO_ROLES = range(8)

# the local (Asia/Shanghai) date of a stored timestamp, as timezone.localdate() in the rules
LOCAL_DATE = {
    "sqlite": "date({}, '+8 hours')",
    "postgresql": "CAST(({} AT TIME ZONE 'Asia/Shanghai') AS DATE)",
}
# contracts of investment projects (any), then those signed by as_of and not cancelled
ALL_PROJECT_CONTRACTS = """
  SELECT k.id, CAST(SUBSTR(r.project_ref, 16) AS INTEGER) AS pid, k.signed_at, k.status, k.amount_fen,
         k.original_amount_fen, r.category, r.amount_fen AS request_fen, t.method
  FROM procurement_contract k
  JOIN procurement_tender t ON t.id = k.tender_id
  JOIN procurement_procurementrequest r ON r.id = t.request_id
  WHERE r.project_ref LIKE 'invest.project:%%'
"""
PROJECT_CONTRACTS = (
    ALL_PROJECT_CONTRACTS + "  AND k.signed_at <= %(ts)s AND k.status <> 'cancelled'\n"
)
IN_FORCE = """
  SELECT b.project_id, b.amount_fen, b.approval_id FROM invest_estimate b
  WHERE b.stage = '{stage}' AND b.recorded_on <= %(day)s AND NOT EXISTS (
    SELECT 1 FROM invest_estimate n
    WHERE n.project_id = b.project_id AND n.stage = b.stage AND n.recorded_on <= %(day)s
      AND (n.recorded_on > b.recorded_on
           OR (n.recorded_on = b.recorded_on AND n.version > b.version)))
"""
HAS = (
    "EXISTS (SELECT 1 FROM invest_approval a WHERE a.project_id = k.pid "
    "AND a.kind = '{kind}' AND a.approved_on <= {on})"
)


def bare_sql(database: str) -> dict[str, str]:
    """rule code -> one COUNT(*) of the subjects the rule finds, written by hand."""
    ld = LOCAL_DATE[database]
    signed, paid = ld.format("k.signed_at"), "f.paid"

    def lacks(on, kinds):
        return " OR ".join("NOT " + HAS.format(kind=kind, on=on) for kind in kinds)

    return {
        "FIN-16-built-before-approval": f"""
SELECT COUNT(DISTINCT x.pid) FROM (
  SELECT k.pid FROM ({PROJECT_CONTRACTS}) k WHERE {lacks(signed, ["feasibility", "design"])}
  UNION ALL
  SELECT k.pid FROM ({PROJECT_CONTRACTS}) k
  JOIN (SELECT contract_id, {ld.format("MIN(paid_at)")} AS paid FROM procurement_payment
        WHERE paid_at <= %(ts)s GROUP BY contract_id) f ON f.contract_id = k.id
  WHERE {lacks(paid, ["feasibility", "design"])}
     OR (k.category = 'works' AND {lacks(paid, ["construction"])})
) x""",
        "FIN-16-budget-estimate-over-estimate": f"""
SELECT COUNT(*) FROM ({IN_FORCE.format(stage="budget_estimate")}) b
JOIN ({IN_FORCE.format(stage="estimate")}) e ON e.project_id = b.project_id
WHERE b.amount_fen * 100 > e.amount_fen * 110 AND NOT EXISTS (
  SELECT 1 FROM invest_approval a WHERE a.id = b.approval_id AND a.kind = 'reapproval'
  AND a.approved_on <= %(day)s)""",
        "FIN-16-spending-over-budget-estimate": f"""
SELECT COUNT(*) FROM ({IN_FORCE.format(stage="budget_estimate")}) b
LEFT JOIN (SELECT k.pid, SUM(k.amount_fen) AS total FROM ({PROJECT_CONTRACTS}) k
           GROUP BY k.pid) c
  ON c.pid = b.project_id
LEFT JOIN (SELECT k.pid, SUM(y.amount_fen) AS total FROM ({ALL_PROJECT_CONTRACTS}) k
           JOIN procurement_payment y ON y.contract_id = k.id
           WHERE y.paid_at <= %(ts)s GROUP BY k.pid) p ON p.pid = b.project_id
WHERE COALESCE(c.total, 0) > b.amount_fen OR COALESCE(p.total, 0) > b.amount_fen""",
        "FIN-16-must-tender-without-tender": f"""
SELECT COUNT(*) FROM ({PROJECT_CONTRACTS}) k
WHERE k.method NOT IN ('open_tender', 'invited_tender')
  AND CASE WHEN k.original_amount_fen > COALESCE(k.request_fen, 0)
           THEN k.original_amount_fen ELSE COALESCE(k.request_fen, 0) END
   >= CASE k.category WHEN 'works' THEN 400000000 WHEN 'goods' THEN 200000000
                      WHEN 'services' THEN 100000000 END""",
        "FIN-16-disbursement-without-certificate": """
SELECT COUNT(*) FROM invest_disbursement d
WHERE d.paid_on <= %(day)s AND d.recorded_at <= %(ts)s AND d.certificate_id IS NULL""",
        "FIN-16-fund-outside-purpose": """
SELECT COUNT(*) FROM invest_disbursement d
JOIN invest_project p ON p.id = d.project_id JOIN invest_specialfund s ON s.id = d.fund_id
WHERE d.paid_on <= %(day)s AND d.recorded_at <= %(ts)s AND p.sector <> s.sector""",
        "FIN-16-fund-after-deadline": """
SELECT COUNT(*) FROM invest_disbursement d JOIN invest_specialfund s ON s.id = d.fund_id
WHERE d.paid_on <= %(day)s AND d.recorded_at <= %(ts)s AND d.paid_on > s.deadline""",
        "SUP-7-problem-not-rectified": """
SELECT COUNT(*) FROM invest_problem
WHERE recorded_at <= %(ts)s AND deadline < %(day)s
  AND NOT (rectified_on IS NOT NULL AND rectified_on <= deadline)""",
        "FIN-17-separated-duties-combined": """
SELECT COUNT(*) FROM (
  SELECT project_id, fund_id, unit_id FROM invest_duty d
  WHERE assigned_on <= %(day)s AND recorded_at <= %(ts)s
    AND NOT (revoked_on IS NOT NULL AND revoked_on <= %(day)s)
  GROUP BY project_id, fund_id, unit_id HAVING COUNT(DISTINCT role) >= 2
  UNION ALL
  SELECT project_id, fund_id, person_id FROM invest_duty d
  WHERE assigned_on <= %(day)s AND recorded_at <= %(ts)s AND person_id IS NOT NULL
    AND NOT (revoked_on IS NOT NULL AND revoked_on <= %(day)s)
  GROUP BY project_id, fund_id, person_id HAVING COUNT(DISTINCT role) >= 2
) x""",
    }


def planted() -> dict[str, int]:
    """What each rule must find in the data `setup` makes."""
    per_rule = len(range(0, P, 100))
    return {
        "FIN-16-built-before-approval": len(range(NO_DESIGN, P, 100)),
        "FIN-16-budget-estimate-over-estimate": len(range(EST_OVER, P, 100)),
        "FIN-16-spending-over-budget-estimate": per_rule,
        "FIN-16-must-tender-without-tender": len(range(SINGLE_SOURCE, P, 100)),
        "FIN-16-disbursement-without-certificate": len(range(NO_CERT, P, 100)),
        "FIN-16-fund-outside-purpose": len(range(OUTSIDE, P, 100)),
        "FIN-16-fund-after-deadline": len(range(LATE, P, 100)),
        "SUP-7-problem-not-rectified": len(range(0, P, 100)),
        "FIN-17-separated-duties-combined": len(range(TWO_ROLES, P, 100)),
    }


def _bulk(model, rows):
    out = []
    for k in range(0, len(rows), BATCH):
        out.extend(model.objects.bulk_create(rows[k : k + BATCH], batch_size=BATCH))
    return out


def _insert_payments(database: str, first_contract: int) -> None:
    """M payments of 100 yuan over the P contracts, one statement from a generated series."""
    from django.db import connection

    paid_at = {
        "postgresql": "TIMESTAMPTZ '2025-06-01 01:00:00+00' + (j %% 10000) * INTERVAL '1 minute'",
        "sqlite": "strftime('%%Y-%%m-%%d %%H:%%M:%%S', '2025-06-01 01:00:00', "
        "'+' || (j %% 10000) || ' minutes')",
    }[database]
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO procurement_payment (contract_id, amount_fen, paid_at) "
            f"SELECT %s + j %% %s, 10000, {paid_at} FROM {series(database, M)}",
            [first_contract, P],
        )


def setup(database: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from wuquan.invest.models import (
        Allocation,
        Approval,
        ApprovalKind,
        Disbursement,
        Duty,
        Estimate,
        EstimateStage,
        Inspection,
        Problem,
        ProgressCertificate,
        Project,
        ProjectRole,
        Sector,
        SpecialFund,
    )
    from wuquan.org.models import Unit, UnitKind
    from wuquan.procurement.models import (
        Award,
        Bid,
        Contract,
        Firm,
        Method,
        ProcurementRequest,
        Tender,
    )

    district = Unit.objects.create(code="bench-d", name="基准区", kind=UnitKind.DISTRICT)
    unit, other = (
        Unit.objects.create(code=f"bench-{c}", name=n, kind=UnitKind.DISTRICT_BODY, parent=district)
        for c, n in (("u", "基准建设单位"), ("s", "基准监管单位"))
    )
    firm = Firm.objects.create(uscc="91220203MA0Y00001J", name="基准建设公司")
    funds = _bulk(
        SpecialFund,
        [
            SpecialFund(
                code=f"bench-f{k}",
                name=f"基准专项{k}",
                level="district",
                purpose="交通",
                sector=Sector.TRANSPORT if k else Sector.EDUCATION,
                deadline=date(2025, 12, 31),
                amount_fen=10**12,
                managing_unit=other,
                created_at=NOW,
            )
            for k in range(10)
        ],
    )
    per = max(M // P, 1)
    contract_fen = per * 100 * 100  # the contract's payments: per × 100 yuan
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
                registered_at=NOW,
            )
            for i in range(P)
        ],
    )
    estimates, approvals, requests, duties = [], [], [], []
    for i, p in enumerate(projects):
        r = i % 100
        budget = contract_fen - 1 if r == OVER else contract_fen * 2
        for stage, amount in (
            (EstimateStage.ESTIMATE, budget // 2 if r == EST_OVER else budget),
            (EstimateStage.BUDGET_ESTIMATE, budget),
        ):
            estimates.append(
                Estimate(
                    project=p,
                    stage=stage,
                    version=1,
                    amount_fen=amount,
                    recorded_on=date(2025, 1, 10),
                    recorded_at=NOW,
                )
            )
        for kind, on in (
            (ApprovalKind.FEASIBILITY, date(2025, 1, 5)),
            (ApprovalKind.DESIGN, date(2025, 1, 10)),
            (ApprovalKind.CONSTRUCTION, date(2025, 3, 1)),
        ):
            if kind == ApprovalKind.DESIGN and r == NO_DESIGN:
                continue
            approvals.append(
                Approval(
                    project=p,
                    kind=kind,
                    doc_no=f"基准{i}-{kind}",
                    authority=district,
                    approved_on=on,
                    file_sha256="0" * 64,
                    recorded_at=NOW,
                    recorded_by="bench",
                )
            )
        requests.append(
            ProcurementRequest(
                buyer=unit,
                project_ref=p.ref,
                title="施工",
                category="works",
                item_code="B0701",
                amount_fen=500_000_000 if r == SINGLE_SOURCE else contract_fen,
                requested_on=date(2025, 2, 1),
                tier="committee",
            )
        )
        for role, holder in (
            (ProjectRole.CONSTRUCTION, unit),
            (ProjectRole.SUPERVISION, unit if r == TWO_ROLES else other),
        ):
            duties.append(
                Duty(
                    project=p,
                    role=role,
                    unit=holder,
                    assigned_on=date(2025, 1, 1),
                    recorded_at=NOW,
                )
            )
    _bulk(Estimate, estimates)
    _bulk(Approval, approvals)
    _bulk(Duty, duties)
    requests = _bulk(ProcurementRequest, requests)
    tenders = _bulk(
        Tender,
        [
            Tender(
                request=q,
                title="施工",
                method=Method.SINGLE_SOURCE if i % 100 == SINGLE_SOURCE else Method.OPEN,
                period_start=NOW - timedelta(days=60),
                period_end=NOW - timedelta(days=39),
                published_at=NOW - timedelta(days=60),
                status="complete",
            )
            for i, q in enumerate(requests)
        ],
    )
    bids = _bulk(
        Bid,
        [
            Bid(tender=t, firm=firm, amount_fen=contract_fen, received_at=NOW - timedelta(days=40))
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
                awarded_at=NOW - timedelta(days=35),
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
                signed_at=NOW - timedelta(days=30),
            )
            for a in awards
        ],
    )
    ids = [c.pk for c in contracts]
    assert ids == list(range(ids[0], ids[0] + P)), "contract ids must be consecutive"
    _insert_payments(database, ids[0])
    allocations = _bulk(
        Allocation,
        [
            Allocation(
                fund=funds[0 if i % 100 == OUTSIDE else 1 + i % 9],
                project=p,
                amount_fen=contract_fen,
                doc_no=f"基准下达{i}",
                allocated_on=date(2025, 4, 1),
                recorded_at=NOW,
            )
            for i, p in enumerate(projects)
        ],
    )
    certificates = _bulk(
        ProgressCertificate,
        [
            ProgressCertificate(
                project=p,
                contract=c,
                number="1",
                percent=50,
                certified_fen=contract_fen // 2,
                certified_on=date(2025, 7, 1),
                certifier=other,
                file_sha256="0" * 64,
                recorded_at=NOW,
            )
            for p, c in zip(projects, contracts, strict=True)
        ],
    )
    _bulk(
        Disbursement,
        [
            Disbursement(
                allocation=a,
                project=a.project,
                fund=a.fund,
                contract=c,
                certificate=None if i % 100 == NO_CERT else cert,
                amount_fen=contract_fen // 2,
                paid_on=date(2026, 1, 1) if i % 100 == LATE else date(2025, 7, 10),
                recorded_at=NOW,
            )
            for i, (a, c, cert) in enumerate(zip(allocations, contracts, certificates, strict=True))
        ],
    )
    inspections = _bulk(
        Inspection,
        [
            Inspection(
                project=projects[i],
                unit=other,
                inspector="finance",
                kind="problem",
                inspected_on=date(2025, 8, 1),
                summary="巡查",
                filed_at=NOW + timedelta(days=61),
                filed_by="bench",
            )
            for i in range(0, P, 10)
        ],
    )
    _bulk(
        Problem,
        [
            Problem(
                inspection=s,
                description="问题",
                deadline=date(2025, 9, 1),
                rectified_on=None if k % 10 == 0 else date(2025, 8, 20),
                recorded_at=NOW + timedelta(days=61),
            )
            for k, s in enumerate(inspections)
        ],
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def run(database: str) -> dict:
    from django.db import connection

    from wuquan.invest import rules

    t0 = time.perf_counter()
    setup(database)
    load_s = time.perf_counter() - t0
    params = {
        "ts": connection.ops.adapt_datetimefield_value(AS_OF.astimezone(UTC)),
        "day": AS_OF.date(),
    }
    bare = bare_sql(database)
    expected = planted()

    def bare_count(r) -> int:
        with connection.cursor() as cur:
            cur.execute(bare[r.code], params)
            return cur.fetchone()[0]

    def check(r, found: int, counted: int) -> None:
        assert found == counted == expected[r.code], (r.code, found, counted)

    timed = time_rules(rules.RULES, AS_OF, bare_count, check, REPEAT)
    return {
        "database": database,
        **timed,
        "n": {"projects": P, "payments": M},
        "load_s": round(load_s, 1),
    }


def summary(entries: list[dict]) -> dict:
    ok = [e for e in entries if "error" not in e]
    return {
        "figure": {e["database"]: e["figure"] for e in ok},
        "unit": f"s (median of {REPEAT} interleaved runs): all nine invest rules' sweeps, "
        "every Finding built",
        "baseline": {e["database"]: e["baseline"] for e in ok},
        "ratio": {e["database"]: e["ratio"] for e in ok},
        "spread": {e["database"]: e["ratio_per_run"] for e in ok},
        "n": {"projects": P, "payments": M},
        "goal": f"ratio ≤ {GOAL} against one bare COUNT(*) per rule of the same predicate, summed",
        "goal_met": {e["database"]: e["ratio"] <= GOAL for e in ok},
        "load_average": {e["database"]: e["load_average"] for e in ok},
    }


if __name__ == "__main__":
    main("invest_sweep", run, summary)

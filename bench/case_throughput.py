"""case_throughput: median time of one case step transition — engine (SpiffWorkflow restore,
run, save) + ledger record + worklist rows (CaseStep) — over N cases, beside a bare
SpiffWorkflow transition of the same flow in the same run (APR-3, SUP-1).

figure = median transition (ms) with the supervision rules subscribed inline (half of the
cases), and without them (the other half: the platform's own cost); baselines = bare
in-memory `task.run()` + engine steps, and the same with the JSON restore/save a stored case needs; ratio = figure / bare-with-JSON
(goal ≤ 5). N defaults to 1,000 cases (setting up 10,000 cases through the services takes too
long for `make bench`; WUQUAN_BENCH_CASES=10000 runs the full size). After the setup the
database is settled (VACUUM ANALYZE + CHECKPOINT on PostgreSQL, ANALYZE + WAL checkpoint on
SQLite) so that neither autovacuum nor a checkpoint lands in the timed part; the load average
before and after the timed part is recorded (the machine is shared). Run:
`.venv/bin/python bench/case_throughput.py`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

N = int(os.environ.get("WUQUAN_BENCH_CASES", "1000"))
# why: settings default to DEBUG (WUQUAN_DEBUG=1), which keeps every SQL text with its
# parameters (here the 13 kB workflow state) in connection.queries; production runs without.
os.environ.setdefault("WUQUAN_DEBUG", "0")
SETUP_BATCH = 500


def _bare(flow, flows, engine, TaskState, stock) -> tuple[float, float]:
    """Bare SpiffWorkflow, the same flow and transition (承办审查 completed): in memory, and with
    the JSON restore/save a stored case needs — SpiffWorkflow's own serializer (`stock`), not
    the platform's spec-caching one. Returns both times in seconds."""
    wf = flows.new_workflow(flow)
    wf.data.update({"area_sqm": 100})
    wf.do_engine_steps()
    first = wf.get_tasks(state=TaskState.READY, manual=True)[0]
    first.data.update({"area_sqm": 100})
    first.run()
    wf.do_engine_steps()
    state = stock.serialize_json(wf)
    task = next(
        t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.name == "Task_2"
    )
    t0 = time.perf_counter()
    task.data.update({"area_sqm": 100})
    task.run()
    wf.do_engine_steps()
    in_memory = time.perf_counter() - t0
    t0 = time.perf_counter()
    wf2 = stock.deserialize_json(state)
    engine.run_task(wf2, str(task.id), {"area_sqm": 100})
    stock.serialize_json(wf2)
    return in_memory, time.perf_counter() - t0


def _settle(database: str) -> None:
    """After the setup's bulk of writes, before any timing: statistics, visibility map and a
    checkpoint, so neither autovacuum nor a checkpoint starts in the middle of the timed
    transitions (a live database has long since had both)."""
    from django.db import connection

    with connection.cursor() as cur:
        if database == "postgresql":
            cur.execute("VACUUM ANALYZE")
            cur.execute("CHECKPOINT")
        else:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def run(database: str) -> dict:
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.util.task import TaskState

    from wuquan.approvals import engine, sample, services
    from wuquan.approvals.models import StepState
    from wuquan.catalog import flows

    world = sample.build()
    setup_started = time.perf_counter()
    steps = []
    marks = {m.pk: "provided" for m in world.materials}
    # why: the cases are made through the services, but many to a transaction (each service's
    # own atomic block becomes a savepoint): a commit per case made 10,000 cases too slow.
    for first in range(0, N, SETUP_BATCH):
        with transaction.atomic():
            for _i in range(first, min(N, first + SETUP_BATCH)):
                sub = services.do_submit_application(
                    world.item,
                    applicant_name="基准测试",
                    data={"area_sqm": 100},
                    materials_later=True,
                )
                case = services.do_accept_case(sub.case, marks, actor=world.users["window"])
                steps.append(case.steps.get(state=StepState.READY, unit__code="t-scjg"))
    setup_seconds = time.perf_counter() - setup_started
    _settle(database)

    from wuquan.ledger import services as ledger_services

    saved = list(ledger_services._subscribers)
    stock = BpmnWorkflowSerializer()
    user = world.users["chengban"]
    timings, own, bare, bare_json = [], [], [], []
    # why: interleaved — each transition is timed right after a bare SpiffWorkflow transition of
    # the same flow, and cases alternate with / without the inline supervision rules subscribed
    # to the ledger (the platform's own cost apart from the rules'), so load on a shared
    # machine falls on figure and baseline alike.
    # the shares: time inside ledger.record (its own work: the append lock, the Merkle
    # frontier, the insert) and inside the subscribed rules, per transition with the rules
    spent = {"record": 0.0, "rules": 0.0}

    def timed(fn, key):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - t

        return wrapper

    ledger_own, rules_part = [], []
    load_before = os.getloadavg()
    orig_record = services.record
    services.record = timed(orig_record, "record")
    ledger_services._subscribers[:] = [timed(fn, "rules") for fn in saved]
    try:
        for i, step in enumerate(steps):
            b, bj = _bare(world.flow, flows, engine, TaskState, stock)
            bare.append(b)
            bare_json.append(bj)
            with_rules = i % 2 == 0
            wrapped = list(ledger_services._subscribers)
            if not with_rules:
                ledger_services._subscribers.clear()
            spent.update(record=0.0, rules=0.0)
            try:
                t0 = time.perf_counter()
                services.do_complete_step(step, "同意", actor=user)
                (timings if with_rules else own).append(time.perf_counter() - t0)
            finally:
                ledger_services._subscribers[:] = wrapped
            if with_rules:
                ledger_own.append(spent["record"] - spent["rules"])
                rules_part.append(spent["rules"])
    finally:
        services.record = orig_record
        ledger_services._subscribers[:] = saved

    median = statistics.median(timings) * 1000
    base = statistics.median(bare) * 1000
    base_json = statistics.median(bare_json) * 1000
    return {
        "database": database,
        "n": N,
        "figure": round(median, 3),
        "unit": "ms per step transition (median)",
        "p95": round(sorted(timings)[int(len(timings) * 0.95) - 1] * 1000, 3),
        "baseline_in_memory": round(base, 3),
        "baseline": round(base_json, 3),
        "ratio": round(median / base_json, 2),
        "ratio_in_memory": round(median / base, 1),
        "figure_without_inline_rules": round(statistics.median(own) * 1000, 3) if own else None,
        "ratio_without_inline_rules": round(statistics.median(own) * 1000 / base_json, 2)
        if own
        else None,
        "median_in_ledger_record": round(statistics.median(ledger_own) * 1000, 3),
        "median_in_inline_rules": round(statistics.median(rules_part) * 1000, 3),
        "inline_rules_subscribed": len(saved),
        "setup_seconds": round(setup_seconds, 1),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def summary(entries: list[dict]) -> dict:
    ok = [e for e in entries if "figure" in e]
    return {
        "figure": {e["database"]: e["figure"] for e in ok},
        "unit": "ms per step transition (median)",
        "baseline": {e["database"]: e["baseline"] for e in ok},
        "ratio": {e["database"]: e["ratio"] for e in ok},
        "n": {e["database"]: e["n"] for e in ok},
        "ratio_without_inline_rules": {
            e["database"]: e.get("ratio_without_inline_rules") for e in ok
        },
        "goal": "ratio ≤ 5 against a bare SpiffWorkflow transition with JSON restore/save",
    }


if __name__ == "__main__":
    main("case_throughput", run, summary)

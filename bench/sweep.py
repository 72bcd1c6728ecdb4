"""sweep: seconds for the SUP-8 sweep over N inspection rounds (half overdue), first run (raises
the alarms) and replay (finds them open, raises nothing), against the bare set-based query that
finds the same breaches (SUP-2, SUP-8). ratio = replay seconds / bare query seconds.

Run: `.venv/bin/python bench/sweep.py` (N from WUQUAN_BENCH_SWEEP_N, default 2000).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

N = int(os.environ.get("WUQUAN_BENCH_SWEEP_N", 2000))
SH = ZoneInfo("Asia/Shanghai")


def run(database: str) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from wuquan.org.models import Unit
    from wuquan.supervision import engine, registry
    from wuquan.supervision.models import Alarm, InspectionRecord, InspectionRound

    unit = Unit.objects.create(code="fagai", name="发改局", kind="district_body")
    made = datetime(2026, 3, 2, 9, tzinfo=SH)
    InspectionRound.objects.bulk_create(
        InspectionRound(
            supervising_unit=unit,
            title=f"r{i}",
            due=date(2026, 3, 6),
            created_by="bench",
            created_at=made,
        )
        for i in range(N)
    )
    InspectionRecord.objects.bulk_create(
        InspectionRecord(
            unit=unit, round=r, kind="record", findings="ok", filed_by="bench", filed_at=made
        )
        for r in InspectionRound.objects.all()[: N // 2]
    )
    as_of = datetime(2026, 3, 9, 9, tzinfo=SH)
    rule = registry.get("SUP-8-inspection-overdue")
    t = time.perf_counter()
    bare = sum(1 for _ in rule.sweep(as_of, {}))
    bare_s = time.perf_counter() - t
    t = time.perf_counter()
    engine.run_sweeps(as_of, ["SUP-8-inspection-overdue"])
    first_s = time.perf_counter() - t
    t = time.perf_counter()
    replay = engine.run_sweeps(as_of, ["SUP-8-inspection-overdue"])
    replay_s = time.perf_counter() - t
    assert bare == N - N // 2 == Alarm.objects.count() and replay.raised == 0
    return {
        "database": database,
        "n": N,
        "breaches": bare,
        "bare_query_s": round(bare_s, 4),
        "first_sweep_s": round(first_s, 4),
        "replay_sweep_s": round(replay_s, 4),
        "ratio": round(replay_s / bare_s, 1),
    }


def summary(entries: list[dict]) -> dict:
    ok = [e for e in entries if "error" not in e]
    return {
        "figure": "replay_sweep_s",
        "unit": "s",
        "baseline": [e["bare_query_s"] for e in ok],
        "ratio": [e["ratio"] for e in ok],
        "n": N,
    }


if __name__ == "__main__":
    main("sweep", run, summary)

"""ledger_append: events/s of `record()` (100,000 calls, 1,000 per transaction) against the
same rows inserted by a bare ORM `Event.objects.create` with no hashing (AUD-1).

figure = record() rate (events/s), baseline = bare-insert rate, ratio = figure / baseline
(goal ≥ 0.5). Run: `.venv/bin/python bench/ledger_append.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

N = 100_000
BATCH = 1_000


def run(database: str) -> dict:
    from django.db import connection, transaction

    from wuquan.ledger import record
    from wuquan.ledger.models import Event

    started = time.perf_counter()
    for b in range(N // BATCH):
        with transaction.atomic():
            for k in range(BATCH):
                i = b * BATCH + k
                record(
                    f"user:clerk{i % 17}",
                    "approvals.case.step-signed",
                    ("approvals.case", i // 5),
                    {"step": i % 5, "amount": i * 3, "note": "同意"},
                )
    record_seconds = time.perf_counter() - started

    fields = [f.attname for f in Event._meta.concrete_fields]
    rows = list(Event.objects.order_by("index").values_list(*fields))
    with connection.cursor() as c:
        c.execute("DELETE FROM ledger_event")
    started = time.perf_counter()
    for b in range(0, N, BATCH):
        with transaction.atomic():
            for values in rows[b : b + BATCH]:
                Event.objects.create(**dict(zip(fields, values, strict=True)))
    bare_seconds = time.perf_counter() - started
    assert Event.objects.count() == N
    rate, bare = N / record_seconds, N / bare_seconds
    return {
        "database": database,
        "figure": round(rate),
        "baseline": round(bare),
        "ratio": round(rate / bare, 3),
        "record_seconds": round(record_seconds, 2),
        "bare_seconds": round(bare_seconds, 2),
    }


def summary(entries: list[dict]) -> dict:
    ok = [e for e in entries if "ratio" in e]
    worst = min(ok, key=lambda e: e["ratio"]) if ok else {}
    return {
        "figure": worst.get("figure"),
        "unit": "events/s (record(), 1,000 per transaction)",
        "baseline": worst.get("baseline"),
        "baseline_is": "bare ORM Event.objects.create of the same rows, no hashing, 1,000 per transaction",
        "ratio": worst.get("ratio"),
        "ratio_is": "record rate / bare rate, worst database (goal >= 0.5)",
        "goal_met": bool(ok) and all(e["ratio"] >= 0.5 for e in ok),
        "n": N,
    }


if __name__ == "__main__":
    main("ledger_append", run, summary)

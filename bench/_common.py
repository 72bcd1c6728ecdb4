"""Shared helpers for the benchmarks: per-database runs in child processes, result files.

A benchmark calls `main(name, run)`: the parent runs `run(database)` once per database in a
fresh child process (Django settings are fixed per process), each child on a throw-away
database — a temporary SQLite file (WAL) or a PostgreSQL database created on
127.0.0.1:5432 and dropped afterwards — and writes `bench/results/<name>.json`.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PG_ADMIN_URL = os.environ.get("WUQUAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASES = ("sqlite", "postgresql")


def setup_django(database: str) -> None:
    """Point Django at a fresh database of the given kind and create the ledger tables."""
    var = tempfile.mkdtemp(prefix="wq-bench-")
    os.environ["WUQUAN_VAR_DIR"] = var
    import atexit
    import shutil

    atexit.register(shutil.rmtree, var, ignore_errors=True)  # why: GBs at the issues' sizes
    os.environ["DJANGO_SETTINGS_MODULE"] = "wuquan.settings"
    os.environ.pop("DATABASE_URL", None)
    if database == "postgresql":
        import psycopg

        name = f"wq_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        atexit.register(_drop_pg, name)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "ledger", verbosity=0)


def series(database: str, n: int) -> str:
    """A FROM-clause item yielding the integers `j` = 0 … n − 1, so that a benchmark inserts
    its bulk rows with one `INSERT … SELECT` (a generated series on PostgreSQL, a recursive
    CTE on SQLite) rather than through the ORM row by row."""
    if database == "postgresql":
        return f"generate_series(0, {int(n) - 1}) AS s(j)"
    return (
        f"(WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j + 1 < {int(n)}) "
        "SELECT j FROM n) AS s"
    )


def _drop_pg(name: str) -> None:
    from django.db import connections

    connections.close_all()
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main(name: str, run: Callable[[str], dict], summary: Callable[[list[dict]], dict]) -> None:
    """Parent: run each database in a child and write the result file. Child: run one."""
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        setup_django(sys.argv[2])
        print("RESULT " + json.dumps(run(sys.argv[2])), flush=True)
        return
    entries = []
    for database in DATABASES:
        print(f"[{name}] {database} …", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, __import__("__main__").__file__, "--child", database],
            capture_output=True,
            text=True,
        )
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
        if done.returncode != 0 or not lines:
            sys.stderr.write(done.stderr[-4000:])
            entries.append({"database": database, "error": done.stderr.strip()[-500:]})
            continue
        entry = json.loads(lines[-1][len("RESULT ") :])
        entries.append(entry)
        print(json.dumps(entry, indent=1), file=sys.stderr)
    result = {
        "benchmark": name,
        **summary(entries),
        "database": [e["database"] for e in entries],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} CPU, Python {platform.python_version()}",
        "entries": entries,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if any("error" in e for e in entries):
        sys.exit(1)


def spread(values: list[float]) -> dict:
    """Median, min, max and (max − min) / median of repeated runs (a figure holds only on the
    median; the spread says how much one run can be trusted)."""
    import statistics

    mid = statistics.median(values)
    return {
        "median": round(mid, 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "spread": round((max(values) - min(values)) / mid, 2) if mid else None,
    }


def time_rules(rules, as_of, bare: Callable, check: Callable, repeat: int) -> dict:
    """Each rule's sweep at `as_of` beside its bare counts, interleaved within each of `repeat`
    runs (both see the machine in the same state): `bare(rule)` runs the rule's counts and
    returns them, `check(rule, found, counted)` asserts the Findings agree. Returns the medians
    of the per-run totals (`figure`, `baseline`, `ratio`), the spread of the totals and of the
    per-run ratios, each rule's median times and Finding count, and the load average after each
    run."""
    import statistics
    import time

    sweep_s = {r.code: [] for r in rules}
    bare_s = {r.code: [] for r in rules}
    found, totals, baselines, ratios = {}, [], [], []
    loads = [os.getloadavg()[0]]
    for _ in range(repeat):
        for r in rules:
            t = time.perf_counter()
            found[r.code] = len(list(r.sweep(as_of, dict(r.thresholds))))
            sweep_s[r.code].append(time.perf_counter() - t)
            t = time.perf_counter()
            counted = bare(r)
            bare_s[r.code].append(time.perf_counter() - t)
            check(r, found[r.code], counted)
        totals.append(sum(v[-1] for v in sweep_s.values()))
        baselines.append(sum(v[-1] for v in bare_s.values()))
        ratios.append(totals[-1] / baselines[-1])
        loads.append(os.getloadavg()[0])
    figure, baseline = statistics.median(totals), statistics.median(baselines)
    return {
        "figure": round(figure, 3),
        "baseline": round(baseline, 3),
        "ratio": round(figure / baseline, 2),
        "runs": repeat,
        "sweep_s": spread(totals),
        "bare_s": spread(baselines),
        "ratio_per_run": spread(ratios),
        "rules": {
            code: {
                "sweep_s": round(statistics.median(sweep_s[code]), 4),
                "bare_s": round(statistics.median(bare_s[code]), 4),
                "findings": found[code],
            }
            for code in sweep_s
        },
        "load_average": [round(x, 2) for x in loads],
    }

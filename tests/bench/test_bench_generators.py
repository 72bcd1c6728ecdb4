"""The benchmarks' bulk generators still match the models (bench/; issue 20).

A benchmark writes its rows with hand-written SQL for speed; a column added to a model made
`bench/sweep.py` stop at its first statement unnoticed until someone re-ran it. Each
generator run here at a tiny size, in the test database, with the same sweep that the
benchmark then times: it must produce what its docstring promises."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from django.db import connection
from django.utils import timezone

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def test_bench_sweep_cases_are_generated_and_swept_as_the_benchmark_says(db):
    from wuquan.approvals.models import Case, CaseStep
    from wuquan.supervision import engine

    bench = _bench("sweep")
    now = timezone.localtime(timezone.now())
    bench.make_cases(connection.vendor, 1000, now)
    assert Case.objects.count() == 1000
    assert CaseStep.objects.filter(state__in=("ready", "claimed")).count() == 1000
    out = engine.run_sweeps(timezone.now(), ["SUP-2-step-overdue", "SUP-2-case-overdue"])
    assert not out.errors
    # 1% of the open steps overdue, none of them in a suspended case (1% suspended)
    assert 0 < out.per_rule["SUP-2-step-overdue"]["raised"] <= 10


def test_bench_ocds_releases_are_valid_ocds_and_list_each_party_once():
    """bench/ocds_export.py validates 10^4 generated releases; a repeated random tenderer made
    8 of them invalid (`parties` is uniqueItems), so its `valid` figure read False."""
    import random

    from wuquan.procurement import ocds

    sys.path.insert(0, str(BENCH))
    try:
        from _ocds_data import release
    finally:
        sys.path.remove(str(BENCH))
    rng = random.Random(16)
    releases = [release(i, rng) for i in range(10_000)]
    for r in releases:
        ids = [p["id"] for p in r["parties"]]
        assert len(ids) == len(set(ids)), r["ocid"]
    from datetime import UTC, datetime

    package = ocds.release_package(
        releases[:25], datetime(2025, 12, 31, tzinfo=UTC), "https://example.org/releases.json"
    )
    assert ocds.errors(package) == []

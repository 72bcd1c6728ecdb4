"""ocds_export: build and write a release package of 10,000 releases (the shape the project
publishes) beside `json.dumps` of the same release dicts (PUB-4; issue 16). Goal: export ≤ 2×
the bare dumps. Validation of the package against the local OCDS 1.1.5 + bids schemas
(jsonschema with a `referencing` registry, offline) is timed and reported beside it (it runs
before a package is served, not in the per-release export path).

Figures (median of 5, interleaved): `export_s` = `ocds.release_package` + `json.dumps` of the
package; `baseline_s` = `json.dumps` of the list of releases; `validate_s` once (it is slow).
No database: the releases are generated (bench/_ocds_data.py). Run:
`.venv/bin/python bench/ocds_export.py` (WUQUAN_BENCH_OCDS_N overrides 10,000).
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuquan.settings")

import django  # noqa: E402

django.setup()

from _ocds_data import release  # noqa: E402

from wuquan.procurement import ocds  # noqa: E402

N = int(os.environ.get("WUQUAN_BENCH_OCDS_N", 10_000))
REPEAT = 5
GOAL = 2.0


def run() -> dict:
    rng = random.Random(16)
    releases = [release(i, rng) for i in range(N)]
    published = datetime(2025, 12, 31, tzinfo=UTC)
    exports, bares = [], []
    for _ in range(REPEAT):
        t = time.perf_counter()
        json.dumps(releases, ensure_ascii=False, separators=(",", ":"))
        bares.append(time.perf_counter() - t)
        t = time.perf_counter()
        package = ocds.release_package(releases, published, "https://example.org/releases.json")
        json.dumps(package, ensure_ascii=False, separators=(",", ":"))
        exports.append(time.perf_counter() - t)
    t = time.perf_counter()
    problems = ocds.errors(package)
    validate = time.perf_counter() - t
    export_s, bare_s = statistics.median(exports), statistics.median(bares)
    return {
        "figure": round(export_s, 4),
        "unit": "s",
        "baseline": round(bare_s, 4),
        "ratio": round(export_s / bare_s, 3),
        "goal": f"export <= {GOAL}x json.dumps",
        "goal_met": export_s / bare_s <= GOAL,
        "validate_s": round(validate, 3),
        "validate_per_release_ms": round(validate * 1000 / N, 3),
        "valid": problems == [],
        "validator": "jsonschema Draft4Validator + referencing registry (jsonschema-rs not "
        "tried: not a dependency)",
        "n": N,
        "database": "none (generated in memory)",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "load_average": os.getloadavg()[0],
    }


if __name__ == "__main__":
    result = run()
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "ocds_export.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))

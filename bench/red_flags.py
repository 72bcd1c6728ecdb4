"""red_flags: all eleven Cardinal indicators (procurement.cardinal) over 10^5 compiled
releases read from a JSON Lines file, beside `json.loads` of every line of the same file
(issue 16). Goal: ≤ 5× the bare parse.

Figures (median of 3, interleaved): `indicators_s` = read + `json.loads` + indicators (what
running the red flags over a bulk download costs); `baseline_s` = read + `json.loads` of every
line. No database: the releases are generated (bench/_ocds_data.py) into a temporary file.
Run: `.venv/bin/python bench/red_flags.py` (WUQUAN_BENCH_FLAGS_N overrides 100,000).
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from _ocds_data import release  # noqa: E402

from wuquan.procurement import cardinal  # noqa: E402  (pure Python: no Django needed)

N = int(os.environ.get("WUQUAN_BENCH_FLAGS_N", 100_000))
REPEAT = 3
GOAL = 5.0


def run() -> dict:
    rng = random.Random(16)
    fd, path = tempfile.mkstemp(suffix=".jsonl", prefix="wq-flags-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for i in range(N):
            f.write(json.dumps(release(i, rng), ensure_ascii=False) + "\n")
    size = os.path.getsize(path)
    bares, fulls = [], []
    result = None
    try:
        for _ in range(REPEAT):
            t = time.perf_counter()
            with open(path, encoding="utf-8") as f:
                for line in f:
                    json.loads(line)
            bares.append(time.perf_counter() - t)
            t = time.perf_counter()
            with open(path, encoding="utf-8") as f:
                result = cardinal.indicators(json.loads(line) for line in f)
            fulls.append(time.perf_counter() - t)
    finally:
        os.unlink(path)
    full_s, bare_s = statistics.median(fulls), statistics.median(bares)
    counts = {}
    for group, entries in result.items():
        for codes in entries.values():
            for code in codes:
                counts[f"{group}:{code}"] = counts.get(f"{group}:{code}", 0) + 1
    return {
        "figure": round(full_s, 3),
        "unit": "s",
        "baseline": round(bare_s, 3),
        "ratio": round(full_s / bare_s, 3),
        "goal": f"indicators <= {GOAL}x json.loads",
        "goal_met": full_s / bare_s <= GOAL,
        "flags": dict(sorted(counts.items())),
        "n": N,
        "file_mb": round(size / 1e6, 1),
        "database": "none (JSON Lines file)",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "load_average": os.getloadavg()[0],
    }


if __name__ == "__main__":
    result = run()
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "red_flags.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))

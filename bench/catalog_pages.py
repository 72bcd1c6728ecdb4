"""catalog_pages: requests/s of the public item guide page (办事指南 with its SVG flow, PUB-2)
beside a bare Django "hello" view, in alternating pairs (bench/_pages.py). Goal: the median
pair ratio guide ÷ hello ≥ 0.4; p50/p99 latency at 32 connections beside hello.

Writes bench/results/catalog_pages.json. Usage: .venv/bin/python bench/catalog_pages.py
(WUQUAN_BENCH_PAIRS, WUQUAN_BENCH_SECONDS, WUQUAN_BENCH_LOADGEN=python override).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pages import python_setup, run  # noqa: E402

ITEM = "jsgcgh"  # 建设工程规划许可: a parallel flow across three units


def setup(env: dict) -> list[dict]:
    python_setup(
        env,
        "from wuquan.org import demo as o;o.load(None);"
        "from wuquan.catalog import demo as c;c.load(None)",
    )
    return [
        {
            "label": "guide",
            "path": f"/gk/catalog/item/{ITEM}/",
            "check": lambda body: "<svg" in body and "建设工程规划许可" in body,
        }
    ]


if __name__ == "__main__":
    run("catalog_pages", "page req/s ÷ hello req/s (median of alternating pairs)", setup)

"""Shared runner for the page benchmarks (catalog_pages, portal_pages): pages of the site and a
bare Django "hello" view, each served by gunicorn (2 sync workers) on a temp SQLite database,
loaded over loopback by `_loadgen` (wrk, or the pure-Python generator when wrk is absent).

Why pairs: on a shared 2-core machine one run says little (three runs per side spread 2×). Each
page is measured in alternating pairs — page, hello, page, hello … — and each pair gives one
ratio (page req/s ÷ hello req/s, both measured within seconds of each other, so they share the
machine's state); the figure is the median of the pair ratios, reported with their spread and
the load average seen before each pair. Then a concurrency figure: p50/p99 latency at
CONCURRENCY connections, page beside hello.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _loadgen import generator, load  # noqa: E402

BIN = Path(sys.executable).parent
PAIRS = int(os.environ.get("WUQUAN_BENCH_PAIRS", 7))
SECONDS = float(os.environ.get("WUQUAN_BENCH_SECONDS", 5))
CONNECTIONS, CONCURRENCY = 16, 32
GOAL_RATIO = 0.4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(app: str, env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(HERE),
            "--log-level",
            "warning",
            app,
        ],  # fmt: skip
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    return proc


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def environment() -> tuple[dict, str]:
    var = tempfile.mkdtemp(prefix="wq-bench-pages-")
    env = {
        **os.environ,
        "WUQUAN_VAR_DIR": var,
        "WUQUAN_DEBUG": "0",
        # plain HTTP on 127.0.0.1, like `wuquan demo`: production's HTTPS redirect would send
        # the load generator to a port that speaks no TLS (the run broke on it)
        "WUQUAN_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "wuquan.settings",
        "PYTHONPATH": str(HERE),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([str(BIN / "wuquan"), "migrate", "-v0"], env=env, check=True)
    return env, var


def python_setup(env: dict, code: str) -> str:
    """Run `code` in a Django shell of the bench environment; returns its stdout."""
    return subprocess.run(
        [str(BIN / "python"), "-c", "import django;django.setup()\n" + code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def pairs(name: str, page: dict, hello_url: str) -> dict:
    """PAIRS alternating runs of the page and hello; the pair ratios and their spread."""
    rows = []
    for _i in range(PAIRS):
        la = _load_average()
        a = load(page["url"], CONNECTIONS, SECONDS, page.get("method", "GET"),
                 page.get("body", b""), page.get("headers"))  # fmt: skip
        b = load(hello_url, CONNECTIONS, SECONDS)
        if a["errors"] or b["errors"]:
            raise SystemExit(f"{name}: error responses {a['errors']} / {b['errors']}")
        rows.append({"page_rps": a["rps"], "hello_rps": b["rps"],
                     "ratio": round(a["rps"] / b["rps"], 3), "load_average": la})  # fmt: skip
        print(f"  {name} pair {_i + 1}: {rows[-1]}", file=sys.stderr, flush=True)
    ratios = sorted(r["ratio"] for r in rows)
    med = statistics.median(ratios)
    q = statistics.quantiles(ratios, n=4) if len(ratios) >= 2 else [med, med, med]
    a_load = load(page["url"], CONCURRENCY, SECONDS, page.get("method", "GET"),
                  page.get("body", b""), page.get("headers"))  # fmt: skip
    h_load = load(hello_url, CONCURRENCY, SECONDS)
    return {
        "path": page["path"],
        "method": page.get("method", "GET"),
        "ratio_median": round(med, 3),
        "ratio_min": ratios[0],
        "ratio_max": ratios[-1],
        "ratio_iqr": [round(q[0], 3), round(q[2], 3)],
        "spread": round((ratios[-1] - ratios[0]) / med, 3),
        "goal_ratio": GOAL_RATIO,
        "goal_met": med >= GOAL_RATIO,
        "page_rps_median": round(statistics.median(r["page_rps"] for r in rows), 1),
        "hello_rps_median": round(statistics.median(r["hello_rps"] for r in rows), 1),
        "pairs": rows,
        f"c{CONCURRENCY}": {
            "page": {k: a_load[k] for k in ("rps", "p50_ms", "p99_ms", "requests", "errors")},
            "hello": {k: h_load[k] for k in ("rps", "p50_ms", "p99_ms", "requests", "errors")},
        },
    }


def run(name: str, unit: str, setup: Callable[[dict], list[dict]]) -> dict:
    """Serve the site and hello, build the pages with `setup(env)` (each a dict with label,
    path, optional method/body/headers and a `check(body)`), measure, write the result."""
    env, var = environment()
    pages = setup(env)
    port, hello_port = _free_port(), _free_port()
    site = _serve("wuquan.wsgi:application", env, port)
    hello = _serve("_hello:application", env, hello_port)
    hello_url = f"http://127.0.0.1:{hello_port}/"
    started_load = _load_average()
    out = {}
    try:
        for page in pages:
            page["url"] = f"http://127.0.0.1:{port}{page['path']}"
            req = urllib.request.Request(
                page["url"], data=page.get("body") or None, headers=page.get("headers") or {},
                method=page.get("method", "GET"),
            )  # fmt: skip
            body = urllib.request.urlopen(req).read().decode()
            assert page["check"](body), f"{page['path']} did not render as expected"
        load(pages[0]["url"], CONNECTIONS, 2), load(hello_url, CONNECTIONS, 2)  # warm-up
        for page in pages:
            out[page["label"]] = pairs(page["label"], page, hello_url)
    finally:
        for proc in (site, hello):
            proc.terminate()
            proc.wait()
        shutil.rmtree(var, ignore_errors=True)
    worst = min(v["ratio_median"] for v in out.values())
    result = {
        "name": name,
        "figure": {k: v["ratio_median"] for k, v in out.items()},
        "unit": unit,
        # the same run's hello req/s (median of the runs paired with each page's)
        "baseline": {k: v["hello_rps_median"] for k, v in out.items()},
        "baseline_unit": "req/s",
        "baseline_what": "bare Django hello view, same settings and middleware, same gunicorn "
        "setup, measured alternately with the page (pairs)",
        "ratio": round(worst, 3),
        "goal_ratio": GOAL_RATIO,
        "goal_met": worst >= GOAL_RATIO,
        "n": PAIRS,
        "pages": out,
        "generator": generator(),
        "setup": f"gunicorn -w 2 sync, WUQUAN_CONN_MAX_AGE=600; {generator()} {CONNECTIONS} "
        f"connections × {SECONDS:g} s per run, {PAIRS} pairs; latency at {CONCURRENCY} "
        f"connections; {os.cpu_count()} cores shared with the load generator",
        "load_average": {"start": started_load, "end": _load_average()},
        "database": "sqlite",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"{name}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    )
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return result

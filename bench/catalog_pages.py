"""Requests/s of the public item guide page (办事指南 with its SVG flow, PUB-2) beside a bare
Django "hello" view, both served by gunicorn (2 sync workers) on a temp SQLite db loaded with
the demo, loaded by wrk over loopback in the same run. Goal: guide ≥ 40% of hello.

Writes bench/results/catalog_pages.json. Usage: .venv/bin/python bench/catalog_pages.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ITEM = "jsgcgh"  # 建设工程规划许可: a parallel flow across three units
DURATION, CONNECTIONS, RUNS = "8s", 16, 3


# ---- the hello app (imported by gunicorn as catalog_pages:hello_application) -----------------
def hello(request):
    from django.http import HttpResponse

    return HttpResponse("hello")


def _hello_application():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuquan.settings")
    from django.conf import settings
    from django.urls import path

    global urlpatterns
    urlpatterns = [path("", hello)]
    settings.ROOT_URLCONF = __name__
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


if os.environ.get("WQ_BENCH_HELLO") == "1":
    hello_application = _hello_application()


# ---- the runner ------------------------------------------------------------------------------
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
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    return proc


def _wrk(url: str) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise SystemExit(f"{url}: {bad.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    var = tempfile.mkdtemp(prefix="wq-bench-catalog-")
    env = {
        **os.environ,
        "WUQUAN_VAR_DIR": var,
        "WUQUAN_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "wuquan.settings",
        "PYTHONPATH": str(HERE),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([str(BIN / "wuquan"), "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [
            str(BIN / "python"),
            "-c",
            "import django;django.setup();from wuquan.org import demo as o;o.load(None);"
            "from wuquan.catalog import demo as c;c.load(None)",
        ],
        env=env,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    guide_port, hello_port = _free_port(), _free_port()
    guide = _serve("wuquan.wsgi:application", env, guide_port)
    hello_srv = _serve(
        "catalog_pages:hello_application", {**env, "WQ_BENCH_HELLO": "1"}, hello_port
    )
    guide_url = f"http://127.0.0.1:{guide_port}/gk/catalog/item/{ITEM}/"
    hello_url = f"http://127.0.0.1:{hello_port}/"
    try:
        body = urllib.request.urlopen(guide_url).read().decode()
        assert "<svg" in body and "建设工程规划许可" in body, "guide page did not render"
        _wrk(guide_url), _wrk(hello_url)  # warm-up (caches, imports)
        guide_rps, hello_rps = [], []
        for _ in range(RUNS):  # interleaved so both see the same machine state
            guide_rps.append(_wrk(guide_url))
            hello_rps.append(_wrk(hello_url))
    finally:
        guide.terminate()
        hello_srv.terminate()
        guide.wait()
        hello_srv.wait()
        shutil.rmtree(var, ignore_errors=True)
    figure, baseline = statistics.median(guide_rps), statistics.median(hello_rps)
    result = {
        "name": "catalog_pages",
        "figure": round(figure, 1),
        "unit": "requests/s (item guide page, median of runs)",
        "baseline": round(baseline, 1),
        "baseline_what": "bare Django hello view, same settings and middleware, same gunicorn setup",
        "ratio": round(figure / baseline, 3),
        "goal_ratio": 0.4,
        "n": RUNS,
        "runs": {"guide": guide_rps, "hello": hello_rps},
        "setup": f"gunicorn -w 2 sync, WUQUAN_CONN_MAX_AGE=600; wrk -t2 -c{CONNECTIONS} -d{DURATION}; {os.cpu_count()} cores shared with wrk",
        "page": f"/gk/catalog/item/{ITEM}/",
        "database": "sqlite",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "catalog_pages.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    )
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

"""An HTTP load generator for the page benchmarks: `wrk` when it is installed, else a pure-Python
one (asyncio, the standard library only), so `make bench` runs on a fresh machine.

`load(url, connections, seconds, method="GET", body=b"", headers=None)` returns requests/s,
p50 and p99 latency in ms, the number of requests and of non-2xx responses, and which
generator ran. Both open a connection per request against gunicorn's sync workers (which
close every connection after the response), so the two generators load the server the same
way; the Python one costs more CPU on the client side, which on a 2-core machine leaves the
server less — compare ratios from one generator, never absolute figures across the two.
Set WUQUAN_BENCH_LOADGEN=python to use the Python one even where wrk is installed.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from urllib.parse import urlsplit


def generator() -> str:
    if os.environ.get("WUQUAN_BENCH_LOADGEN", "") == "python" or not shutil.which("wrk"):
        return "python"
    return "wrk"


def load(
    url: str,
    connections: int,
    seconds: float,
    method: str = "GET",
    body: bytes = b"",
    headers: dict | None = None,
) -> dict:
    if generator() == "wrk":
        return _wrk(url, connections, seconds, method, body, headers or {})
    return asyncio.run(_python(url, connections, seconds, method, body, headers or {}))


# ---- wrk -----------------------------------------------------------------------------------
def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(url, connections, seconds, method, body, headers) -> dict:
    script = None
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", url]
    if method != "GET" or body or headers:
        lua = [f'wrk.method = "{method}"', f"wrk.body = [[{body.decode()}]]"]
        lua += [f'wrk.headers["{k}"] = [[{v}]]' for k, v in headers.items()]
        fd, script = tempfile.mkstemp(suffix=".lua")
        os.write(fd, "\n".join(lua).encode())
        os.close(fd)
        cmd[1:1] = ["-s", script]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    finally:
        if script:
            os.unlink(script)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    done = re.search(r"(\d+) requests in", out).group(1)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": round(_ms(p50), 2),
        "p99_ms": round(_ms(p99), 2),
        "requests": int(done),
        "errors": int(bad.group(1)) if bad else 0,
        "generator": "wrk",
    }


# ---- pure Python -----------------------------------------------------------------------------
async def _python(url, connections, seconds, method, body, headers) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    head = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    if body:
        head.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    deadline = start + seconds

    async def worker():
        nonlocal errors
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                reader, writer = await asyncio.open_connection(host, port)
                writer.write(raw)
                status_line = await reader.readline()
                await reader.read()  # why: the server closes after the response (Connection: close)
                writer.close()
            except OSError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - t0)
            if status_line[9:10] not in (b"2", b"3"):
                errors += 1

    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    return {
        "rps": round(n / elapsed, 2),
        "p50_ms": round(1000 * statistics.median(latencies), 2) if n else None,
        "p99_ms": round(1000 * latencies[min(n - 1, int(0.99 * n))], 2) if n else None,
        "requests": n,
        "errors": errors,
        "generator": "python",
    }

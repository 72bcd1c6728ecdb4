"""portal_pages: requests/s of three public portal pages beside a bare Django "hello" view, in
alternating pairs (bench/_pages.py), on a temp SQLite database loaded with the whole demo
(`wuquan demo --no-serve`): the portal home (PUB-1), the case lookup form and a public case
page (the status an applicant sees after a lookup by receipt number + query code, APR-9: since
the lookup became POST-redirect-GET (issue 12 finding 5) that is the status page, read with
the session the lookup left; the lookup POST itself writes a rate-limit slot and the session,
which on SQLite queue behind each other's commits, and is not what a reader reloads). Goal:
each median pair ratio ≥ 0.4; p50/p99 latency at 32 connections beside hello.

Writes bench/results/portal_pages.json. Usage: .venv/bin/python bench/portal_pages.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pages import BIN, python_setup, run  # noqa: E402

CASE = """
import json
from datetime import timedelta
from django.utils import timezone
from wuquan.approvals import sample, services
from wuquan.catalog.models import MaterialReuse
from django.core.files.uploadedfile import SimpleUploadedFile
world = sample.build()
now = timezone.now()
files = {m.pk: SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
         for m in world.materials if m.reuse == MaterialReuse.NONE}
sub = services.do_submit_application(world.item, applicant_name="龙潭小吃店",
    applicant_id_number="220203199001011230", applicant_phone="13800000000",
    data={"area_sqm": 100}, files=files, at=now - timedelta(hours=2))
case = services.do_accept_case(sub.case, actor=world.users["window"], at=now - timedelta(hours=1))
# the applicant's own path: the lookup form, then the lookup; the browser keeps both cookies
from django.test import Client
browser = Client(HTTP_HOST="127.0.0.1")
browser.get("/gk/approvals/lookup/")
r = browser.post("/gk/approvals/lookup/", {"number": case.receipt_no, "code": sub.query_code})
assert r.status_code == 302 and r["Location"] == "/gk/approvals/lookup/status/", r.status_code
print(json.dumps({"number": case.receipt_no, "cookie": "; ".join(
    f"{k}={v.value}" for k, v in browser.cookies.items())}))
"""


def setup(env: dict) -> list[dict]:
    subprocess.run(
        [str(BIN / "wuquan"), "demo", "--no-serve"],
        env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    case = json.loads(python_setup(env, CASE).strip().splitlines()[-1])
    return [
        {"label": "home", "path": "/", "check": lambda b: "<html" in b},
        {
            "label": "lookup",
            "path": "/gk/approvals/lookup/",
            "check": lambda b: 'name="code"' in b,
        },
        {
            # the applicant's case page: after the lookup (POST-redirect-GET, issue 12
            # finding 5) the status page reads the number and code from the session; the
            # browser sends the session and CSRF cookies the form and the lookup left
            "label": "case",
            "path": "/gk/approvals/lookup/status/",
            "headers": {"Cookie": case["cookie"]},
            "check": lambda b, no=case["number"]: no in b,
        },
    ]


if __name__ == "__main__":
    run("portal_pages", "page req/s ÷ hello req/s (median of alternating pairs)", setup)

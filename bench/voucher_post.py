"""voucher_post: median ms to post a 4-line voucher through the service (checks, numbering
under the period lock, the triggers, one ledger record()) beside a bare ORM insert of the same
header and lines (insert as draft, lines, mark posted — the triggers run in both) in the same
run, interleaved (FIN-7). Goal: ratio ≤ 5.

N defaults to the issue's 10,000 vouchers (WUQUAN_BENCH_VOUCHERS overrides, for a quick run). Run:
`.venv/bin/python bench/voucher_post.py`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import main  # noqa: E402

N = int(os.environ.get("WUQUAN_BENCH_VOUCHERS", "10000"))
os.environ.setdefault("WUQUAN_DEBUG", "0")


def setup():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from wuquan.collective import services
    from wuquan.org.models import UnitKind
    from wuquan.org.services import ensure_post, ensure_staff, ensure_unit

    town = ensure_unit("bench-town", "基准镇", UnitKind.TOWNSHIP)
    post = ensure_post(town, "sanzi-accountant", "三资代理服务中心会计", "B")
    centre = ensure_staff("bench-sanzi", "基准会计", post, [])
    books = []
    for code in ("bench-a", "bench-b"):
        village = ensure_unit(code, code, UnitKind.VILLAGE, town)
        book = services.do_create_book(village, code, code, 2025, actor=centre)
        services.do_open_balances(book, {"1002": 10**12, "3001": 10**12}, actor=centre)
        books.append(book)
    return centre, books


def run(database: str) -> dict:
    from django.db import connection, transaction

    from wuquan.collective import services
    from wuquan.collective.models import Account, Line, Voucher

    centre, (book, bare_book) = setup()
    acct = {a.code: a for a in Account.objects.all()}
    lines = [
        {"account": "5101", "side": "D", "amount": 1200, "project": ""},
        {"account": "5002", "side": "D", "amount": 800},
        {"account": "1002", "side": "C", "amount": 1500},
        {"account": "1001", "side": "C", "amount": 500},
    ]
    svc, bare = [], []
    for i in range(N):
        on = date(2025, 1 + i % 12, 1 + i % 28)
        t0 = time.perf_counter()
        services.do_post_voucher(book, "transfer", on, "基准分录", lines, actor=centre)
        svc.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with transaction.atomic():
            v = Voucher.objects.create(
                book=bare_book,
                kind="transfer",
                date=on,
                year=on.year,
                month=on.month,
                summary="基准分录",
            )
            Line.objects.bulk_create(
                [
                    Line(
                        voucher=v,
                        book=bare_book,
                        date=on,
                        account=acct[x["account"]],
                        side=x["side"],
                        amount=x["amount"],
                    )
                    for x in lines
                ]
            )
            Voucher.objects.filter(pk=v.pk).update(status="posted", number=i + 1)
        bare.append(time.perf_counter() - t0)
    figure = statistics.median(svc) * 1000
    baseline = statistics.median(bare) * 1000
    return {
        "database": database,
        "figure": round(figure, 3),
        "baseline": round(baseline, 3),
        "ratio": round(figure / baseline, 2),
        "n": N,
        "load_average": os.getloadavg(),
        "vendor": connection.vendor,
    }


def summary(entries):
    ok = [e for e in entries if "error" not in e]
    return {
        "figure": {e["database"]: e["figure"] for e in ok},
        "unit": "ms per 4-line voucher posted (median)",
        "baseline": {e["database"]: e["baseline"] for e in ok},
        "ratio": {e["database"]: e["ratio"] for e in ok},
        "n": {e["database"]: e["n"] for e in ok},
        "goal": "ratio ≤ 5 against a bare ORM insert of the same header and 4 lines",
        "goal_met": {e["database"]: e["ratio"] <= 5 for e in ok},
    }


if __name__ == "__main__":
    main("voucher_post", run, summary)

"""trial_balance: (a) 科目余额表 of one village-month and (b) 资产负债表 of 100 villages, over
L posted lines, each beside one raw GROUP BY of the same lines in the same run (FIN-7).
Goal: ratio ≤ 1.5. Lines are bulk-inserted as drafts and then posted by one UPDATE (the
triggers check every voucher), not through the services: the benchmark times the reads.

L defaults to the issue's 10^6 lines (WUQUAN_BENCH_LINES overrides, for a quick run). Run:
`.venv/bin/python bench/trial_balance.py`.
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

L = int(os.environ.get("WUQUAN_BENCH_LINES", "1000000"))
VILLAGES = 100
os.environ.setdefault("WUQUAN_DEBUG", "0")
ACCOUNTS = ["1002", "5101", "5002", "5001", "1101", "2101"]


def setup():
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from wuquan.collective import services
    from wuquan.collective.models import Account, Book, Line, Voucher
    from wuquan.org.models import Unit, UnitKind

    services.load_chart()
    town = Unit.objects.create(code="bench-town", name="基准镇", kind=UnitKind.TOWNSHIP)
    acct = {a.code: a for a in Account.objects.all()}
    books = []
    for i in range(VILLAGES):
        u = Unit.objects.create(
            code=f"bench-v{i}", name=f"村{i}", kind=UnitKind.VILLAGE, parent=town
        )
        books.append(
            Book.objects.create(
                unit=u, centre=town, code=f"b{i}", name=f"村{i}", kind="village", start_year=2025
            )
        )
    per_book = L // VILLAGES // 2  # vouchers of 2 lines
    with transaction.atomic():
        for b in books:
            vouchers = []
            for j in range(per_book):
                on = date(2025, 1 + j % 12, 1 + j % 28)
                vouchers.append(
                    Voucher(
                        book=b, kind="transfer", date=on, year=on.year, month=on.month, summary="x"
                    )
                )
            Voucher.objects.bulk_create(vouchers, batch_size=2000)
            rows = []
            for j, v in enumerate(Voucher.objects.filter(book=b).only("pk", "date")):
                d, c = ACCOUNTS[j % 6], ACCOUNTS[(j + 1) % 6]
                amt = 100 + j
                rows.append(
                    Line(
                        voucher_id=v.pk, book=b, date=v.date, account=acct[d], side="D", amount=amt
                    )
                )
                rows.append(
                    Line(
                        voucher_id=v.pk, book=b, date=v.date, account=acct[c], side="C", amount=amt
                    )
                )
            Line.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cur:
            cur.execute("UPDATE collective_voucher SET status = 'posted', number = id")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return books


def _time(fn, repeat=7):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out) * 1000


def run(database: str) -> dict:
    from django.db import connection

    from wuquan.collective import selectors

    books = setup()
    book = books[0]

    def raw_month():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT l.account_id, "
                "SUM(CASE WHEN l.date < %s THEN CASE WHEN l.side = 'D' THEN l.amount "
                "ELSE -l.amount END ELSE 0 END), "
                "SUM(CASE WHEN l.date >= %s AND l.side = 'D' THEN l.amount ELSE 0 END), "
                "SUM(CASE WHEN l.date >= %s AND l.side = 'C' THEN l.amount ELSE 0 END) "
                "FROM collective_line l JOIN collective_voucher v ON v.id = l.voucher_id "
                "WHERE v.status = 'posted' AND l.book_id = %s AND l.date <= %s "
                "GROUP BY l.account_id",
                [date(2025, 6, 1), date(2025, 6, 1), date(2025, 6, 1), book.pk, date(2025, 6, 30)],
            )
            return cur.fetchall()

    def raw_all():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT l.book_id, l.account_id, "
                "SUM(CASE WHEN l.date <= %s THEN CASE WHEN l.side = 'D' THEN l.amount "
                "ELSE -l.amount END ELSE 0 END), "
                "SUM(CASE WHEN l.side = 'D' THEN l.amount ELSE -l.amount END) "
                "FROM collective_line l JOIN collective_voucher v ON v.id = l.voucher_id "
                "WHERE v.status = 'posted' AND l.date <= %s GROUP BY l.book_id, l.account_id",
                [date(2024, 12, 31), date(2025, 12, 31)],
            )
            return cur.fetchall()

    tb = _time(lambda: selectors.trial_balance(book, 2025, 6))
    tb_raw = _time(raw_month)
    bs = _time(lambda: selectors.balance_sheets(books, 2025, 12), repeat=3)
    bs_raw = _time(raw_all, repeat=3)
    assert selectors.trial_balance(book, 2025, 6).balanced
    return {
        "database": database,
        "figure": {"trial_balance_ms": round(tb, 2), "balance_sheets_100_ms": round(bs, 2)},
        "baseline": {
            "trial_balance_ms": round(tb_raw, 2),
            "balance_sheets_100_ms": round(bs_raw, 2),
        },
        "ratio": {"trial_balance": round(tb / tb_raw, 2), "balance_sheets": round(bs / bs_raw, 2)},
        "n": L,
        "load_average": os.getloadavg(),
    }


def summary(entries):
    ok = [e for e in entries if "error" not in e]
    return {
        "figure": {e["database"]: e["figure"] for e in ok},
        "unit": "ms (median): one village-month 科目余额表; 资产负债表 of 100 villages",
        "baseline": {e["database"]: e["baseline"] for e in ok},
        "ratio": {e["database"]: e["ratio"] for e in ok},
        "n": {e["database"]: e["n"] for e in ok},
        "goal": "ratio ≤ 1.5 against one raw GROUP BY of the same lines",
        "goal_met": {e["database"]: all(r <= 1.5 for r in e["ratio"].values()) for e in ok},
    }


if __name__ == "__main__":
    main("trial_balance", run, summary)

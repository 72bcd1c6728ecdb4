"""Periods, year-end close, the 2004→2023 changeover, archives with retention (FIN-7, AUD-3)."""

from datetime import date

import pytest

from wuquan.collective import selectors, services
from wuquan.collective.models import ArchiveItem, Period
from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.ledger.models import Event

from .helpers import matter


def _income(books, users, on, amount):
    services.do_post_voucher(
        books,
        "receipt",
        on,
        "租金",
        [
            {"account": "1002", "side": "D", "amount": amount},
            {"account": "5001", "side": "C", "amount": amount},
        ],
        actor=users["centre"],
    )


def test_fin13_closing_refused_without_statement_then_closes_with_one_hashed_event(books, users):
    _income(books, users, date(2025, 1, 9), 10_000)
    with pytest.raises(RuleViolation) as exc:
        services.do_close_period(books, 2025, 1, actor=users["centre"])
    assert "对账单" in exc.value.message
    assert Period.objects.get(book=books, year=2025, month=1).status == "open"
    bad = services.statement_csv([(date(2025, 1, 9), 10_001, "租金")], 30_000_000)
    services.do_import_statement(books, 2025, 1, bad, "jan.csv", actor=users["centre"])
    with pytest.raises(RuleViolation):
        services.do_close_period(books, 2025, 1, actor=users["centre"])
    content, name = services.statement_from_books(books, 2025, 1)
    services.do_import_statement(books, 2025, 1, content, name, actor=users["centre"])
    n = Event.objects.count()
    p = services.do_close_period(books, 2025, 1, actor=users["centre"])
    ev = Event.objects.get(index=n)
    assert Event.objects.count() == n + 1 and ev.payload["balances_sha256"] == p.closing_sha256
    assert p.balances.count() == len(selectors.trial_balance(books, 2025, 1).rows)


def test_fin13_statement_import_from_excel(books, users):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "摘要", "收入", "支出", "余额"])
    ws.append([date(2025, 2, 3), "租金", "100.00", "0", "300100.00"])
    buf = io.BytesIO()
    wb.save(buf)
    st = services.do_import_statement(
        books, 2025, 2, buf.getvalue(), "feb.xlsx", actor=users["centre"]
    )
    assert st.closing_balance == 30_010_000 and st.lines.get().amount == 10_000


def test_fin13_a_bank_statement_exported_in_gbk_imports_like_utf8(books, users):
    """Chinese banks export CSV in GBK: the same statement in either encoding, the same lines."""
    text = "日期,摘要,收入,支出,余额\n2025-03-04,收到承包费,250.00,0,300250.00\n"
    for n, content in enumerate((text.encode("gbk"), text.encode("utf-8-sig"))):
        st = services.do_import_statement(
            books, 2025, 3, content, f"mar{n}.csv", actor=users["centre"]
        )
        line = st.lines.get()
        assert (line.amount, line.summary, st.closing_balance) == (25_000, "收到承包费", 30_025_000)


def test_fin13_a_file_that_is_not_a_workbook_is_refused_beside_the_field(books, users):
    with pytest.raises(InvalidInput) as exc:
        services.do_import_statement(
            books, 2025, 3, b"PK\x03\x04 not really", "mar.xlsx", actor=users["centre"]
        )
    assert exc.value.field == "file" and "Excel" in exc.value.message


def test_fin7_reopen_needs_a_valid_decision(books, users, hantun):
    content, name = services.statement_from_books(books, 2025, 1)
    services.do_import_statement(books, 2025, 1, content, name, actor=users["centre"])
    p = services.do_close_period(books, 2025, 1, actor=users["centre"])
    with pytest.raises(RuleViolation):
        services.do_reopen_period(p, matter(hantun, "跳步", valid=False), actor=users["centre"])
    p.refresh_from_db()
    assert p.status == "closed"
    services.do_reopen_period(p, matter(hantun, "更正"), actor=users["centre"])
    p.refresh_from_db()
    assert p.status == "adjusting"


def test_fin7_year_close_moves_income_into_distribution_and_sheet_balances(books, users):
    _income(books, users, date(2025, 3, 1), 500_000)
    services.do_post_voucher(
        books,
        "payment",
        date(2025, 3, 2),
        "费用",
        [
            {"account": "5101", "side": "D", "amount": 120_000},
            {"account": "1002", "side": "C", "amount": 120_000},
        ],
        actor=users["centre"],
    )
    inc = selectors.income_statement(books, 2025)
    assert selectors.net_income(inc) == 380_000
    services.do_close_year(books, 2025, actor=users["centre"])
    end = selectors.balances(books, upto=date(2025, 12, 31))
    from wuquan.collective.models import Account

    pl = Account.objects.filter(category="pl").values_list("pk", flat=True)
    assert all(end.get(pk, 0) == 0 for pk in pl)
    dist = Account.objects.get(role="distribution")
    assert end[dist.pk] == -380_000
    rows = selectors.balance_sheet(books, 2025, 12)
    t = selectors.balance_sheet_totals(rows)
    assert t["asset"][1] == t.get("liability", (0, 0))[1] + t["equity"][1]
    assert selectors.balance_sheets([books], 2025, 12)[books.pk] == rows


def test_fin7_changeover_maps_the_2004_balances(books):
    got = services.map_old_balances(
        [("101", 100, 0), ("102", 5_000, 0), ("511", 0, 300), ("322", 0, 4_800)]
    )
    assert got == {"1001": 100, "1002": 5_000, "5001": 300, "3102": 4_800}
    with pytest.raises(InvalidInput):
        services.map_old_balances([("999", 1, 0)])


def test_aud3_nothing_inside_retention_is_deletable(books, users):
    v = services.do_archive(books, "vouchers", 2025, "2025年凭证", b"pdf", actor=users["centre"])
    a = services.do_archive(books, "annual", 2025, "2025年报", b"pdf", actor=users["centre"])
    assert v.retain_until == date(2055, 12, 31) and a.retain_until is None
    for item, on in [(v, date(2055, 12, 31)), (a, date(2999, 1, 1))]:
        with pytest.raises(RuleViolation):
            services.do_dispose_archive(item, on, actor=users["centre"])
    assert ArchiveItem.objects.count() == 2
    services.do_dispose_archive(v, date(2056, 1, 1), actor=users["centre"])
    assert ArchiveItem.objects.count() == 1

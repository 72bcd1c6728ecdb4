"""Vouchers in integer fen, gapless numbers, DB-enforced immutability, 红字冲销 (FIN-2, FIN-7)."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from wuquan.collective import selectors, services
from wuquan.collective.models import Account, Line, Voucher
from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.ledger.models import Event

from .helpers import at


def pay(books, users, amount=50_000, on=date(2025, 1, 5), files=None):
    return services.do_post_voucher(
        books,
        "payment",
        on,
        "购买办公用品",
        [
            {"account": "5101", "side": "D", "amount": amount},
            {"account": "1002", "side": "C", "amount": amount},
        ],
        files or [("发票.pdf", b"%PDF invoice")],
        actor=users["centre"],
        at=at(on.year, on.month, on.day),
    )


def test_fin7_chart_has_42_first_level_accounts_with_roles(books):
    assert Account.objects.count() == 42
    roles = set(Account.objects.exclude(role="").values_list("role", flat=True))
    assert {"cash", "bank", "current_income", "distribution", "income", "expense"} <= roles


def test_fin2_posted_voucher_keeps_attachment_hashes_and_count(books, users):
    v = pay(books, users)
    assert v.status == "posted" and v.number == 1 and v.attachment_count == 1
    a = v.attachments.get()
    import hashlib

    assert a.sha256 == hashlib.sha256(b"%PDF invoice").hexdigest()
    ev = Event.objects.filter(action="collective.voucher.posted").order_by("-index").first()
    assert ev.payload["attachments"] == [a.sha256]
    assert "购买办公用品" not in str(ev.payload)  # free text only as a digest


def test_fin7_numbers_are_gapless_per_book_and_month(books, users):
    nums = [pay(books, users, on=date(2025, 1, d)).number for d in (3, 4, 5)]
    feb = pay(books, users, on=date(2025, 2, 1)).number
    assert nums == [1, 2, 3] and feb == 1


def test_fin7_unbalanced_voucher_refused_and_nothing_written(books, users):
    before = (Voucher.objects.count(), Line.objects.count(), Event.objects.count())
    with pytest.raises(InvalidInput):
        services.do_post_voucher(
            books,
            "payment",
            date(2025, 1, 5),
            "x",
            [
                {"account": "5101", "side": "D", "amount": 100},
                {"account": "1002", "side": "C", "amount": 99},
            ],
            actor=users["centre"],
        )
    assert (Voucher.objects.count(), Line.objects.count(), Event.objects.count()) == before


def test_fin7_float_amount_refused(books, users):
    with pytest.raises(InvalidInput):
        services.do_post_voucher(
            books,
            "payment",
            date(2025, 1, 5),
            "x",
            [
                {"account": "5101", "side": "D", "amount": 1.5},
                {"account": "1002", "side": "C", "amount": 1.5},
            ],
            actor=users["centre"],
        )


def test_fin12_village_accountant_cannot_post(books, users):
    before = Voucher.objects.count()
    with pytest.raises(NotPermitted):
        services.do_post_voucher(
            books,
            "payment",
            date(2025, 1, 5),
            "x",
            [
                {"account": "5101", "side": "D", "amount": 100},
                {"account": "1002", "side": "C", "amount": 100},
            ],
            actor=users["accountant"],
        )
    assert Voucher.objects.count() == before


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def test_fin7_database_refuses_changing_a_posted_line_by_raw_sql(books, users):
    v = pay(books, users)
    line = v.lines.first()
    with pytest.raises(IntegrityError):
        _raw("UPDATE collective_line SET amount = amount + 1 WHERE id = %s", [line.pk])
    with pytest.raises(IntegrityError):
        _raw("DELETE FROM collective_line WHERE id = %s", [line.pk])
    with pytest.raises(IntegrityError):
        _raw(
            "INSERT INTO collective_line (voucher_id, account_id, side, amount, summary, "
            "counterparty, counterparty_is_person, project, fund, book_id, date) "
            "VALUES (%s, %s, 'D', 5, '', '', false, '', '', %s, %s)",
            [v.pk, line.account_id, books.pk, "2025-01-05"],
        )
    with pytest.raises(IntegrityError):
        _raw("UPDATE collective_voucher SET summary = 'changed' WHERE id = %s", [v.pk])
    with pytest.raises(IntegrityError):
        _raw("UPDATE collective_voucher SET status = 'draft' WHERE id = %s", [v.pk])
    line.refresh_from_db()
    assert line.amount == 50_000


def test_fin7_database_refuses_posting_an_unbalanced_draft_by_raw_sql(books, users):
    v = services.do_draft_voucher(
        books,
        "payment",
        date(2025, 1, 6),
        "草稿",
        [
            {"account": "5101", "side": "D", "amount": 100},
            {"account": "1002", "side": "C", "amount": 100},
        ],
        actor=users["accountant"],
    )
    _raw("UPDATE collective_line SET amount = 101 WHERE voucher_id = %s AND side = 'D'", [v.pk])
    with pytest.raises(IntegrityError):
        _raw("UPDATE collective_voucher SET status = 'posted', number = 9 WHERE id = %s", [v.pk])
    v.refresh_from_db()
    assert v.status == "draft"


def test_fin7_reversal_names_the_original_and_restores_balances(books, users):
    before = selectors.balances(books)
    v = pay(books, users, amount=12_345)
    r = services.do_reverse_voucher(v, date(2025, 1, 20), actor=users["centre"])
    assert r.reverses_id == v.pk and all(ln.amount < 0 for ln in r.lines.all())
    after = {k: val for k, val in selectors.balances(books).items() if val or k in before}
    assert {k: val for k, val in after.items() if val} == {
        k: val for k, val in before.items() if val
    }
    with pytest.raises(InvalidInput):
        services.do_reverse_voucher(v, date(2025, 1, 21), actor=users["centre"])


def test_fin7_posting_into_a_closed_month_refused_reversal_goes_to_open_month(books, users):
    v = pay(books, users, on=date(2025, 1, 5))
    content, name = services.statement_from_books(books, 2025, 1)
    services.do_import_statement(books, 2025, 1, content, name, actor=users["centre"])
    services.do_close_period(books, 2025, 1, actor=users["centre"])
    with pytest.raises(RuleViolation):
        pay(books, users, on=date(2025, 1, 6))
    r = services.do_reverse_voucher(v, date(2025, 2, 3), actor=users["centre"])
    assert (r.year, r.month) == (2025, 2)
    jan = selectors.trial_balance(books, 2025, 1)
    assert jan.balanced


def test_fin7_trial_balance_balances_and_daxie(books, users):
    pay(books, users, amount=123_456)
    tb = selectors.trial_balance(books, 2025, 1)
    assert tb.balanced and tb.totals["debit"] == tb.totals["credit"]
    assert selectors.daxie(123_456) == "壹仟贰佰叁拾肆元伍角陆分"
    assert selectors.daxie(100_000) == "壹仟元整"

"""Invariants (hypothesis): posted books balance; a reversal restores balances exactly."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuquan.collective import selectors, services

ACCOUNTS = ["1001", "1002", "1101", "2101", "5001", "5101", "5102", "3002"]

lines = st.lists(
    st.tuples(st.sampled_from(ACCOUNTS), st.integers(min_value=1, max_value=10**11)),
    min_size=1,
    max_size=5,
)
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _specs(debits, credits):
    return [{"account": a, "side": "D", "amount": x} for a, x in debits] + [
        {"account": a, "side": "C", "amount": x} for a, x in credits
    ]


def _balanced(debits, credit_accounts):
    """Credits on the given accounts summing exactly to the debits."""
    total = sum(x for _a, x in debits)
    n = len(credit_accounts)
    parts = [total // n] * n
    parts[0] += total - sum(parts)
    return [(a, x) for a, x in zip(credit_accounts, parts, strict=True) if x]


@SETTINGS
@given(
    debits=lines,
    credit_accounts=st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=3),
    day=st.integers(min_value=1, max_value=28),
    month=st.integers(min_value=1, max_value=12),
)
def test_fin7_every_posted_voucher_and_the_trial_balance_balance(
    books, users, debits, credit_accounts, day, month
):
    credits = _balanced(debits, credit_accounts)
    v = services.do_post_voucher(
        books,
        "transfer",
        date(2025, month, day),
        "随机分录",
        _specs(debits, credits),
        actor=users["centre"],
    )
    d = sum(ln.amount for ln in v.lines.all() if ln.side == "D")
    c = sum(ln.amount for ln in v.lines.all() if ln.side == "C")
    assert d == c
    assert selectors.trial_balance(books, 2025, 1, 12).balanced
    assert sum(selectors.balances(books).values()) == 0


@SETTINGS
@given(debits=lines, credit_accounts=st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=3))
def test_fin7_a_reversal_restores_every_balance_exactly(books, users, debits, credit_accounts):
    before = {k: v for k, v in selectors.balances(books).items() if v}
    credits = _balanced(debits, credit_accounts)
    v = services.do_post_voucher(
        books,
        "transfer",
        date(2025, 6, 1),
        "待冲销",
        _specs(debits, credits),
        actor=users["centre"],
    )
    services.do_reverse_voucher(v, date(2025, 6, 2), actor=users["centre"])
    after = {k: v for k, v in selectors.balances(books).items() if v}
    assert after == before

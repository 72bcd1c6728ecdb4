"""Each collective rule: a breach test and its lawful twin (FIN-8, FIN-11, FIN-13, PUB-7, DEC-10)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from wuquan.collective import rules, services
from wuquan.collective.models import Step
from wuquan.org.selectors import person_of

from .helpers import at, matter, sign_all

AS_OF = datetime(2025, 12, 31, 23, tzinfo=ZoneInfo("Asia/Shanghai"))


def findings(rule):
    return list(rule.sweep(AS_OF, dict(rule.thresholds)))


def _import(books, users, steps, amount=100_000, account="5101", **kw):
    p = {k: person_of(u) for k, u in users.items()}
    people = {
        Step.HANDLER: p["accountant"],
        Step.SUPERVISION: p["supervision"],
        Step.HEAD: p["director"],
        Step.SECRETARY: p["secretary"],
        Step.CENTRE: p["centre"],
    }
    return services.do_import_booked_request(
        books,
        date(2025, 2, 3),
        "历史付款",
        amount,
        account,
        "某公司",
        [(s, people[s]) for s in steps],
        actor=users["centre"],
        **kw,
    )


ORDERED = [Step.HANDLER, Step.SUPERVISION, Step.HEAD, Step.SECRETARY, Step.CENTRE]


def test_fin8_rule_flags_out_of_order_signatures(books, users, budget):
    _import(books, users, [Step.HANDLER, Step.HEAD, Step.SUPERVISION, Step.SECRETARY, Step.CENTRE])
    (f,) = findings(rules.JOINT_SIGN_OFF)
    assert "out-of-order" in f.inputs["problems"]


def test_fin8_rule_flags_missing_and_doubled(books, users, budget):
    _import(books, users, [Step.HANDLER, Step.SUPERVISION, Step.HEAD, Step.CENTRE])
    (f,) = findings(rules.JOINT_SIGN_OFF)
    assert f.inputs["problems"] == ["missing:secretary"]


def test_fin8_rule_lawful_twin_complete_chain(books, users, budget):
    _import(books, users, ORDERED)
    req = services.do_create_request(
        books,
        date(2025, 3, 3),
        "办公",
        10_000,
        "5101",
        "店",
        actor=users["accountant"],
        at=at(2025, 3, 3),
    )
    sign_all(req, users, at(2025, 3, 3))
    assert findings(rules.JOINT_SIGN_OFF) == []


def test_fin11_rule_flags_spending_without_budget(books, users, budget):
    _import(books, users, ORDERED, account="5402")
    assert len(findings(rules.BUDGET_FIRST)) == 1


def test_fin11_rule_flags_spending_over_budget(books, users, budget):
    _import(books, users, ORDERED, amount=2_000_001)
    assert len(findings(rules.BUDGET_FIRST)) == 1


def test_fin11_rule_lawful_twin_within_budget(books, users, budget):
    _import(books, users, ORDERED, amount=2_000_000)
    assert findings(rules.BUDGET_FIRST) == []


def test_dec10_rule_flags_major_payment_without_matter(books, users, budget):
    _import(books, users, ORDERED, amount=5_000_000, account="5102", project="道路")
    assert len(findings(rules.MAJOR_PAYMENT)) == 1


def test_dec10_rule_lawful_twin_on_valid_matter(books, users, budget, hantun):
    m = matter(hantun, "道路硬化")
    _import(books, users, ORDERED, amount=5_000_000, account="5102", project="道路", matter=m)
    _import(books, users, ORDERED, amount=4_999_999, account="5102", project="道路")
    assert findings(rules.MAJOR_PAYMENT) == []


def _cash_in(books, users, on, amount):
    return services.do_post_voucher(
        books,
        "receipt",
        on,
        "现金收入",
        [
            {"account": "1001", "side": "D", "amount": amount},
            {"account": "5401", "side": "C", "amount": amount},
        ],
        actor=users["centre"],
    )


def _deposit(books, users, on, amount):
    return services.do_post_voucher(
        books,
        "transfer",
        on,
        "存现",
        [
            {"account": "1002", "side": "D", "amount": amount},
            {"account": "1001", "side": "C", "amount": amount},
        ],
        actor=users["centre"],
    )


def test_fin13_deposit_late_flagged(books, users):
    _cash_in(books, users, date(2025, 4, 1), 50_000)
    _deposit(books, users, date(2025, 4, 5), 50_000)  # 4 days > 3
    assert len(findings(rules.DEPOSIT_LATE)) == 1


def test_fin13_deposit_lawful_twin_within_days_and_setting_widens(books, users):
    _cash_in(books, users, date(2025, 4, 1), 50_000)
    _deposit(books, users, date(2025, 4, 4), 50_000)
    _cash_in(books, users, date(2025, 5, 1), 20_000)
    _deposit(books, users, date(2025, 5, 8), 20_000)
    assert len(findings(rules.DEPOSIT_LATE)) == 1
    services.do_set_limit(
        books, "deposit_days", 7, date(2025, 5, 1), "偏远村延长", actor=users["centre"]
    )
    assert findings(rules.DEPOSIT_LATE) == []


def test_fin13_cash_over_limit_and_twin(books, users):
    _cash_in(books, users, date(2025, 4, 1), 299_999)  # 2,000 + 2,999.99 yuan < 5,000 limit
    assert findings(rules.CASH_OVER_LIMIT) == []
    _cash_in(books, users, date(2025, 4, 1), 2)
    assert len(findings(rules.CASH_OVER_LIMIT)) == 1


def test_fin13_cash_payment_over_limit_and_twin(books, users):
    def cash_pay(amount):
        services.do_post_voucher(
            books,
            "payment",
            date(2025, 4, 2),
            "现金付款",
            [
                {"account": "5101", "side": "D", "amount": amount},
                {"account": "1001", "side": "C", "amount": amount},
            ],
            actor=users["centre"],
        )

    cash_pay(99_999)
    assert findings(rules.CASH_PAYMENT) == []
    cash_pay(100_000)
    assert len(findings(rules.CASH_PAYMENT)) == 1


def test_fin13_booking_a_cash_request_above_the_limit_refused(books, users, budget):
    from wuquan.common.exceptions import RuleViolation

    req = services.do_create_request(
        books,
        date(2025, 3, 3),
        "办公",
        100_000,
        "5101",
        "店",
        actor=users["accountant"],
        pay_method="cash",
    )
    with pytest.raises(RuleViolation):
        sign_all(req, users, at(2025, 3, 3))


def test_fin13_bank_mismatch_flagged_and_twin(books, users):
    content, name = services.statement_from_books(books, 2025, 1)
    services.do_import_statement(books, 2025, 1, content, name, actor=users["centre"])
    assert findings(rules.BANK_MISMATCH) == []
    off = content.decode().replace("300000.00", "300100.00").encode()
    services.do_import_statement(
        books,
        2025,
        2,
        services.statement_csv([(date(2025, 2, 3), 10_000, "不明来款")], 30_000_000),
        "feb.csv",
        actor=users["centre"],
    )
    assert off
    assert len(findings(rules.BANK_MISMATCH)) == 1


def _close_publish(books, users, m, when):
    content, name = services.statement_from_books(books, 2025, m)
    services.do_import_statement(books, 2025, m, content, name, actor=users["centre"])
    services.do_close_period(books, 2025, m, actor=users["centre"])
    return services.do_publish_month(books, 2025, m, actor=users["centre"], at=when)


def test_pub7_disclosure_late_and_on_time(books, users):
    _close_publish(books, users, 1, at(2025, 2, 10))  # on the 10th: on time
    assert findings(rules.DISCLOSURE_LATE) == []
    _cash_in(books, users, date(2025, 2, 3), 100)
    _deposit(books, users, date(2025, 2, 4), 100)
    _close_publish(books, users, 2, at(2025, 3, 11))  # the 11th: late
    (f,) = findings(rules.DISCLOSURE_LATE)
    assert f.key == "month:2025-02"


def test_pub7_disclosure_changed_after_reopen_and_twin(books, users, hantun):
    d = _close_publish(books, users, 1, at(2025, 2, 5))
    from wuquan.collective import selectors

    assert selectors.disclosure_matches(d) and findings(rules.DISCLOSURE_CHANGED) == []
    period = books.periods.get(year=2025, month=1)
    services.do_reopen_period(period, matter(hantun, "更正1月账务"), actor=users["centre"])
    services.do_post_voucher(
        books,
        "transfer",
        date(2025, 1, 31),
        "更正",
        [
            {"account": "5002", "side": "D", "amount": 100},
            {"account": "3001", "side": "C", "amount": 100},
        ],
        actor=users["centre"],
    )
    assert not selectors.disclosure_matches(d)
    assert len(findings(rules.DISCLOSURE_CHANGED)) == 1

"""联签会审 (FIN-8) and budgets first (FIN-11): handler → supervision committee → head and
secretary (either order) → the centre books it."""

from datetime import date

import pytest

from wuquan.collective import services
from wuquan.collective.models import PaymentRequest, Signature, Voucher
from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.ledger.models import Event

from .helpers import at, matter, sign_all

WHEN = at(2025, 3, 3)


def request(books, users, amount=300_000, account="5101", project="", **kw):
    return services.do_create_request(
        books,
        date(2025, 3, 3),
        "村部办公用品",
        amount,
        account,
        "龙潭文具店",
        actor=users["accountant"],
        at=WHEN,
        project=project,
        **kw,
    )


def test_fin8_full_chain_books_a_posted_voucher(books, users, budget):
    req = request(books, users)
    assert req.budget_warning == ""
    services.do_sign_request(req, "supervision", actor=users["supervision"], at=WHEN)
    services.do_sign_request(req, "secretary", actor=users["secretary"], at=WHEN)  # either order
    services.do_sign_request(req, "head", actor=users["director"], at=WHEN)
    v = services.do_book_request(req, actor=users["centre"], at=WHEN)
    req.refresh_from_db()
    assert req.status == "booked" and v.status == "posted" and v.number == 1
    assert list(req.signatures.values_list("step", flat=True)) == [
        "handler",
        "supervision",
        "secretary",
        "head",
        "centre",
    ]
    assert sum(ln.amount for ln in v.lines.filter(side="D")) == 300_000


def test_fin8_head_before_supervision_refused_nothing_written(books, users, budget):
    req = request(books, users)
    n, e = Signature.objects.count(), Event.objects.count()
    with pytest.raises(RuleViolation):
        services.do_sign_request(req, "head", actor=users["director"], at=WHEN)
    assert (Signature.objects.count(), Event.objects.count()) == (n, e)


def test_fin8_non_holder_refused(books, users, budget):
    req = request(books, users)
    n = Signature.objects.count()
    with pytest.raises(NotPermitted):
        services.do_sign_request(req, "supervision", actor=users["director"], at=WHEN)
    assert Signature.objects.count() == n


def test_fin8_same_person_cannot_sign_twice(books, users, budget):
    from wuquan.org.models import Appointment, Post

    # the director also holds the supervision chair (an unlawful double post): still one signature
    from wuquan.org.selectors import person_of

    person = person_of(users["director"])
    Appointment.objects.create(
        person=person,
        post=Post.objects.get(unit=books.unit, code="supervision-chair"),
        start=date(2024, 1, 1),
    )
    req = request(books, users)
    services.do_sign_request(req, "supervision", actor=users["director"], at=WHEN)
    n = Signature.objects.count()
    with pytest.raises(RuleViolation):
        services.do_sign_request(req, "head", actor=users["director"], at=WHEN)
    assert Signature.objects.count() == n


def test_fin8_centre_cannot_book_before_both_cosign(books, users, budget):
    req = request(books, users)
    services.do_sign_request(req, "supervision", actor=users["supervision"], at=WHEN)
    services.do_sign_request(req, "head", actor=users["director"], at=WHEN)
    n = Voucher.objects.count()
    with pytest.raises(RuleViolation):
        services.do_book_request(req, actor=users["centre"], at=WHEN)
    assert Voucher.objects.count() == n


def test_fin11_no_budget_warns_at_draft_refuses_at_signoff(books, users, budget):
    req = request(books, users, account="5402")
    assert "没有预算" in req.budget_warning
    services.do_sign_request(req, "supervision", actor=users["supervision"], at=WHEN)
    services.do_sign_request(req, "head", actor=users["director"], at=WHEN)
    n = Signature.objects.count()
    with pytest.raises(RuleViolation) as exc:  # the second co-signature is the sign-off
        services.do_sign_request(req, "secretary", actor=users["secretary"], at=WHEN)
    assert exc.value.code == "FIN-11-budget-first"
    assert Signature.objects.count() == n


def test_fin11_over_budget_passes_with_a_valid_exception_decision(books, users, budget, hantun):
    exc_matter = matter(hantun, "超预算购置办公设备")
    req = request(books, users, amount=2_500_000, exception_matter=exc_matter)
    assert "超出预算" in req.budget_warning
    v = sign_all(req, users, WHEN)
    assert v.status == "posted"


def test_fin11_over_budget_with_void_exception_refused(books, users, budget, hantun):
    void = matter(hantun, "未经六步的例外", valid=False)
    req = request(books, users, amount=2_500_000, exception_matter=void)
    services.do_sign_request(req, "supervision", actor=users["supervision"], at=WHEN)
    services.do_sign_request(req, "secretary", actor=users["secretary"], at=WHEN)
    with pytest.raises(RuleViolation):
        services.do_sign_request(req, "head", actor=users["director"], at=WHEN)


def test_fin11_budget_on_a_void_matter_refused(books, users, hantun):
    void = matter(hantun, "预算（跳步）", valid=False)
    from wuquan.collective.models import Budget

    with pytest.raises(RuleViolation):
        services.do_approve_budget(books, 2025, [("5101", "", 100)], void, actor=users["centre"])
    assert not Budget.objects.exists()


def test_fin11_adjustment_raises_the_remaining_budget(books, users, budget, hantun):
    from wuquan.collective import selectors
    from wuquan.collective.models import Account

    line = budget.lines.get(account__code="5101")
    services.do_adjust_budget(line, 500_000, matter(hantun, "追加办公经费"), actor=users["centre"])
    acct = Account.objects.get(code="5101")
    assert selectors.budget_remaining(books, 2025, acct) == 2_500_000


def test_dec10_major_payment_without_matter_refused_at_signoff(books, users, budget):
    req = request(books, users, amount=6_000_000, account="5102", project="道路")
    services.do_sign_request(req, "supervision", actor=users["supervision"], at=WHEN)
    services.do_sign_request(req, "head", actor=users["director"], at=WHEN)
    with pytest.raises(RuleViolation) as exc:
        services.do_sign_request(req, "secretary", actor=users["secretary"], at=WHEN)
    assert exc.value.code == "DEC-10-six-steps"


def test_fin8_request_form_errors_all_at_once(books, users):
    n = PaymentRequest.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.do_create_request(
            books, date(2025, 3, 3), "", 0, "9999", "", actor=users["accountant"]
        )
    assert set(exc.value.problems) == {"summary", "amount", "account", "counterparty"}
    assert PaymentRequest.objects.count() == n

"""FIN-1, FIN-2, FIN-3 through the services: the chain in order by the right posts, no
self-approval, vouchers complete before the first signature, invoices unique, limits, large
sums with a passed decision. Each refusal writes nothing."""

from datetime import date

import pytest

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.ledger.models import Event
from wuquan.unitfinance import services
from wuquan.unitfinance.models import Attachment, Reimbursement, Signature, Status

from .helpers import at, attach_all, file_one, pdf, person, sign_all


def test_fin1_chain_in_order_then_paid(o):
    r = file_one(o)
    attach_all(o, r)
    sign_all(o, r)
    r.refresh_from_db()
    assert r.status == Status.APPROVED
    steps = list(r.signatures.values_list("step", flat=True))
    assert steps == ["handler", "reviewer", "responsible", "finance"]
    services.do_pay_reimbursement(r, actor=o["cashier"], at=at(2026, 3, 6))
    r.refresh_from_db()
    assert r.status == Status.PAID and r.paid_on == date(2026, 3, 6)
    actions = list(
        Event.objects.filter(subject_type="unitfinance.reimbursement", subject_id=str(r.pk))
        .order_by("index")
        .values_list("action", flat=True)
    )
    assert actions.count("unitfinance.reimbursement.signed") == 3
    assert actions[-1] == "unitfinance.reimbursement.paid"


def test_fin1_out_of_order_wrong_post_and_self_approval_refused(o):
    r = file_one(o)
    attach_all(o, r)
    services.do_submit_reimbursement(r, actor=o["clerk"], at=at(2026, 3, 5, 14))
    with pytest.raises(RuleViolation):
        services.do_sign_reimbursement(r, "responsible", actor=o["deputy1"])
    with pytest.raises(NotPermitted):
        services.do_sign_reimbursement(r, "reviewer", actor=o["deputy3"])
    assert Signature.objects.filter(reimbursement=r).count() == 1


def test_fin1_claimant_never_signs_and_no_one_twice(o):
    # the reviewer claims: the reviewer cannot review their own claim
    r = services.do_file_reimbursement(
        o["unit"],
        "office",
        "购买墨盒",
        30_000,
        date(2026, 3, 5),
        o["deputy1_post"],
        actor=o["clerk"],
        claimant=person(o["reviewer"]),
        at=at(2026, 3, 5),
    )
    attach_all(o, r, invoice_no="04400077")
    services.do_submit_reimbursement(r, actor=o["clerk"])
    with pytest.raises(RuleViolation, match="自己"):
        services.do_sign_reimbursement(r, "reviewer", actor=o["reviewer"])
    assert r.signatures.count() == 1


def test_fin2_vouchers_complete_before_first_signature(o):
    r = services.do_file_reimbursement(
        o["unit"],
        "reception",
        "接待省厅调研组工作餐",
        80_000,
        date(2026, 3, 5),
        o["deputy1_post"],
        actor=o["clerk"],
        at=at(2026, 3, 5),
    )
    services.do_attach_voucher(
        r, "invoice", pdf(), actor=o["clerk"], invoice_no="04400002", invoice_amount=80_000
    )
    with pytest.raises(RuleViolation, match="派出单位公函"):
        services.do_submit_reimbursement(r, actor=o["clerk"])
    r.refresh_from_db()
    assert r.status == Status.DRAFT and not r.signatures.exists()
    services.do_attach_voucher(r, "letter", pdf("公函.pdf", "l"), actor=o["clerk"])
    services.do_attach_voucher(r, "list", pdf("接待清单.pdf", "c"), actor=o["clerk"])
    services.do_submit_reimbursement(r, actor=o["clerk"])
    r.refresh_from_db()
    assert r.status == Status.SIGNING


def test_fin2_invoice_short_of_the_amount_refused(o):
    r = file_one(o, amount=120_000)
    attach_all(o, r, invoice_amount=100_000)
    with pytest.raises(RuleViolation, match="发票合计"):
        services.do_submit_reimbursement(r, actor=o["clerk"])


def test_fin2_upload_hashed_and_wrong_type_refused(o):
    r = file_one(o)
    a = services.do_attach_voucher(
        r, "invoice", pdf(), actor=o["clerk"], invoice_no="04400003", invoice_amount=120_000
    )
    import hashlib

    assert a.sha256 == hashlib.sha256(bytes(a.content)).hexdigest()
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(InvalidInput) as e:
        services.do_attach_voucher(
            r, "list", SimpleUploadedFile("x.pdf", b"MZ not a pdf"), actor=o["clerk"]
        )
    assert e.value.field == "file"


def test_fin2_duplicate_invoice_refused_across_the_unit(o):
    r1 = file_one(o)
    attach_all(o, r1, invoice_no="04400010")
    r2 = file_one(o, amount=50_000)
    with pytest.raises(RuleViolation) as e:
        services.do_attach_voucher(
            r2,
            "invoice",
            pdf("b.pdf", "x"),
            actor=o["clerk"],
            invoice_no="04400010",
            invoice_amount=50_000,
        )
    assert e.value.field == "invoice_no" and r1.number in e.value.message
    assert not Attachment.objects.filter(reimbursement=r2).exists()


def test_fin1_return_with_reason_then_a_new_round(o):
    r = file_one(o)
    attach_all(o, r)
    services.do_submit_reimbursement(r, actor=o["clerk"])
    services.do_sign_reimbursement(r, "reviewer", actor=o["reviewer"])
    with pytest.raises(InvalidInput):
        services.do_return_reimbursement(r, "  ", actor=o["deputy1"])
    with pytest.raises(NotPermitted):
        services.do_return_reimbursement(r, "不对", actor=o["clerk"])
    services.do_return_reimbursement(r, "请补充物品清单明细", actor=o["deputy1"])
    r.refresh_from_db()
    assert r.status == Status.RETURNED and r.round == 2
    services.do_attach_voucher(r, "other", pdf("补充.pdf", "s"), actor=o["clerk"])
    sign_all(o, r)
    r.refresh_from_db()
    assert r.status == Status.APPROVED
    assert r.signatures.filter(round=2).count() == 4


def test_fin3_over_item_limit_refused_at_filing(o):
    services.do_set_class_limit(
        o["unit"],
        "office",
        100_000,
        2_000_000,
        date(2026, 1, 1),
        "单位内控制度",
        actor=o["finance_deputy"],
    )
    with pytest.raises(RuleViolation) as e:
        file_one(o, amount=100_001)
    assert e.value.field == "amount"
    assert not Reimbursement.objects.exists()
    file_one(o, amount=100_000)


def test_fin3_year_limit_refused_at_submission(o):
    services.do_set_class_limit(
        o["unit"], "office", None, 150_000, date(2026, 1, 1), "", actor=o["finance_deputy"]
    )
    r1 = file_one(o, amount=100_000)
    attach_all(o, r1, invoice_no="1")
    sign_all(o, r1)
    r2 = file_one(o, amount=60_000)
    attach_all(o, r2, invoice_no="2")
    with pytest.raises(RuleViolation, match="年度限额"):
        services.do_submit_reimbursement(r2, actor=o["clerk"])


def test_fin3_large_sum_needs_a_passed_decision(o):
    from wuquan.decisions.models import ItemStatus

    r = file_one(o, amount=6_000_000, klass="works")  # 6 万元 ≥ the 5 万元 default
    assert r.decision is not None and r.decision.status == ItemStatus.PROPOSED
    attach_all(o, r, invoice_no="9")
    with pytest.raises(RuleViolation) as e:
        services.do_submit_reimbursement(r, actor=o["clerk"])
    assert e.value.field == "decision"
    from .test_rules import pass_decision

    pass_decision(o, r.decision)
    sign_all(o, r)
    r.refresh_from_db()
    assert r.status == Status.APPROVED


def test_fin3_limits_import_from_excel(o):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(services.LIMIT_COLUMNS)
    ws.append(["minzheng", "公务接待费", "2000", "50000", "2026-01-01", "公务接待管理办法"])
    ws.append(["", "差旅费", "", "80000", "2026-01-01", ""])
    buf = io.BytesIO()
    wb.save(buf)
    rows = services.do_import_class_limits(buf.getvalue(), actor="system:test")
    # why "system:test" may set the unit's row: a string actor is the system (import job)
    assert [(x.spending_class, x.per_item, x.per_year) for x in rows] == [
        ("reception", 200_000, 5_000_000),
        ("travel", None, 8_000_000),
    ]
    ws.append(["minzheng", "没有这类", "1", "1", "2026-01-01", ""])
    buf = io.BytesIO()
    wb.save(buf)
    from wuquan.unitfinance.models import ClassLimit

    before = ClassLimit.objects.count()
    with pytest.raises(InvalidInput, match="第 4 行"):
        services.do_import_class_limits(buf.getvalue(), actor="system:test")
    assert ClassLimit.objects.count() == before

"""The FIN-1..4 rules, each with a breach and its lawful twin, set up through the services
(imported history for what live work refuses)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from wuquan.unitfinance import rules, services

from .helpers import at, attach_all, file_one, person, sign_all

SH = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 12, 1, 12, tzinfo=SH)


def pass_decision(o, item, on=date(2026, 3, 1)):
    """Schedule `item` at a leadership meeting of its unit and pass it (everyone votes yes)."""
    from wuquan.decisions import services as decisions
    from wuquan.decisions.models import Choice

    meeting = decisions.do_create_meeting(item.unit, "党组会议", on, "会议室", actor="test")
    decisions.do_schedule_item(item, meeting, actor="test")
    decisions.do_send_materials(
        item, at=datetime.combine(on - timedelta(days=14), time(9), SH), actor="test"
    )
    decisions.do_record_attendance(
        meeting, meeting.members.values_list("person_id", flat=True), actor="test"
    )
    decisions.do_open_item(item, actor="test")
    members = list(meeting.members.filter(present=True).order_by("is_head", "id"))
    for m in members:
        decisions.do_make_statement(item, m, "同意", actor="test")
    decisions.do_start_vote(item, actor="test")
    for m in members:
        decisions.do_cast_vote(item, m, Choice.YES, actor="test")
    decisions.do_close_vote(item, at=datetime.combine(on, time(11), SH), actor="test")
    item.refresh_from_db()
    return item


def paid(o, **kw):
    r = file_one(o, **kw)
    attach_all(o, r, invoice_no=f"{r.pk:08d}")
    sign_all(o, r)
    return services.do_pay_reimbursement(r, actor=o["cashier"], at=at(2026, 3, 20))


def imported(
    o,
    *,
    signatures=None,
    attachments=None,
    amount=50_000,
    klass="office",
    decision=None,
    ref="OLD-1",
):
    chain = [
        ("handler", person(o["clerk"])),
        ("reviewer", person(o["reviewer"])),
        ("responsible", person(o["deputy1"])),
        ("finance", person(o["finance_deputy"])),
    ]
    files = [
        ("invoice", "发票.pdf", b"%PDF inv" + ref.encode(), f"IMP{ref}", amount),
        ("list", "清单.pdf", b"%PDF list", "", None),
    ]
    return services.do_import_reimbursement(
        o["unit"],
        klass,
        "历史报销",
        amount,
        date(2026, 2, 3),
        o["deputy1_post"],
        person(o["clerk"]),
        chain if signatures is None else signatures,
        files if attachments is None else attachments,
        date(2026, 2, 4),
        ref,
        actor=o["reviewer"],
        at=at(2026, 2, 10),
        decision=decision,
    )


def codes(found):
    return {c for c, f in found.items() if f}


def test_fin1_imported_chain_out_of_order_found_lawful_twin_not(o):
    imported(o, ref="A")
    assert list(rules.chain_breaches(AS_OF, {})) == []
    bad = imported(
        o,
        ref="B",
        signatures=[
            ("handler", person(o["clerk"])),
            ("finance", person(o["finance_deputy"])),
            ("reviewer", person(o["reviewer"])),
            ("responsible", person(o["deputy1"])),
        ],
    )
    found = list(rules.chain_breaches(AS_OF, {}))
    assert [f.subject_id for f in found] == [str(bad.pk)]


def test_fin1_imported_self_approval_found(o):
    r = imported(
        o,
        ref="C",
        signatures=[
            ("handler", person(o["clerk"])),
            ("reviewer", person(o["clerk"])),
            ("responsible", person(o["deputy1"])),
            ("finance", person(o["finance_deputy"])),
        ],
    )
    found = list(rules.chain_breaches(AS_OF, {}))
    assert [f.subject_id for f in found] == [str(r.pk)]


def test_fin1_live_paid_is_lawful(o):
    paid(o)
    assert codes(rules.run_all(AS_OF)) <= {"FIN-4-report-late", "FIN-4-disclosure-late"}


def test_fin2_imported_vouchers_incomplete_found_lawful_twin_not(o):
    imported(o, ref="D")
    assert list(rules.voucher_breaches(AS_OF, {})) == []
    bad = imported(o, ref="E", attachments=[("invoice", "发票.pdf", b"%PDF", "IMPE", 50_000)])
    assert [f.subject_id for f in rules.voucher_breaches(AS_OF, {})] == [str(bad.pk)]


def test_fin2_duplicate_invoice_in_history_found(o):
    first = paid(o)
    inv = first.attachments.get(kind="invoice").invoice_no
    imported(o, ref="F")
    assert list(rules.duplicate_invoice_breaches(AS_OF, {})) == []
    dup = imported(
        o,
        ref="G",
        attachments=[
            ("invoice", "发票.pdf", b"%PDF", inv, 50_000),
            ("list", "l.pdf", b"%PDF l", "", None),
        ],
    )
    found = list(rules.duplicate_invoice_breaches(AS_OF, {}))
    assert len(found) == 1 and found[0].key == f"invoice:{inv}"
    # the imported one occurred earlier (2026-02-03): it stands, the live one is the repeat
    assert found[0].subject_id in (str(dup.pk), str(first.pk))


def test_fin3_over_item_limit_in_history_found_lawful_twin_not(o):
    services.do_set_class_limit(
        o["unit"], "office", 60_000, None, date(2026, 1, 1), "", actor=o["finance_deputy"]
    )
    imported(o, ref="H", amount=60_000)
    assert list(rules.limit_breaches(AS_OF, {})) == []
    over = imported(o, ref="I", amount=60_001)
    found = list(rules.limit_breaches(AS_OF, {}))
    assert [(f.subject_id, f.key) for f in found] == [(str(over.pk), "per_item")]


def test_fin3_over_year_limit_in_history_found_lawful_twin_not(o):
    services.do_set_class_limit(
        o["unit"], "office", None, 100_000, date(2026, 1, 1), "", actor=o["finance_deputy"]
    )
    imported(o, ref="H", amount=60_000)
    imported(o, ref="I", amount=40_000)  # exactly the year's limit
    assert list(rules.limit_breaches(AS_OF, {})) == []
    over = imported(o, ref="J", amount=1)
    found = list(rules.limit_breaches(AS_OF, {}))
    assert [(f.subject_id, f.key) for f in found] == [(str(over.pk), "per_year")]


def test_fin3_large_sum_without_decision_in_history_found_lawful_twin_not(o):
    from wuquan.decisions.services import do_propose_item

    item = do_propose_item(o["unit"], "维修办公楼", "large_sum", actor="test")
    pass_decision(o, item)
    imported(
        o,
        ref="K",
        amount=6_000_000,
        klass="works",
        attachments=[
            ("invoice", "i.pdf", b"%PDF k", "IMPK", 6_000_000),
            ("contract", "c.pdf", b"%PDF c", "", None),
            ("acceptance", "a.pdf", b"%PDF a", "", None),
        ],
        decision=item,
    )
    assert list(rules.large_sum_breaches(AS_OF, {})) == []
    bad = imported(
        o,
        ref="L",
        amount=6_000_000,
        klass="works",
        attachments=[
            ("invoice", "i.pdf", b"%PDF l", "IMPL", 6_000_000),
            ("contract", "c.pdf", b"%PDF c", "", None),
            ("acceptance", "a.pdf", b"%PDF a", "", None),
        ],
    )
    assert [f.subject_id for f in rules.large_sum_breaches(AS_OF, {})] == [str(bad.pk)]


def test_fin3_catalog_threshold_of_the_unit_applies(o):
    from wuquan.decisions.services import ensure_catalog_entry
    from wuquan.unitfinance.selectors import large_sum_threshold

    assert large_sum_threshold(o["unit"].pk) == 5_000_000
    ensure_catalog_entry(o["unit"], "large_sum", "大额资金", amount_threshold=20000, actor="test")
    assert large_sum_threshold(o["unit"].pk) == 2_000_000
    bad = imported(o, ref="M", amount=2_000_000)
    assert [f.subject_id for f in rules.large_sum_breaches(AS_OF, {})] == [str(bad.pk)]


def _budget(o, year=2026):
    services.do_enter_budget(
        o["unit"], year, "office", 5_000_000, actor=o["finance_deputy"], at=at(year, 1, 5)
    )


def test_fin4_report_late_found_lawful_twin_not(o):
    _budget(o)
    thresholds = dict(rules.REPORT_LATE.thresholds)
    late = {f.key for f in rules.report_late_breaches(AS_OF, thresholds)}
    assert late == {"2026-1", "2026-2", "2026-3"}
    for q, day in ((1, date(2026, 4, 20)), (2, date(2026, 7, 20)), (3, date(2026, 10, 20))):
        rep = services.do_prepare_report(
            o["unit"], 2026, q, actor=o["reviewer"], at=at(day.year, day.month, day.day - 5)
        )
        services.do_present_report(
            rep, actor=o["finance_deputy"], on=day, at=at(day.year, day.month, day.day)
        )
    assert list(rules.report_late_breaches(AS_OF, thresholds)) == []
    # the deadline is the threshold: 10 days makes the Q1 report (20 April) late
    assert {f.key for f in rules.report_late_breaches(AS_OF, {"days": 10})} == {
        "2026-1",
        "2026-2",
        "2026-3",
    }


def test_fin4_disclosure_late_found_lawful_twin_not(o):
    _budget(o)
    th = dict(rules.DISCLOSURE_LATE.thresholds)
    assert {f.key for f in rules.disclosure_late_breaches(AS_OF, th)} == {"2026-1"}
    services.do_publish_disclosure(
        o["unit"], 2026, 1, actor=o["finance_deputy"], at=at(2026, 7, 15)
    )
    assert list(rules.disclosure_late_breaches(AS_OF, th)) == []
    assert (
        list(rules.disclosure_late_breaches(datetime(2027, 2, 1, tzinfo=SH), th))[0].key == "2026-2"
    )

"""The path a case takes: submit, accept, parallel steps, result, delivery (APR-1..4, CAT-5)."""

import re
from decimal import Decimal

import pytest

from wuquan.approvals import selectors, services
from wuquan.approvals.models import Case, CaseStatus, CaseStep, StepState
from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.ledger.models import Event

from .approvals_helpers import at, pdf


def submit(world, files, area=100, when=None):
    return services.do_submit_application(
        world.item,
        applicant_name="龙潭小吃店",
        applicant_id_number="220203199001011230",
        applicant_phone="13800000000",
        data={"area_sqm": area},
        files=files,
        at=when or at(2026, 3, 2, 9),
    )


def ready(case, **kw):
    return list(case.steps.filter(state__in=[StepState.READY, StepState.CLAIMED], **kw))


def run_to_end(world, case, when, decision="approve"):
    u = world.users
    for step in ready(case):
        who = u["xf"] if step.unit.code == "t-xf" else u["chengban"]
        services.do_complete_step(step, "符合要求", actor=who, at=when)
    for step in ready(case, kind="现场勘查"):
        services.do_complete_step(step, "现场符合", actor=u["chengban"], at=when)
    services.do_complete_step(ready(case, kind="审核")[0], "同意", actor=u["shenhe"], at=when)
    services.do_complete_step(
        ready(case, kind="审批")[0],
        "准予许可",
        actor=u["deputy"],
        decision=decision,
        reason="不符合条件",
        at=when,
    )
    services.do_complete_step(ready(case, kind="送达")[0], "已送达", actor=u["window"], at=when)
    case.refresh_from_db()
    return case


def test_apr1_online_submission_gives_application_number_and_query_code(world, online_files):
    sub = submit(world, online_files)
    case = sub.case
    assert re.fullmatch(r"SQ-20260302-\d{4}", case.application_no)
    assert 6 <= len(sub.query_code) <= 8
    assert sub.query_code not in (case.query_hash, case.query_salt)
    assert selectors.check_query_code(case, sub.query_code)
    assert not selectors.check_query_code(case, "WRONG123")
    assert case.status == CaseStatus.SUBMITTED
    # the acceptance step is ready at the window
    (step,) = ready(case)
    assert step.kind == "受理" and step.post.code == "window"
    assert (
        Event.objects.filter(action="approvals.case.submitted", subject_id=str(case.pk)).count()
        == 1
    )


def test_cat5_online_submission_missing_material_is_refused_and_nothing_written(
    world, online_files
):
    online_files.pop(next(iter(online_files)))
    before = (Case.objects.count(), Event.objects.count())
    with pytest.raises(InvalidInput, match="缺少申报材料"):
        submit(world, online_files)
    assert (Case.objects.count(), Event.objects.count()) == before


def test_cat5_material_held_in_records_is_not_demanded_online(world, online_files):
    case = submit(world, online_files).case
    licence = case.materials.get(material__name="营业执照复印件")
    assert licence.status == "reused"


def test_apr1_acceptance_gives_receipt_number_and_promised_deadline(world, online_files):
    case = submit(world, online_files).case
    case = services.do_accept_case(case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    assert re.fullmatch(r"LT-20260302-\d{4}", case.receipt_no)
    # 8 working days after Monday 2 March 2026 → Thursday 12 March
    assert case.due.isoformat() == "2026-03-12"
    assert case.status == CaseStatus.RUNNING
    ev = Event.objects.get(action="approvals.case.accepted")
    p = ev.payload
    assert p["case_id"] == case.pk and p["item_id"] == world.item.pk and p["step_kind"] == "受理"
    assert p["post_id"] and p["unit_id"] and p["person_id"] and p["user"] == "t-window"


def test_apr1_receipt_numbers_are_a_per_day_sequence(world, online_files):
    a = services.do_accept_case(
        submit(world, online_files).case,
        actor=world.users["window"],
        at=at(2026, 3, 2, 10),
    )
    files2 = {k: pdf() for k in online_files}
    b = services.do_accept_case(
        submit(world, files2).case,
        actor=world.users["window"],
        at=at(2026, 3, 2, 11),
    )
    assert a.receipt_no.endswith("-0001") and b.receipt_no.endswith("-0002")
    files3 = {k: pdf() for k in online_files}
    c = services.do_accept_case(
        submit(world, files3, when=at(2026, 3, 3, 9)).case,
        actor=world.users["window"],
        at=at(2026, 3, 3, 10),
    )
    assert c.receipt_no == "LT-20260303-0001"


def test_apr1_refusal_needs_a_reason(world, online_files):
    case = submit(world, online_files).case
    n = Event.objects.count()
    with pytest.raises(InvalidInput, match="理由"):
        services.do_refuse_case(case, "  ", actor=world.users["window"])
    assert Event.objects.count() == n
    case = services.do_refuse_case(case, "不属于本机关职权范围", actor=world.users["window"])
    assert case.status == CaseStatus.NOT_ACCEPTED
    assert Event.objects.filter(action="approvals.case.refused").count() == 1
    assert not ready(case)


def test_apr3_only_the_window_post_accepts(world, online_files):
    case = submit(world, online_files).case
    with pytest.raises(NotPermitted, match="综合受理窗口"):
        services.do_accept_case(case, actor=world.users["chengban"])
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.receipt_no is None


def test_cat5_window_cannot_register_a_material_outside_the_catalog(world):
    sub = services.do_submit_application(
        world.item,
        applicant_name="张三",
        data={"area_sqm": 10},
        channel="window",
        actor=world.users["window"],
        at=at(2026, 3, 2, 9),
    )
    with pytest.raises(RuleViolation, match="目录以外"):
        services.do_accept_case(sub.case, {999999: "provided"}, actor=world.users["window"])
    with pytest.raises(InvalidInput, match="材料不齐"):
        services.do_accept_case(sub.case, {}, actor=world.users["window"])
    marks = {m.pk: "provided" for m in world.materials}
    marks[world.materials[1].pk] = "reused"
    case = services.do_accept_case(
        sub.case, marks, actor=world.users["window"], at=at(2026, 3, 2, 10)
    )
    assert case.receipt_no


def test_apr4_parallel_reviews_are_ready_at_once_in_both_units_and_join(world, online_files):
    case = submit(world, online_files).case
    services.do_accept_case(case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    steps = ready(case)
    assert sorted(s.unit.code for s in steps) == ["t-scjg", "t-xf"]
    a, b = sorted(steps, key=lambda s: s.unit.code)
    services.do_complete_step(a, "同意", actor=world.users["chengban"], at=at(2026, 3, 3))
    assert [s.pk for s in ready(case)] == [b.pk]  # the join waits for the other branch
    services.do_complete_step(b, "消防同意", actor=world.users["xf"], at=at(2026, 3, 4))
    (nxt,) = ready(case)
    assert nxt.kind == "审核"  # area 100 ≤ 500: the site check is routed around


def test_apr3_exclusive_gateway_routes_on_case_data(world, online_files):
    case = submit(world, online_files, area=800).case
    services.do_accept_case(case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    for s in ready(case):
        services.do_complete_step(
            s,
            "同意",
            actor=world.users["xf" if s.unit.code == "t-xf" else "chengban"],
        )
    (nxt,) = ready(case)
    assert nxt.kind == "现场勘查"


def test_apr3_step_by_the_wrong_post_is_refused_and_nothing_changes(world, online_files):
    case = submit(world, online_files).case
    services.do_accept_case(case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    step = ready(case, unit__code="t-scjg")[0]
    case.refresh_from_db()
    state, n = case.workflow_state, Event.objects.count()
    with pytest.raises(NotPermitted, match="审批科承办岗"):
        services.do_complete_step(step, "越权办理", actor=world.users["xf"])
    step.refresh_from_db()
    case.refresh_from_db()
    assert step.state == StepState.READY and case.workflow_state == state
    assert Event.objects.count() == n


def test_apr3_double_completion_is_refused(world, online_files):
    case = submit(world, online_files).case
    services.do_accept_case(case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    step = ready(case, unit__code="t-scjg")[0]
    services.do_complete_step(step, "同意", actor=world.users["chengban"])
    n = Event.objects.count()
    with pytest.raises(RuleViolation, match="不能重复办理"):
        services.do_complete_step(step, "再次同意", actor=world.users["chengban"])
    assert Event.objects.count() == n


def test_apr3_claimed_step_is_done_only_by_the_claimer(world, online_files):
    case = submit(world, online_files).case
    services.do_accept_case(case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    step = ready(case, unit__code="t-scjg")[0]
    services.do_claim_step(step, actor=world.users["chengban"])
    from wuquan.org.services import ensure_staff

    other = ensure_staff("t-chengban2", "承办 二号", step.post, ["承办"])
    with pytest.raises(NotPermitted, match="认领"):
        services.do_complete_step(step, "同意", actor=other)
    with pytest.raises(RuleViolation):
        services.do_claim_step(step, actor=other)


def test_apr3_full_path_approves_delivers_and_records_each_action_once(world, online_files):
    case = submit(world, online_files).case
    services.do_accept_case(case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    case = run_to_end(world, case, at(2026, 3, 5))
    assert case.status == CaseStatus.FINISHED and case.result == "approved"
    assert case.certificate_no and case.delivered_at
    actions = list(
        Event.objects.filter(subject_type__startswith="approvals.").values_list("action", flat=True)
    )
    assert actions.count("approvals.case.result") == 1
    assert actions.count("approvals.case.delivered") == 1
    assert actions.count("approvals.step.completed") == 3  # two parallel reviews + 审核
    done = CaseStep.objects.filter(case=case, state=StepState.DONE)
    assert all(s.event_index is not None for s in done)
    result = Event.objects.get(action="approvals.case.result").payload
    assert result["step_kind"] == "审批" and result["accepted"] is True and result["person_id"]
    assert result["item_area"] == "approval"
    assert case.deadline.closed


def test_apr3_denial_needs_a_reason(world, online_files):
    case = submit(world, online_files).case
    services.do_accept_case(case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    for s in ready(case):
        services.do_complete_step(
            s,
            "同意",
            actor=world.users["xf" if s.unit.code == "t-xf" else "chengban"],
        )
    services.do_complete_step(ready(case)[0], "同意", actor=world.users["shenhe"])
    step = ready(case)[0]
    with pytest.raises(InvalidInput):
        services.do_complete_step(step, "审批", actor=world.users["deputy"], decision="maybe")
    services.do_complete_step(
        step, "场所不符合卫生条件", actor=world.users["deputy"], decision="deny"
    )
    case.refresh_from_db()
    assert case.result == "denied" and case.result_reason == "场所不符合卫生条件"
    assert not case.certificate_no


def test_apr8_fee_only_as_the_catalog_allows(world, online_files):
    case = submit(world, online_files).case
    services.do_accept_case(case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    with pytest.raises(RuleViolation, match="不符"):
        services.do_charge_fee(case, world.fee, "50", actor=world.users["window"])
    with pytest.raises(NotPermitted, match="窗口"):
        services.do_charge_fee(case, world.fee, "10", actor=world.users["chengban"])
    charge = services.do_charge_fee(case, world.fee, Decimal("10"), actor=world.users["window"])
    assert charge.amount == Decimal("10.00")
    with pytest.raises(RuleViolation, match="重复"):
        services.do_charge_fee(case, world.fee, "10", actor=world.users["window"])
    p = Event.objects.get(action="approvals.fee.charged").payload
    assert p["fee_id"] == world.fee.pk and p["amount"] == "10.00" and p["case_id"] == case.pk


def test_apr1_withdrawal_cancels_open_steps(world, online_files):
    case = submit(world, online_files).case
    services.do_accept_case(case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    case = services.do_withdraw_case(case, "不再经营", actor=f"applicant:{case.application_no}")
    assert case.status == CaseStatus.WITHDRAWN and case.result == "withdrawn"
    assert not ready(case)

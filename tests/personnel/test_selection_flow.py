"""A selection from 动议 to 任职 (PER-1, PER-2, PER-4): order, quota, decision, notice, review."""

from datetime import timedelta

import pytest

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.decisions.models import Choice
from wuquan.ledger.models import Event
from wuquan.org.models import Appointment
from wuquan.personnel import events, services
from wuquan.personnel.models import Selection, SelectionStatus, Step, StepRecord
from wuquan.personnel.selectors import dossier_digest
from wuquan.workdays.calendar import add_working_days

from .helpers import (
    DAY,
    STEP,
    at,
    open_selection,
    org_dept_user,
    person,
    run_meeting,
    setup_unit,
    through_inspection,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo_org):
    user = org_dept_user()
    unit, post, est = setup_unit(quota=2)
    return {"user": user, "unit": unit, "post": post, "est": est}


def _to_notice(world, district_reviewed=False):
    sel = open_selection(world["post"])
    cand, nominator = person("李明"), person("赵推荐")
    through_inspection(sel, world["user"], cand, nominator)
    if sel.review_status:
        services.do_submit_review(sel, actor="test", at=at(DAY, 16))
    run_meeting(sel)
    services.do_record_decision(sel, actor="test", at=at(DAY + timedelta(days=3), 12))
    return sel, cand


def test_per1_whole_selection_from_motion_to_appointment(world):
    sel, cand = _to_notice(world)
    start = DAY + timedelta(days=4)
    services.do_publish_notice(sel, start, actor="test", at=at(start))
    end = add_working_days(start, services.NOTICE_WORKING_DAYS)
    services.do_close_notice(sel, actor="test", on=end, participants="干部监督室", at=at(end))
    appointment = services.do_appoint_candidate(
        sel, end + timedelta(days=1), actor="test", participants="干部监督室", at=at(end, 16)
    )
    services.do_archive_dossier(sel, actor="test", at=at(end, 17))
    sel.refresh_from_db()
    assert sel.status == SelectionStatus.APPOINTED
    assert sel.done_steps == list(Step.values)
    assert appointment.person == cand and appointment.post == world["post"]
    assert sel.probation_until == end + timedelta(days=1) + timedelta(days=364)
    assert sel.dossier_digest == dossier_digest(sel)
    archived = Event.objects.get(action=events.DOSSIER_ARCHIVED)
    assert archived.payload["digest"] == sel.dossier_digest
    # every step is in the log, with a digest only (no names, no reasons)
    step_events = Event.objects.filter(action=events.STEP_RECORDED, subject_id=str(sel.pk))
    assert step_events.count() == 7
    assert all(
        "李明" not in e.leaf and "业务熟悉" not in e.leaf
        for e in Event.objects.all()
        if e.action.startswith("personnel.")
    )


def test_per1_skipping_a_step_is_refused_and_nothing_written(world):
    sel = open_selection(world["post"])
    before = Event.objects.count()
    with pytest.raises(RuleViolation) as exc:
        services.do_record_inspection(sel, actor="test", on=DAY, **STEP)
    assert exc.value.code == "PER-1-step-order"
    assert "民主推荐" in str(exc.value.message)
    assert Event.objects.count() == before
    assert StepRecord.objects.filter(selection=sel).count() == 1


def test_per2_recommendation_needs_a_real_name_nomination(world):
    sel = open_selection(world["post"])
    before = Event.objects.count()
    with pytest.raises(RuleViolation):
        services.do_record_recommendation(sel, actor="test", on=DAY, **STEP)
    assert Event.objects.count() == before


def test_per2_nomination_signature_must_be_the_nominators_name(world):
    sel = open_selection(world["post"])
    cand, nominator = person("李明"), person("赵推荐")
    before = Event.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.do_nominate(
            sel,
            cand,
            nominator=nominator,
            kind="leader",
            reason="好",
            signature="别人",
            signed_on=DAY,
            actor="test",
        )
    assert exc.value.field == "signature"
    assert Event.objects.count() == before and not sel.nominations.exists()


def test_per2_candidate_must_have_been_nominated(world):
    sel = open_selection(world["post"])
    cand, nominator, other = person("李明"), person("赵推荐"), person("王外人")
    services.do_nominate(
        sel,
        cand,
        nominator=nominator,
        kind="leader",
        reason="好",
        signature=nominator.name,
        signed_on=DAY,
        actor="test",
    )
    services.do_record_recommendation(sel, actor="test", on=DAY, **STEP)
    with pytest.raises(RuleViolation):
        services.do_shortlist(sel, other, actor="test", on=DAY, **STEP)
    sel.refresh_from_db()
    assert sel.candidate is None and not sel.checks.exists()


def test_per3_inspection_refused_until_candidate_check_is_concluded(world):
    sel = open_selection(world["post"])
    cand, nominator = person("李明"), person("赵推荐")
    services.do_nominate(
        sel,
        cand,
        nominator=nominator,
        kind="leader",
        reason="好",
        signature=nominator.name,
        signed_on=DAY,
        actor="test",
    )
    services.do_record_recommendation(sel, actor="test", on=DAY, **STEP)
    services.do_shortlist(sel, cand, actor="test", on=DAY, **STEP)
    assert sel.checks.get().reason == "candidate"  # candidates are always checked
    with pytest.raises(RuleViolation) as exc:
        services.do_record_inspection(sel, actor="test", on=DAY, **STEP)
    assert exc.value.code == "PER-3-candidate-check"
    assert Step.INSPECTION not in sel.done_steps


def test_per5_over_quota_selection_is_refused_and_the_refusal_recorded(world):
    services.do_set_establishment(world["unit"], "正科级领导职数", 1, [world["post"]], actor="t")
    person_on_post = person("在任科长")
    Appointment.objects.create(
        person=person_on_post, post=world["post"], start=DAY - timedelta(days=400)
    )
    with pytest.raises(RuleViolation) as exc:
        open_selection(world["post"])
    assert exc.value.code == "PER-5-over-quota"
    assert not Selection.objects.exists() and not StepRecord.objects.exists()
    refused = Event.objects.get(action=events.SELECTION_REFUSED)
    assert refused.payload == {
        "post": world["post"].pk,
        "rule": "PER-5-over-quota",
        "holders": 1,
        "quota": 1,
    }


def test_per5_selection_within_quota_counts_selections_under_way(world):
    open_selection(world["post"])
    open_selection(world["post"])  # quota 2: two may run
    with pytest.raises(RuleViolation):
        open_selection(world["post"])
    assert Selection.objects.count() == 2


def test_per1_failed_decision_blocks_the_selection(world):
    sel = open_selection(world["post"])
    through_inspection(sel, world["user"], person("李明"), person("赵推荐"))
    run_meeting(sel, votes=[Choice.NO, Choice.NO, Choice.YES, Choice.NO])
    before = Event.objects.count()
    with pytest.raises(RuleViolation) as exc:
        services.do_record_decision(sel, actor="test")
    assert "未通过" in str(exc.value.message)
    assert Event.objects.count() == before and Step.DECISION not in sel.done_steps
    with pytest.raises(RuleViolation):
        services.do_publish_notice(sel, DAY, actor="test")


def test_per1_missing_decision_blocks_the_selection(world):
    sel = open_selection(world["post"])
    through_inspection(sel, world["user"], person("李明"), person("赵推荐"))
    services.do_request_decision(sel, actor="test")  # waiting for a meeting
    with pytest.raises(RuleViolation) as exc:
        services.do_record_decision(sel, actor="test")
    assert exc.value.code == "PER-1-decision"


def test_per1_notice_cannot_close_before_five_working_days(world):
    sel, _cand = _to_notice(world)
    start = DAY + timedelta(days=4)
    services.do_publish_notice(sel, start, actor="test", at=at(start))
    early = add_working_days(start, 4)
    with pytest.raises(RuleViolation):
        services.do_close_notice(sel, actor="test", on=early, participants="x", at=at(early))
    assert Step.NOTICE not in sel.done_steps


def test_per1_objection_must_be_handled_and_one_that_affects_blocks(world):
    sel, _cand = _to_notice(world)
    start = DAY + timedelta(days=4)
    services.do_publish_notice(sel, start, actor="test", at=at(start))
    objection = services.do_file_objection(
        sel, "该同志有违规经商问题", at=at(start + timedelta(days=1))
    )
    end = add_working_days(start, 5)
    with pytest.raises(RuleViolation):
        services.do_close_notice(sel, actor="test", on=end, participants="x", at=at(end))
    services.do_handle_objection(objection, "经核查属实", True, actor="test", at=at(end))
    with pytest.raises(RuleViolation):
        services.do_close_notice(sel, actor="test", on=end, participants="x", at=at(end))
    leaf = Event.objects.get(action=events.OBJECTION_RECEIVED).leaf
    assert "违规经商" not in leaf  # the objection's text stays out of the log


def test_per1_objection_outside_the_notice_period_is_refused(world):
    sel, _cand = _to_notice(world)
    with pytest.raises(InvalidInput):
        services.do_file_objection(sel, "反映", at=at(DAY))
    assert not sel.objections.exists()


def test_per4_district_reviewed_post_needs_approval_before_appointment(world):
    services.do_set_post_profile(world["post"], actor="t", district_reviewed=True)
    sel, _cand = _to_notice(world, district_reviewed=True)
    start = DAY + timedelta(days=4)
    services.do_publish_notice(sel, start, actor="test", at=at(start))
    end = add_working_days(start, 5)
    services.do_close_notice(sel, actor="test", on=end, participants="x", at=at(end))
    sel.refresh_from_db()
    assert sel.review_status == "submitted"
    with pytest.raises(RuleViolation) as exc:
        services.do_appoint_candidate(sel, end, actor="test", participants="x", at=at(end, 15))
    assert exc.value.code == "PER-4-review"
    assert not Appointment.objects.filter(post=world["post"]).exists()
    with pytest.raises(NotPermitted):
        services.do_decide_review(sel, True, actor="test")
    with pytest.raises(InvalidInput):
        services.do_decide_review(sel, False, "", actor=world["user"])  # sending back needs reasons
    services.do_decide_review(sel, False, "考察材料不全", actor=world["user"])
    services.do_submit_review(sel, actor="test")
    services.do_decide_review(sel, True, actor=world["user"])
    services.do_appoint_candidate(sel, end, actor="test", participants="x", at=at(end, 16))
    assert Appointment.objects.filter(post=world["post"]).count() == 1


def test_per3_naked_official_cannot_be_appointed_to_a_restricted_post(world):
    services.do_set_post_profile(world["post"], actor="t", restricted=True)
    sel, cand = _to_notice(world)
    services.do_file_report(
        cand,
        DAY.year - 1,
        actor="test",
        submitted_on=DAY - timedelta(days=60),
        marital_status="married",
        spouse_emigrated=True,
    )
    start = DAY + timedelta(days=4)
    services.do_publish_notice(sel, start, actor="test", at=at(start))
    end = add_working_days(start, 5)
    services.do_close_notice(sel, actor="test", on=end, participants="x", at=at(end))
    with pytest.raises(RuleViolation) as exc:
        services.do_appoint_candidate(sel, end, actor="test", participants="x", at=at(end, 16))
    assert exc.value.code == "PER-3-restricted-post"
    assert not Appointment.objects.filter(post=world["post"]).exists()


def test_per3_lawful_twin_spouse_at_home_is_appointed_to_restricted_post(world):
    services.do_set_post_profile(world["post"], actor="t", restricted=True)
    sel, cand = _to_notice(world)
    services.do_file_report(
        cand,
        DAY.year - 1,
        actor="test",
        submitted_on=DAY - timedelta(days=60),
        marital_status="married",
        spouse_emigrated=False,
        children_count=1,
        children_emigrated=1,
    )
    start = DAY + timedelta(days=4)
    services.do_publish_notice(sel, start, actor="test", at=at(start))
    end = add_working_days(start, 5)
    services.do_close_notice(sel, actor="test", on=end, participants="x", at=at(end))
    services.do_appoint_candidate(sel, end, actor="test", participants="x", at=at(end, 16))
    assert Appointment.objects.filter(post=world["post"], person=cand).exists()


def test_per1_notice_cannot_be_closed_by_entering_a_future_date(world):
    sel, _cand = _to_notice(world)
    start = DAY + timedelta(days=4)
    services.do_publish_notice(sel, start, actor="test", at=at(start))
    end = add_working_days(start, 5)
    with pytest.raises(InvalidInput):
        services.do_close_notice(sel, actor="test", on=end, participants="x", at=at(start))
    assert Step.NOTICE not in sel.done_steps


def test_per1_a_step_dated_before_the_previous_one_is_refused(world):
    sel = open_selection(world["post"])
    services.do_nominate(
        sel,
        person("李明"),
        nominator=(n := person("赵推荐")),
        kind="leader",
        reason="好",
        signature=n.name,
        signed_on=DAY,
        actor="test",
    )
    with pytest.raises(InvalidInput) as exc:
        services.do_record_recommendation(sel, actor="test", on=DAY - timedelta(days=1), **STEP)
    assert exc.value.field == "on"
    assert sel.done_steps == [Step.MOTION]

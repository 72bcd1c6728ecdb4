"""The clock: step and case deadlines in working days, 补正 and special procedures (APR-2, CAT-5)."""

import pytest

from wuquan.approvals import services
from wuquan.approvals.models import CaseStatus, StepState
from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.ledger.models import Event

from .approvals_helpers import at, pdf


@pytest.fixture
def case(world, online_files):
    c = services.do_submit_application(
        world.item,
        applicant_name="龙潭小吃店",
        data={"area_sqm": 100},
        files=online_files,
        at=at(2026, 3, 2, 9),
    ).case
    return services.do_accept_case(c, actor=world.users["window"], at=at(2026, 3, 2, 10))


def open_steps(case):
    return list(
        case.steps.filter(state__in=[StepState.READY, StepState.CLAIMED]).order_by("unit__code")
    )


def test_apr2_each_step_has_its_own_deadline_from_when_it_became_ready(case):
    a, b = open_steps(case)
    assert a.limit_days == 3 and a.deadline.isoformat() == "2026-03-05"
    assert b.deadline.isoformat() == "2026-03-05"


def test_apr2_supplement_stops_the_clock_and_pushes_deadlines(world, case):
    material = world.materials[0]
    pause = services.do_suspend_case(
        case,
        "supplement",
        "申请书签章不全",
        [material.pk],
        actor=world.users["chengban"],
        at=at(2026, 3, 3, 10),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED and case.due is None
    assert all(s.deadline is None for s in open_steps(case))
    ev = Event.objects.get(action="approvals.case.suspended").payload
    assert ev["materials_demanded"] == [material.pk] and ev["kind"] == "supplement"
    # steps wait while the clock is stopped
    with pytest.raises(RuleViolation, match="中止计时"):
        services.do_complete_step(open_steps(case)[0], "同意", actor=world.users["chengban"])
    # the applicant supplies on the portal a week later (Tue 3 → Tue 10 March: 5 working days)
    services.do_resume_case(
        case,
        actor=f"applicant:{case.receipt_no}",
        files={material.pk: pdf()},
        at=at(2026, 3, 10, 10),
    )
    case.refresh_from_db()
    pause.refresh_from_db()
    assert pause.ended_at and case.status == CaseStatus.RUNNING
    assert case.due.isoformat() == "2026-03-19"  # 12 March + 5 working days
    assert open_steps(case)[0].deadline.isoformat() == "2026-03-12"  # 5 March + 5
    assert Event.objects.filter(action="approvals.case.resumed").count() == 1


def test_cat5_supplement_cannot_demand_material_outside_the_catalog(world, case):
    n = Event.objects.count()
    with pytest.raises(RuleViolation, match="目录以外"):
        services.do_suspend_case(
            case, "supplement", "补充", ["房产证"], actor=world.users["chengban"]
        )
    with pytest.raises(RuleViolation, match="不得再要求"):
        services.do_suspend_case(
            case,
            "supplement",
            "补充",
            ["营业执照复印件"],
            actor=world.users["chengban"],
        )
    assert Event.objects.count() == n
    case.refresh_from_db()
    assert case.status == CaseStatus.RUNNING


def test_apr2_special_procedure_needs_a_reason_and_a_post_on_the_case(world, case):
    with pytest.raises(InvalidInput, match="理由"):
        services.do_suspend_case(case, "expert", "", actor=world.users["chengban"])
    with pytest.raises(NotPermitted):
        services.do_suspend_case(case, "expert", "需专家评审", actor=world.users["deputy"])
    services.do_suspend_case(
        case,
        "expert",
        "需专家评审",
        actor=world.users["chengban"],
        at=at(2026, 3, 3),
    )
    with pytest.raises(NotPermitted):
        services.do_resume_case(case, actor=f"applicant:{case.receipt_no}", at=at(2026, 3, 4))
    services.do_resume_case(
        case, "专家意见已出具", actor=world.users["chengban"], at=at(2026, 3, 4)
    )
    case.refresh_from_db()
    assert case.suspensions.count() == 1 and case.due.isoformat() == "2026-03-13"


def test_apr2_applicant_must_upload_demanded_material_to_resume(world, case):
    m = world.materials[2]
    services.do_suspend_case(
        case, "supplement", "平面图不清", [m.pk], actor=world.users["chengban"]
    )
    with pytest.raises(InvalidInput, match="场所布局平面图"):
        services.do_resume_case(case, actor=f"applicant:{case.receipt_no}", files={})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED


def test_apr2_moved_deadline_updates_the_case(world, case):
    from wuquan.workdays.services import do_load_official_schedule

    # an official notice makes Wed 4 – Fri 6 March 2026 holidays (a test-only schedule)
    days = [
        ("2026-03-04", "holiday", "测试"),
        ("2026-03-05", "holiday", "测试"),
        ("2026-03-06", "holiday", "测试"),
    ]
    do_load_official_schedule(2026, "测试〔2026〕1号", "2026-01-01", days, actor="admin")
    case.refresh_from_db()
    assert case.due.isoformat() == "2026-03-17"
    assert open_steps(case)[0].deadline.isoformat() == "2026-03-10"

"""The supervision rules over approval cases (wuquan.approvals.rules): each fires on a breach and
stays quiet on the lawful case next to it (SUP-2, SUP-3, SUP-4, APR-1, APR-3, APR-5, APR-8,
CAT-5). Cases are built with the approvals services on the small sample world; breaches the
live services refuse come in as imported history (exchange.import_case) or as an event a
department system would record — the rules watch the ledger, not the UI."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wuquan.approvals import exchange, services
from wuquan.approvals.models import Case, CaseStep, StepState
from wuquan.catalog.models import MaterialReuse
from wuquan.ledger import record
from wuquan.supervision import engine, registry
from wuquan.supervision.models import Alarm

TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=TZ)


def pdf(name="a.pdf", content=b"%PDF-1.4 test"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from wuquan.approvals import sample

    return sample.build()


def files_for(world, content=b"%PDF-1.4 test"):
    return {
        m.pk: pdf(f"m{m.pk}.pdf", content) for m in world.materials if m.reuse == MaterialReuse.NONE
    }


def submit(world, when, applicant="龙潭小吃店", id_number="220203199001011230", files=None):
    return services.do_submit_application(
        world.item,
        applicant_name=applicant,
        applicant_id_number=id_number,
        applicant_phone="13800000000",
        data={"area_sqm": 100},
        files=files if files is not None else files_for(world),
        at=when,
    ).case


def accepted(world, when):
    case = submit(world, when)
    return services.do_accept_case(case, actor=world.users["window"], at=when + timedelta(hours=1))


def ready(case, **kw):
    return list(case.steps.filter(state__in=[StepState.READY, StepState.CLAIMED], **kw))


def finish_reviews(world, case, when):
    for step in ready(case):
        who = world.users["xf"] if step.unit.code == "t-xf" else world.users["chengban"]
        services.do_complete_step(step, "符合要求", actor=who, at=when)


def alarms(code, **kw):
    return list(Alarm.objects.filter(rule_code=code, **kw))


def sweep(code, as_of):
    rule = registry.get(code)
    return list(rule.sweep(as_of, engine.effective(rule, as_of).thresholds))


def subjects(findings):
    return {(f.subject_type, f.subject_id) for f in findings}


def test_rules_are_discovered_with_codes_clauses_and_kinds():
    codes = {r.code for r in registry.all_rules()}
    from wuquan.approvals.rules import RULES

    for rule in RULES:
        assert rule.code in codes
        assert rule.clause and rule.name
        assert (rule.check is None) != (rule.sweep is None)


# ---- time (SUP-2, APR-5) -------------------------------------------------------------------


def test_apr5_step_near_deadline_warns_and_not_before(world):
    case = accepted(world, at(2026, 3, 2, 9))
    step = ready(case, kind="审查")[0]
    assert step.deadline == timezone.localdate(at(2026, 3, 5))  # 3 working days after Mon
    quiet = sweep("APR-5-step-due-soon", at(2026, 3, 2, 15))
    assert ("approvals.casestep", str(step.pk)) not in subjects(quiet)
    found = sweep("APR-5-step-due-soon", at(2026, 3, 4, 15))  # one working day left
    f = next(f for f in found if f.subject_id == str(step.pk))
    assert f.inputs["deadline"] == "2026-03-05" and "provisional" in f.inputs
    assert f.key == "deadline:2026-03-05"


def test_apr5_warning_threshold_in_percent_of_the_step_limit(world):
    case = accepted(world, at(2026, 3, 2, 9))
    step = ready(case, kind="审查")[0]  # 3-day limit, due Thu 5 March
    rule = registry.get("APR-5-step-due-soon")
    as_of = at(2026, 3, 3, 15)  # two working days left
    assert str(step.pk) not in {f.subject_id for f in rule.sweep(as_of, {"warn_working_days": 1})}
    wide = {"warn_working_days": 1, "warn_percent": 30}  # ≤ 70% of 3 days = 2 days left
    assert str(step.pk) in {f.subject_id for f in rule.sweep(as_of, wide)}


def test_sup2_step_overdue_even_when_case_on_time_and_replay_of_a_past_day(world):
    case = accepted(world, at(2026, 3, 2, 9))
    step = ready(case, kind="审查")[0]  # due 5 March; the case is due 8 working days on
    late = at(2026, 3, 6, 15)
    assert ("approvals.casestep", str(step.pk)) in subjects(sweep("SUP-2-step-overdue", late))
    assert str(case.pk) not in {f.subject_id for f in sweep("SUP-2-case-overdue", late)}
    engine.run_sweeps(late, ["SUP-2-step-overdue"])
    (alarm,) = alarms("SUP-2-step-overdue", subject_id=str(step.pk))
    assert alarm.severity == "黄牌" and alarm.breach_key == "deadline:2026-03-05"
    # the lawful neighbour: the parallel review done in time is not flagged
    xf = ready(case, kind="会商")[0]
    services.do_complete_step(xf, "符合", actor=world.users["xf"], at=at(2026, 3, 4, 10))
    assert str(xf.pk) not in {f.subject_id for f in sweep("SUP-2-step-overdue", late)}
    # completed late: a replay of 6 March still finds it open then; today it is not open
    services.do_complete_step(step, "符合", actor=world.users["chengban"], at=at(2026, 3, 9, 10))
    assert str(step.pk) in {f.subject_id for f in sweep("SUP-2-step-overdue", late)}
    assert str(step.pk) not in {
        f.subject_id for f in sweep("SUP-2-step-overdue", at(2026, 3, 9, 16))
    }
    # … and the late completion itself is a fact (event check, not cleared by time)
    (done_late,) = alarms("SUP-2-done-late", subject_id=str(step.pk))
    assert done_late.inputs["deadline"] == "2026-03-05"
    assert not alarms("SUP-2-done-late", subject_id=str(xf.pk))


def test_sup2_suspended_case_is_not_flagged_the_clock_stands_still(world):
    case = accepted(world, at(2026, 3, 2, 9))
    step = ready(case, kind="审查")[0]
    material = next(m for m in world.materials if m.reuse == MaterialReuse.NONE)
    services.do_suspend_case(
        case,
        "supplement",
        "平面图不清晰",
        [material.pk],
        actor=world.users["chengban"],
        at=at(2026, 3, 3, 10),
    )
    for as_of in (at(2026, 3, 6, 15), at(2026, 3, 20, 15)):
        for code in ("SUP-2-step-overdue", "APR-5-step-due-soon"):
            assert str(step.pk) not in {f.subject_id for f in sweep(code, as_of)}
        assert str(case.pk) not in {f.subject_id for f in sweep("SUP-2-case-overdue", as_of)}
    # resumed on 23 March: the deadline moved by the pause; flagged only once it passes again
    services.do_resume_case(
        case,
        "已补正",
        actor=f"applicant:{case.number}",
        files={material.pk: pdf()},
        at=at(2026, 3, 23, 9),
    )
    step.refresh_from_db()
    assert step.deadline > timezone.localdate(at(2026, 3, 23))
    assert str(step.pk) not in {
        f.subject_id for f in sweep("SUP-2-step-overdue", at(2026, 3, 23, 15))
    }
    after = datetime.combine(step.deadline + timedelta(days=1), datetime.min.time(), TZ)
    assert str(step.pk) in {
        f.subject_id for f in sweep("SUP-2-step-overdue", after + timedelta(hours=12))
    }


def test_sup2_case_past_its_promised_day_and_a_finished_case_is_not(world):
    case = accepted(world, at(2026, 3, 2, 9))
    other = accepted(world, at(2026, 3, 2, 9, 30))
    as_of = datetime.combine(case.due + timedelta(days=1), datetime.min.time(), TZ) + timedelta(
        hours=12
    )
    # finish `other` in time (all steps by their holders on 3 March)
    d = at(2026, 3, 3, 10)
    finish_reviews(world, other, d)
    services.do_complete_step(
        ready(other, kind="审核")[0], "同意", actor=world.users["shenhe"], at=d
    )
    services.do_complete_step(
        ready(other, kind="审批")[0],
        "准予",
        actor=world.users["deputy"],
        decision="approve",
        at=d,
    )
    services.do_complete_step(
        ready(other, kind="送达")[0], "送达", actor=world.users["window"], at=d
    )
    found = {f.subject_id: f for f in sweep("SUP-2-case-overdue", as_of)}
    assert str(case.pk) in found and str(other.pk) not in found
    assert found[str(case.pk)].inputs["due"] == case.due.isoformat()
    assert "provisional" in found[str(case.pk)].inputs


# ---- process (APR-1, APR-3) ------------------------------------------------------------------


def legacy(world, ref, **over):
    """An imported historical case of the sample item (steps one a day from 2 March)."""
    from wuquan.approvals.sample import ROWS
    from wuquan.org.models import Person

    people = {
        ("t-zwfw", "window"): world.users["window"],
        ("t-scjg", "chengban"): world.users["chengban"],
        ("t-xf", "chengban"): world.users["xf"],
        ("t-scjg", "shenhe"): world.users["shenhe"],
        ("t-scjg", "deputy-1"): world.users["deputy"],
    }
    steps = []
    for k, row in enumerate(r for r in ROWS if r[1] != "现场勘查"):
        name, kind, limit, unit, post = row[:5]
        person = Person.objects.get(user=people[(unit, post)])
        steps.append(
            {
                "task": _task_id(world, name),
                "name": name,
                "kind": kind,
                "unit": unit,
                "post": post,
                "limit_days": limit,
                "person": person.code,
                "opinion": "同意",
                "started_at": at(2026, 3, 2 + k, 9).isoformat(),
                "completed_at": at(2026, 3, 2 + k, 15).isoformat(),
            }
        )
    case = {
        "ref": ref,
        "item": world.item.code,
        "applicant_name": "历史申请人",
        "data": {"area_sqm": 100},  # the flow's condition reads it (no site check)
        "submitted_at": at(2026, 3, 2, 8).isoformat(),
        "accepted_at": at(2026, 3, 2, 15).isoformat(),
        "receipt_no": f"LT-H-{ref}",
        "result": "approved",
        "result_at": at(2026, 3, 7, 15).isoformat(),
        "steps": steps,
    }
    case.update(over)
    return case


def _task_id(world, name):
    from wuquan.catalog import flows

    return next(s.id for s in flows.steps(world.flow) if s.name == name)


def test_apr3_step_by_someone_not_holding_its_post(world):
    from wuquan.org.models import Person

    bad = legacy(world, "wrong-person")
    bad["steps"][1]["person"] = Person.objects.get(user=world.users["xf"]).code  # 承办审查
    lawful = legacy(world, "right-person")
    bad_case, good_case = exchange.import_case(bad), exchange.import_case(lawful)
    (alarm,) = alarms("APR-3-step-without-post")
    step = CaseStep.objects.get(pk=alarm.subject_id)
    assert step.case_id == bad_case.pk and step.name == "承办审查"
    assert alarm.severity == "红牌" and alarm.post_id == step.post_id
    assert not alarms("APR-3-step-without-post", subject_id__in=_ids(good_case))
    # live: the service itself refuses (nothing recorded, nothing to flag)
    case = accepted(world, at(2026, 3, 2, 9))
    from wuquan.common.exceptions import NotPermitted

    with pytest.raises(NotPermitted):
        services.do_complete_step(ready(case, kind="审查")[0], "x", actor=world.users["xf"])


def _ids(case):
    return [str(pk) for pk in case.steps.values_list("pk", flat=True)]


def test_apr3_step_done_before_its_predecessor_is_flagged_lawful_order_is_not(world):
    bad = legacy(world, "out-of-order")
    review = next(s for s in bad["steps"] if s["kind"] == "审核")
    approve = next(s for s in bad["steps"] if s["kind"] == "审批")
    # the approval is done before the review (same day, earlier hour)
    review["completed_at"] = at(2026, 3, 6, 16).isoformat()
    approve["started_at"] = at(2026, 3, 6, 9).isoformat()
    approve["completed_at"] = at(2026, 3, 6, 11).isoformat()
    bad_case = exchange.import_case(bad)
    good_case = exchange.import_case(legacy(world, "in-order"))
    found = alarms("APR-3-step-out-of-order")
    assert [CaseStep.objects.get(pk=a.subject_id).kind for a in found] == ["审批"]
    assert found[0].inputs["missing"] == [_task_id(world, "科长审核")]
    assert CaseStep.objects.get(pk=found[0].subject_id).case_id == bad_case.pk
    assert not alarms("APR-3-step-out-of-order", subject_id__in=_ids(good_case))


def test_apr3_live_flow_with_parallel_branches_is_never_out_of_order(world):
    case = accepted(world, at(2026, 3, 2, 9))
    finish_reviews(world, case, at(2026, 3, 3, 10))
    services.do_complete_step(
        ready(case, kind="审核")[0],
        "同意",
        actor=world.users["shenhe"],
        at=at(2026, 3, 3, 11),
    )
    assert not alarms("APR-3-step-out-of-order")


def test_apr1_result_without_acceptance_is_flagged(world):
    steps = [s for s in legacy(world, "x")["steps"] if s["kind"] != "受理"]
    bad = exchange.import_case(legacy(world, "no-acceptance", accepted_at=None, steps=steps))
    good = exchange.import_case(legacy(world, "accepted"))
    (alarm,) = alarms("APR-1-result-without-acceptance")
    assert (alarm.subject_type, alarm.subject_id) == ("approvals.case", str(bad.pk))
    assert alarm.severity == "红牌"
    assert not alarms("APR-1-result-without-acceptance", subject_id=str(good.pk))


def test_apr1_refusal_without_reason_is_flagged_with_reason_is_not(world):
    case = submit(world, at(2026, 3, 2, 9))
    services.do_refuse_case(
        case, "不属于本机关职权", actor=world.users["window"], at=at(2026, 3, 2, 10)
    )
    assert not alarms("APR-1-refused-without-reason")
    # a department system reports a refusal with no reason (the live service refuses that)
    other = submit(world, at(2026, 3, 2, 11), applicant="另一申请人", id_number="")
    record(
        "system:dept",
        "approvals.case.refused",
        other,
        {"case_id": other.pk, "application_no": other.application_no, "reason": " "},
    )
    (alarm,) = alarms("APR-1-refused-without-reason")
    assert alarm.subject_id == str(other.pk)


def test_apr1_accepted_after_refusal_without_new_materials(world):
    first = submit(world, at(2026, 3, 2, 9))
    services.do_refuse_case(
        first, "材料不符合要求", actor=world.users["window"], at=at(2026, 3, 2, 10)
    )
    same = submit(world, at(2026, 3, 3, 9))  # same applicant, item and file contents
    services.do_accept_case(same, actor=world.users["window"], at=at(2026, 3, 3, 10))
    (alarm,) = alarms("APR-1-accepted-after-refusal")
    assert alarm.subject_id == str(same.pk) and alarm.inputs["refused_case"] == first.pk
    # lawful: new materials (a different plan), or another applicant
    renewed = submit(world, at(2026, 3, 4, 9), files=files_for(world, b"%PDF-1.4 revised plan"))
    services.do_accept_case(renewed, actor=world.users["window"], at=at(2026, 3, 4, 10))
    stranger = submit(world, at(2026, 3, 4, 9), applicant="别家", id_number="220203199101010008")
    services.do_accept_case(stranger, actor=world.users["window"], at=at(2026, 3, 4, 10))
    assert [a.subject_id for a in alarms("APR-1-accepted-after-refusal")] == [str(same.pk)]


# ---- separation (SUP-3, SUP-4) ---------------------------------------------------------------


def _appoint(user, unit_code, post_code):
    from datetime import date

    from wuquan.org.models import Person, Post
    from wuquan.org.services import do_appoint

    post = Post.objects.get(unit__code=unit_code, code=post_code)
    do_appoint(Person.objects.get(user=user), post, date(2026, 1, 1), actor="system:test")


def _to_decision(world, case, when, reviewer):
    finish_reviews(world, case, when)
    services.do_complete_step(ready(case, kind="审核")[0], "同意", actor=reviewer, at=when)
    return ready(case, kind="审批")[0]


def test_sup3_same_person_reviews_and_approves(world):
    _appoint(world.users["deputy"], "t-scjg", "shenhe")  # the deputy also sits as reviewer
    d = at(2026, 3, 3, 10)
    bad = accepted(world, at(2026, 3, 2, 9))
    step = _to_decision(world, bad, d, world.users["deputy"])
    services.do_complete_step(step, "准予", actor=world.users["deputy"], decision="approve", at=d)
    good = accepted(world, at(2026, 3, 2, 9, 30))
    step2 = _to_decision(world, good, d, world.users["shenhe"])
    services.do_complete_step(step2, "准予", actor=world.users["deputy"], decision="approve", at=d)
    (alarm,) = alarms("SUP-3-review-and-approve")
    assert (alarm.subject_type, alarm.subject_id) == ("approvals.casestep", str(step.pk))
    assert alarm.severity == "红牌"


def test_sup4_head_approving_in_a_hands_off_area(world):
    _appoint(world.users["head"], "t-scjg", "deputy-1")  # the head acts as approving deputy
    d = at(2026, 3, 3, 10)
    bad = accepted(world, at(2026, 3, 2, 9))
    step = _to_decision(world, bad, d, world.users["shenhe"])
    services.do_complete_step(step, "准予", actor=world.users["head"], decision="approve", at=d)
    good = accepted(world, at(2026, 3, 2, 9, 30))
    step2 = _to_decision(world, good, d, world.users["shenhe"])
    services.do_complete_step(step2, "准予", actor=world.users["deputy"], decision="approve", at=d)
    (alarm,) = alarms("SUP-4-head-approves")
    assert alarm.subject_id == str(step.pk) and alarm.inputs["area"] == "approval"
    assert alarm.post.is_head


def test_sup3_handler_answering_the_alarm_about_their_own_case(world):
    from wuquan.org import roles
    from wuquan.org.services import ensure_staff
    from wuquan.supervision import services as sup

    jiwei = ensure_staff("t-jiwei", "纪委 王明", None, [roles.COMMISSION])
    scjg = world.item.unit
    raised = []
    for n in (1, 2):
        case = accepted(world, at(2026, 3, 2, 9, n))
        step = ready(case, kind="审查")[0]
        services.do_complete_step(
            step, "符合", actor=world.users["chengban"], at=at(2026, 3, 9, 10)
        )
        (alarm,) = alarms("SUP-2-done-late", subject_id=str(step.pk))
        raised.append(sup.do_assign_alarm(alarm, scjg, actor=jiwei))
    # the handler of case 1 answers the alarm about their own step; case 2 by the 科长 who
    # did not handle it
    sup.do_answer_alarm(raised[0], "已整改", actor=world.users["chengban"])
    sup.do_answer_alarm(raised[1], "已整改", actor=world.users["shenhe"])
    now = timezone.now() + timedelta(seconds=1)
    found = sweep("SUP-3-handler-supervises", now)
    assert {f.subject_id for f in found} == {str(raised[0].pk)}
    assert found[0].inputs["actor"] == "user:t-chengban"
    engine.run_sweeps(now, ["SUP-3-handler-supervises"])
    assert len(alarms("SUP-3-handler-supervises")) == 1


# ---- money and materials (APR-8, CAT-5) -------------------------------------------------------


def test_apr8_fee_outside_catalog_or_above_standard(world):
    fee = world.fee
    base = at(2026, 3, 6, 14).isoformat()
    outside = exchange.import_case(
        legacy(world, "fee-out", fees=[{"name": "加急费", "amount": "200", "at": base}])
    )
    above = exchange.import_case(
        legacy(world, "fee-up", fees=[{"fee": fee.code, "amount": "30.00", "at": base}])
    )
    lawful = exchange.import_case(
        legacy(world, "fee-ok", fees=[{"fee": fee.code, "amount": str(fee.amount), "at": base}])
    )
    flagged = {a.subject_id for a in alarms("APR-8-fee-outside-catalog")}
    assert flagged == {
        str(outside.charges.get().pk),
        str(above.charges.get().pk),
    }
    assert str(lawful.charges.get().pk) not in flagged
    # live: charging at the standard through the window raises nothing
    case = accepted(world, at(2026, 3, 2, 9))
    services.do_charge_fee(
        case,
        fee,
        Decimal("10.00"),
        actor=world.users["window"],
        at=at(2026, 3, 2, 11),
    )
    assert len(alarms("APR-8-fee-outside-catalog")) == 2


def test_cat5_materials_demanded_beyond_the_catalog(world):
    case = accepted(world, at(2026, 3, 2, 9))
    mat = next(m for m in world.materials if m.reuse == MaterialReuse.NONE)
    held = next(m for m in world.materials if m.reuse != MaterialReuse.NONE)
    services.do_suspend_case(
        case,
        "supplement",
        "请补正",
        [mat.pk],
        actor=world.users["chengban"],
        at=at(2026, 3, 3, 9),
    )
    assert not alarms("CAT-5-materials-beyond-catalog")
    other = accepted(world, at(2026, 3, 2, 10))
    # a department system demands a licence the records already hold
    record(
        "system:dept",
        "approvals.case.suspended",
        other,
        {
            "case_id": other.pk,
            "item_id": other.item_id,
            "materials_demanded": [held.pk],
        },
    )
    (alarm,) = alarms("CAT-5-materials-beyond-catalog")
    assert alarm.subject_id == str(other.pk) and alarm.inputs["already_held"] == [held.pk]


def test_sweeps_run_through_the_engine_and_replay_raises_nothing_new(world):
    accepted(world, at(2026, 3, 2, 9))
    as_of = at(2026, 3, 20, 15)
    first = engine.run_sweeps(as_of)
    assert not first.errors
    assert first.per_rule["SUP-2-step-overdue"]["raised"] >= 1
    assert first.per_rule["SUP-2-case-overdue"]["raised"] == 1
    again = engine.run_sweeps(as_of)
    assert again.raised == 0 and not again.errors
    assert Case.objects.count() == 1


def test_apr2_an_alarm_on_a_provisional_deadline_is_marked_on_the_board_and_its_page(client, db):
    """APR-2 (issue 3): a deadline resting on the provisional calendar is marked on alarms."""
    from django.urls import reverse
    from django.utils import timezone

    from wuquan.org import demo as org_demo
    from wuquan.supervision.models import Alarm

    org_demo.load(None)
    provisional = Alarm.objects.create(
        rule_code="SUP-2-step-overdue",
        rule_version=1,
        severity="黄牌",
        subject_type="t",
        subject_id="1",
        message="步骤超期",
        inputs={"provisional": True},
        thresholds={},
        raised_at=timezone.now(),
    )
    official = Alarm.objects.create(
        rule_code="SUP-2-step-overdue",
        rule_version=1,
        severity="黄牌",
        subject_type="t",
        subject_id="2",
        message="步骤超期",
        inputs={"provisional": False},
        thresholds={},
        raised_at=timezone.now(),
    )
    client.login(username="jiwei", password="wuquan2026")
    board = client.get("/staff/supervision/").content.decode()
    assert board.count("临时期限") == 1
    assert (
        "按临时日历计算"
        in client.get(reverse("supervision:alarm", args=[provisional.pk])).content.decode()
    )
    assert (
        "按临时日历计算"
        not in client.get(reverse("supervision:alarm", args=[official.pk])).content.decode()
    )

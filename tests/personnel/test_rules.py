"""PER-5 flags and PER-1 imported history as supervision rules: each a breach and its lawful twin."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wuquan.org.models import Appointment, Post
from wuquan.org.services import do_appoint, do_end_appointment
from wuquan.personnel import rules, services
from wuquan.personnel.models import Rank, Step

from .helpers import person, setup_unit

pytestmark = pytest.mark.django_db
AS_OF = datetime(2026, 6, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def _rule(code):
    return next(r for r in rules.RULES if r.code == code)


def _run(code):
    rule = _rule(code)
    return list(rule.sweep(AS_OF, dict(rule.thresholds)))


def test_per5_over_quota_holding_is_flagged(demo_org):
    _unit, post, _est = setup_unit(quota=1)
    for name in ("甲", "乙"):
        Appointment.objects.create(person=person(name), post=post, start=date(2025, 1, 1))
    found = _run("PER-5-over-quota")
    assert len(found) == 1 and found[0].inputs == {"holders": 2, "quota": 1}


def test_per5_lawful_twin_holding_within_quota(demo_org):
    _unit, post, _est = setup_unit(quota=2)
    for name in ("甲", "乙"):
        Appointment.objects.create(person=person(name), post=post, start=date(2025, 1, 1))
    assert _run("PER-5-over-quota") == []


def _promote(served_days: int):
    unit, post, _est = setup_unit(quota=2)
    lower = Post.objects.get(unit=unit, code="clerk")  # 副科级 in setup_unit
    p = person("快升")
    start_lower = date(2026, 3, 1) - timedelta(days=served_days)
    do_appoint(p, lower, start_lower, actor="test")
    do_appoint(p, post, date(2026, 3, 1), actor="test")
    return p


def test_per5_rushed_promotion_before_minimum_time_is_flagged(demo_org):
    _promote(served_days=200)
    found = _run("PER-5-rushed-min-time")
    assert len(found) == 1 and found[0].inputs["served_days"] == 200


def test_per5_lawful_twin_promotion_after_minimum_time(demo_org):
    _promote(served_days=800)
    assert _run("PER-5-rushed-min-time") == []


def _head_leaves_after(appointments: int):
    unit, post, _est = setup_unit(quota=10)
    head_appt = Appointment.objects.get(post__unit=unit, post__is_head=True, end__isnull=True)
    for i in range(appointments):
        do_appoint(person(f"新任{i}"), post, date(2026, 4, 1) + timedelta(days=i), actor="test")
    do_end_appointment(head_appt, date(2026, 5, 15), actor="test")


def test_per5_many_appointments_before_the_head_leaves_are_flagged(demo_org):
    _head_leaves_after(3)
    found = _run("PER-5-rushed-before-leave")
    assert len(found) == 1 and found[0].inputs["appointments"] == 3


def test_per5_lawful_twin_few_appointments_before_the_head_leaves(demo_org):
    _head_leaves_after(2)
    assert _run("PER-5-rushed-before-leave") == []


def _reorganised_after(appointments: int, *, decided_on=date(2026, 4, 20)):
    from wuquan.org.models import Reorganisation
    from wuquan.org.services import do_save_reorganisation

    unit, post, _est = setup_unit(quota=10)
    for i in range(appointments):
        do_appoint(person(f"新任{i}"), post, date(2026, 4, 1) + timedelta(days=i), actor="test")
    return do_save_reorganisation(
        Reorganisation(
            unit=unit,
            kind="merge",
            decided_on=decided_on,
            effective_on=date(2026, 5, 15),
            document_no="龙编〔2026〕3号",
        ),
        actor="test",
    )


def test_per5_many_appointments_before_a_reorganisation_are_flagged(demo_org):
    change = _reorganised_after(3)
    found = _run("PER-5-rushed-before-reorganisation")
    assert [(f.subject_type, f.subject_id) for f in found] == [
        ("org.reorganisation", str(change.pk))
    ]
    assert found[0].inputs["appointments"] == 3


def test_per5_lawful_twin_few_appointments_before_a_reorganisation(demo_org):
    _reorganised_after(2)
    assert _run("PER-5-rushed-before-reorganisation") == []


def test_per5_reorganisation_not_yet_decided_is_not_judged(demo_org):
    _reorganised_after(3, decided_on=date(2026, 5, 10))
    early = datetime(2026, 5, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    rule = _rule("PER-5-rushed-before-reorganisation")
    assert list(rule.sweep(early, dict(rule.thresholds))) == []


def test_per5_reorganisation_refuses_effect_before_decision_and_is_recorded(demo_org):
    from django.core.exceptions import ValidationError

    from wuquan.common.exceptions import DomainError
    from wuquan.ledger.models import Event
    from wuquan.org.models import Reorganisation, Unit
    from wuquan.org.services import do_save_reorganisation

    bad = Reorganisation(
        unit=Unit.objects.get(code="fagai"),
        kind="abolish",
        decided_on=date(2026, 5, 1),
        effective_on=date(2026, 4, 1),
    )
    with pytest.raises((DomainError, ValidationError)) as err:
        do_save_reorganisation(bad, actor="test")
    assert "实施日期" in str(err.value)
    assert not Reorganisation.objects.exists()
    _reorganised_after(0)
    assert Event.objects.filter(action="org.reorganisation.saved").count() == 1


def test_per5_mixed_post_is_flagged_and_its_twin_is_not(demo_org):
    _unit, post, _est = setup_unit(quota=3)
    mixed, same = person("事业编"), person("行政编")
    services.do_set_cadre_profile(mixed, "institution", actor="t")
    services.do_set_cadre_profile(same, "admin", actor="t")
    do_appoint(mixed, post, date(2026, 1, 1), actor="test")
    do_appoint(same, post, date(2026, 1, 1), actor="test")
    found = _run("PER-5-mixed-post")
    assert [f.inputs["person_kind"] for f in found] == ["institution"]


def test_per5_risk_a_post_held_past_rotation_limit_is_flagged(demo_org):
    unit, _post, _est = setup_unit()
    a_post = Post.objects.get(unit=unit, code="deputy-1")  # risk class A, 5-year limit (ORG-4)
    old = Appointment.objects.get(post=a_post, end__isnull=True)
    old.start = date(2020, 1, 1)
    old.save()
    found = [f for f in _run("PER-5-risk-a-rotation") if f.post_id == a_post.pk]
    assert len(found) == 1 and found[0].inputs["limit"] == 5


def test_per5_lawful_twin_risk_a_post_within_rotation_limit(demo_org):
    unit, _post, _est = setup_unit()
    a_post = Post.objects.get(unit=unit, code="deputy-1")
    assert [f for f in _run("PER-5-risk-a-rotation") if f.post_id == a_post.pk] == []


def _import(order):
    _unit, post, _est = setup_unit(quota=5)
    steps = [{"step": s, "on": date(2024, 1, 1) + timedelta(days=i)} for i, s in enumerate(order)]
    return services.do_import_selection(post, "历史选拔", steps, actor="import")


def test_per1_imported_history_with_a_skipped_step_raises_an_alarm(demo_org):
    sel = _import([Step.MOTION, Step.RECOMMENDATION, Step.DECISION, Step.APPOINTMENT])
    found = _run("PER-1-imported-step-order")
    assert [f.subject_id for f in found] == [str(sel.pk)]
    assert "考察" in found[0].message


def test_per1_imported_history_in_reverse_order_raises_an_alarm(demo_org):
    _import([Step.RECOMMENDATION, Step.MOTION])
    assert len(_run("PER-1-imported-step-order")) == 1


def test_per1_lawful_twin_imported_history_in_order(demo_org):
    _import(list(Step.values))
    assert _run("PER-1-imported-step-order") == []


def test_per3_naked_official_on_restricted_post_is_flagged_and_twin_not(demo_org):
    _unit, post, _est = setup_unit(quota=3)
    services.do_set_post_profile(post, actor="t", restricted=True, rank=Rank.SECTION)
    naked, fine = person("配偶出国"), person("配偶在国内")
    for p, abroad in ((naked, True), (fine, False)):
        services.do_file_report(
            p,
            2025,
            actor="t",
            submitted_on=date(2026, 1, 10),
            marital_status="married",
            spouse_emigrated=abroad,
        )
        do_appoint(p, post, date(2025, 6, 1), actor="test")
    found = _run("PER-3-naked-official-restricted-post")
    assert len(found) == 1 and "配偶出国" in found[0].message


def test_personnel_rules_are_discovered_by_the_supervision_engine(demo_org):
    from wuquan.supervision import registry

    codes = {r.code for r in registry.all_rules()}
    assert {r.code for r in rules.RULES} <= codes

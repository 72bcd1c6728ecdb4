"""督查督办: assign → answer → check → close; illegal transitions refused; overdue answers
escalate (SUP-5, SUP-6, SUP-10)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.common.rules import Finding
from wuquan.ledger.models import Event
from wuquan.supervision import engine, registry
from wuquan.supervision.models import Alarm, AlarmStatus, Notification
from wuquan.supervision.services import (
    do_answer_alarm,
    do_assign_alarm,
    do_check_alarm,
    do_close_alarm,
)

from .sup_fixtures import *  # noqa: F403 - the fixtures org, temp_rule, fast hashing

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def alarm(org):
    rule = registry.get("SUP-9-complaint")
    when = at("2026-03-02 09:00")
    return engine.raise_alarm(
        rule,
        Finding("test.subject", "1", "测试报警", unit_id=org["zwfw"].pk),
        when,
        engine.effective(rule, when),
    )


def actions_for(alarm):
    return list(
        Event.objects.filter(subject_type="supervision.alarm", subject_id=str(alarm.pk))
        .order_by("index")
        .values_list("action", flat=True)
    )


def test_sup5_full_lifecycle_assign_answer_accept_close(org, alarm):
    a = do_assign_alarm(
        alarm, org["zwfw"], 5, "请核查", actor=org["jiwei"], at=at("2026-03-02 10:00")
    )
    assert a.status == AlarmStatus.ASSIGNED and a.answer_due == date(2026, 3, 9)
    assert Notification.objects.filter(
        user=org["window"], link__contains=f"/alarms/{a.pk}/"
    ).exists()
    a = do_answer_alarm(
        a, "已核查，系窗口人员疏忽", "已整改", actor=org["window"], at=at("2026-03-04 10:00")
    )
    assert a.status == AlarmStatus.ANSWERED
    assert Notification.objects.filter(user=org["jiwei"], title__contains="已回复").exists()
    a = do_check_alarm(a, actor=org["jiwei"], accept=True, note="属实")
    assert a.status == AlarmStatus.CHECKED
    a = do_close_alarm(a, "通报批评", "情节较轻，予以通报批评", actor=org["jiwei"])
    assert a.status == AlarmStatus.CLOSED and a.outcome == "通报批评"
    assert actions_for(a) == [
        "supervision.alarm.raised",
        "supervision.alarm.assigned",
        "supervision.alarm.answered",
        "supervision.alarm.accepted",
        "supervision.alarm.closed",
    ]
    closed = Event.objects.get(action="supervision.alarm.closed", subject_id=str(a.pk))
    assert closed.payload["accountability"] == "较轻"


def test_sup5_send_back_returns_to_assigned_with_new_deadline(org, alarm):
    a = do_assign_alarm(alarm, org["zwfw"], 3, actor=org["jiwei"], at=at("2026-03-02 10:00"))
    a = do_answer_alarm(a, "说明", actor=org["window"], at=at("2026-03-03 10:00"))
    with pytest.raises(InvalidInput):
        do_check_alarm(a, actor=org["jiwei"], accept=False, note="")
    a = do_check_alarm(
        a,
        actor=org["jiwei"],
        accept=False,
        note="证据不足",
        working_days=2,
        at=at("2026-03-04 10:00"),
    )
    assert a.status == AlarmStatus.ASSIGNED and a.sent_back_count == 1
    assert a.answer_due == date(2026, 3, 6) and a.answered_at is None


def test_sup6_close_directly_from_raised_with_a_graded_response(org, alarm):
    a = do_close_alarm(alarm, "预警告知", "已电话告知单位", actor=org["jiwei"])
    assert a.status == AlarmStatus.CLOSED


@pytest.mark.parametrize("step", ["answer", "check", "close_assigned", "assign_twice"])
def test_sup5_illegal_transitions_are_refused_and_write_nothing(org, alarm, step):
    if step in ("close_assigned", "assign_twice", "check"):
        alarm = do_assign_alarm(alarm, org["zwfw"], 5, actor=org["jiwei"])
    before = Event.objects.count()
    with pytest.raises(RuleViolation):
        if step == "answer":
            do_answer_alarm(alarm, "说明", actor=org["window"])  # not yet assigned
        elif step == "check":
            do_check_alarm(alarm, actor=org["jiwei"], accept=True)  # not answered
        elif step == "close_assigned":
            do_close_alarm(alarm, "督促整改", "x", actor=org["jiwei"])  # answer not checked
        else:
            do_assign_alarm(alarm, org["fagai"], 5, actor=org["jiwei"])
    assert Event.objects.count() == before


def test_sup5_only_the_commission_assigns_checks_and_closes(org, alarm):
    with pytest.raises(NotPermitted):
        do_assign_alarm(alarm, org["zwfw"], 5, actor=org["window"])
    with pytest.raises(NotPermitted):
        do_close_alarm(alarm, "预警告知", "x", actor=org["shenji"])
    assert Alarm.objects.get(pk=alarm.pk).status == AlarmStatus.RAISED


def test_sup5_only_the_assigned_unit_answers(org, alarm):
    a = do_assign_alarm(alarm, org["zwfw"], 5, actor=org["jiwei"])
    with pytest.raises(NotPermitted):
        do_answer_alarm(a, "不是我单位", actor=org["fagai_user"])
    with pytest.raises(InvalidInput):
        do_answer_alarm(a, "   ", actor=org["window"])


def test_sup6_closing_needs_an_outcome_and_a_note_and_refuses_system_outcomes(org, alarm):
    with pytest.raises(InvalidInput):
        do_close_alarm(alarm, "随便", "x", actor=org["jiwei"])
    with pytest.raises(InvalidInput):
        do_close_alarm(alarm, "期限调整", "x", actor=org["jiwei"])
    with pytest.raises(InvalidInput):
        do_close_alarm(alarm, "诫勉谈话", "", actor=org["jiwei"])


def test_sup5_answer_overdue_fires_on_the_breach_and_stays_quiet_on_the_answered(org, alarm):
    rule = registry.get("SUP-9-complaint")
    when = at("2026-03-02 09:00")
    other = engine.raise_alarm(
        rule, Finding("test.subject", "2", "另一件"), when, engine.effective(rule, when)
    )
    late = do_assign_alarm(alarm, org["zwfw"], 2, actor=org["jiwei"], at=at("2026-03-02 10:00"))
    answered = do_assign_alarm(
        other, org["fagai"], 2, actor=org["jiwei"], at=at("2026-03-02 10:00")
    )
    assert late.answer_due == date(2026, 3, 4)
    do_answer_alarm(answered, "按期回复", actor=org["fagai_user"], at=at("2026-03-04 16:00"))
    engine.run_sweeps(at("2026-03-04 18:00"))  # due day itself: not yet overdue
    assert not Alarm.objects.filter(rule_code="SUP-5-answer-overdue").exists()
    engine.run_sweeps(at("2026-03-05 09:00"))
    fired = Alarm.objects.filter(rule_code="SUP-5-answer-overdue")
    assert [(a.subject_id, a.severity, a.unit_id) for a in fired] == [
        (str(late.pk), "红牌", org["zwfw"].pk)
    ]

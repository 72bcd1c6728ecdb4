"""The engine: discovery, inline event checks, sweeps as of a time, one open alarm, versioned
thresholds (SUP-1, SUP-2; ARCHITECTURE: Supervision rules)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from wuquan.common.exceptions import InvalidInput, NotPermitted
from wuquan.common.rules import Finding, Rule
from wuquan.ledger import record
from wuquan.ledger.models import Event
from wuquan.supervision import engine, registry
from wuquan.supervision.models import Alarm, AlarmStatus, RuleSetting
from wuquan.supervision.services import do_change_rule_setting, do_create_inspection_round

from .sup_fixtures import *  # noqa: F403 - the fixtures org, temp_rule, fast hashing

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


pytestmark = pytest.mark.django_db


def _event_rule(code="SUP-1-test-event", limit=3):
    def check(event, thresholds):
        amount = event.payload.get("amount", 0)
        if amount > thresholds["limit"]:
            yield Finding(
                "test.thing",
                event.subject_id,
                f"amount {amount} > {thresholds['limit']}",
                inputs={"amount": amount},
            )

    return Rule(code, "test", "附件6", "黄牌", {"limit": limit}, ("test.thing.*",), check=check)


def test_sup1_discovery_registers_rules_of_every_app_including_supervision():
    codes = {r.code for r in registry.all_rules()}
    assert {"SUP-5-answer-overdue", "SUP-8-inspection-overdue", "SUP-9-complaint"} <= codes
    assert registry.discover() is not None  # idempotent: registering the same rule again is fine


def test_sup1_register_refuses_a_bad_severity_and_a_check_without_actions():
    with pytest.raises(registry.RuleDefinitionError):
        registry.register(Rule("X-1", "x", "c", "橙牌"))
    with pytest.raises(registry.RuleDefinitionError):
        registry.register(Rule("X-2", "x", "c", "红牌", check=lambda e, t: []))


def test_sup1_event_check_raises_alarm_inline_with_the_event(temp_rule):
    temp_rule(_event_rule())
    with transaction.atomic():
        event = record("user:a", "test.thing.paid", ("test.thing", "7"), {"amount": 5})
        alarm = Alarm.objects.get(rule_code="SUP-1-test-event")
    assert alarm.subject_id == "7" and alarm.severity == "黄牌"
    assert event.index in alarm.event_indices
    assert alarm.thresholds == {"limit": 3} and alarm.inputs == {"amount": 5}
    assert alarm.raised_at == event.at
    assert Event.objects.filter(
        action="supervision.alarm.raised", subject_id=str(alarm.pk)
    ).exists()


def test_sup1_event_check_is_rolled_back_with_the_transaction(temp_rule):
    temp_rule(_event_rule())
    before = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record("user:a", "test.thing.paid", ("test.thing", "8"), {"amount": 9})
        assert Alarm.objects.filter(subject_id="8").exists()
        raise RuntimeError("the caller fails after recording")
    assert not Alarm.objects.filter(subject_id="8").exists()
    assert Event.objects.count() == before


def test_sup1_event_check_quiet_below_threshold(temp_rule):
    temp_rule(_event_rule())
    record("user:a", "test.thing.paid", ("test.thing", "9"), {"amount": 2})
    assert not Alarm.objects.filter(rule_code="SUP-1-test-event").exists()


def test_one_open_alarm_per_rule_and_subject(temp_rule):
    temp_rule(_event_rule())
    record("user:a", "test.thing.paid", ("test.thing", "7"), {"amount": 5})
    record("user:a", "test.thing.paid", ("test.thing", "7"), {"amount": 6})
    assert Alarm.objects.filter(rule_code="SUP-1-test-event", subject_id="7").count() == 1
    alarm = Alarm.objects.get(rule_code="SUP-1-test-event")
    with pytest.raises(IntegrityError), transaction.atomic():
        Alarm.objects.create(
            rule_code=alarm.rule_code,
            rule_version=1,
            severity="黄牌",
            message="dup",
            subject_type=alarm.subject_type,
            subject_id=alarm.subject_id,
            raised_at=alarm.raised_at,
        )


def test_thresholds_are_versioned_and_used_as_of_the_run(org, temp_rule):
    temp_rule(_event_rule())
    jiwei = org["jiwei"]
    s1 = do_change_rule_setting(
        "SUP-1-test-event", {"limit": 10}, "放宽", actor=jiwei, valid_from=at("2026-01-01 00:00")
    )
    s2 = do_change_rule_setting(
        "SUP-1-test-event", {"limit": 1}, "收紧", actor=jiwei, valid_from=at("2026-03-01 00:00")
    )
    assert (s1.version, s2.version) == (1, 2)
    rule = registry.get("SUP-1-test-event")
    assert engine.effective(rule, at("2025-12-31 23:00")).thresholds == {"limit": 3}
    assert engine.effective(rule, at("2026-02-01 09:00")).thresholds == {"limit": 10}
    assert engine.effective(rule, at("2026-03-02 09:00")).setting_version == 2
    record(
        "user:a", "test.thing.paid", ("test.thing", "1"), {"amount": 5}, at=at("2026-02-02 09:00")
    )
    assert not Alarm.objects.filter(subject_id="1", rule_code="SUP-1-test-event").exists()
    record(
        "user:a", "test.thing.paid", ("test.thing", "2"), {"amount": 5}, at=at("2026-03-02 09:00")
    )
    alarm = Alarm.objects.get(subject_id="2", rule_code="SUP-1-test-event")
    assert alarm.setting_version == 2 and alarm.thresholds == {"limit": 1}
    assert Event.objects.filter(action="supervision.rule_setting.changed").count() == 2


def test_threshold_change_refuses_unknown_keys_wrong_types_and_non_commission(org, temp_rule):
    temp_rule(_event_rule())
    with pytest.raises(InvalidInput):
        do_change_rule_setting("SUP-1-test-event", {"nope": 1}, "x", actor=org["jiwei"])
    with pytest.raises(InvalidInput):
        do_change_rule_setting("SUP-1-test-event", {"limit": "ten"}, "x", actor=org["jiwei"])
    with pytest.raises(NotPermitted):
        do_change_rule_setting("SUP-1-test-event", {"limit": 4}, "x", actor=org["window"])
    assert not RuleSetting.objects.exists()


def test_disabled_rule_does_not_fire(org, temp_rule):
    temp_rule(_event_rule())
    do_change_rule_setting(
        "SUP-1-test-event",
        {},
        "停用",
        actor=org["jiwei"],
        enabled=False,
        valid_from=at("2026-01-01 00:00"),
    )
    record(
        "user:a", "test.thing.paid", ("test.thing", "3"), {"amount": 50}, at=at("2026-02-01 09:00")
    )
    assert not Alarm.objects.filter(rule_code="SUP-1-test-event").exists()


def test_sup2_sweep_replay_as_of_a_past_time_is_idempotent(org):
    do_create_inspection_round(
        org["fagai"],
        "2月项目巡查",
        date(2026, 2, 27),
        actor=org["jiwei"],
        at=at("2026-02-02 09:00"),
    )
    first = engine.run_sweeps(at("2026-03-02 09:00"))
    alarms = set(Alarm.objects.values_list("rule_code", "subject_type", "subject_id", "raised_at"))
    second = engine.run_sweeps(at("2026-03-02 09:00"))
    assert first.per_rule["SUP-8-inspection-overdue"]["raised"] == 1
    assert second.raised == 0
    assert (
        set(Alarm.objects.values_list("rule_code", "subject_type", "subject_id", "raised_at"))
        == alarms
    )
    assert len(alarms) == 1


def test_sup2_sweep_that_no_longer_finds_the_breach_marks_cleared_not_deleted(org, temp_rule):
    state = {"breach": True}

    def sweep(as_of, thresholds):
        if state["breach"]:
            yield Finding("test.thing", "42", "breach")

    temp_rule(Rule("SUP-2-test-sweep", "t", "c", "预警", sweep=sweep))
    engine.run_sweeps(at("2026-03-02 09:00"))
    state["breach"] = False
    summary = engine.run_sweeps(at("2026-03-02 10:00"))
    alarm = Alarm.objects.get(rule_code="SUP-2-test-sweep")
    assert summary.per_rule["SUP-2-test-sweep"]["cleared"] == 1
    assert alarm.status == AlarmStatus.RAISED and alarm.condition_cleared_at == at(
        "2026-03-02 10:00"
    )


def test_supervise_command_prints_summary_and_reads_naive_time_in_shanghai(org, capsys):
    do_create_inspection_round(
        org["shenji_unit"],
        "审计巡查",
        date(2026, 2, 27),
        actor=org["jiwei"],
        at=at("2026-02-02 09:00"),
    )
    call_command("supervise", "--as-of", "2026-03-02 09:00")
    out = capsys.readouterr().out
    assert "SUP-8-inspection-overdue" in out and "raised 1" in out
    assert Alarm.objects.get(rule_code="SUP-8-inspection-overdue").raised_at == at(
        "2026-03-02 09:00"
    )


def test_deadline_moved_closes_an_alarm_no_longer_breached(temp_rule):
    state = {"breach": True}

    def sweep(as_of, thresholds):
        if state["breach"]:
            yield Finding("approvals.case", "5", "late on a provisional deadline")

    temp_rule(Rule("SUP-2-test-provisional", "t", "c", "黄牌", sweep=sweep))
    engine.run_sweeps(at("2026-03-02 09:00"))
    state["breach"] = False  # the official schedule moved the deadline later
    engine.on_deadline_moved(
        None, deadline=("approvals.case", "5"), old_due=date(2026, 3, 1), new_due=date(2026, 3, 5)
    )
    alarm = Alarm.objects.get(rule_code="SUP-2-test-provisional")
    assert alarm.status == AlarmStatus.CLOSED and alarm.outcome == "期限调整"
    assert Event.objects.filter(
        action="supervision.alarm.closed", subject_id=str(alarm.pk)
    ).exists()


def test_deadline_moved_keeps_an_alarm_still_breached(temp_rule):
    def sweep(as_of, thresholds):
        yield Finding("approvals.case", "6", "late either way")

    temp_rule(Rule("SUP-2-test-still", "t", "c", "黄牌", sweep=sweep))
    engine.run_sweeps(at("2026-03-02 09:00"))
    engine.on_deadline_moved(None, deadline=("approvals.case", "6"), old_due=None, new_due=None)
    assert Alarm.objects.get(rule_code="SUP-2-test-still").status == AlarmStatus.RAISED

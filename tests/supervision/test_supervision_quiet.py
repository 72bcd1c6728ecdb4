"""Quiet sweeps: the every-minute sweep skips a DAILY rule that nothing can have changed since
its last sweep that day (SUP-1, SUP-2; issue 20; supervision.engine `_quiet`).

A DAILY rule's findings change within a local day only through recorded events
(common.rules.DAILY; the demo sweep test checks the declaration for every rule of every app).
So a rule is skipped when no event but the engine's own bookkeeping was appended since its last
sweep, none is dated between that sweep's time and this one's, the day is the same, and its
version, threshold setting and switch are unchanged. These tests break each condition in turn
and require the rule to run again and find what a full sweep finds."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from wuquan.common.rules import DAILY
from wuquan.ledger.models import Event
from wuquan.supervision import engine
from wuquan.supervision import services as sup
from wuquan.supervision.models import Alarm, InspectionRound, SweepState
from wuquan.supervision.rules import INSPECTION_OVERDUE, ROUNDS_OVERDUE

from .sup_fixtures import *  # noqa: F403 - the fixtures org, temp_rule, fast hashing
from .sup_fixtures import at

T = at("2026-12-21 09:00")  # a Monday


@pytest.fixture
def counted(temp_rule):
    """A sweep-function rule (no BreachSet) over the overdue inspection rounds, DAILY, that
    counts how often the engine runs it; and the same rule with no clock."""
    calls = {"n": 0}

    def sweep(as_of, thresholds):
        calls["n"] += 1
        return ROUNDS_OVERDUE.sweep(as_of, thresholds)

    base = dataclasses.replace(INSPECTION_OVERDUE, breaches=None, sweep=sweep)
    daily = temp_rule(dataclasses.replace(base, code="SUP-8-t-daily", clock=DAILY))
    plain = temp_rule(dataclasses.replace(base, code="SUP-8-t-plain", clock=None))
    return daily.code, plain.code, calls


def _round(org, due, when):
    return sup.do_create_inspection_round(org["fagai"], "巡查", due, actor=org["jiwei"], at=when)


def _mode(summary, code):
    return summary.detail[code]["mode"]


def test_sup2_a_quiet_minute_skips_a_daily_rule_in_few_queries_and_writes_nothing(
    org, counted, django_assert_max_num_queries
):
    daily, _plain, calls = counted
    _round(org, T.date() - timedelta(days=2), T - timedelta(days=3))
    first = engine.run_sweeps(T, [daily], mode="incremental")
    assert _mode(first, daily) == "full" and first.raised == 1 and calls["n"] == 1
    assert SweepState.objects.get(rule_code=daily).as_of == T
    size = Event.objects.count()
    with django_assert_max_num_queries(6):
        later = engine.run_sweeps(T + timedelta(minutes=1), [daily], mode="incremental")
    assert _mode(later, daily) == "quiet" and calls["n"] == 1
    assert later.per_rule[daily] == {"found": 0, "raised": 0, "cleared": 0}
    assert Event.objects.count() == size
    # a full sweep (replays, on demand) always runs it
    engine.run_sweeps(T + timedelta(minutes=2), [daily])
    assert calls["n"] == 2


def test_sup2_a_rule_without_a_clock_is_never_quiet(org, counted):
    _daily, plain, calls = counted
    engine.run_sweeps(T, [plain], mode="incremental")
    again = engine.run_sweeps(T + timedelta(minutes=1), [plain], mode="incremental")
    assert _mode(again, plain) == "full" and calls["n"] == 2


def test_sup2_a_new_event_wakes_a_quiet_rule_and_its_alarm_is_raised(org, counted):
    daily, _plain, calls = counted
    engine.run_sweeps(T, [daily], mode="incremental")
    engine.run_sweeps(T + timedelta(minutes=1), [daily], mode="incremental")
    assert calls["n"] == 1
    # an import of history: a round created three days ago, due yesterday
    rnd = _round(org, T.date() - timedelta(days=1), T - timedelta(days=3))
    out = engine.run_sweeps(T + timedelta(minutes=2), [daily], mode="incremental")
    assert _mode(out, daily) == "full" and out.raised == 1 and calls["n"] == 2
    assert Alarm.objects.filter(rule_code=daily, subject_id=str(rnd.pk)).exists()
    # the engine's own alarm event does not wake it again
    assert _mode(engine.run_sweeps(T + timedelta(minutes=3), [daily], mode="incremental"), daily) == "quiet"  # fmt: skip


def test_sup2_an_event_dated_after_the_last_sweep_wakes_it_though_appended_before(org, counted):
    """An import may record an event dated later than the sweep that follows it: the rule
    must look again once the clock reaches that time."""
    daily, _plain, calls = counted
    _round(org, T.date() - timedelta(days=1), T + timedelta(minutes=10))  # created at 09:10
    first = engine.run_sweeps(T, [daily], mode="incremental")  # as of 09:00: not yet there
    assert first.raised == 0
    assert _mode(engine.run_sweeps(T + timedelta(minutes=5), [daily], mode="incremental"), daily) == "quiet"  # fmt: skip
    out = engine.run_sweeps(T + timedelta(minutes=15), [daily], mode="incremental")
    assert _mode(out, daily) == "full" and out.raised == 1 and calls["n"] == 2


def test_sup2_the_next_day_and_a_new_threshold_wake_it(org, counted):
    daily, _plain, calls = counted
    # due today: overdue only from tomorrow, with no event in between
    rnd = _round(org, T.date(), T - timedelta(days=3))
    engine.run_sweeps(T, [daily], mode="incremental")
    assert not Alarm.objects.filter(rule_code=daily).exists()
    tomorrow = T + timedelta(days=1)
    out = engine.run_sweeps(tomorrow, [daily], mode="incremental")
    assert _mode(out, daily) == "full" and out.raised == 1
    assert Alarm.objects.filter(rule_code=daily, subject_id=str(rnd.pk)).exists()
    # a new threshold setting in force from a later minute: the rule runs again
    sup.do_change_rule_setting(
        daily, {}, "t", valid_from=tomorrow + timedelta(minutes=5),
        actor=org["jiwei"], at=tomorrow,
    )  # fmt: skip
    assert _mode(engine.run_sweeps(tomorrow + timedelta(minutes=1), [daily], mode="incremental"), daily) == "full"  # fmt: skip
    assert _mode(engine.run_sweeps(tomorrow + timedelta(minutes=2), [daily], mode="incremental"), daily) == "quiet"  # fmt: skip
    out = engine.run_sweeps(tomorrow + timedelta(minutes=6), [daily], mode="incremental")
    assert _mode(out, daily) == "full" and calls["n"] >= 4


def test_sup2_reconciliation_sweeps_quiet_rules_in_full_and_reports_drift(org, counted):
    """A change behind the ledger's back (a round's due day moved by SQL) cannot wake a quiet
    rule; the nightly reconciliation sweeps it in full and reports the alarm it raised."""
    daily, _plain, _calls = counted
    rnd = _round(org, T.date() + timedelta(days=5), T - timedelta(days=3))
    engine.run_sweeps(T, [daily], mode="incremental")
    InspectionRound.objects.filter(pk=rnd.pk).update(due=T.date() - timedelta(days=1))
    quiet = engine.run_sweeps(T + timedelta(minutes=1), [daily], mode="incremental")
    assert _mode(quiet, daily) == "quiet" and quiet.raised == 0
    night = engine.run_sweeps(T + timedelta(minutes=2), [daily], mode="reconcile")
    assert night.drift[daily]["raised"] == 1

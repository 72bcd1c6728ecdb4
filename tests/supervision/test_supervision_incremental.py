"""Incremental sweeps equal full sweeps (SUP-1, SUP-2; issue 20).

Every rule swept incrementally (`BreachSet.changed`) is registered twice for these tests: once
as is (`~inc`, swept with mode="incremental") and once without `changed` (`~full`, swept in
full every time). Both read the same generated history — cases accepted, steps done on time
and late, 补正 pauses and resumptions, withdrawals, alarms assigned and closed by the
commission, the 2027 holiday schedule loaded (期限调整), replays of earlier times, and a year
boundary — and after every sweep their alarms must be identical, field by field."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuquan.approvals import services
from wuquan.approvals.models import Case, CaseStatus, StepState
from wuquan.catalog.models import MaterialReuse
from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.common.rules import DAILY
from wuquan.ledger.models import Event
from wuquan.supervision import engine, registry
from wuquan.supervision import services as sup
from wuquan.supervision.models import Alarm, AlarmStatus, InspectionRound, SweepState

from .sup_fixtures import *  # noqa: F403 - the fixtures org, temp_rule, fast hashing

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 21, 9, tzinfo=TZ)  # a Monday; the history crosses into 2027
FIELDS = (
    "subject_type", "subject_id", "breach_key", "status", "raised_at", "condition_cleared_at",
    "outcome", "closed_at", "inputs", "message", "unit_id", "post_id", "severity", "thresholds",
)  # fmt: skip
SCHEDULE_2027 = [
    ("2027-01-01", "holiday", "元旦"),
    ("2027-01-04", "holiday", "元旦"),  # a day the provisional calendar counts as working
    ("2027-01-09", "makeup_workday", "元旦"),
]


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from wuquan.approvals import sample

    return sample.build()


@pytest.fixture
def twins(temp_rule):
    """The incremental rules, each as `~inc` (the incremental path alone: no clock), `~full`
    (no `changed`: always swept in full) and `~day` (as registered: DAILY, so a quiet minute
    skips it) — codes by base code."""
    out = {}
    for rule in registry.sweep_rules():
        if rule.breaches is None or rule.breaches.changed is None:
            continue
        assert rule.clock == DAILY, rule.code
        inc = temp_rule(dataclasses.replace(rule, code=f"{rule.code}~inc", clock=None))
        day = temp_rule(dataclasses.replace(rule, code=f"{rule.code}~day"))
        full = temp_rule(
            dataclasses.replace(
                rule,
                code=f"{rule.code}~full",
                breaches=dataclasses.replace(rule.breaches, changed=None),
            )
        )
        out[rule.code] = (inc.code, full.code, day.code)
    assert {"SUP-2-step-overdue", "SUP-2-case-overdue", "APR-5-step-due-soon"} <= set(out)
    assert {"SUP-5-answer-overdue", "SUP-8-inspection-overdue"} <= set(out)
    return out


def pdf():
    return SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", content_type="application/pdf")


def snapshot(code: str) -> list[tuple]:
    return sorted(
        tuple(str(v) for v in row)
        for row in Alarm.objects.filter(rule_code=code).values_list(*FIELDS)
    )


class History:
    """Random operations through the services, each followed by both kinds of sweep."""

    def __init__(self, world, org, twins, rng: random.Random):
        self.world, self.org, self.twins, self.rng = world, org, twins, rng
        self.t = START
        self.inc = [i for i, _f, _d in twins.values()]
        self.full = [f for _i, f, _d in twins.values()]
        self.day = [d for _i, _f, d in twins.values()]
        self.material = next(m for m in world.materials if m.reuse == MaterialReuse.NONE)
        self.cases: list[Case] = []
        self.modes: set[str] = set()
        self.day_modes: set[str] = set()
        self.loaded = False
        self.sweeps = 0

    # -- sweeps -------------------------------------------------------------------------------
    def sweep(self, when: datetime, replay: bool = False) -> None:
        mode = "full" if replay else "incremental"
        a = engine.run_sweeps(when, self.inc, mode=mode)
        c = engine.run_sweeps(when, self.day, mode=mode)
        b = engine.run_sweeps(when, self.full, mode="full")
        assert not a.errors and not b.errors and not c.errors, (a.errors, b.errors, c.errors)
        self.modes.update(d["mode"] for d in a.detail.values())
        self.day_modes.update(d["mode"] for d in c.detail.values())
        self.sweeps += 1
        for base, (inc, full, day) in self.twins.items():
            assert snapshot(inc) == snapshot(full), (base, when)
            assert snapshot(day) == snapshot(full), (base, "quiet", when)

    # -- operations ---------------------------------------------------------------------------
    def running(self):
        return [c for c in self.cases if Case.objects.get(pk=c.pk).status == CaseStatus.RUNNING]

    def op_new(self):
        case = services.do_submit_application(
            self.world.item,
            applicant_name="龙潭小吃店",
            applicant_id_number="220203199001011230",
            applicant_phone="13800000000",
            data={"area_sqm": self.rng.choice([100, 800])},
            files={m.pk: pdf() for m in self.world.materials if m.reuse == MaterialReuse.NONE},
            at=self.t - timedelta(minutes=30),
        ).case
        self.cases.append(
            services.do_accept_case(case, at=self.t, actor=self.world.users["window"])
        )

    def op_complete(self):
        u = self.world.users
        for case in self.rng.sample(self.running(), k=min(2, len(self.running()))):
            steps = list(case.steps.filter(state__in=(StepState.READY, StepState.CLAIMED)))
            if not steps:
                continue
            step = self.rng.choice(steps)
            who = {"会商": u["xf"], "审核": u["shenhe"], "审批": u["deputy"], "送达": u["window"]}
            kw = {"decision": "approve"} if step.kind == "审批" else {}
            services.do_complete_step(
                step, "符合要求", actor=who.get(step.kind, u["chengban"]), at=self.t, **kw
            )

    def op_suspend(self):
        running = self.running()
        if running:
            services.do_suspend_case(
                self.rng.choice(running),
                "supplement",
                "平面图不清晰",
                [self.material.pk],
                at=self.t,
                actor=self.world.users["window"],
            )

    def op_resume(self):
        paused = [c for c in self.cases if Case.objects.get(pk=c.pk).status == "suspended"]
        if paused:
            case = Case.objects.get(pk=self.rng.choice(paused).pk)
            services.do_resume_case(
                case,
                "已补正",
                files={self.material.pk: pdf()},
                at=self.t,
                actor=f"applicant:{case.number}",
            )

    def op_withdraw(self):
        running = self.running()
        if running:
            services.do_withdraw_case(
                self.rng.choice(running), "不再办理", at=self.t, actor="applicant"
            )

    def _twin_pairs(self, status=AlarmStatus.RAISED):
        pairs = []
        for inc, *others in self.twins.values():
            for alarm in Alarm.objects.filter(rule_code=inc, status=status):
                twins = [
                    Alarm.objects.get(
                        rule_code=other,
                        subject_type=alarm.subject_type,
                        subject_id=alarm.subject_id,
                        status=status,
                    )
                    for other in others
                ]
                pairs.append((alarm, *twins))
        return pairs

    def op_close(self):
        pairs = self._twin_pairs()
        if pairs:
            for alarm in self.rng.choice(pairs):
                sup.do_close_alarm(alarm, "预警告知", "已提醒", actor=self.org["jiwei"], at=self.t)

    def op_assign(self):
        pairs = self._twin_pairs()
        if pairs:
            unit = self.org["zwfw"]
            for alarm in self.rng.choice(pairs):
                sup.do_assign_alarm(alarm, unit, actor=self.org["jiwei"], working_days=1, at=self.t)

    def op_inspection_round(self):
        due = (self.t + timedelta(days=self.rng.choice([0, 1, 2, 3]))).date()
        sup.do_create_inspection_round(
            self.org["fagai"], "巡查", due, actor=self.org["jiwei"], at=self.t
        )
        rounds = list(InspectionRound.objects.filter(records__isnull=True))
        if rounds and self.rng.random() < 0.5:  # filed in time or late, as of now
            sup.do_file_inspection(self.org["fagai"], "record", "已巡查", actor=self.org["fagai_user"], round=self.rng.choice(rounds), at=self.t)  # fmt: skip

    def op_schedule(self):
        if not self.loaded:  # 期限调整: the official 2027 schedule moves provisional deadlines
            from wuquan.workdays.services import do_load_official_schedule

            do_load_official_schedule(
                2027, "国办发明电〔2026〕7号", "2026-11-05", SCHEDULE_2027, actor="t"
            )
            self.loaded = True

    def op_replay(self):
        self.sweep(self.t - timedelta(days=self.rng.choice([1, 3])), replay=True)

    def run(self, steps: int) -> None:
        ops = [
            (self.op_new, 4), (self.op_complete, 4), (self.op_suspend, 1), (self.op_resume, 1),
            (self.op_withdraw, 1), (self.op_close, 1), (self.op_assign, 1),
            (self.op_inspection_round, 1), (self.op_schedule, 1), (self.op_replay, 1),
        ]  # fmt: skip
        fns = [f for f, w in ops for _i in range(w)]
        self.op_new()
        self.sweep(self.t + timedelta(minutes=1))
        for _i in range(steps):
            self.t += timedelta(minutes=self.rng.choice([1, 20, 180, 600, 1440, 2000, 4000]))
            try:
                with transaction.atomic():
                    self.rng.choice(fns)()
            except (NotPermitted, RuleViolation, InvalidInput):
                pass  # an operation the services refuse in this state writes nothing: skip it
            self.sweep(self.t + timedelta(minutes=1))
            if self.rng.random() < 0.3:  # a quiet minute: nothing changed
                self.sweep(self.t + timedelta(minutes=2))


def test_sup2_incremental_sweeps_equal_full_over_a_generated_history(world, org, twins):
    h = History(world, org, twins, random.Random(20))
    h.run(45)
    assert h.t.year == 2027 and h.loaded  # the history crossed the year and the schedule moved
    assert {"incremental", "full"} <= h.modes and "quiet" not in h.modes
    assert {"quiet", "incremental", "full"} <= h.day_modes
    assert Alarm.objects.filter(rule_code__endswith="~inc").exists()
    assert Alarm.objects.filter(rule_code__endswith="~inc", status=AlarmStatus.CLOSED).exists()


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False), steps=st.integers(min_value=5, max_value=25))
def test_sup2_incremental_equals_full_for_any_history(world, org, twins, rng, steps):
    sid = transaction.savepoint()
    try:
        History(world, org, twins, rng).run(steps)
    finally:
        transaction.savepoint_rollback(sid)


def test_sup2_a_replay_drops_the_incremental_state_and_the_next_sweep_is_full(world, twins):
    inc = twins["SUP-2-step-overdue"][0]
    engine.run_sweeps(START, [inc], mode="incremental")
    assert SweepState.objects.get(rule_code=inc).as_of == START
    later = engine.run_sweeps(START + timedelta(minutes=1), [inc], mode="incremental")
    assert later.detail[inc]["mode"] == "incremental"
    day = twins["SUP-2-step-overdue"][2]
    engine.run_sweeps(START, [day], mode="incremental")
    assert (
        engine.run_sweeps(START + timedelta(minutes=1), [day], mode="incremental").detail[day][
            "mode"
        ]
        == "quiet"
    )
    engine.run_sweeps(START - timedelta(days=1), [inc, day])  # a replay of the day before
    assert not SweepState.objects.filter(rule_code=inc).exists()
    assert not SweepState.objects.filter(rule_code=day).exists()
    again = engine.run_sweeps(START + timedelta(minutes=2), [inc, day], mode="incremental")
    assert again.detail[inc]["mode"] == "full"
    assert again.detail[day]["mode"] == "full"
    assert SweepState.objects.get(rule_code=inc).mode == "full"


def test_sup2_a_quiet_incremental_sweep_reads_no_breach_and_writes_nothing_to_the_log(
    world, twins, django_assert_max_num_queries
):
    inc = twins["SUP-2-case-overdue"][0]
    engine.run_sweeps(START, [inc], mode="incremental")
    size = Event.objects.count()
    with django_assert_max_num_queries(8):
        out = engine.run_sweeps(START + timedelta(minutes=1), [inc], mode="incremental")
    assert out.detail[inc] == {"mode": "incremental", "candidates": 0, "returned": 0}
    assert Event.objects.count() == size


def test_sup2_reconciliation_reports_a_breach_the_incremental_sweep_cannot_see(world, twins):
    """A change made behind the ledger's back (here: a step's deadline moved by SQL) is what
    the nightly full sweep is for: it raises the alarm and says so in `drift`."""
    from wuquan.approvals.models import CaseStep

    inc = twins["SUP-2-step-overdue"][0]
    case = services.do_accept_case(
        services.do_submit_application(
            world.item,
            applicant_name="龙潭小吃店",
            applicant_id_number="220203199001011230",
            applicant_phone="13800000000",
            data={"area_sqm": 100},
            files={m.pk: pdf() for m in world.materials if m.reuse == MaterialReuse.NONE},
            at=START - timedelta(hours=1),
        ).case,
        at=START,
        actor=world.users["window"],
    )
    engine.run_sweeps(START + timedelta(minutes=1), [inc], mode="incremental")
    step = case.steps.filter(state=StepState.READY).first()
    CaseStep.objects.filter(pk=step.pk).update(deadline=(START - timedelta(days=5)).date())
    quiet = engine.run_sweeps(START + timedelta(minutes=2), [inc], mode="incremental")
    assert quiet.per_rule[inc]["raised"] == 0
    night = engine.run_sweeps(START + timedelta(minutes=3), [inc], mode="reconcile")
    assert night.drift[inc] == {"raised": 1, "cleared": 0, "returned": 0}
    assert Alarm.objects.filter(rule_code=inc, subject_id=str(step.pk)).exists()
    clean = engine.run_sweeps(START + timedelta(minutes=4), [inc], mode="reconcile")
    assert clean.drift[inc] == {"raised": 0, "cleared": 0, "returned": 0}


def test_sup2_an_alarm_closed_as_deadline_moved_is_raised_again_by_both_sweeps(world, twins):
    """期限调整 closes an alarm the engine re-ran as not breached; if the breach stands at the
    next sweep, the closed alarm does not count (its outcome) and both sweeps raise it again —
    the incremental one because the closing event names the alarm's subject."""
    inc, full, _day = twins["SUP-2-case-overdue"]
    h = History(world, None, twins, random.Random(1))
    h.op_new()
    case = h.cases[0]
    late = START + timedelta(days=30)
    h.sweep(START + timedelta(minutes=1))
    h.sweep(late)
    assert Alarm.objects.filter(rule_code=inc, subject_id=str(case.pk)).count() == 1
    closed = engine.reevaluate_subject("approvals.case", str(case.pk), as_of=START, reason="t")
    assert {a.rule_code for a in closed} >= {inc, full}
    h.sweep(late + timedelta(minutes=1))
    assert Alarm.objects.filter(
        rule_code=inc, subject_id=str(case.pk), status=AlarmStatus.RAISED
    ).exists()


def test_sup2_alarms_raised_in_bulk_are_the_events_one_at_a_time_writes(org, settings):
    """12 breaches at once take the bulk path (one insert, one append): each alarm gets its own
    `supervision.alarm.raised` event at its `raised_event`, with the payload the one-at-a-time
    path builds, and the log still verifies."""
    from wuquan.ledger.verification import verify_log
    from wuquan.supervision import events as ev
    from wuquan.supervision.rules import INSPECTION_OVERDUE

    for i in range(12):
        sup.do_create_inspection_round(
            org["fagai"], f"巡查{i}", START.date(), actor=org["jiwei"], at=START - timedelta(days=3)
        )
    before = Event.objects.count()
    out = engine.run_sweeps(START + timedelta(days=2), [INSPECTION_OVERDUE.code])
    assert out.raised == 12 and engine.BULK_MIN <= 12
    assert Event.objects.count() == before + 12
    eff = engine.effective(INSPECTION_OVERDUE, START)
    for alarm in Alarm.objects.filter(rule_code=INSPECTION_OVERDUE.code):
        event = Event.objects.get(index=alarm.raised_event)
        assert (event.action, event.subject_type, event.subject_id) == (
            ev.ALARM_RAISED,
            "supervision.alarm",
            str(alarm.pk),
        )
        (finding,) = INSPECTION_OVERDUE.breaches.findings(
            START + timedelta(days=2), eff.thresholds, [alarm.subject_id]
        )
        assert event.payload == ev.raised_payload(
            INSPECTION_OVERDUE, finding, eff, START + timedelta(days=2), []
        )
    assert verify_log().ok

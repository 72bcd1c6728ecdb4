"""The set-based sweep (SUP-1, SUP-2, APR-5; bench/sweep.py): a rule that gives its breaches as
a query (`Rule.breaches`, a `BreachSet`) is compared with its alarms in the database, and
Findings are built only for breaches that have no alarm yet. The semantics are those of the
Finding path, which the differential tests below run beside it on the same data: one open alarm
per rule and subject, a closed breach key not raised again unless closed as 期限调整, condition
cleared and returned, replay of a past time."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wuquan.common.rules import BreachSet, Finding, Rule, dated_key, subject_text
from wuquan.ledger.models import Event
from wuquan.supervision import engine, registry
from wuquan.supervision.models import Alarm, AlarmStatus, InspectionRound, Outcome
from wuquan.supervision.services import do_close_alarm
from wuquan.workdays.calendar import add_working_days

from .sup_fixtures import *  # noqa: F403 - the fixtures org, temp_rule, fast hashing

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
ROUND = "supervision.inspectionround"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def spied(bs: BreachSet, calls: list) -> BreachSet:
    """`bs` with its `findings` recording which subjects it was asked for (None: all)."""

    def findings(as_of, thresholds, subject_ids=None):
        calls.append(None if subject_ids is None else sorted(int(i) for i in subject_ids))
        yield from bs.findings(as_of, thresholds, subject_ids)

    return BreachSet(bs.subject_type, bs.query, findings)


def _flagged_rounds(as_of, thresholds):
    """A test breach: rounds created by `as_of` whose scope says "breach"."""
    return (
        InspectionRound.objects.filter(scope="breach", created_at__lte=as_of)
        .order_by()
        .annotate(sweep_subject=subject_text(), sweep_key=dated_key("due:", "due"))
    )


def _round_findings(as_of, thresholds, subject_ids=None):
    rounds = _flagged_rounds(as_of, thresholds)
    if subject_ids is not None:
        rounds = rounds.filter(pk__in=[int(i) for i in subject_ids])
    for rnd in rounds:
        yield Finding(
            ROUND,
            str(rnd.pk),
            f"巡查任务“{rnd.title}”违规",
            inputs={"due": rnd.due.isoformat(), "as_of": as_of.isoformat()},
            unit_id=rnd.supervising_unit_id,
            key=rnd.sweep_key,
        )


FLAGGED = BreachSet(ROUND, _flagged_rounds, _round_findings)


@pytest.fixture
def flagged(temp_rule):
    """A set-based test rule over inspection rounds; `.calls` lists the Findings asked for."""
    calls: list = []
    rule = temp_rule(Rule("SUP-2-test-set", "t", "c", "黄牌", breaches=spied(FLAGGED, calls)))
    return rule, calls


def new_round(org, title, scope="breach", due=date(2026, 3, 6), made="2026-03-02 09:00"):
    return InspectionRound.objects.create(
        supervising_unit=org["fagai"],
        title=title,
        scope=scope,
        due=due,
        created_by="test",
        created_at=at(made),
    )


def open_alarm(code, subject_id):
    return Alarm.objects.exclude(status=AlarmStatus.CLOSED).get(
        rule_code=code, subject_id=str(subject_id)
    )


def test_a_rule_given_as_a_breach_set_is_a_sweep_rule(flagged):
    rule, _calls = flagged
    assert rule.sweep is not None and rule in registry.sweep_rules()
    for code in (
        "SUP-2-step-overdue",
        "SUP-2-case-overdue",
        "APR-5-step-due-soon",
        "SUP-5-answer-overdue",
        "SUP-8-inspection-overdue",
    ):
        assert registry.get(code).breaches is not None, code


def test_sup2_set_sweep_raises_a_new_breach_building_findings_for_it_only(org, flagged):
    rule, calls = flagged
    first = [new_round(org, f"r{i}") for i in range(2)]
    lawful = new_round(org, "lawful", scope="")
    summary = engine.run_sweeps(at("2026-03-09 09:00"), [rule.code])
    assert summary.per_rule[rule.code] == {"found": 2, "raised": 2, "cleared": 0}
    assert calls == [sorted(r.pk for r in first)]
    lawful.scope = "breach"
    lawful.save()
    calls.clear()
    summary = engine.run_sweeps(at("2026-03-09 10:00"), [rule.code])
    assert summary.per_rule[rule.code] == {"found": 3, "raised": 1, "cleared": 0}
    assert calls == [[lawful.pk]]
    alarm = open_alarm(rule.code, lawful.pk)
    assert (alarm.subject_type, alarm.breach_key, alarm.severity) == (
        ROUND,
        "due:2026-03-06",
        "黄牌",
    )
    assert alarm.message == "巡查任务“lawful”违规" and alarm.unit_id == org["fagai"].pk
    assert alarm.raised_at == at("2026-03-09 10:00")
    assert alarm.inputs == {"due": "2026-03-06", "as_of": at("2026-03-09 10:00").isoformat()}
    assert Event.objects.filter(
        action="supervision.alarm.raised", subject_id=str(alarm.pk)
    ).exists()


def test_sup2_set_sweep_steady_state_builds_no_finding_and_records_nothing(org, flagged):
    rule, calls = flagged
    for i in range(3):
        new_round(org, f"r{i}")
    engine.run_sweeps(at("2026-03-09 09:00"), [rule.code])
    calls.clear()
    events, alarms = Event.objects.count(), Alarm.objects.count()
    for when in ("2026-03-09 09:00", "2026-03-09 09:01", "2026-03-10 09:00"):
        summary = engine.run_sweeps(at(when), [rule.code])
        assert summary.per_rule[rule.code] == {"found": 3, "raised": 0, "cleared": 0}
    assert calls == []
    assert (Event.objects.count(), Alarm.objects.count()) == (events, alarms)


def test_sup2_set_sweep_marks_cleared_on_a_fix_and_resets_when_the_breach_returns(org, flagged):
    rule, calls = flagged
    rnd = new_round(org, "r")
    engine.run_sweeps(at("2026-03-09 09:00"), [rule.code])
    calls.clear()
    rnd.scope = ""
    rnd.save()
    summary = engine.run_sweeps(at("2026-03-10 09:00"), [rule.code])
    assert summary.per_rule[rule.code] == {"found": 0, "raised": 0, "cleared": 1}
    alarm = open_alarm(rule.code, rnd.pk)
    assert alarm.status == AlarmStatus.RAISED
    assert alarm.condition_cleared_at == at("2026-03-10 09:00")
    actions = list(
        Event.objects.filter(subject_type="supervision.alarm", subject_id=str(alarm.pk))
        .order_by("index")
        .values_list("action", flat=True)
    )
    assert actions[-1] == "supervision.alarm.condition_cleared"
    assert (
        engine.run_sweeps(at("2026-03-10 10:00"), [rule.code]).per_rule[rule.code]["cleared"] == 0
    )  # flagged once
    rnd.scope = "breach"
    rnd.save()
    # a replay of a time before the flag leaves it alone …
    engine.run_sweeps(at("2026-03-09 12:00"), [rule.code])
    alarm.refresh_from_db()
    assert alarm.condition_cleared_at == at("2026-03-10 09:00")
    # … a later sweep finds the breach back: flag reset (recorded), no second alarm
    summary = engine.run_sweeps(at("2026-03-11 09:00"), [rule.code])
    assert summary.per_rule[rule.code] == {"found": 1, "raised": 0, "cleared": 0}
    alarm.refresh_from_db()
    assert alarm.condition_cleared_at is None
    assert Event.objects.filter(
        action="supervision.alarm.condition_returned", subject_id=str(alarm.pk)
    ).exists()
    assert Alarm.objects.filter(rule_code=rule.code).count() == 1
    assert calls == []  # clearing and returning build no Finding


def test_sup2_set_sweep_does_not_raise_again_a_breach_key_the_commission_closed(org, flagged):
    rule, calls = flagged
    rnd = new_round(org, "r")
    engine.run_sweeps(at("2026-03-09 09:00"), [rule.code])
    alarm = open_alarm(rule.code, rnd.pk)
    do_close_alarm(alarm, Outcome.RECTIFY.value, "已督促整改", actor=org["jiwei"])
    calls.clear()
    summary = engine.run_sweeps(at("2026-03-10 09:00"), [rule.code])
    assert summary.per_rule[rule.code] == {"found": 1, "raised": 0, "cleared": 0}
    assert calls == []  # the closed breach is not even built into a Finding
    # a new due day is a new breach
    rnd.due = date(2026, 3, 13)
    rnd.save()
    summary = engine.run_sweeps(at("2026-03-16 09:00"), [rule.code])
    assert summary.per_rule[rule.code]["raised"] == 1
    again = open_alarm(rule.code, rnd.pk)
    assert again.breach_key == "due:2026-03-13"
    # a closing by the engine because the deadline moved does not keep the breach away
    again.status, again.outcome, again.closed_at = (
        AlarmStatus.CLOSED,
        Outcome.DEADLINE_MOVED,
        at("2026-03-16 10:00"),
    )
    again.save()
    summary = engine.run_sweeps(at("2026-03-16 11:00"), [rule.code])
    assert summary.per_rule[rule.code]["raised"] == 1
    assert open_alarm(rule.code, rnd.pk).breach_key == "due:2026-03-13"


def test_sup2_set_sweep_checks_as_usual_a_finding_whose_key_moved_since_the_statement(
    org, temp_rule
):
    """The engine inserts without a second look only what the statement cleared (same subject,
    same key); a Finding built from data changed in between goes through raise_alarm."""
    rnd = new_round(org, "r")

    def moved_findings(as_of, thresholds, subject_ids=None):
        for f in _round_findings(as_of, thresholds, subject_ids):
            yield Finding(f.subject_type, f.subject_id, f.message, key="due:2026-03-13")

    rule = temp_rule(
        Rule(
            "SUP-2-test-moved",
            "t",
            "c",
            "黄牌",
            breaches=BreachSet(ROUND, _flagged_rounds, moved_findings),
        )
    )
    closed = engine.raise_alarm(
        rule,
        Finding(ROUND, str(rnd.pk), "earlier", key="due:2026-03-13"),
        at("2026-03-08 09:00"),
        engine.effective(rule, at("2026-03-08 09:00")),
    )
    do_close_alarm(closed, Outcome.RECTIFY.value, "已督促", actor=org["jiwei"])
    summary = engine.run_sweeps(at("2026-03-09 09:00"), [rule.code])
    assert summary.per_rule[rule.code] == {"found": 1, "raised": 0, "cleared": 0}
    assert not Alarm.objects.filter(rule_code=rule.code).exclude(status=AlarmStatus.CLOSED)


def test_sup2_set_sweep_nothing_to_query_clears_the_open_alarms(org, temp_rule):
    state = {"query": True}

    def query(as_of, thresholds):
        return _flagged_rounds(as_of, thresholds) if state["query"] else None

    rule = temp_rule(
        Rule(
            "SUP-2-test-none",
            "t",
            "c",
            "预警",
            breaches=BreachSet(ROUND, query, _round_findings),
        )
    )
    rnd = new_round(org, "r")
    engine.run_sweeps(at("2026-03-09 09:00"), [rule.code])
    state["query"] = False  # e.g. APR-5 with no calendar for the year
    summary = engine.run_sweeps(at("2026-03-09 10:00"), [rule.code])
    assert summary.per_rule[rule.code] == {"found": 0, "raised": 0, "cleared": 1}
    assert open_alarm(rule.code, rnd.pk).condition_cleared_at == at("2026-03-09 10:00")


def test_deadline_moved_reevaluates_a_set_based_alarm_from_its_own_subject_only(org, flagged):
    """APR-2: a moved deadline re-runs the rule for that subject, not for every breach."""
    rule, calls = flagged
    moved, kept = new_round(org, "moved"), new_round(org, "kept")
    engine.run_sweeps(at("2026-03-09 09:00"), [rule.code])
    calls.clear()
    moved.scope = ""  # the official schedule moved its due day: no longer a breach
    moved.save()
    for rnd in (moved, kept):
        engine.on_deadline_moved(None, deadline=(ROUND, str(rnd.pk)), old_due=None, new_due=None)
    assert calls == [[moved.pk], [kept.pk]]
    closed = Alarm.objects.get(rule_code=rule.code, subject_id=str(moved.pk))
    assert closed.status == AlarmStatus.CLOSED and closed.outcome == Outcome.DEADLINE_MOVED
    assert open_alarm(rule.code, kept.pk).status == AlarmStatus.RAISED


# ---- the set path equals the Finding path (differential) -----------------------------------


def alarm_state(code):
    """What an alarm says, minus its id and code: comparable across two copies of a rule."""
    return sorted(
        Alarm.objects.filter(rule_code=code).values_list(
            "subject_type",
            "subject_id",
            "breach_key",
            "status",
            "outcome",
            "raised_at",
            "condition_cleared_at",
            "severity",
            "message",
            "unit_id",
            "post_id",
            "event_indices",
            "inputs",
            "thresholds",
        ),
        key=repr,
    )


def twins(temp_rule, rule: Rule, calls: list) -> tuple[Rule, Rule]:
    """Two copies of `rule`: one swept set-based (findings spied), one over every Finding."""
    base = dict(
        name=rule.name,
        clause=rule.clause,
        severity=rule.severity,
        thresholds=rule.thresholds,
    )
    by_set = temp_rule(Rule(code=rule.code + "-set", breaches=spied(rule.breaches, calls), **base))
    by_finding = temp_rule(Rule(code=rule.code + "-all", sweep=rule.breaches.sweep, **base))
    return by_set, by_finding


def sweep_both(by_set, by_finding, when):
    a = engine.run_sweeps(when, [by_set.code]).per_rule[by_set.code]
    b = engine.run_sweeps(when, [by_finding.code]).per_rule[by_finding.code]
    assert a == b, when
    assert alarm_state(by_set.code) == alarm_state(by_finding.code), when
    return a


def test_sup8_set_sweep_equals_the_finding_sweep_through_replays_fixes_and_closings(org, temp_rule):
    from wuquan.supervision.services import do_file_inspection

    calls: list = []
    by_set, by_finding = twins(temp_rule, registry.get("SUP-8-inspection-overdue"), calls)
    late = new_round(org, "late", scope="")
    cured = new_round(org, "cured", scope="", due=date(2026, 3, 9))
    moved = new_round(org, "moved", scope="")
    new_round(org, "later", scope="", due=date(2026, 3, 20), made="2026-03-10 09:00")
    steps = [
        ("2026-03-10 09:00", None),  # late, cured and moved overdue, `later` not yet created
        ("2026-03-05 09:00", None),  # replay of a past day: nothing was due
        ("2026-03-10 09:00", None),  # same time again: nothing new
        ("2026-03-11 09:00", "file late"),  # a late record does not cure the breach …
        ("2026-03-11 10:00", "move"),  # … a due day moved later does: condition cleared
        ("2026-03-10 12:00", None),  # replay of a time before the flag: left alone
        ("2026-03-23 09:00", "close"),  # `moved` back (flag reset), `later` overdue; the
        # commission closes `late`'s alarms
        ("2026-03-24 09:00", "new due"),  # `late` gets a new due day: a new breach
        ("2026-03-12 09:00", None),  # replay before the new due day passed
        ("2026-03-31 09:00", None),
    ]
    for when, change in steps:
        if change == "file late":
            do_file_inspection(
                org["fagai"], "record", "补报", actor=org["fagai_user"], round=cured, at=at(when)
            )
        elif change == "close":
            for code in (by_set.code, by_finding.code):
                do_close_alarm(
                    open_alarm(code, late.pk), Outcome.RECTIFY.value, "已督促", actor=org["jiwei"]
                )
        elif change == "move":
            moved.due = date(2026, 3, 18)
            moved.save()
        elif change == "new due":
            late.due = date(2026, 3, 17)
            late.save()
        sweep_both(by_set, by_finding, at(when))
    assert Alarm.objects.filter(rule_code=by_set.code).count() == 5
    # `moved`, in each copy: back on 23 March, flagged again by the replay of 12 March (its due
    # day then lay ahead), back on 31 March
    assert Event.objects.filter(action="supervision.alarm.condition_returned").count() == 4
    assert None not in calls  # the set path never built every Finding


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from wuquan.approvals import sample

    return sample.build()


def test_sup2_apr5_set_sweeps_equal_the_finding_sweeps_over_cases_replayed(world, temp_rule):
    """Steps and cases open, done late, suspended and resumed; sweeps at past times (replay:
    steps done after the time count as open) and now; each time rule set-based and over every
    Finding must leave the same alarms (SUP-2, APR-5, APR-2)."""
    from wuquan.approvals import services
    from wuquan.approvals.models import CaseStep, StepState
    from wuquan.catalog.models import MaterialReuse

    def pdf(name):
        return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")

    def accepted(when, applicant):
        case = services.do_submit_application(
            world.item,
            applicant_name=applicant,
            applicant_id_number="",
            applicant_phone="13800000000",
            data={"area_sqm": 100},
            files={
                m.pk: pdf(f"m{m.pk}.pdf") for m in world.materials if m.reuse == MaterialReuse.NONE
            },
            at=when,
        ).case
        return services.do_accept_case(
            case, actor=world.users["window"], at=when + timedelta(hours=1)
        )

    def open_steps(case):
        return list(case.steps.filter(state__in=[StepState.READY, StepState.CLAIMED]))

    def who(step):
        by_post = {
            "window": "window",
            "chengban": "xf" if step.unit.code == "t-xf" else "chengban",
            "shenhe": "shenhe",
            "deputy-1": "deputy",
        }
        return world.users[by_post[step.post.code]]

    def finish(case, when):
        for _round in range(6):
            steps = open_steps(case)
            if not steps:
                return
            for step in steps:
                extra = {"decision": "approve"} if step.kind in ("审批", "决定") else {}
                services.do_complete_step(step, "同意", actor=who(step), at=when, **extra)

    calls: list = []
    pairs = [
        twins(temp_rule, registry.get(code), calls)
        for code in ("SUP-2-step-overdue", "APR-5-step-due-soon", "SUP-2-case-overdue")
    ]
    open_case = accepted(at("2026-03-02 09:00"), "甲")
    paused = accepted(at("2026-03-02 10:00"), "乙")
    late = accepted(at("2026-03-02 11:00"), "丙")
    material = next(m for m in world.materials if m.reuse == MaterialReuse.NONE)
    services.do_suspend_case(
        paused,
        "supplement",
        "补正",
        [material.pk],
        actor=world.users["chengban"],
        at=at("2026-03-03 10:00"),
    )
    finish(late, at("2026-03-16 10:00"))
    services.do_resume_case(
        paused,
        "已补正",
        actor="applicant:x",
        files={material.pk: pdf("r.pdf")},
        at=at("2026-03-23 09:00"),
    )
    assert CaseStep.objects.filter(case=late, state=StepState.DONE).exists()
    now = timezone.now()
    whens = [
        at("2026-03-04 15:00"),
        at("2026-03-06 15:00"),
        at("2026-03-04 15:00"),  # replay back
        at("2026-03-13 15:00"),  # the cases past their promised day
        at("2026-03-20 15:00"),  # `late` done since; `paused` still paused
        at("2026-03-06 15:00"),  # replay: `late`'s steps open again then, `paused` not yet
        at("2026-03-25 15:00"),
        now,
        at("2026-03-13 15:00"),
    ]
    raised = 0
    for when in whens:
        for by_set, by_finding in pairs:
            raised += sweep_both(by_set, by_finding, when)["raised"]
    assert raised >= 4  # steps and cases of `open_case` and `late` at least
    for step in CaseStep.objects.filter(case=open_case):
        for alarm in Alarm.objects.filter(
            rule_code="SUP-2-step-overdue-set", subject_id=str(step.pk)
        ):
            assert alarm.breach_key == f"deadline:{step.deadline.isoformat()}"
    assert None not in calls


def test_sup5_breach_set_keeps_the_grace_in_working_days(org):
    """`add_working_days(due, grace) < today` in Python is `due < the grace-th working day
    before today` in SQL, across a weekend (SUP-5)."""
    from wuquan.supervision.rules import ANSWERS_OVERDUE

    made = at("2026-02-20 09:00")
    dues = [date(2026, 3, 1) + timedelta(days=i) for i in range(14)]
    for i, due in enumerate(dues):
        Alarm.objects.create(
            rule_code="SUP-9-complaint",
            rule_version=1,
            severity="预警",
            message="t",
            subject_type="test.subject",
            subject_id=str(i),
            raised_at=made,
            status=AlarmStatus.ASSIGNED,
            assigned_unit=org["zwfw"],
            assigned_at=made,
            answer_due=due,
        )
    for grace in (0, 1, 2, 3):
        for day in range(5, 17):
            as_of = at(f"2026-03-{day:02d} 09:00")
            today = timezone.localdate(as_of)
            expected = {
                due for due in dues if (add_working_days(due, grace) if grace else due) < today
            }
            thresholds = {"grace_working_days": grace}
            found = set(
                ANSWERS_OVERDUE.query(as_of, thresholds).values_list("answer_due", flat=True)
            )
            assert found == expected, (grace, today)
            assert {f.inputs["answer_due"] for f in ANSWERS_OVERDUE.sweep(as_of, thresholds)} == {
                d.isoformat() for d in expected
            }

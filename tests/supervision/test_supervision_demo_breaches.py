"""The full demo, swept: every deliberate breach of the approvals demo is found by the rule meant
for it, nothing else is flagged on the clean demo cases, and a past day replays the same way
(SUP-1..4, APR-1, APR-3, APR-5, APR-8).

"Clean" here means precisely: a demo case that is not one of `approvals.demo.breaches()` (nor
one of the accidental repeats of a refused application, see below). On a clean case the only
alarms allowed are time alarms, each re-checked here from the tables with no rule code:
- SUP-2-done-late: the step was completed on a day after its deadline (or the case finished
  after its promised day);
- SUP-2-step-overdue: the step is still open (not suspended) and its deadline is before today;
- SUP-2-case-overdue: the case is still open (not suspended) and its promised day has passed;
- APR-5-step-due-soon: the step is open and due today or the next working day.
The demo plans ~8% of its cases late on purpose (random), so these are expected; and every
step the tables show as done late or overdue must carry its alarm (nothing missed either).

The demo draws applicants at random from 16 names: a few refused online applications are
re-submitted by the same applicant for the same item with byte-identical demo files and then
accepted — by APR-1's definition (same applicant + item, same material set) that IS a repeat
acceptance after refusal, so those are checked the same way: flagged, and only those.

One demo load (slow: ~30 s); one test function with several asserts.
"""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone

from wuquan.approvals import demo as approvals_demo
from wuquan.approvals.models import Case, CaseStatus, CaseStep, StepState, Suspension
from wuquan.approvals.rules import RULES
from wuquan.common.rules import DAILY
from wuquan.supervision import engine
from wuquan.supervision.models import Alarm
from wuquan.workdays.calendar import add_working_days

RIGHT_RULE = {
    "same_person_review_and_approve": "SUP-3-review-and-approve",
    "head_approves_hands_off_area": "SUP-4-head-approves",
    "fee_not_in_catalog": "APR-8-fee-outside-catalog",
    "result_without_acceptance": "APR-1-result-without-acceptance",
    "step_without_post": "APR-3-step-without-post",
}
OPEN = (StepState.READY, StepState.CLAIMED)
SH = ZoneInfo("Asia/Shanghai")


def _case_of(subject_type, subject_id):
    from wuquan.approvals.models import Charge

    if subject_type == "approvals.case":
        return int(subject_id)
    if subject_type == "approvals.casestep":
        return CaseStep.objects.get(pk=subject_id).case_id
    if subject_type == "approvals.charge":
        return Charge.objects.get(pk=subject_id).case_id
    return None


def _files(case):
    out = set()
    for cm in case.materials.all():
        data = b""
        if cm.file:
            with cm.file.open("rb") as fh:
                data = fh.read()
        out.add((cm.material_id, cm.status, data))
    return out


def _repeats_of_refusals() -> set[int]:
    """Accepted demo cases whose applicant (name) had the same item refused earlier with the
    very same materials (ids, statuses and file bytes)."""
    out = set()
    for refused in Case.objects.filter(status=CaseStatus.NOT_ACCEPTED):
        for later in Case.objects.filter(
            item_id=refused.item_id,
            applicant_name=refused.applicant_name,
            accepted_at__gt=refused.finished_at,
        ):
            if _files(later) == _files(refused):
                out.add(later.pk)
    return out


def _suspended(case_id, now) -> bool:
    return Suspension.objects.filter(case_id=case_id, started_at__lte=now, ended_at=None).exists()


def _time_alarm_is_true(alarm, now) -> bool:
    """Re-check a time alarm from the tables (no rule code involved)."""
    today = timezone.localdate(now)
    code = alarm.rule_code
    if alarm.subject_type == "approvals.casestep":
        step = CaseStep.objects.get(pk=alarm.subject_id)
        is_open = step.state in OPEN
        if code == "SUP-2-done-late":
            return (
                step.state == StepState.DONE
                and timezone.localdate(step.completed_at) > step.deadline
            )
        if code == "SUP-2-step-overdue":
            return is_open and step.deadline < today and not _suspended(step.case_id, now)
        if code == "APR-5-step-due-soon":
            return (
                is_open
                and today <= step.deadline <= add_working_days(today, 1)
                and not _suspended(step.case_id, now)
            )
    if alarm.subject_type == "approvals.case":
        case = Case.objects.get(pk=alarm.subject_id)
        if code == "SUP-2-done-late":
            return case.finished_at and timezone.localdate(case.finished_at) > case.due
        if code == "SUP-2-case-overdue":
            return case.is_open and case.due < today and not _suspended(case.pk, now)
    return False


def test_sup_demo_breaches_found_by_the_right_rule_nothing_else_and_replay(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", no_serve=True, stdout=io.StringIO())
    planted = approvals_demo.breaches()
    assert all(planted.values()), planted  # the demo planted each kind
    end = timezone.now()
    summary = engine.run_sweeps(end)
    assert not summary.errors, summary.errors

    # 1. each deliberate breach is found by the right rule
    for kind, subjects in planted.items():
        for subject_type, subject_id in subjects:
            assert Alarm.objects.filter(
                rule_code=RIGHT_RULE[kind], subject_type=subject_type, subject_id=subject_id
            ).exists(), (kind, subject_type, subject_id)

    # 2. nothing else on the clean cases
    breach_cases = {_case_of(t, i) for subjects in planted.values() for t, i in subjects}
    repeats = _repeats_of_refusals()
    ours = {r.code for r in RULES}
    time_rules = {
        "SUP-2-done-late",
        "SUP-2-step-overdue",
        "SUP-2-case-overdue",
        "APR-5-step-due-soon",
    }
    unexplained = []
    for alarm in Alarm.objects.filter(rule_code__in=ours):
        case_id = _case_of(alarm.subject_type, alarm.subject_id)
        if case_id in breach_cases:
            continue
        if alarm.rule_code == "APR-1-accepted-after-refusal" and case_id in repeats:
            continue
        if alarm.rule_code in time_rules and _time_alarm_is_true(alarm, end):
            continue
        unexplained.append((alarm.rule_code, alarm.subject_type, alarm.subject_id, alarm.message))
    assert unexplained == []
    # … and the accidental repeats are exactly what APR-1 flagged
    flagged_repeats = {
        int(a.subject_id) for a in Alarm.objects.filter(rule_code="APR-1-accepted-after-refusal")
    }
    assert flagged_repeats == repeats
    # the separation and process rules fire on breach cases only
    for code in ours - time_rules - {"APR-1-accepted-after-refusal"}:
        for alarm in Alarm.objects.filter(rule_code=code):
            assert _case_of(alarm.subject_type, alarm.subject_id) in breach_cases, alarm

    # 3. nothing missed: every step done late and every open overdue step has its alarm
    today = timezone.localdate(end)
    done_late = [
        s.pk
        for s in CaseStep.objects.filter(state=StepState.DONE, deadline__isnull=False)
        if timezone.localdate(s.completed_at) > s.deadline
    ]
    assert done_late, "the demo plans late steps"
    flagged = set(
        Alarm.objects.filter(
            rule_code="SUP-2-done-late", subject_type="approvals.casestep"
        ).values_list("subject_id", flat=True)
    )
    assert {str(pk) for pk in done_late} <= flagged
    overdue_open = {
        str(s.pk)
        for s in CaseStep.objects.filter(state__in=OPEN, deadline__lt=today)
        if not _suspended(s.case_id, end)
    }
    assert overdue_open <= set(
        Alarm.objects.filter(rule_code="SUP-2-step-overdue").values_list("subject_id", flat=True)
    )

    # 4. replay: the same time again raises nothing; a past day gives the same findings before
    #    and after its alarms are raised, and replaying it once more raises nothing new
    assert engine.run_sweeps(end).raised == 0
    past = end - timedelta(days=7)
    sweeps = [r for r in RULES if r.sweep is not None]

    def findings_at(when):
        return {
            r.code: sorted(
                (f.subject_type, f.subject_id, f.key) for f in r.sweep(when, dict(r.thresholds))
            )
            for r in sweeps
        }

    before = findings_at(past)
    assert any(before.values())
    first = engine.run_sweeps(past, [r.code for r in sweeps])
    assert not first.errors
    assert findings_at(past) == before
    again = engine.run_sweeps(past, [r.code for r in sweeps])
    assert again.raised == 0
    for rule in sweeps:  # each finding of the past day has its alarm (raised then or before)
        alarmed = set(
            Alarm.objects.filter(rule_code=rule.code).values_list("subject_type", "subject_id")
        )
        assert {(t, i) for t, i, _k in before[rule.code]} <= alarmed, rule.code

    # 5. DAILY holds (common.rules.DAILY; the quiet sweep relies on it): every DAILY rule of
    #    every app finds the same at the first and the last minute of a day with no events —
    #    days after the demo's last event, as its deadlines, 承诺 days and contract terms pass
    from wuquan.ledger.models import Event
    from wuquan.supervision import registry

    daily = [r for r in registry.sweep_rules() if r.clock == DAILY]
    assert len(daily) >= 60  # every sweep rule of the apps declares its clock
    last = timezone.localdate(Event.objects.order_by("-at").values_list("at", flat=True)[0])
    for offset in (1, 3, 8, 31):
        day = last + timedelta(days=offset)
        morning = datetime.combine(day, time(0, 0, 30), tzinfo=SH)
        night = datetime.combine(day, time(23, 59, 30), tzinfo=SH)
        for rule in daily:
            early = sorted((f.subject_type, f.subject_id, f.key) for f in rule.sweep(morning, dict(rule.thresholds)))  # fmt: skip
            late = sorted((f.subject_type, f.subject_id, f.key) for f in rule.sweep(night, dict(rule.thresholds)))  # fmt: skip
            assert early == late, (rule.code, day)

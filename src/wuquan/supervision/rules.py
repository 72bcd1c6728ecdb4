"""Rules the supervision context owns: it watches its own 督查督办 and the watchers (SUP-5,
SUP-8), and raises complaints as supervision cases (SUP-9)."""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.rules import (
    DAILY,
    SEVERITY_RED,
    SEVERITY_WARNING,
    SEVERITY_YELLOW,
    BreachSet,
    Finding,
    Rule,
    dated_key,
    subject_text,
    touched_ids,
)
from wuquan.workdays.calendar import add_working_days, last_working_day_before


def _answer_cutoff(as_of: datetime, thresholds: dict):
    # why: add_working_days(due, g) < today  ⟺  due < the g-th working day before today, so
    # the grace is one date for every alarm and the comparison stays in SQL
    cutoff = timezone.localdate(as_of)
    for _i in range(int(thresholds.get("grace_working_days", 0))):
        cutoff = last_working_day_before(cutoff)
    return cutoff


def _answers_overdue(as_of: datetime, thresholds: dict):
    """Assigned alarms unanswered (and not closed) at `as_of` whose due day plus
    `grace_working_days` working days is before the day of `as_of`."""
    from .models import Alarm

    cutoff = _answer_cutoff(as_of, thresholds)
    return (
        Alarm.objects.filter(answer_due__lt=cutoff, assigned_at__lte=as_of)
        .filter(Q(answered_at__isnull=True) | Q(answered_at__gt=as_of))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=as_of))
        .order_by()
        .annotate(sweep_subject=subject_text(), sweep_key=dated_key("due:", "answer_due"))
    )


def _answer_overdue_findings(as_of: datetime, thresholds: dict, subject_ids=None):
    today = timezone.localdate(as_of)
    grace = int(thresholds.get("grace_working_days", 0))
    candidates = _answers_overdue(as_of, thresholds).select_related("assigned_unit")
    if subject_ids is not None:
        candidates = candidates.filter(pk__in=[int(i) for i in subject_ids])
    for alarm in candidates:
        limit = add_working_days(alarm.answer_due, grace) if grace else alarm.answer_due
        yield Finding(
            subject_type="supervision.alarm",
            subject_id=str(alarm.pk),
            message=_("%(unit)s 未在 %(due)s 前回复督办件（%(rule)s）")
            % {"unit": alarm.assigned_unit.name, "due": limit, "rule": alarm.rule_code},
            inputs={
                "alarm": alarm.pk,
                "rule": alarm.rule_code,
                "assigned_unit": alarm.assigned_unit.code,
                "answer_due": alarm.answer_due.isoformat(),
                "grace_working_days": grace,
                "as_of_date": today.isoformat(),
            },
            unit_id=alarm.assigned_unit_id,
            event_indices=(alarm.raised_event,) if alarm.raised_event is not None else (),
            key=alarm.sweep_key,
        )


def _answer_overdue_changes(since: datetime, as_of: datetime, thresholds: dict, events):
    """`BreachSet.changed` for SUP-5: the alarms a lifecycle event names (assigned, answered,
    sent back, closed) and the assigned ones whose answer day the cutoff passed since."""
    from .models import Alarm

    out = touched_ids(events, "supervision.alarm")
    c0, c1 = _answer_cutoff(since, thresholds), _answer_cutoff(as_of, thresholds)
    if c0 < c1:
        out.update(
            Alarm.objects.filter(answer_due__gte=c0, answer_due__lt=c1)
            .order_by()
            .values_list("pk", flat=True)
        )
    return [str(i) for i in out]


ANSWERS_OVERDUE = BreachSet(
    "supervision.alarm", _answers_overdue, _answer_overdue_findings, _answer_overdue_changes
)


def answer_overdue(as_of: datetime, thresholds: dict):
    """Assigned alarms still unanswered after their working-day deadline (plus grace)."""
    return ANSWERS_OVERDUE.sweep(as_of, thresholds)


def _rounds_overdue(as_of: datetime, thresholds: dict):
    """Rounds due before the day of `as_of`, created by then, with no record filed by their
    due day (and by `as_of`)."""
    from .models import InspectionRecord, InspectionRound

    filed_in_time = InspectionRecord.objects.filter(
        round=OuterRef("pk"), filed_at__date__lte=OuterRef("due"), filed_at__lte=as_of
    )
    rounds = InspectionRound.objects.filter(
        due__lt=timezone.localdate(as_of), created_at__lte=as_of
    ).exclude(Exists(filed_in_time))
    if apps.is_installed("wuquan.invest"):
        # SUP-7/SUP-8: a project or fund inspection filed on the investment platform answers
        # the round it names (invest.Inspection.round_id), by the round's unit, in time
        from wuquan.invest.models import Inspection

        rounds = rounds.exclude(
            Exists(
                Inspection.objects.filter(
                    round_id=OuterRef("pk"),
                    unit_id=OuterRef("supervising_unit_id"),
                    filed_at__date__lte=OuterRef("due"),
                    filed_at__lte=as_of,
                )
            )
        )
    return rounds.order_by().annotate(
        sweep_subject=subject_text(), sweep_key=dated_key("due:", "due")
    )


def _inspection_overdue_findings(as_of: datetime, thresholds: dict, subject_ids=None):
    today = timezone.localdate(as_of)
    rounds = _rounds_overdue(as_of, thresholds).select_related("supervising_unit")
    if subject_ids is not None:
        rounds = rounds.filter(pk__in=[int(i) for i in subject_ids])
    for rnd in rounds:
        yield Finding(
            subject_type="supervision.inspectionround",
            subject_id=str(rnd.pk),
            message=_("%(unit)s 未在 %(due)s 前报送巡查任务“%(title)s”的检查记录")
            % {"unit": rnd.supervising_unit.name, "due": rnd.due, "title": rnd.title},
            inputs={
                "round": rnd.pk,
                "unit": rnd.supervising_unit.code,
                "due": rnd.due.isoformat(),
                "as_of_date": today.isoformat(),
            },
            unit_id=rnd.supervising_unit_id,
            key=rnd.sweep_key,
        )


def _inspection_overdue_changes(since: datetime, as_of: datetime, thresholds: dict, events):
    """`BreachSet.changed` for SUP-8: the rounds created or filed against since (a filing's
    event names the record), and the rounds whose due day the day change passed."""
    from .models import InspectionRecord, InspectionRound

    out = touched_ids(events, "supervision.inspectionround")
    if apps.is_installed("wuquan.invest"):
        from wuquan.invest.models import Inspection

        filed = sorted(touched_ids(events, "invest.inspection"))
        for k in range(0, len(filed), 5000):
            out.update(
                Inspection.objects.filter(pk__in=filed[k : k + 5000], round_id__isnull=False)
                .order_by()
                .values_list("round_id", flat=True)
            )
    records = sorted(touched_ids(events, "supervision.inspectionrecord"))
    for k in range(0, len(records), 5000):
        out.update(
            InspectionRecord.objects.filter(pk__in=records[k : k + 5000], round__isnull=False)
            .order_by()
            .values_list("round_id", flat=True)
        )
    d0, d1 = timezone.localdate(since), timezone.localdate(as_of)
    if d0 < d1:
        out.update(
            InspectionRound.objects.filter(due__gte=d0, due__lt=d1)
            .order_by()
            .values_list("pk", flat=True)
        )
    return [str(i) for i in out]


ROUNDS_OVERDUE = BreachSet(
    "supervision.inspectionround",
    _rounds_overdue,
    _inspection_overdue_findings,
    _inspection_overdue_changes,
)


def inspection_overdue(as_of: datetime, thresholds: dict):
    """Inspection rounds whose due date has passed with no record filed by that date.

    A record filed after `as_of` does not count (replay); one filed late does not cure the
    lateness: the breach stays a fact for the commission to judge."""
    return ROUNDS_OVERDUE.sweep(as_of, thresholds)


ANSWER_OVERDUE = Rule(
    code="SUP-5-answer-overdue",
    name="督办件逾期未回复",
    clause="附件6 三(三) 第三步",
    severity=SEVERITY_RED,
    thresholds={"grace_working_days": 0},
    sweep=answer_overdue,
    breaches=ANSWERS_OVERDUE,
    clock=DAILY,
)

INSPECTION_OVERDUE = Rule(
    code="SUP-8-inspection-overdue",
    name="监管部门未按期报送巡查记录",
    clause="附件6 三(三) 第三步",
    severity=SEVERITY_YELLOW,
    sweep=inspection_overdue,
    breaches=ROUNDS_OVERDUE,
    clock=DAILY,
)

# Raised by complaints.do_file_complaint, not by a check or sweep: a complaint is handled as a
# supervision case through the same lifecycle (SUP-9).
COMPLAINT = Rule(
    code="SUP-9-complaint",
    name="群众投诉举报",
    clause="附件2 二(三)；附件7 二(十)",
    severity=SEVERITY_WARNING,
)

# ---- 承办与监督相分离 (SUP-3) ------------------------------------------------------------------

LIFECYCLE_ACTIONS = (
    "supervision.alarm.assigned",
    "supervision.alarm.answered",
    "supervision.alarm.accepted",
    "supervision.alarm.sent_back",
    "supervision.alarm.closed",
)


def handler_supervises(as_of: datetime, thresholds: dict):
    """SUP-3 红牌: a person who handled a case (accepted it or did a step) answers, checks or
    closes an alarm about that case — 承办与监督相分离 (附件2 一). Lives here, beside the data it
    reads: supervision's own lifecycle events name who acted on an alarm, its Alarm rows name
    the subject; who handled the case comes from approvals' selectors (issue 11)."""
    from django.contrib.auth import get_user_model

    from wuquan.approvals import selectors as approvals
    from wuquan.ledger.models import Event

    from .models import Alarm

    acts = list(
        Event.objects.filter(
            action__in=LIFECYCLE_ACTIONS,
            subject_type="supervision.alarm",
            at__lte=as_of,
            actor__startswith="user:",
        ).values_list("index", "subject_id", "actor", "action")
    )
    if not acts:
        return
    subjects = {
        str(pk): (st, sid)
        for pk, st, sid in Alarm.objects.filter(
            pk__in={int(a[1]) for a in acts}, subject_type__startswith="approvals."
        ).values_list("pk", "subject_type", "subject_id")
    }
    if not subjects:
        return
    alarm_case = approvals.cases_of_subjects(subjects)
    handlers = approvals.case_handlers(set(alarm_case.values()), as_of)
    names = {a[2][5:] for a in acts}
    user_ids = dict(
        get_user_model().objects.filter(username__in=names).values_list("username", "pk")
    )
    for index, alarm_id, actor, action in acts:
        case_id = alarm_case.get(alarm_id)
        uid = user_ids.get(actor[5:])
        if case_id is None or uid is None or uid not in handlers.get(case_id, ()):
            continue
        yield Finding(
            "supervision.alarm",
            alarm_id,
            _(
                "办件 %(case)s 的经办人 %(who)s 参与了对该办件报警的督办（%(action)s），承办与监督未分离"
            )
            % {"case": case_id, "who": actor[5:], "action": action.rsplit(".", 1)[1]},
            inputs={"case": case_id, "actor": actor, "action": action},
            event_indices=(index,),
            key=f"{actor}:{action}",
        )


HANDLER_SUPERVISES = Rule(
    code="SUP-3-handler-supervises",
    name="经办人督办本人经办的办件",
    clause="附件2 一、二(二)（承办与监督相分离）",
    severity=SEVERITY_RED,
    sweep=handler_supervises,
    clock=DAILY,
)

RULES = [ANSWER_OVERDUE, INSPECTION_OVERDUE, COMPLAINT, HANDLER_SUPERVISES]

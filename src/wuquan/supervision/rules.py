"""Rules the supervision context owns: it watches its own 督查督办 and the watchers (SUP-5,
SUP-8), and raises complaints as supervision cases (SUP-9)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.rules import SEVERITY_RED, SEVERITY_WARNING, SEVERITY_YELLOW, Finding, Rule
from wuquan.workdays.calendar import add_working_days


def answer_overdue(as_of: datetime, thresholds: dict):
    """Assigned alarms still unanswered after their working-day deadline (plus grace)."""
    from .models import Alarm

    today = timezone.localdate(as_of)
    grace = int(thresholds.get("grace_working_days", 0))
    candidates = (
        Alarm.objects.filter(answer_due__lt=today, assigned_at__lte=as_of)
        .filter(Q(answered_at__isnull=True) | Q(answered_at__gt=as_of))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=as_of))
        .select_related("assigned_unit")
    )
    for alarm in candidates:
        limit = add_working_days(alarm.answer_due, grace) if grace else alarm.answer_due
        if today <= limit:
            continue
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
            key=f"due:{alarm.answer_due.isoformat()}",
        )


def inspection_overdue(as_of: datetime, thresholds: dict):
    """Inspection rounds whose due date has passed with no record filed by that date.

    A record filed after `as_of` does not count (replay); one filed late does not cure the
    lateness: the breach stays a fact for the commission to judge."""
    from .models import InspectionRecord, InspectionRound

    today = timezone.localdate(as_of)
    filed_in_time = InspectionRecord.objects.filter(
        round=OuterRef("pk"), filed_at__date__lte=OuterRef("due"), filed_at__lte=as_of
    )
    rounds = (
        InspectionRound.objects.filter(due__lt=today, created_at__lte=as_of)
        .exclude(Exists(filed_in_time))
        .select_related("supervising_unit")
    )
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
            key=f"due:{rnd.due.isoformat()}",
        )


ANSWER_OVERDUE = Rule(
    code="SUP-5-answer-overdue",
    name="督办件逾期未回复",
    clause="附件6 三(三) 第三步",
    severity=SEVERITY_RED,
    thresholds={"grace_working_days": 0},
    sweep=answer_overdue,
)

INSPECTION_OVERDUE = Rule(
    code="SUP-8-inspection-overdue",
    name="监管部门未按期报送巡查记录",
    clause="附件6 三(三) 第三步",
    severity=SEVERITY_YELLOW,
    sweep=inspection_overdue,
)

# Raised by complaints.do_file_complaint, not by a check or sweep: a complaint is handled as a
# supervision case through the same lifecycle (SUP-9).
COMPLAINT = Rule(
    code="SUP-9-complaint",
    name="群众投诉举报",
    clause="附件2 二(三)；附件7 二(十)",
    severity=SEVERITY_WARNING,
)

RULES = [ANSWER_OVERDUE, INSPECTION_OVERDUE, COMPLAINT]

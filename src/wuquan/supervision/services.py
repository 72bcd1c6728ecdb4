"""Writes of the supervision context: rule settings, the 督查督办 lifecycle of an alarm,
inspections (SUP-5..8, SUP-10). Each service records its exercise of power in the ledger in the
same transaction; illegal transitions raise RuleViolation and write nothing.

Complaints (SUP-9) are in `complaints.py`.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.ledger import record
from wuquan.ledger.services import describe_actor
from wuquan.org import roles
from wuquan.org.models import Unit
from wuquan.org.selectors import person_of, posts_held
from wuquan.workdays.calendar import CalendarUnknown, add_working_days

from . import engine, notify, registry
from .models import (
    Alarm,
    AlarmStatus,
    InspectionKind,
    InspectionRecord,
    InspectionRound,
    Outcome,
    RuleSetting,
)

DEFAULT_ANSWER_WORKING_DAYS = 5
INSPECTING_UNITS_DEFAULT = ("fagai", "caizheng", "shenji")  # 附件6 三(三) 第三步: 发改、财政、审计


def is_commission(user) -> bool:
    """The discipline commission (纪检监察) role, or a superuser."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user.groups.filter(name=roles.COMMISSION).exists()


def holds_post_in(user, unit: Unit | None) -> bool:
    if unit is None:
        return False
    return posts_held(person_of(user)).filter(unit=unit).exists()


def _require_commission(user) -> None:
    if not is_commission(user):
        raise NotPermitted(_("只有纪检监察机关可以进行此项督查督办操作。"))


def _locked(alarm: Alarm) -> Alarm:
    return Alarm.objects.select_for_update().get(pk=alarm.pk)


def _now(at: datetime | None) -> datetime:
    return engine.aware(at)


def _link(alarm: Alarm) -> str:
    return reverse("supervision:alarm", args=[alarm.pk])


def _due_after(start: date, working_days: int) -> date:
    if not isinstance(working_days, int) or not 1 <= working_days <= 60:
        raise InvalidInput(_("回复期限应为 1 至 60 个工作日。"), field="working_days")
    try:
        return add_working_days(start, working_days)
    except CalendarUnknown as exc:
        raise InvalidInput(str(exc), field="working_days") from exc


# ---- rule settings -------------------------------------------------------------------------


@transaction.atomic
def do_change_rule_setting(
    rule_code: str,
    thresholds: dict,
    reason: str,
    enabled: bool = True,
    valid_from: datetime | None = None,
    *,
    actor,
    at: datetime | None = None,
) -> RuleSetting:
    """A new version of a rule's thresholds for this district, in force from `valid_from`
    (ARCHITECTURE: thresholds configurable per district, versioned). Unknown keys and values
    of another type than the default are refused."""
    if not isinstance(actor, str):  # why: a string actor is the system (migrations, imports)
        _require_commission(actor)
    rule = registry.get(rule_code)
    if rule is None:
        raise InvalidInput(
            _("没有编号为 %(code)s 的规则。") % {"code": rule_code}, field="rule_code"
        )
    if not (reason or "").strip():
        raise InvalidInput(_("请填写修改理由。"), field="reason")
    for key, value in (thresholds or {}).items():
        if key not in rule.thresholds:
            raise InvalidInput(
                _("规则 %(code)s 没有阈值 %(key)s。") % {"code": rule_code, "key": key},
                field="thresholds",
            )
        default = rule.thresholds[key]
        if not (type(value) is type(default) or (type(default) is float and type(value) is int)):
            raise InvalidInput(_("阈值 %(key)s 的类型不正确。") % {"key": key}, field="thresholds")
    last = RuleSetting.objects.filter(rule_code=rule_code).order_by("-version").first()
    setting = RuleSetting.objects.create(
        rule_code=rule_code,
        version=(last.version + 1) if last else 1,
        thresholds=thresholds or {},
        enabled=enabled,
        changed_by=describe_actor(actor),
        reason=reason.strip(),
        valid_from=engine.aware(valid_from),
    )
    record(
        actor,
        "supervision.rule_setting.changed",
        setting,
        {
            "rule": rule_code,
            "version": setting.version,
            "thresholds": setting.thresholds,
            "enabled": enabled,
            "reason": setting.reason,
            "valid_from": setting.valid_from.isoformat(),
        },
        at=_now(at),
    )
    return setting


def _rule_name(code: str) -> str:
    rule = registry.get(code)
    return str(rule.name) if rule is not None else code


# ---- 督查督办: assign → answer → check → close (SUP-5, SUP-6, SUP-10) ------------------------


@transaction.atomic
def do_assign_alarm(
    alarm: Alarm,
    unit: Unit,
    working_days: int = DEFAULT_ANSWER_WORKING_DAYS,
    instructions: str = "",
    *,
    actor,
    at: datetime | None = None,
) -> Alarm:
    """The commission assigns a raised alarm to a unit, to answer within `working_days`
    working days (附件6 三(三) 第三步: 督查督办)."""
    _require_commission(actor)
    alarm = _locked(alarm)
    if alarm.status != AlarmStatus.RAISED:
        raise RuleViolation(
            _("只有“已报警”状态的报警可以交办（当前：%(s)s）。") % {"s": alarm.get_status_display()}
        )
    if unit is None:
        raise InvalidInput(_("请选择交办单位。"), field="unit")
    now = _now(at)
    alarm.answer_due = _due_after(timezone.localdate(now), working_days)
    alarm.status = AlarmStatus.ASSIGNED
    alarm.assigned_unit = unit
    alarm.assigned_at = now
    alarm.assigned_by = describe_actor(actor)
    alarm.instructions = (instructions or "").strip()
    alarm.save()
    record(
        actor,
        "supervision.alarm.assigned",
        alarm,
        {
            "unit": unit.code,
            "answer_due": alarm.answer_due.isoformat(),
            "working_days": working_days,
        },
        at=now,
    )
    notify.notify(
        notify.unit_users(unit),
        # why: the title named the rule by its code ("督办：SUP-4-head-approves", issue 12)
        _("督办：%(rule)s") % {"rule": _rule_name(alarm.rule_code)},
        _("请于 %(due)s 前回复。%(msg)s") % {"due": alarm.answer_due, "msg": alarm.message},
        _link(alarm),
    )
    return alarm


@transaction.atomic
def do_answer_alarm(
    alarm: Alarm,
    explanation: str,
    correction: str = "",
    evidence=None,
    *,
    actor,
    at: datetime | None = None,
) -> Alarm:
    """The unit concerned answers: explanation, correction made, evidence (SUP-5)."""
    alarm = _locked(alarm)
    if alarm.status != AlarmStatus.ASSIGNED:
        raise RuleViolation(
            _("只有“已交办”的报警可以回复（当前：%(s)s）。") % {"s": alarm.get_status_display()}
        )
    if not (actor.is_superuser or holds_post_in(actor, alarm.assigned_unit)):
        raise NotPermitted(_("只有被交办单位的工作人员可以回复。"))
    explanation = (explanation or "").strip()
    if not explanation:
        raise InvalidInput(_("请填写情况说明。"), field="explanation")
    if len(explanation) > 5000 or len(correction or "") > 5000:
        raise InvalidInput(_("说明不能超过 5000 字。"), field="explanation")
    alarm.status = AlarmStatus.ANSWERED
    now = _now(at)
    alarm.answered_at = now
    alarm.answered_by = describe_actor(actor)
    alarm.explanation = explanation
    alarm.correction = (correction or "").strip()
    if evidence:
        alarm.evidence = evidence
    alarm.save()
    record(
        actor,
        "supervision.alarm.answered",
        alarm,
        {
            "unit": alarm.assigned_unit.code,
            "has_evidence": bool(alarm.evidence),
            "evidence": alarm.evidence.name if alarm.evidence else "",
        },
        at=now,
    )
    notify.notify(
        notify.commission_users(),
        _("督办件已回复：%(rule)s") % {"rule": alarm.rule_code},
        alarm.assigned_unit.name,
        _link(alarm),
    )
    return alarm


@transaction.atomic
def do_check_alarm(
    alarm: Alarm,
    accept: bool,
    note: str = "",
    working_days: int = DEFAULT_ANSWER_WORKING_DAYS,
    *,
    actor,
    at: datetime | None = None,
) -> Alarm:
    """The commission checks the answer: accepted, or sent back with a new deadline (SUP-5)."""
    _require_commission(actor)
    alarm = _locked(alarm)
    if alarm.status != AlarmStatus.ANSWERED:
        raise RuleViolation(
            _("只有“已回复”的报警可以审核（当前：%(s)s）。") % {"s": alarm.get_status_display()}
        )
    note = (note or "").strip()
    now = _now(at)
    alarm.check_note = note
    if accept:
        alarm.status = AlarmStatus.CHECKED
        alarm.checked_at = now
        alarm.save()
        record(actor, "supervision.alarm.accepted", alarm, {"note": note}, at=now)
        return alarm
    if not note:
        raise InvalidInput(_("退回时请写明退回理由。"), field="note")
    alarm.status = AlarmStatus.ASSIGNED
    alarm.sent_back_count += 1
    alarm.answered_at = None
    alarm.answer_due = _due_after(timezone.localdate(now), working_days)
    alarm.save()
    record(
        actor,
        "supervision.alarm.sent_back",
        alarm,
        {"note": note, "answer_due": alarm.answer_due.isoformat()},
        at=now,
    )
    notify.notify(
        notify.unit_users(alarm.assigned_unit),
        _("督办件被退回：%(rule)s") % {"rule": alarm.rule_code},
        note,
        _link(alarm),
    )
    return alarm


CLOSING_OUTCOMES = [o for o in Outcome if o != Outcome.DEADLINE_MOVED]


@transaction.atomic
def do_close_alarm(
    alarm: Alarm,
    outcome: str,
    note: str,
    published_answer: str = "",
    *,
    actor,
    at: datetime | None = None,
) -> Alarm:
    """The commission closes an alarm with a graded response (附件5 三(三): 预警告知, 风险提示,
    诫勉谈话, 督促整改, 责令纠错) or a referral for accountability by gravity (附件2 四(三)).
    An alarm is closed when raised (handled directly) or once its answer is accepted; a
    complaint's `published_answer` is what the public lookup shows (SUP-9)."""
    _require_commission(actor)
    alarm = _locked(alarm)
    if alarm.status not in (AlarmStatus.RAISED, AlarmStatus.CHECKED):
        raise RuleViolation(
            _("报警须先审核通过回复才能办结（当前：%(s)s）。") % {"s": alarm.get_status_display()}
        )
    if outcome not in CLOSING_OUTCOMES:
        raise InvalidInput(_("请选择处理结果。"), field="outcome")
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("请填写办结说明。"), field="note")
    complaint = getattr(alarm, "complaint", None)
    published_answer = (published_answer or "").strip()
    if complaint is not None and not published_answer:
        raise InvalidInput(_("投诉举报办结时须填写公开答复。"), field="published_answer")
    alarm.status = AlarmStatus.CLOSED
    alarm.outcome = outcome
    alarm.close_note = note
    now = _now(at)
    alarm.closed_at = now
    alarm.closed_by = describe_actor(actor)
    alarm.save()
    if complaint is not None:
        complaint.published_answer = published_answer
        complaint.save(update_fields=["published_answer"])
    record(
        actor,
        "supervision.alarm.closed",
        alarm,
        {"outcome": outcome, "accountability": Outcome.accountability_grade(outcome), "note": note},
        at=now,
    )
    return alarm


# ---- inspections (SUP-7, SUP-8) -------------------------------------------------------------


def inspecting_unit_codes() -> tuple[str, ...]:
    return tuple(getattr(settings, "WUQUAN_INSPECTING_UNITS", INSPECTING_UNITS_DEFAULT))


@transaction.atomic
def do_create_inspection_round(
    supervising_unit: Unit,
    title: str,
    due: date,
    scope: str = "",
    subject: tuple[str, str] | None = None,
    *,
    actor,
    at: datetime | None = None,
) -> InspectionRound:
    """The commission sets a supervising unit a round of inspection due by `due` (SUP-8)."""
    _require_commission(actor)
    if supervising_unit.code not in inspecting_unit_codes():
        raise InvalidInput(
            _("巡查任务只能布置给发改、财政、审计等监管部门。"), field="supervising_unit"
        )
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("请填写巡查任务名称。"), field="title")
    if due is None:
        raise InvalidInput(_("请填写完成期限。"), field="due")
    rnd = InspectionRound.objects.create(
        supervising_unit=supervising_unit,
        title=title[:200],
        scope=scope or "",
        due=due,
        subject_type=subject[0] if subject else "",
        subject_id=str(subject[1]) if subject else "",
        created_by=describe_actor(actor),
        created_at=_now(at),
    )
    record(
        actor,
        "supervision.inspection_round.created",
        rnd,
        {"unit": supervising_unit.code, "title": rnd.title, "due": due.isoformat()},
        at=rnd.created_at,
    )
    notify.notify(
        notify.unit_users(supervising_unit),
        _("巡查任务：%(t)s") % {"t": rnd.title},
        _("请于 %(due)s 前报送检查记录。") % {"due": due},
        "",
    )
    return rnd


@transaction.atomic
def do_file_inspection(
    unit: Unit,
    kind: str,
    findings: str,
    round: InspectionRound | None = None,
    subject: tuple[str, str] | None = None,
    attachment=None,
    *,
    actor,
    at: datetime | None = None,
) -> InspectionRecord:
    """发改, 财政, 审计 upload an inspection record or problem-handling report (附件6 三(三)
    第三步; SUP-7). Only staff of the filing unit may file for it."""
    if unit.code not in inspecting_unit_codes():
        raise InvalidInput(_("检查记录由发改、财政、审计等监管部门报送。"), field="unit")
    if not (getattr(actor, "is_superuser", False) or holds_post_in(actor, unit)):
        raise NotPermitted(_("只有本单位工作人员可以报送检查记录。"))
    if kind not in InspectionKind.values:
        raise InvalidInput(_("请选择类别。"), field="kind")
    findings = (findings or "").strip()
    if not findings:
        raise InvalidInput(_("请填写检查发现。"), field="findings")
    if round is not None and round.supervising_unit_id != unit.pk:
        raise RuleViolation(_("该巡查任务不是布置给本单位的。"))
    rec = InspectionRecord.objects.create(
        unit=unit,
        round=round,
        kind=kind,
        findings=findings,
        subject_type=subject[0] if subject else (round.subject_type if round else ""),
        subject_id=str(subject[1]) if subject else (round.subject_id if round else ""),
        attachment=attachment or "",
        filed_by=describe_actor(actor),
        filed_at=_now(at),
    )
    record(
        actor,
        "supervision.inspection.filed",
        rec,
        {
            "unit": unit.code,
            "kind": kind,
            "round": round.pk if round else None,
            "subject": [rec.subject_type, rec.subject_id],
            "attachment": rec.attachment.name if rec.attachment else "",
        },
        at=rec.filed_at,
    )
    return rec


@transaction.atomic
def do_mark_read(user, notification_ids) -> int:
    from .models import Notification

    return Notification.objects.filter(
        user=user, pk__in=notification_ids, read_at__isnull=True
    ).update(read_at=timezone.now())

"""Writes of the working-day calendar (APR-2): load a year's official schedule (recomputing
the open deadlines that read that year), and track deadlines for other apps.

Tracking a deadline is bookkeeping for the owning app (which records its own event, e.g. the
case's acceptance); loading a schedule and each deadline it moves are recorded in the ledger.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.ledger import record
from wuquan.ledger.services import describe_subject

from . import provisional
from .calendar import Deadline, compute_deadline, local_day
from .layers import FIRST_YEAR
from .models import Notice, OfficialSchedule, ScheduleDay, TrackedDeadline
from .signals import deadline_moved

# --- tracked deadlines ---------------------------------------------------------------------


def _iso(moment: Any) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        if timezone.is_naive(moment):
            raise InvalidInput(_("时刻必须带时区（%(v)s）") % {"v": moment.isoformat()})
        return moment.isoformat()
    if isinstance(moment, date):
        return moment.isoformat()
    local_day(moment)  # validates the string
    return str(moment)


def _years_field(years: Iterable[int]) -> str:
    ys = sorted(years)
    return "," + ",".join(str(y) for y in ys) + "," if ys else ""


def _apply(deadline: TrackedDeadline, result: Deadline) -> None:
    deadline.due = result.due
    deadline.provisional = result.provisional
    deadline.layer = ",".join(sorted(result.layers))
    deadline.years = _years_field(result.years)
    deadline.provisional_years = _years_field(result.provisional_years)


def _compute(deadline: TrackedDeadline) -> Deadline:
    return compute_deadline(deadline.start, deadline.working_days, deadline.suspensions)


def track_deadline(
    subject: Any,
    purpose: str,
    start: datetime,
    working_days: int,
    suspensions: Iterable = (),
    owner=None,
) -> TrackedDeadline:
    """Start tracking a deadline of `working_days` working days from `start` for `subject`
    (a model instance or a (type, id) pair); computed now, recomputed when a schedule for a
    year it reads is loaded (APR-2)."""
    if not isinstance(start, datetime) or timezone.is_naive(start):
        raise InvalidInput(_("起算时刻必须是带时区的时间"), field="start")
    subject_type, subject_id = describe_subject(subject)
    if not subject_type:
        raise InvalidInput(_("必须指明时限所属的对象"), field="subject")
    susp = [[_iso(a), _iso(b)] for a, b in suspensions]
    deadline = TrackedDeadline(
        subject_type=subject_type,
        subject_id=subject_id,
        purpose=purpose,
        start=start,
        working_days=working_days,
        suspensions=susp,
        owner=owner,
    )
    _apply(deadline, _compute(deadline))
    deadline.save()
    return deadline


def suspend_deadline(deadline: TrackedDeadline, at: datetime) -> TrackedDeadline:
    """Stop the clock at `at` (补正: materials requested)."""
    if deadline.closed:
        raise RuleViolation(_("时限已结束，不能暂停"))
    if deadline.suspended:
        raise RuleViolation(_("时限已在暂停中"))
    deadline.suspensions = [*deadline.suspensions, [_iso(at), None]]
    _apply(deadline, _compute(deadline))
    deadline.save()
    return deadline


def resume_deadline(deadline: TrackedDeadline, at: datetime) -> TrackedDeadline:
    """Restart the clock at `at` (补正 materials received); the deadline is recomputed."""
    if not deadline.suspended:
        raise RuleViolation(_("时限没有暂停，不能恢复计时"))
    susp = [list(p) for p in deadline.suspensions]
    start = susp[-1][0]
    if local_day(at) < local_day(start):
        raise InvalidInput(_("恢复计时早于暂停时刻"), field="at")
    susp[-1][1] = _iso(at)
    deadline.suspensions = susp
    _apply(deadline, _compute(deadline))
    deadline.save()
    return deadline


def close_deadline(deadline: TrackedDeadline, at: datetime | None = None) -> TrackedDeadline:
    """The subject finished (or was withdrawn): the deadline is no longer recomputed."""
    deadline.closed = True
    deadline.closed_at = at or timezone.now()
    deadline.save(update_fields=["closed", "closed_at"])
    return deadline


# --- official schedules --------------------------------------------------------------------


@dataclass
class LoadResult:
    schedule: OfficialSchedule
    moved: list[tuple[TrackedDeadline, date | None, date | None]] = field(default_factory=list)
    recomputed: int = 0


def parse_days_csv(text: str) -> list[tuple[str, str, str]]:
    """`day,kind,name` rows (a header row is allowed) from a CSV text."""
    rows = []
    for i, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip():
            continue
        if i == 1 and row[0].strip().lower() in ("day", "date", "日期"):
            continue
        if len(row) < 2:
            raise InvalidInput(_("第 %(i)d 行应为：日期,类别,节日") % {"i": i})
        rows.append((row[0].strip(), row[1].strip(), row[2].strip() if len(row) > 2 else ""))
    return rows


_KIND_ALIASES = {
    "holiday": ScheduleDay.Kind.HOLIDAY,
    "放假": ScheduleDay.Kind.HOLIDAY,
    "makeup_workday": ScheduleDay.Kind.MAKEUP_WORKDAY,
    "makeup": ScheduleDay.Kind.MAKEUP_WORKDAY,
    "上班": ScheduleDay.Kind.MAKEUP_WORKDAY,
    "调休上班": ScheduleDay.Kind.MAKEUP_WORKDAY,
}


def _clean_days(year: int, days: Iterable) -> list[tuple[date, str, str]]:
    out: dict[date, tuple[date, str, str]] = {}
    for item in days:
        if isinstance(item, dict):
            raw_day, raw_kind, name = item.get("day"), item.get("kind"), item.get("name", "")
        else:
            raw_day, raw_kind, *rest = item
            name = rest[0] if rest else ""
        try:
            day = raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day))
        except ValueError as exc:
            raise InvalidInput(_("日期格式无效：%(v)s") % {"v": raw_day}, field="days") from exc
        kind = _KIND_ALIASES.get(str(raw_kind).strip())
        if kind is None:
            raise InvalidInput(
                _("%(d)s 的类别无效：%(k)s（应为 holiday 或 makeup_workday）")
                % {"d": day, "k": raw_kind},
                field="days",
            )
        if day.year != year:
            raise InvalidInput(
                _("%(d)s 不在 %(y)d 年内（每年的安排单独载入）") % {"d": day, "y": year},
                field="days",
            )
        if kind == ScheduleDay.Kind.MAKEUP_WORKDAY and day.weekday() < 5:
            raise InvalidInput(_("%(d)s 是工作日，不能登记为调休上班日") % {"d": day}, field="days")
        if day in out:
            raise InvalidInput(_("%(d)s 重复登记") % {"d": day}, field="days")
        out[day] = (day, kind, str(name or "")[:60])
    if not any(k == ScheduleDay.Kind.HOLIDAY for _d, k, _n in out.values()):
        raise InvalidInput(_("安排中没有任何放假日"), field="days")
    return sorted(out.values())


@transaction.atomic
def do_load_official_schedule(
    year: int,
    notice_number: str,
    notice_date: date | str,
    days: Iterable,
    *,
    actor: Any,
    at: datetime | None = None,
) -> LoadResult:
    """Load (or replace) the State Council's holiday schedule for `year` — layer 1 (APR-2 B).

    `days`: (day, kind, name) triples or dicts; kind `holiday` or `makeup_workday`. Records
    `workdays.schedule.loaded`, then recomputes every open tracked deadline that read `year`
    (those resting on the provisional calendar among them); each one whose due day or standing
    changed is recorded as `workdays.deadline.recomputed` (old and new, cause: the notice),
    `deadline_moved` is sent when the due day moved, and its owner gets a notice.
    """
    now = at or timezone.now()
    if not isinstance(year, int) or not FIRST_YEAR <= year <= provisional.LAST_YEAR:
        raise InvalidInput(
            _("年度应在 %(a)d–%(b)d 之间") % {"a": FIRST_YEAR, "b": provisional.LAST_YEAR},
            field="year",
        )
    notice_number = (notice_number or "").strip()
    if not notice_number:
        raise InvalidInput(_("必须填写通知文号"), field="notice_number")
    try:
        notice_day = (
            notice_date if isinstance(notice_date, date) else date.fromisoformat(str(notice_date))
        )
    except ValueError as exc:
        raise InvalidInput(_("通知日期格式无效"), field="notice_date") from exc
    cleaned = _clean_days(year, days)

    schedule = OfficialSchedule.objects.select_for_update().filter(year=year).first()
    replaced = None
    if schedule is None:
        schedule = OfficialSchedule(year=year)
    else:
        replaced = schedule.notice_number
        schedule.days.all().delete()
    schedule.notice_number = notice_number
    schedule.notice_date = notice_day
    schedule.loaded_by = _actor_label(actor)
    schedule.loaded_at = now
    schedule.save()
    ScheduleDay.objects.bulk_create(
        ScheduleDay(schedule=schedule, day=d, kind=k, name=n) for d, k, n in cleaned
    )
    # bulk_create sends no post_save: drop the cache explicitly.
    from .signals import schedule_written

    schedule_written(OfficialSchedule, instance=schedule)
    cause = {"year": year, "notice_number": notice_number, "notice_date": notice_day.isoformat()}
    record(
        actor,
        "workdays.schedule.loaded",
        schedule,
        {
            **cause,
            "holidays": sum(1 for _d, k, _n in cleaned if k == ScheduleDay.Kind.HOLIDAY),
            "makeup_workdays": sum(
                1 for _d, k, _n in cleaned if k == ScheduleDay.Kind.MAKEUP_WORKDAY
            ),
            "replaced": replaced,
        },
        at=now,
    )
    result = LoadResult(schedule)
    for deadline in TrackedDeadline.objects.select_for_update().filter(
        closed=False, years__contains=f",{year},"
    ):
        result.recomputed += 1
        old = (deadline.due, deadline.layer, deadline.provisional)
        _apply(deadline, _compute(deadline))
        new = (deadline.due, deadline.layer, deadline.provisional)
        deadline.save()
        if old == new:
            continue
        record(
            actor,
            "workdays.deadline.recomputed",
            deadline,
            {
                "subject": [deadline.subject_type, deadline.subject_id],
                "purpose": deadline.purpose,
                "old_due": old[0].isoformat() if old[0] else None,
                "new_due": deadline.due.isoformat() if deadline.due else None,
                "old_layers": old[1],
                "new_layers": deadline.layer,
                "old_provisional": old[2],
                "new_provisional": deadline.provisional,
                "cause": cause,
            },
            at=now,
        )
        if old[0] != deadline.due:
            result.moved.append((deadline, old[0], deadline.due))
            deadline_moved.send(
                sender=TrackedDeadline, deadline=deadline, old_due=old[0], new_due=deadline.due
            )
        if deadline.owner_id:
            Notice.objects.create(
                recipient_id=deadline.owner_id,
                deadline=deadline,
                created_at=now,
                text=_notice_text(deadline, old[0], cause),
            )
    Notice.objects.create(
        recipient=None,
        created_at=now,
        text=_(
            "%(year)d 年节假日安排（%(notice)s）已载入：重算 %(n)d 个未结时限，其中 %(m)d 个截止日变动"
        )
        % {"year": year, "notice": notice_number, "n": result.recomputed, "m": len(result.moved)},
    )
    return result


def _notice_text(deadline: TrackedDeadline, old_due: date | None, cause: dict) -> str:
    return _("%(subject)s（%(purpose)s）的截止日按 %(notice)s 重算：%(old)s → %(new)s%(prov)s") % {
        "subject": f"{deadline.subject_type}:{deadline.subject_id}",
        "purpose": deadline.purpose,
        "notice": cause["notice_number"],
        "old": old_due or "—",
        "new": deadline.due or "—",
        "prov": _("（仍含临时日历）") if deadline.provisional else "",
    }


def _actor_label(actor: Any) -> str:
    from wuquan.ledger.services import describe_actor

    return describe_actor(actor)[:120]


def mark_notices_read(user, at: datetime | None = None) -> int:
    """Mark `user`'s unread notices read (for an administrator, the shared ones too)."""
    from django.db.models import Q

    from .selectors import is_calendar_admin

    cond = Q(recipient=user)
    if is_calendar_admin(user):
        cond |= Q(recipient__isnull=True)
    return Notice.objects.filter(cond, read_at__isnull=True).update(read_at=at or timezone.now())

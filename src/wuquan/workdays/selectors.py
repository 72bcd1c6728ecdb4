"""Reads of the working-day calendar (APR-2): deadlines for worklists, the years overview,
notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from wuquan.ledger.services import describe_subject
from wuquan.org import roles

from . import layers
from .models import Notice, OfficialSchedule, TrackedDeadline


def is_calendar_admin(user) -> bool:
    """Superuser or role 系统管理员: who loads schedules and sees the APR-2 B warning."""
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.groups.filter(name=roles.ADMIN).exists())
    )


def deadlines_for(subject: Any, open_only: bool = False) -> QuerySet[TrackedDeadline]:
    """The tracked deadlines of one subject (model instance or (type, id)), newest first."""
    subject_type, subject_id = describe_subject(subject)
    qs = TrackedDeadline.objects.filter(subject_type=subject_type, subject_id=subject_id)
    if open_only:
        qs = qs.filter(closed=False)
    return qs.order_by("-created_at", "-id")


def open_deadlines(
    subject_type: str | None = None,
    due_before: date | None = None,
    provisional: bool | None = None,
) -> QuerySet[TrackedDeadline]:
    """Open tracked deadlines (for worklists and sweeps), soonest first; each carries its
    `provisional` mark and `layer`."""
    qs = TrackedDeadline.objects.filter(closed=False)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    if due_before:
        qs = qs.filter(due__lt=due_before)
    if provisional is not None:
        qs = qs.filter(provisional=provisional)
    return qs.order_by("due", "id")


def has_official_schedule(year: int) -> bool:
    return layers.has_official_schedule(year)


@dataclass
class YearRow:
    year: int
    layer: str | None
    label: str
    source: str
    schedule: OfficialSchedule | None
    holidays: int
    makeup_workdays: int
    open_provisional: int


def calendar_years(as_of: date, before: int = 1, after: int = 2) -> list[YearRow]:
    """Each year around `as_of` with the layer that answers for it and its source."""
    rows = []
    schedules = {s.year: s for s in OfficialSchedule.objects.all()}
    for year in range(as_of.year - before, as_of.year + after + 1):
        try:
            cal = layers.year_calendar(year)
        except layers.CalendarUnknown:
            cal = None
        rows.append(
            YearRow(
                year=year,
                layer=cal.layer if cal else None,
                label=layers.LAYER_LABELS.get(cal.layer, "") if cal else "",
                source=cal.source if cal else "",
                schedule=schedules.get(year),
                holidays=len(cal.holidays) if cal else 0,
                makeup_workdays=len(cal.makeup_workdays) if cal else 0,
                open_provisional=TrackedDeadline.objects.filter(
                    closed=False, provisional_years__contains=f",{year},"
                ).count(),
            )
        )
    return rows


def unread_notices(user, limit: int = 10) -> list[Notice]:
    """Unread notices for `user`; administrators also see the notices meant for all admins."""
    if not user.is_authenticated:
        return []
    cond = Q(recipient=user)
    if is_calendar_admin(user):
        cond |= Q(recipient__isnull=True)
    return list(Notice.objects.filter(cond, read_at__isnull=True)[:limit])

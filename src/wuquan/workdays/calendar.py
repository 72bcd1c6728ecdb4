"""The working-day calendar and deadline arithmetic (APR-2), over the layers of `layers.py`.

Stable contract other apps rely on: `is_working_day(day) -> bool`,
`last_working_day_before(day) -> date`, `add_working_days(start, n) -> date`, and
`CalendarUnknown` (a day no layer knows: we never guess). The richer functions say which
layer an answer rests on: `compute_deadline(...) -> Deadline`,
`count_working_days(...) -> WorkingDayCount`, `day_info(day) -> DayInfo`.

Moment semantics (docs/workdays.md): the day of the starting moment is never counted,
whatever the hour; working day 1 is the first working day after it; a deadline of N working
days is the END of the Nth such day (Asia/Shanghai). A suspension [from, to] (补正) stops the
clock: the working days after the day of `from`, up to and including the day of `to`, do not
count (the day work resumes is treated like an acceptance day).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput

from .layers import PROVISIONAL, CalendarUnknown, YearCalendar, year_calendar

__all__ = [
    "CalendarUnknown",
    "DayInfo",
    "Deadline",
    "WorkingDayCount",
    "add_working_days",
    "compute_deadline",
    "count_working_days",
    "day_info",
    "is_working_day",
    "last_working_day_before",
    "local_day",
]

Moment = date | datetime
Suspension = tuple[Moment | str, Moment | str | None] | Sequence


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: Moment | str) -> date:
    """The calendar day (Asia/Shanghai) of a date, an aware datetime or an ISO string."""
    if isinstance(moment, str):
        try:
            moment = (
                datetime.fromisoformat(moment)
                if "T" in moment or " " in moment
                else date.fromisoformat(moment)
            )
        except ValueError as exc:
            raise InvalidInput(_("时刻格式无效：%(v)s") % {"v": moment}) from exc
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise InvalidInput(_("时刻必须带时区（%(v)s）") % {"v": moment.isoformat()})
        return moment.astimezone(_tz()).date()
    if isinstance(moment, date):
        return moment
    raise InvalidInput(_("无法识别的时刻：%(v)r") % {"v": moment})


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    layer: str
    name: str  # festival name for holidays/makeup days, "" otherwise

    @property
    def provisional(self) -> bool:
        return self.layer == PROVISIONAL


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and what it rests on (APR-2).

    `due` is the last day (None while a suspension is still open); `layers` the calendar
    layers of every day the computation read; `provisional` is True when any of those days
    came from the provisional calendar.
    """

    due: date | None
    layers: frozenset[str]
    provisional: bool
    years: frozenset[int] = frozenset()
    provisional_years: frozenset[int] = frozenset()
    suspended_days: int = 0  # working days not counted because of suspensions

    @property
    def due_end(self) -> datetime | None:
        """The moment the deadline passes: 24:00 of `due`, Asia/Shanghai."""
        if self.due is None:
            return None
        return datetime.combine(self.due + timedelta(days=1), time.min, tzinfo=_tz())

    def is_overdue(self, as_of: datetime) -> bool:
        return self.due_end is not None and as_of >= self.due_end


@dataclass(frozen=True)
class WorkingDayCount:
    days: int
    layers: frozenset[str]
    provisional: bool
    years: frozenset[int] = frozenset()
    suspended_days: int = 0


class _Walker:
    """Reads days through the per-year cache and remembers which layers were touched."""

    def __init__(self):
        self.years: dict[int, YearCalendar] = {}

    def cal(self, day: date) -> YearCalendar:
        cal = self.years.get(day.year)
        if cal is None:
            cal = self.years[day.year] = year_calendar(day.year)
        return cal

    def working(self, day: date) -> bool:
        return self.cal(day).is_working_day(day)

    @property
    def layers(self) -> frozenset[str]:
        return frozenset(c.layer for c in self.years.values())

    @property
    def provisional_years(self) -> frozenset[int]:
        return frozenset(y for y, c in self.years.items() if c.provisional)


def _intervals(suspensions: Iterable[Suspension]) -> tuple[list[tuple[date, date]], bool]:
    """Suspensions as (first excluded day, last excluded day) pairs; flag if one is open."""
    out, open_ = [], False
    for item in suspensions or ():
        try:
            start, end = item
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("暂停计时区间应为 [开始, 结束]")) from exc
        a = local_day(start)
        if end is None:
            open_ = True
            out.append((a + timedelta(days=1), date.max))
            continue
        b = local_day(end)
        if b < a:
            raise InvalidInput(_("暂停计时区间的结束早于开始（%(a)s – %(b)s）") % {"a": a, "b": b})
        if b > a:
            out.append((a + timedelta(days=1), b))
    return out, open_


def _excluded(day: date, intervals: list[tuple[date, date]]) -> bool:
    return any(a <= day <= b for a, b in intervals)


def compute_deadline(
    start: Moment | str, working_days: int, suspensions: Iterable[Suspension] = ()
) -> Deadline:
    """The end of the `working_days`-th working day after the day of `start`, with the
    working days inside `suspensions` not counted (APR-2; 附件3 第一, 附件11 二(三)).

    0 working days means the end of the starting day (即办). An open suspension (to = None)
    leaves the deadline undetermined (`due=None`) until the clock restarts.
    """
    if not isinstance(working_days, int) or isinstance(working_days, bool) or working_days < 0:
        raise InvalidInput(_("工作日数必须是非负整数"), field="working_days")
    walker = _Walker()
    day = local_day(start)
    intervals, open_ = _intervals(suspensions)
    if working_days == 0:
        walker.cal(day)
        return _deadline(day, walker, 0)
    if open_:
        return Deadline(None, frozenset(), False)
    left, skipped = working_days, 0
    while left:
        day += timedelta(days=1)
        if walker.working(day):
            if _excluded(day, intervals):
                skipped += 1
            else:
                left -= 1
    return _deadline(day, walker, skipped)


def _deadline(due: date, walker: _Walker, skipped: int) -> Deadline:
    prov = walker.provisional_years
    return Deadline(due, walker.layers, bool(prov), frozenset(walker.years), prov, skipped)


def count_working_days(
    start: Moment | str, end: Moment | str, suspensions: Iterable[Suspension] = ()
) -> WorkingDayCount:
    """Working days elapsed from `start` to `end`: those after the day of `start` up to and
    including the day of `end`, less those inside suspensions (the inverse of
    `compute_deadline`: count(start, compute_deadline(start, n).due) == n)."""
    walker = _Walker()
    first, last = local_day(start), local_day(end)
    intervals, _open = _intervals(suspensions)
    n = skipped = 0
    day = first + timedelta(days=1)
    while day <= last:
        if walker.working(day):
            if _excluded(day, intervals):
                skipped += 1
            else:
                n += 1
        day += timedelta(days=1)
    prov = walker.provisional_years
    return WorkingDayCount(n, walker.layers, bool(prov), frozenset(walker.years), skipped)


def day_info(day: Moment | str) -> DayInfo:
    d = local_day(day)
    cal = year_calendar(d.year)
    return DayInfo(d, cal.is_working_day(d), cal.layer, cal.names.get(d, ""))


# --- the stable contract -------------------------------------------------------------------


def is_working_day(day: Moment) -> bool:
    """Is `day` a working day (official schedule, else package, else provisional)?"""
    d = local_day(day)
    return year_calendar(d.year).is_working_day(d)


def last_working_day_before(day: Moment) -> date:
    d = local_day(day) - timedelta(days=1)
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def add_working_days(start: Moment, n: int) -> date:
    """The Nth working day after the day of `start` (see `compute_deadline` for the layers);
    n <= 0 gives the starting day itself, as before."""
    if n <= 0:
        return local_day(start)
    return compute_deadline(start, n).due

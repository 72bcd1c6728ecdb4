"""Which calendar layer answers for a year, and the per-year cache (APR-2).

Three layers, most authoritative first:

1. ``official``    — the schedule an administrator loaded from the State Council notice
                     (`OfficialSchedule` + `ScheduleDay`);
2. ``package``     — the `chinesecalendar` package (official holidays and 调休, 2004–its last
                     year);
3. ``provisional`` — the statutory holidays of the 2024 rules computed from the lunar calendar
                     (`provisional.py`), weekends as rest days, no 调休.

A year no layer knows raises `CalendarUnknown`. Each year is built once into a `YearCalendar`
(two small sets) and cached per process; the cache is dropped when a schedule is written in
this process, and other processes notice within `REVALIDATE_SECONDS` through a one-row
fingerprint of the official tables (never one query per day).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date

import chinese_calendar
from chinese_calendar import constants as cc_constants
from django.utils.translation import gettext as _

from wuquan.common.exceptions import DomainError

from . import provisional

OFFICIAL = "official"
PACKAGE = "package"
PROVISIONAL = "provisional"
LAYER_ORDER = (OFFICIAL, PACKAGE, PROVISIONAL)
LAYER_LABELS = {
    OFFICIAL: "国务院办公厅通知（管理员载入）",
    PACKAGE: "chinesecalendar 软件包（官方安排）",
    PROVISIONAL: "临时日历（按法定节日推算，未含调休）",
}

# The oldest year any layer may answer: chinesecalendar's first year.
FIRST_YEAR = 2004
REVALIDATE_SECONDS = 2.0

_PACKAGE_NAMES = {
    "New Year's Day": provisional.NEW_YEAR,
    "Spring Festival": provisional.SPRING,
    "Tomb-sweeping Day": provisional.TOMB_SWEEPING,
    "Labour Day": provisional.LABOUR,
    "Dragon Boat Festival": provisional.DRAGON_BOAT,
    "National Day": provisional.NATIONAL,
    "Mid-autumn Festival": provisional.MID_AUTUMN,
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class CalendarUnknown(DomainError, LookupError):
    """No calendar layer knows this day: we never guess (APR-2). A domain error, so pages
    show its message and the API answers 409."""

    status_code = 409

    def __init__(self, message, *, year: int | None = None):
        super().__init__(message, code="CalendarUnknown")
        self.year = year


@dataclass(frozen=True)
class YearCalendar:
    """One year's rest/work exceptions from one layer: weekends rest unless a makeup day."""

    year: int
    layer: str
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    names: dict[date, str] = field(default_factory=dict, compare=False)
    source: str = ""  # e.g. the notice number

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    @property
    def provisional(self) -> bool:
        return self.layer == PROVISIONAL


def package_years() -> tuple[int, int]:
    return min(cc_constants.holidays).year, max(cc_constants.holidays).year


def _package_year(year: int) -> YearCalendar | None:
    first, last = package_years()
    if not first <= year <= last:
        return None
    hol = {d: n for d, n in cc_constants.holidays.items() if d.year == year}
    work = {d: n for d, n in cc_constants.workdays.items() if d.year == year}
    names = {d: _PACKAGE_NAMES.get(str(n), str(n)) for d, n in {**hol, **work}.items()}
    return YearCalendar(
        year,
        PACKAGE,
        frozenset(hol),
        frozenset(work),
        names,
        source=f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip(),
    )


def _provisional_year(year: int) -> YearCalendar | None:
    if not provisional.FIRST_YEAR <= year <= provisional.LAST_YEAR:
        return None
    days = provisional.statutory_holidays(year)
    return YearCalendar(year, PROVISIONAL, frozenset(days), frozenset(), days, source="")


def _official_year(year: int) -> YearCalendar | None:
    from .models import OfficialSchedule, ScheduleDay

    schedule = OfficialSchedule.objects.filter(year=year).first()
    if schedule is None:
        return None
    hol, work, names = set(), set(), {}
    for day, kind, name in ScheduleDay.objects.filter(schedule=schedule).values_list(
        "day", "kind", "name"
    ):
        (work if kind == ScheduleDay.Kind.MAKEUP_WORKDAY else hol).add(day)
        names[day] = name
    return YearCalendar(
        year, OFFICIAL, frozenset(hol), frozenset(work), names, source=schedule.notice_number
    )


def _unknown(year: int) -> CalendarUnknown:
    if year < FIRST_YEAR:
        msg = _(
            "%(year)d 年早于工作日历的最早年份（%(first)d 年），没有该年的法定节假日安排，无法计算工作日"
        ) % {"year": year, "first": FIRST_YEAR}
    else:
        msg = _(
            "%(year)d 年的法定节假日安排尚未载入，且超出农历推算范围（至 %(last)d 年），无法计算工作日"
        ) % {"year": year, "last": provisional.LAST_YEAR}
    return CalendarUnknown(msg, year=year)


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.years: dict[int, YearCalendar] = {}
        self.fingerprint: tuple | None = None
        self.checked_at = 0.0
        # why: set when a schedule is written inside a transaction that has not committed;
        # a rollback would leave a cached year that no longer exists, so until the commit
        # every call re-checks the fingerprint.
        self.force_check = False


_cache = _Cache()


def _fingerprint() -> tuple:
    from django.db.models import Count, Max

    from .models import OfficialSchedule

    agg = OfficialSchedule.objects.aggregate(n=Count("id"), m=Max("updated_at"), i=Max("id"))
    return (agg["n"], agg["m"], agg["i"])


def _revalidate() -> None:
    now = time.monotonic()
    if not _cache.force_check and now - _cache.checked_at < REVALIDATE_SECONDS:
        return
    fp = _fingerprint()
    with _cache.lock:
        if fp != _cache.fingerprint:
            _cache.years = {}
            _cache.fingerprint = fp
        _cache.checked_at = now


def invalidate(in_transaction: bool = False) -> None:
    """Drop every cached year (called when a schedule is written)."""
    with _cache.lock:
        _cache.years = {}
        _cache.fingerprint = None
        _cache.checked_at = 0.0
        if in_transaction:
            _cache.force_check = True


def transaction_committed() -> None:
    with _cache.lock:
        _cache.force_check = False
        _cache.years = {}
        _cache.fingerprint = None


def year_calendar(year: int) -> YearCalendar:
    """The most authoritative layer that knows `year`, or CalendarUnknown (APR-2)."""
    _revalidate()
    cal = _cache.years.get(year)
    if cal is not None:
        return cal
    cal = _official_year(year) or _package_year(year) or _provisional_year(year)
    if cal is None:
        raise _unknown(year)
    with _cache.lock:
        _cache.years[year] = cal
    return cal


def layer_of_year(year: int) -> str | None:
    """The layer that answers for `year`, or None when no layer knows it."""
    try:
        return year_calendar(year).layer
    except CalendarUnknown:
        return None


def has_official_schedule(year: int) -> bool:
    """Layer 1 or the package knows `year` (the warning of APR-2 B looks at this)."""
    return layer_of_year(year) in (OFFICIAL, PACKAGE)

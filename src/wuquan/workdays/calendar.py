"""The working-day calendar (APR-2). Initial layer: the `chinesecalendar` package.

Contract other apps rely on (kept stable while the layered calendar grows underneath):
`is_working_day(day) -> bool`, `last_working_day_before(day) -> date`,
`add_working_days(start, n) -> date`. A day no layer knows raises CalendarUnknown.
"""

from datetime import date, timedelta

import chinese_calendar


class CalendarUnknown(LookupError):
    """No calendar layer knows this day: we never guess (APR-2)."""


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        raise CalendarUnknown(f"{day.year} 年的法定节假日安排尚未载入，无法计算工作日") from exc


def last_working_day_before(day: date) -> date:
    d = day - timedelta(days=1)
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def add_working_days(start: date, n: int) -> date:
    d, left = start, n
    while left > 0:
        d += timedelta(days=1)
        if is_working_day(d):
            left -= 1
    return d

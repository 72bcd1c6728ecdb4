"""APR-2 A: working days, deadlines, counting and suspensions over the layered calendar."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuquan.common.exceptions import InvalidInput
from wuquan.workdays import calendar as wd
from wuquan.workdays.calendar import CalendarUnknown
from wuquan.workdays.layers import PACKAGE, PROVISIONAL

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=15, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=TZ)


def test_apr2_national_day_week_2025_with_makeup_saturdays():
    assert wd.is_working_day(date(2025, 9, 28))  # Sunday, 调休上班
    assert wd.is_working_day(date(2025, 10, 11))  # Saturday, 调休上班
    for d in range(1, 9):
        assert not wd.is_working_day(date(2025, 10, d))
    assert wd.is_working_day(date(2025, 10, 9))
    info = wd.day_info(date(2025, 10, 6))
    assert (info.working, info.layer, info.name) == (False, PACKAGE, "中秋节")


def test_apr2_deadline_across_national_day_2025():
    # Accepted Fri 2025-09-26 15:00; day 1 = Sun 9-28 (makeup), 2 = Mon 9-29, 3 = Tue 9-30,
    # then 10-1..10-8 off, 4 = Thu 10-9, 5 = Fri 10-10.
    dl = wd.compute_deadline(at(2025, 9, 26), 5)
    assert dl.due == date(2025, 10, 10)
    assert dl.layers == {PACKAGE} and not dl.provisional


def test_apr2_spring_festival_2026():
    # 2026: 2-14 (Sat) makeup, 2-15..2-23 off, 2-28 (Sat) makeup.
    # Accepted Fri 2-13: 1 = Sat 2-14, 2 = Tue 2-24, 3 = Wed 2-25.
    assert wd.add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 25)
    assert wd.last_working_day_before(date(2026, 2, 24)) == date(2026, 2, 14)
    assert wd.is_working_day(date(2026, 2, 28))


def test_apr2_acceptance_day_is_not_counted_whatever_the_hour():
    # Mon 2025-03-03 at 08:30 or at 17:59: day 1 is Tue 03-04 either way.
    assert wd.compute_deadline(at(2025, 3, 3, 8, 30), 1).due == date(2025, 3, 4)
    assert wd.compute_deadline(at(2025, 3, 3, 17, 59), 1).due == date(2025, 3, 4)
    # accepted on a Saturday (online): day 1 is the Monday
    assert wd.compute_deadline(at(2025, 3, 8), 1).due == date(2025, 3, 10)
    # 0 days (即办): the end of the acceptance day
    dl = wd.compute_deadline(at(2025, 3, 3), 0)
    assert dl.due == date(2025, 3, 3)
    assert dl.due_end == datetime(2025, 3, 4, 0, 0, tzinfo=TZ)
    assert not dl.is_overdue(at(2025, 3, 3, 23, 59)) and dl.is_overdue(at(2025, 3, 4, 0, 0))


def test_apr2_local_day_is_taken_in_shanghai_time():
    # 2025-03-03 17:00 UTC is 2025-03-04 01:00 in Shanghai: the acceptance day is Tuesday.
    utc = datetime(2025, 3, 3, 17, 0, tzinfo=ZoneInfo("UTC"))
    assert wd.compute_deadline(utc, 1).due == date(2025, 3, 5)


def test_apr2_naive_moments_and_negative_days_are_refused():
    with pytest.raises(InvalidInput):
        wd.compute_deadline(datetime(2025, 3, 3, 15, 0), 1)
    with pytest.raises(InvalidInput):
        wd.compute_deadline(at(2025, 3, 3), -1)
    with pytest.raises(InvalidInput):
        wd.compute_deadline(at(2025, 3, 3), 3, [[at(2025, 3, 5), at(2025, 3, 4)]])


def test_apr2_suspension_days_are_not_counted():
    # Accepted Mon 3-3; 补正 requested Wed 3-5, received Mon 3-10: Thu 3-6, Fri 3-7, Mon 3-10
    # do not count. Days: Tue 3-4 (1), Wed 3-5 (2), Tue 3-11 (3), Wed 3-12 (4), Thu 3-13 (5).
    dl = wd.compute_deadline(at(2025, 3, 3), 5, [[at(2025, 3, 5, 10), at(2025, 3, 10, 9)]])
    assert dl.due == date(2025, 3, 13) and dl.suspended_days == 3
    assert wd.compute_deadline(at(2025, 3, 3), 5).due == date(2025, 3, 10)
    # a pause resumed the same day stops nothing
    same = wd.compute_deadline(at(2025, 3, 3), 5, [[at(2025, 3, 5, 9), at(2025, 3, 5, 16)]])
    assert same.due == date(2025, 3, 10)
    # still paused: no due day yet
    assert wd.compute_deadline(at(2025, 3, 3), 5, [[at(2025, 3, 5), None]]).due is None


def test_apr2_count_working_days_reports_layers():
    c = wd.count_working_days(at(2025, 9, 26), at(2025, 10, 10, 9))
    assert c.days == 5 and c.layers == {PACKAGE} and not c.provisional
    c = wd.count_working_days(at(2025, 3, 3), at(2025, 3, 13), [[at(2025, 3, 5), at(2025, 3, 10)]])
    assert (c.days, c.suspended_days) == (5, 3)
    assert wd.count_working_days(at(2025, 3, 3), at(2025, 3, 1)).days == 0


def test_apr2_case_accepted_2026_12_20_gets_a_provisional_deadline_skipping_new_year():
    # Accepted Sun 2026-12-20 15:00, 15 working days. By hand: Mon 12-21 (1) … Fri 12-25 (5),
    # Mon 12-28 (6) … Thu 12-31 (9); Fri 2027-01-01 元旦 (provisional holiday), Sat/Sun;
    # Mon 1-4 (10) … Fri 1-8 (14), Mon 1-11 (15).
    dl = wd.compute_deadline(at(2026, 12, 20), 15)
    assert dl.due == date(2027, 1, 11)
    assert dl.provisional and dl.layers == {PACKAGE, PROVISIONAL}
    assert dl.provisional_years == {2027}
    info = wd.day_info(date(2027, 1, 1))
    assert (info.working, info.layer, info.name) == (False, PROVISIONAL, "元旦")
    # a deadline wholly inside 2026 is not provisional
    assert not wd.compute_deadline(at(2026, 12, 1), 5).provisional


@pytest.mark.parametrize("year", [2003, 1990, 2101])
def test_apr2_a_year_no_layer_knows_is_a_clear_error(year):
    with pytest.raises(CalendarUnknown) as err:
        wd.is_working_day(date(year, 6, 1))
    assert f"{year} 年" in str(err.value) and err.value.year == year
    assert "无法计算工作日" in str(err.value)


def test_apr2_deadline_running_into_an_unknown_year_is_an_error():
    with pytest.raises(CalendarUnknown, match="2101 年"):
        wd.compute_deadline(at(2100, 12, 25), 10)
    with pytest.raises(CalendarUnknown, match="2003 年"):
        wd.last_working_day_before(date(2004, 1, 1))


moments = st.datetimes(
    min_value=datetime(2004, 1, 1), max_value=datetime(2027, 10, 1), timezones=st.just(TZ)
)


@settings(max_examples=150, deadline=None)
@given(start=moments, n=st.integers(min_value=0, max_value=60))
def test_apr2_property_adding_then_counting_returns_n(start, n):
    dl = wd.compute_deadline(start, n)
    assert wd.count_working_days(start, dl.due).days == n
    assert n == 0 or wd.is_working_day(dl.due)
    # and the day before the due day has counted only n - 1
    if n:
        assert wd.count_working_days(start, dl.due - timedelta(days=1)).days == n - 1


@settings(max_examples=150, deadline=None)
@given(
    start=moments,
    n=st.integers(min_value=1, max_value=40),
    pauses=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20)), min_size=1, max_size=3),
)
def test_apr2_property_suspensions_only_push_a_deadline_later(start, n, pauses):
    base = wd.compute_deadline(start, n)
    susp = [[start + timedelta(days=a), start + timedelta(days=a + b)] for a, b in pauses]
    for k in range(1, len(susp) + 1):
        dl = wd.compute_deadline(start, n, susp[:k])
        assert dl.due >= base.due
        # more pauses, never earlier
        if k > 1:
            assert dl.due >= wd.compute_deadline(start, n, susp[: k - 1]).due
        assert wd.count_working_days(start, dl.due, susp[:k]).days == n


def test_apr2_package_years_use_package_layer_and_2027_is_provisional():
    assert wd.day_info(date(2026, 12, 31)).layer == PACKAGE
    assert wd.day_info(date(2027, 3, 1)).layer == PROVISIONAL

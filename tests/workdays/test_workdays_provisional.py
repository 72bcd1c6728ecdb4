"""APR-2 B: the provisional calendar against chinesecalendar's official data (2004–2026)."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from chinese_calendar import constants as cc

from wuquan.workdays import provisional as prov

PACKAGE_NAME = {
    prov.NEW_YEAR: "New Year's Day",
    prov.SPRING: "Spring Festival",
    prov.TOMB_SWEEPING: "Tomb-sweeping Day",
    prov.LABOUR: "Labour Day",
    prov.DRAGON_BOAT: "Dragon Boat Festival",
    prov.MID_AUTUMN: "Mid-autumn Festival",
    prov.NATIONAL: "National Day",
}


def statutory_then(year: int) -> set[date]:
    """The provisional days that were ALSO statutory holidays under the rules in force in
    `year` (《全国年节及纪念日放假办法》 1999, 2007, 2013, 2024 revisions)."""
    days = prov.statutory_holidays(year)
    new_year = prov.lunar_new_year(year)
    eve, d1, d2, d3 = (new_year + timedelta(days=i) for i in (-1, 0, 1, 2))
    if year < 2008:  # 1999 rules: 元旦1, 春节 初一–初三, 劳动 1–3 May, 国庆 1–3 Oct
        keep = {date(year, 1, 1), d1, d2, d3, date(year, 5, 1), date(year, 5, 2)}
        keep |= {date(year, 10, d) for d in (1, 2, 3)}
        return keep & set(days)
    out = set(days)
    out.discard(date(year, 5, 2))  # 2008–2024: 劳动节 1 day
    if year < 2014:
        out.discard(d3)  # 2008–2013: 春节 = 除夕, 初一, 初二
    elif year < 2025:
        out.discard(eve)  # 2014–2024: 春节 = 初一–初三
    if year >= 2025:
        out = set(days)
    return out


@pytest.mark.parametrize("year", range(2004, 2027))
def test_apr2_provisional_statutory_days_are_official_holidays_2004_to_2026(year):
    """Every provisional date that was a statutory festival day under the rules then in force
    is in chinesecalendar's holiday table for that year — or, for a weekend day, is a rest day
    there: the package's table omits some weekend festival days (2012-06-23, 端午 on a
    Saturday, though the notice says "6月22日至24日放假")."""
    missing = sorted(
        d
        for d in statutory_then(year)
        if d not in cc.holidays and not (d.weekday() >= 5 and chinese_calendar.is_holiday(d))
    )
    assert missing == []


def test_apr2_package_table_omits_the_2012_dragon_boat_saturday():
    assert date(2012, 6, 23) not in cc.holidays
    assert chinese_calendar.is_holiday(date(2012, 6, 23))


def test_apr2_provisional_lunar_dates_for_known_years():
    # 2026: 除夕 2-16 (腊月廿九: the 12th month has 29 days), 初一 2-17; 清明 4-5; 端午 6-19;
    # 中秋 9-25. 2025: 除夕 1-28, 初一 1-29; 清明 4-4; 端午 5-31; 中秋 10-6.
    d26 = prov.statutory_holidays(2026)
    assert sorted(d for d, n in d26.items() if n == prov.SPRING) == [
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 18),
        date(2026, 2, 19),
    ]
    assert [d for d, n in d26.items() if n == prov.TOMB_SWEEPING] == [date(2026, 4, 5)]
    assert [d for d, n in d26.items() if n == prov.DRAGON_BOAT] == [date(2026, 6, 19)]
    assert [d for d, n in d26.items() if n == prov.MID_AUTUMN] == [date(2026, 9, 25)]
    d25 = prov.statutory_holidays(2025)
    assert min(d for d, n in d25.items() if n == prov.SPRING) == date(2025, 1, 28)
    assert [d for d, n in d25.items() if n == prov.MID_AUTUMN] == [date(2025, 10, 6)]
    assert len(d25) == len(d26) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3


def test_apr2_new_years_eve_is_the_30th_when_the_12th_month_is_long():
    # 2025-01-28 is 腊月廿九 (short month); 2024-02-09 was 腊月三十 (long month).
    assert prov.lunar_new_year(2025) - timedelta(days=1) == date(2025, 1, 28)
    assert prov.lunar_new_year(2024) - timedelta(days=1) == date(2024, 2, 9)
    # why the 2004–2024 check leaves 除夕 out: under the 2013 rules it was no holiday, and in
    # 2024 the State Council kept it a working day (Friday 2024-02-09).
    assert chinese_calendar.is_workday(date(2024, 2, 9))


@pytest.mark.parametrize("year", [2025, 2026])
def test_apr2_provisional_reproduces_every_2025_2026_statutory_holiday(year):
    """Compared festival by festival with chinesecalendar's holiday weeks:
    - each provisional day is a holiday there, with the same festival (get_holiday_detail);
    - each provisional weekday is a rest day that is not a 调休 day (is_in_lieu False);
    - the rest weekdays of each festival that are not 调休 are exactly the statutory days plus
      one 补假 weekday per statutory day falling on a weekend (办法 第六条): so their number
      equals the number of provisional days, and no statutory day is missing or extra."""
    days = prov.statutory_holidays(year)
    for day, name in days.items():
        on_holiday, detail = chinese_calendar.get_holiday_detail(day)
        assert on_holiday and detail == PACKAGE_NAME[name], (day, name, detail)
        if day.weekday() < 5:
            assert not chinese_calendar.is_in_lieu(day), day
    for name, package_name in PACKAGE_NAME.items():
        block = [d for d, n in cc.holidays.items() if d.year == year and n == package_name]
        rest_weekdays = [d for d in block if d.weekday() < 5 and d not in cc.in_lieu_days]
        statutory = [d for d, n in days.items() if n == name]
        assert len(rest_weekdays) == len(statutory), (name, rest_weekdays, statutory)
    # and every holiday week chinesecalendar shows is a festival the provisional layer knows
    names = {n for d, n in cc.holidays.items() if d.year == year}
    assert names <= set(PACKAGE_NAME.values())


def test_apr2_provisional_days_stay_in_their_year():
    for year in range(2025, 2101):
        days = prov.statutory_holidays(year)
        assert all(d.year == year for d in days), year
        assert 12 <= len(days) <= 13, year  # 13, or 12 when 中秋 falls on 1–3 Oct

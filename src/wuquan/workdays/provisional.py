"""The provisional calendar (APR-2, layer 3): statutory holidays computed from the rules.

《全国年节及纪念日放假办法》 as revised in 2024 (in force from 2025-01-01), article 2: 元旦 1 day
(1 Jan), 春节 4 days (除夕 and 正月初一至初三), 清明节 1 day (the 清明 solar-term day),
劳动节 2 days (1–2 May), 端午节 1 day (五月初五), 中秋节 1 day (八月十五), 国庆节 3 days
(1–3 Oct). Weekends are rest days; no 调休 is guessed (the State Council decides those each
autumn), so a provisional year has holidays and no makeup workdays.

Lunar dates and solar terms come from `lunar-python` (寿星天文历 algorithms).
"""

from __future__ import annotations

from datetime import date, timedelta

from lunar_python import Lunar, Solar

# Festival keys shared by every layer (values are the Chinese names shown to users).
NEW_YEAR = "元旦"
SPRING = "春节"
TOMB_SWEEPING = "清明节"
LABOUR = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL = "国庆节"

# why: published lunar calendars (and the accuracy lunar-python claims for its tables) run to
# 2100; beyond that a lunar date would be a guess, so the provisional layer stops there.
LAST_YEAR = 2100
# The 2024 revision applies from 2025; earlier years are answered by the package (2004–2026).
FIRST_YEAR = 2025


def _solar(s: Solar) -> date:
    return date(s.getYear(), s.getMonth(), s.getDay())


def lunar_new_year(year: int) -> date:
    """正月初一 of the lunar year that begins in Gregorian `year`."""
    return _solar(Lunar.fromYmd(year, 1, 1).getSolar())


def statutory_holidays(year: int) -> dict[date, str]:
    """Every statutory holiday date of `year` under the 2024 rules -> festival name.

    Works for any year lunar-python can compute (tests compare it with chinesecalendar for
    2004–2026); the layer itself serves only FIRST_YEAR..LAST_YEAR.
    """
    days: dict[date, str] = {date(year, 1, 1): NEW_YEAR}
    new_year = lunar_new_year(year)
    # 除夕 is the last day of the 12th lunar month (the 29th or the 30th): the day before 初一.
    for offset in range(-1, 3):
        days[new_year + timedelta(days=offset)] = SPRING
    qingming = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    days[_solar(qingming)] = TOMB_SWEEPING
    days[date(year, 5, 1)] = LABOUR
    days[date(year, 5, 2)] = LABOUR
    days[_solar(Lunar.fromYmd(year, 5, 5).getSolar())] = DRAGON_BOAT
    days[_solar(Lunar.fromYmd(year, 8, 15).getSolar())] = MID_AUTUMN
    for d in (1, 2, 3):
        # why: 中秋 can fall on 1–3 Oct (e.g. 2028-10-03, 2001-10-01); the day is one rest
        # day either way — the State Council then adds a day by 调休, which we never guess.
        days.setdefault(date(year, 10, d), NATIONAL)
    return days

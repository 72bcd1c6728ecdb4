"""Demo data of the working-day calendar (APR-2): the 2025 schedule as an administrator would
have loaded it from 国办发明电〔2024〕12号, so the admin shows a layer-1 example. Its days are
the package's own 2025 data, so no deadline changes. Idempotent: a second run does nothing."""

from chinese_calendar import constants as cc

from .models import OfficialSchedule
from .services import do_load_official_schedule

YEAR = 2025
NOTICE = "国办发明电〔2024〕12号"
NOTICE_DATE = "2024-11-12"
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}


def load(stdout) -> None:
    if OfficialSchedule.objects.filter(year=YEAR).exists():
        return
    days = [
        (d, "holiday", NAMES.get(str(n), str(n))) for d, n in cc.holidays.items() if d.year == YEAR
    ]
    days += [
        (d, "makeup_workday", NAMES.get(str(n), str(n)))
        for d, n in cc.workdays.items()
        if d.year == YEAR
    ]
    do_load_official_schedule(YEAR, NOTICE, NOTICE_DATE, days, actor="demo")
    if stdout is not None:
        stdout.write(f"workdays: {YEAR} 年节假日安排（{NOTICE}）已载入\n")

"""`wuquan load_schedule 2027 --notice "国办发明电〔2026〕X号" --date 2026-11-05 --file days.csv`

Loads a year's State Council holiday schedule (APR-2 layer 1) through the service, so the
ledger entry and the recompute of open deadlines happen. CSV rows: day,kind,name
(kind: holiday | makeup_workday; a header row is allowed).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wuquan.common.exceptions import DomainError
from wuquan.workdays.services import do_load_official_schedule, parse_days_csv


class Command(BaseCommand):
    help = "载入某年国务院办公厅节假日安排（CSV：日期,类别,节日），并重算受影响的未结时限"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--notice", required=True, help="通知文号")
        parser.add_argument("--date", required=True, help="通知日期 YYYY-MM-DD")
        parser.add_argument("--file", required=True, help="CSV 文件：day,kind,name")
        parser.add_argument("--actor", default="cli:load_schedule", help="记入运行记录的操作者")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"找不到文件 {path}")
        try:
            days = parse_days_csv(path.read_text(encoding="utf-8-sig"))
            result = do_load_official_schedule(
                opts["year"], opts["notice"], opts["date"], days, actor=opts["actor"]
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"{opts['year']} 年安排已载入（{result.schedule.notice_number}，"
            f"{result.schedule.days.count()} 天）；重算未结时限 {result.recomputed} 个，"
            f"截止日变动 {len(result.moved)} 个"
        )

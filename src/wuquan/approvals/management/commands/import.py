"""`wuquan import FILE.jsonl` — org, catalog items and historical cases (docs/exchange-format.md).

Every line is validated first; bad lines are listed by number and nothing is imported.
"""

from django.core.management.base import BaseCommand, CommandError

from wuquan.approvals import exchange


class Command(BaseCommand):
    help = "导入 JSON Lines 交换文件（组织、事项、历史办件）；任何一行有误则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--check", action="store_true", help="只校验，不导入")

    def handle(self, *args, **opts):
        try:
            with open(opts["file"], encoding="utf-8") as fh:
                lines = fh.readlines()
        except OSError as exc:
            raise CommandError(f"无法读取 {opts['file']}：{exc}") from exc
        if opts["check"]:
            _objects, report = exchange.validate(lines)
        else:
            report = exchange.import_lines(lines)
        for n, message in report.errors:
            self.stderr.write(f"第 {n} 行：{message}")
        if not report.ok:
            raise CommandError(f"{len(report.errors)} 处错误，未导入任何数据。")
        if opts["check"]:
            self.stdout.write(f"校验通过：{report.lines} 行。")
            return
        summary = "，".join(f"{k} {v}" for k, v in sorted(report.imported.items())) or "无"
        skipped = "，".join(f"{k} {v}" for k, v in sorted(report.skipped.items())) or "无"
        self.stdout.write(f"已导入：{summary}；已存在而跳过：{skipped}。")

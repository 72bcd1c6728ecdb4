"""`wuquan export [FILE.jsonl]` — org, catalog items and cases as JSON Lines (docs/exchange-format.md)."""

import sys

from django.core.management.base import BaseCommand

from wuquan.approvals import exchange


class Command(BaseCommand):
    help = "导出 JSON Lines 交换文件（组织、事项、办件）。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-")
        parser.add_argument("--no-cases", action="store_true")

    def handle(self, *args, **opts):
        out = sys.stdout if opts["file"] == "-" else open(opts["file"], "w", encoding="utf-8")  # noqa: SIM115
        n = 0
        try:
            for obj in exchange.export_lines(cases=not opts["no_cases"]):
                out.write(exchange.dumps(obj) + "\n")
                n += 1
        finally:
            if out is not sys.stdout:
                out.close()
        if opts["file"] != "-":
            self.stdout.write(f"已导出 {n} 行到 {opts['file']}")

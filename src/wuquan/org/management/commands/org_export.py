"""`wuquan org_export FILE.xlsx`: the organisation as a workbook (ORG-1..4; format in
org/excel.py and docs/organisation.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from wuquan.org.excel import export_bytes


class Command(BaseCommand):
    help = "导出单位、岗位、人员、任职到 Excel · export the organisation to an .xlsx file"

    def add_arguments(self, parser):
        parser.add_argument("file", help="目标文件 FILE.xlsx")

    def handle(self, *args, file, **options):
        Path(file).write_bytes(export_bytes())
        self.stdout.write(self.style.SUCCESS(f"已导出到 {file}"))

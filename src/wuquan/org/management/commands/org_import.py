"""`wuquan org_import FILE.xlsx`: all-or-nothing import of units, posts, people and
appointments; every bad row is printed with its sheet, row and field (ORG-1..4)."""

from django.core.management.base import BaseCommand, CommandError

from wuquan.org.excel import ImportFailed, import_workbook


class Command(BaseCommand):
    help = "从 Excel 导入单位、岗位、人员、任职（全部成功才写入） · import the organisation"

    def add_arguments(self, parser):
        parser.add_argument("file", help="源文件 FILE.xlsx")

    def handle(self, *args, file, **options):
        try:
            counts = import_workbook(file, actor=f"import:{file}")
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                "导入完成：新增 {created}，更新 {updated}，未变 {unchanged}".format(**counts)
            )
        )

"""Take down the benefit lists whose year online has run out (PUB-8; 附件16 四), one
`collective.benefit.publication.expired` event each. Run daily (cron or the task runner)."""

from django.core.management.base import BaseCommand

from wuquan.collective.services import do_expire_publications


class Command(BaseCommand):
    help = "撤下网上公示已满一年的补贴名单（每份记录一条运行记录）"

    def handle(self, *args, **options):
        done = do_expire_publications()
        self.stdout.write(f"撤下 {len(done)} 份公示期满的补贴名单。\n")

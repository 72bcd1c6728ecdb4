"""`wuquan checkpoint`: sign the tree head if the log grew, then print the latest checkpoint."""

from django.core.management.base import BaseCommand, CommandError

from wuquan.ledger.services import do_create_checkpoint


class Command(BaseCommand):
    help = "签发运行记录检查点（树增长时）并打印 · sign a checkpoint if the log grew (AUD-2)"

    def handle(self, *args, **options):
        checkpoint, created = do_create_checkpoint()
        if checkpoint is None:
            raise CommandError("运行记录为空，无需签发检查点 · the log is empty")
        if not created:
            self.stderr.write(f"树未增长，沿用大小为 {checkpoint.size} 的检查点")
        self.stdout.write(checkpoint.note, ending="")

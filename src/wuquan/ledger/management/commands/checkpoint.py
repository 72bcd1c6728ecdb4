"""`wuquan checkpoint`: sign the tree head if the log grew, then print the latest checkpoint.

It refuses — exit status 1, the reason on stderr, an alarm for the commission — to sign a
head that does not extend the checkpoint signed before (issue 13, finding 1), and reports
what each configured witness answered (finding 2).
"""

from django.core.management.base import BaseCommand, CommandError

from wuquan.ledger import witnessing
from wuquan.ledger.services import CheckpointRefused, do_create_checkpoint


class Command(BaseCommand):
    help = "签发运行记录检查点（树增长时）并打印 · sign a checkpoint if the log grew (AUD-2)"

    def handle(self, *args, **options):
        try:
            checkpoint, created = do_create_checkpoint()
        except CheckpointRefused as refused:
            raise CommandError(
                f"拒绝签发检查点，已向纪委监委报警 · REFUSED to sign: {refused.message}"
            ) from None
        if checkpoint is None:
            raise CommandError("运行记录为空，无需签发检查点 · the log is empty")
        if not created:
            self.stderr.write(f"树未增长，沿用大小为 {checkpoint.size} 的检查点")
        for cosig in checkpoint.cosignatures.all():
            self.stderr.write(f"见证方 {cosig.witness} 已联署")
        self.stdout.write(witnessing.note_with_cosignatures(checkpoint), ending="")

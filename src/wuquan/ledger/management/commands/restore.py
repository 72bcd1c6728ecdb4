"""`wuquan restore FILE [--force]`: restore a backup; a restore that truncates the log is
refused, and a restored log shorter than what the signer last signed is reported (exit 1)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from wuquan.ledger.backup import BackupError, do_restore


class Command(BaseCommand):
    help = "从备份恢复数据库 · restore the database from a backup (AUD-3)"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore even if the backup's log is shorter than the database's",
        )

    def handle(self, *args, file, force=False, **options):
        try:
            r = do_restore(file, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored log_size={r.size} (before: {r.before})")
        if r.truncated:
            self.stdout.write(
                f"TRUNCATED: the signer last signed a checkpoint of {r.signed_size} events; the "
                f"restored log holds {r.size}. Run `wuquan verify --witness-state …` and resolve "
                "before signing (the signer will refuse)."
            )
            sys.exit(1)
        self.stdout.write("next: wuquan verify --witness-state DIR (or --expected-size N)")

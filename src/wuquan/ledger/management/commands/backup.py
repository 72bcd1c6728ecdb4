"""`wuquan backup FILE`: a consistent backup of the database, without the signing key."""

from django.core.management.base import BaseCommand, CommandError

from wuquan.ledger.backup import BackupError, do_backup, manifest_path


class Command(BaseCommand):
    help = "备份数据库（不含签名密钥）· back up the database, the signing key kept apart (AUD-3)"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        from pathlib import Path

        try:
            m = do_backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"OK backup={file} database={m['database']} log_size={m['log_size']} "
            f"checkpoint={m['checkpoint_size']} manifest={manifest_path(Path(file))}"
        )
        self.stderr.write(
            "签名密钥不在备份中，请另行妥善备份 · the signing key is NOT in the backup"
        )

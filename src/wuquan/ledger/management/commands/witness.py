"""`wuquan witness --dir DIR init|trust|vkey|latest|serve`: a tlog witness (issue 13, finding 2).

The same as `python -m wuquan.ledger.witness`, which needs no database or settings (for a
witness on another machine). See wuquan.ledger.witness.
"""

import sys

from django.core.management.base import BaseCommand

from wuquan.ledger.witness import main


class Command(BaseCommand):
    help = "运行记录见证方 · a C2SP tlog-witness with its own key and store (AUD-2)"
    requires_system_checks = []

    def run_from_argv(self, argv):
        # why: the witness has its own argument parser (subcommands); no Django options
        sys.exit(main(argv[2:]))

    def handle(self, *args, **options):  # pragma: no cover - run_from_argv is the entry
        sys.exit(main(list(args)))

"""`wuquan demo`: load the Longtan demo data (idempotent), print the logins, then serve.

Each app that has demo data provides `demo.load(stdout)`; they run in dependency order
(settings.WUQUAN_APPS). A second run finds the data and reuses it.
"""

import time
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "载入龙潭区演示数据并启动服务 · load the demo data and serve"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="load the data and exit")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, no_serve=False, addrport="127.0.0.1:8000", **options):
        for dotted in settings.WUQUAN_APPS:
            if find_spec(f"{dotted}.demo"):
                module = import_module(f"{dotted}.demo")
                self.stdout.write(f"· {dotted.rsplit('.', 1)[1]} …")
                started = time.perf_counter()
                with transaction.atomic():
                    module.load(self.stdout)
                # each app's share of the first `make demo` (goal: all of it under 2 minutes)
                self.stdout.write(f"  {time.perf_counter() - started:.1f} s")
        from wuquan.ledger.services import do_create_checkpoint
        from wuquan.org.demo import print_accounts

        print_accounts(self.stdout)
        # an app's demo may print what to try (e.g. a receipt number and its query code)
        for dotted in settings.WUQUAN_APPS:
            if find_spec(f"{dotted}.demo"):
                summary = getattr(import_module(f"{dotted}.demo"), "summary", None)
                if summary is not None:
                    summary(self.stdout)
        # why: a fresh demo showed 0 checkpoints until the periodic task ran (~10 minutes) and
        # its "最新检查点" link was a 404 (issue 12, finding 10): sign the head now
        checkpoint, _created = do_create_checkpoint()
        if checkpoint is not None:
            self.stdout.write(f"运行记录检查点 checkpoint: 树大小 {checkpoint.size}")
        if not no_serve:
            call_command("serve", addrport=addrport)

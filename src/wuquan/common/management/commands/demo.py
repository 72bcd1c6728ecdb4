"""`wuquan demo`: load the Longtan demo data (idempotent), print the logins, then serve.

Each app that has demo data provides `demo.load(stdout)`; they run in dependency order
(settings.WUQUAN_APPS). A second run finds the data and reuses it.
"""

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
                with transaction.atomic():
                    module.load(self.stdout)
        from wuquan.org.demo import print_accounts

        print_accounts(self.stdout)
        if not no_serve:
            call_command("serve", addrport=addrport)

"""`wuquan serve`: the web server and, beside it, a Huey consumer for periodic work."""

import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网站与后台任务 · serve the site with a background worker"

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args, addrport="127.0.0.1:8000", no_worker=False, **options):
        worker = None
        if not no_worker:
            worker = subprocess.Popen(
                [sys.executable, "-m", "wuquan.cli", "run_huey", "--workers", "1"]
            )
        self.stdout.write(f"Wuquan: http://{addrport}/  (staff: http://{addrport}/staff/)")
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()

"""`wuquan supervise [--as-of "2026-03-01 09:00"] [--rule CODE] [--mode full|incremental|reconcile]`:
run the sweeps and print a summary (SUP-2). A naive time is read in Asia/Shanghai; replaying a
time raises nothing new. Default mode: full (the every-minute task runs incremental, the
nightly one reconcile; docs/supervision.md "Incremental sweeps")."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from wuquan.supervision import engine, registry


class Command(BaseCommand):
    help = "运行电子监察巡检规则 · run the supervision sweeps as of a time"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help='e.g. "2026-03-01 09:00" (Asia/Shanghai)')
        parser.add_argument("--rule", action="append", dest="rules", help="only this rule code")
        parser.add_argument("--mode", choices=engine.SWEEP_MODES, default="full")

    def handle(self, *args, as_of=None, rules=None, mode="full", **options):
        when = None
        if as_of:
            try:
                when = datetime.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(f"--as-of: not a time: {as_of!r}") from exc
        summary = engine.run_sweeps(when, rules, mode=mode)
        for line in summary.lines():
            self.stdout.write(line)
        for err in registry.discovery_errors:
            self.stderr.write(f"rules not loaded: {err}")
        self.stdout.write(f"raised {summary.raised} new alarm(s)")
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} rule(s) failed")

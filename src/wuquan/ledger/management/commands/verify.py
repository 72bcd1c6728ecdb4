"""`wuquan verify`: recompute the log from the stored events and check every checkpoint (AUD-2).

Exit 0 and print "OK size=N root=<hex>" when intact; otherwise print the first bad position
and what is wrong, and exit 1. Every stored witness cosignature is re-checked against the
witness keys configured in WUQUAN_WITNESSES (a key not configured or a bad signature fails).
"""

import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from django.core.management.base import BaseCommand

from wuquan.ledger import signing, witnessing
from wuquan.ledger.verification import (
    Problem,
    check_cosignatures,
    check_expected_size,
    check_outside,
    verify_log,
)
from wuquan.ledger.witness import Witness


class Command(BaseCommand):
    help = "校验运行记录未被篡改 · verify the transparency log and its checkpoints (AUD-2)"

    def add_arguments(self, parser):
        parser.add_argument(
            "--deep", action="store_true", help="parse every leaf and also compare the at column"
        )
        parser.add_argument(
            "--fast",
            action="store_true",
            help="accepted for old scripts; the same as the default since tree heads are no "
            "longer stored per row",
        )
        parser.add_argument(
            "--jobs", type=int, default=1, help="worker processes (ranges of the log in parallel)"
        )
        parser.add_argument(
            "--vkey",
            help="verifier key for checkpoint signatures (default: the published key of "
            "WUQUAN_LOG_VKEY / WUQUAN_LOG_VKEY_FILE; never silently the key file beside the "
            "database)",
        )
        parser.add_argument(
            "--allow-local-key",
            action="store_true",
            help="with no published key, check with the key file beside the database (this "
            "does not catch a replaced key; refused unless given)",
        )
        parser.add_argument(
            "--witness-state",
            action="append",
            default=[],
            metavar="DIR",
            help="a witness's store directory: the log must extend its latest cosigned "
            "checkpoint (catches truncation, forks, deleted checkpoints)",
        )
        parser.add_argument(
            "--witness",
            action="append",
            default=[],
            metavar="URL",
            help="a witness's URL prefix (its /latest is fetched); with --witness-vkey",
        )
        parser.add_argument("--witness-vkey", help="cosigner key of the --witness URL")
        parser.add_argument(
            "--expected-size",
            type=int,
            help="the log must hold at least this many events and a checkpoint",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(
        self, *args, deep=False, fast=False, jobs=1, vkey=None, no_progress=False, **options
    ):
        try:
            vkey, source = _expected_key(vkey, options.get("allow_local_key", False))
        except signing.NoteError as exc:
            self.stdout.write(f"FAILED: {exc}")
            sys.exit(1)
        bar = None if no_progress else _ProgressBar(self.stderr._out)
        started = time.perf_counter()
        report = verify_log(deep=deep, vkey=vkey, progress=bar, jobs=jobs)
        if bar:
            bar.close()
        seconds = time.perf_counter() - started
        cosigned = None
        if report.ok:
            try:
                witness_keys = _witness_keys(options)
            except signing.NoteError as exc:
                self.stdout.write(f"FAILED: WUQUAN_WITNESSES: {exc}")
                sys.exit(1)
            cosigned, report.problem = check_cosignatures(witness_keys)
        if report.ok:
            report.problem = _outside_problem(report, vkey, options)
        if report.ok:
            self.stdout.write(
                f"OK size={report.size} root={report.root.hex()} "
                f"checkpoints={report.checkpoints} ({seconds:.2f}s)"
            )
            # the operator must see which key the checkpoints were checked with (finding 3)
            self.stdout.write(f"key={vkey} ({source})")
            self.stdout.write(_cosigned_line(cosigned, witness_keys))
            return
        self.stdout.write(f"FAILED at {report.problem}")
        self.stdout.write(f"key={vkey} ({source})")
        sys.exit(1)


def _witness_keys(options) -> list[str]:
    """The witness keys stored cosignatures must verify under: WUQUAN_WITNESSES, and those the
    operator names for this run (each --witness-state store's key, --witness-vkey)."""
    keys = [w.vkey for w in witnessing.configured()]
    for directory in options.get("witness_state") or []:
        try:
            keys.append(Witness(directory).vkey())
        except OSError:
            pass  # why: no witness there; the outside check below reports it
    if options.get("witness_vkey"):
        signing.parse_cosigner_vkey(options["witness_vkey"])
        keys.append(options["witness_vkey"].strip())
    return list(dict.fromkeys(keys))


def _cosigned_line(count: int, witness_keys: list[str]) -> str:
    names = ", ".join(k.split("+", 1)[0] for k in witness_keys) or "none configured"
    return f"cosignatures={count} verified against the configured witness keys ({names})"


def _expected_key(vkey: str | None, allow_local: bool) -> tuple[str, str]:
    """(the verifier key to check checkpoints with, where it came from) (finding 3)."""
    if vkey:
        signing.parse_verifier_key(vkey)
        return vkey.strip(), "--vkey"
    published = signing.published_vkey()
    if published is not None:
        return published
    if not allow_local:
        raise signing.NoteError(
            "no published verifier key: set WUQUAN_LOG_VKEY or WUQUAN_LOG_VKEY_FILE (the key "
            "printed on the portal and in the deployment's README), or pass --vkey; "
            "--allow-local-key checks with the key file beside the database, which does not "
            "catch a replaced key"
        )
    if not signing.has_key():
        raise signing.NoteError("no log key beside the database either (pass --vkey)")
    return signing.verifier_key(), (
        f"the local key file {signing.settings.WUQUAN_LOG_KEY_PATH}: NOT an independent check"
    )


def _outside_problem(report, vkey: str, options):
    for directory in options.get("witness_state") or []:
        w = Witness(directory)
        note = w.latest(signing.key_name())
        what = f"witness {directory}"
        if note is None:
            return Problem(0, f"{what} has no checkpoint of this log", True)
        problem = check_outside(report, note, vkey, what, cosigner=w.vkey())
        if problem:
            return problem
    for url in options.get("witness") or []:
        what = f"witness {url}"
        query = urllib.parse.urlencode({"origin": signing.key_name()})
        try:
            with urllib.request.urlopen(  # noqa: S310 (an operator-given URL)
                f"{url.rstrip('/')}/latest?{query}", timeout=10
            ) as resp:
                note = resp.read().decode()
        except (OSError, urllib.error.URLError) as exc:
            return Problem(0, f"{what}: cannot fetch its latest checkpoint: {exc}", True)
        problem = check_outside(report, note, vkey, what, cosigner=options.get("witness_vkey"))
        if problem:
            return problem
    if options.get("expected_size") is not None:
        return check_expected_size(report, options["expected_size"])
    return None


class _ProgressBar:
    """A one-line bar on stderr, drawn only for runs long enough to need one."""

    MIN_TOTAL = 20_000

    def __init__(self, stream):
        self.stream = stream
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if total < self.MIN_TOTAL:
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(
            f"\r校验中 [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            f"({100 * done // max(total, 1)}%)"
        )
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")

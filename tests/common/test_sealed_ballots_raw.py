"""DEC-5 / EVA-1 (附件3 第三 无记名票决): while a secret vote is open, whoever reads the raw
database file or its WAL finds no ballot in clear to pair with the markers of who voted — the
ballots are sealed under a per-vote key kept outside the database and destroyed at the count
(common/sealing.py; docs/decisions/0011-sealed-ballots.md).

The detector is the record a counted ballot leaves in SQLite's pages (its random 32-hex key
right before its choice); the test proves it finds the clear rows written at the count, so it
would find them during the vote too if they were there.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DECISION = re.compile(rb"[0-9a-f]{32}[\x00-\xff]{0,2}(yes|no|abstain)")
GRADE = re.compile(
    rb"[0-9a-f]{32}[\x00-\xff]{0,4}("
    + "|".join(["优秀", "基本称职", "称职", "不称职"]).encode()
    + rb")"
)


def _raw(db: Path) -> bytes:
    wal = Path(f"{db}-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_dec5_eva1_raw_database_and_wal_hold_no_ballot_while_the_vote_is_open(tmp_path):
    db = tmp_path / "raw.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "WUQUAN_VAR_DIR": str(tmp_path / "var"),
        "WUQUAN_BALLOT_KEY_DIR": str(tmp_path / "keys"),
        "DJANGO_SETTINGS_MODULE": "wuquan.settings",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.common.raw_vote"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "OPEN"
        assert Path(f"{db}-wal").exists()  # the vote's writes sit in the WAL too
        raw = _raw(db)
        assert DECISION.findall(raw) == [] and GRADE.findall(raw) == []
        keys = sorted(p.name for p in (tmp_path / "keys").iterdir())
        assert keys == ["decisions-item-1.key", "evaluation-1.key"]
        assert not any(k.read_bytes() in raw for k in (tmp_path / "keys").iterdir())
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "CLOSED"
        raw = _raw(db)
        # the count writes the ballots in clear (public from now on): the detector sees them
        assert len(DECISION.findall(raw)) >= 5 and len(GRADE.findall(raw)) >= 6
        assert list((tmp_path / "keys").iterdir()) == []  # keys destroyed at the count
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()

"""Issue 13, finding 11 (AUD-3, AUD-2): backup → restore into a fresh database → verify (and
the witness check) passes; a backup restored over a newer log is caught as a truncation."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from wuquan.ledger import record
from wuquan.ledger.models import Event
from wuquan.ledger.services import CheckpointRefused, do_create_checkpoint
from wuquan.ledger.witness import Witness

WUQUAN = str(Path(sys.executable).with_name("wuquan"))


def grow(n, start=0):
    for i in range(start, start + n):
        record("system", "test.backup", ("case", i), {"i": i})


@pytest.fixture
def witness(tmp_path, settings):
    w = Witness(tmp_path / "witness")
    w.init("witness.longtan.example/w1")
    w.trust(settings.WUQUAN_LOG_VKEY)
    settings.WUQUAN_WITNESSES = f"{w.dir} {w.vkey()}"
    return w


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the same kind as the test database (dropped after)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    s = connection.settings_dict
    name = f"wq_i13_restore_{uuid.uuid4().hex[:8]}"
    dsn = dict(host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], dbname="postgres")
    with psycopg.connect(**dsn, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{name}"
    with psycopg.connect(**dsn, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wuquan(url, settings, tmp_path, *args):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "WUQUAN_VAR_DIR": str(tmp_path / "var"),
        "WUQUAN_LOG_KEY_PATH": str(settings.WUQUAN_LOG_KEY_PATH),
        "WUQUAN_LOG_VKEY": settings.WUQUAN_LOG_VKEY,
        "WUQUAN_LOG_ORIGIN": settings.WUQUAN_LOG_ORIGIN,
    }
    return subprocess.run([WUQUAN, *args], env=env, capture_output=True, text=True, timeout=300)


def test_aud3_backup_restores_into_a_fresh_database_that_verifies(
    transactional_db, witness, settings, tmp_path, fresh_database
):
    grow(12)
    cp, _ = do_create_checkpoint()
    assert cp.cosignatures.count() == 1
    path = tmp_path / "backups" / "wuquan.backup"
    call_command("backup", str(path))
    manifest = json.loads(path.with_name(path.name + ".json").read_text())
    assert manifest["log_size"] == 12 and manifest["checkpoint_size"] == 12
    assert manifest["verifier_key"] == settings.WUQUAN_LOG_VKEY
    assert "BEGIN PRIVATE KEY" not in path.read_bytes().decode("latin-1")  # the key kept apart
    restored = wuquan(fresh_database, settings, tmp_path, "restore", str(path))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "restored log_size=12" in restored.stdout
    checked = wuquan(
        fresh_database,
        settings,
        tmp_path,
        "verify",
        "--no-progress",
        "--witness-state",
        str(witness.dir),
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("OK size=12")


def test_aud3_a_backup_restored_over_a_newer_log_is_caught_as_truncation(
    transactional_db, witness, settings, tmp_path, capsys
):
    grow(6)
    do_create_checkpoint()
    path = tmp_path / "old.backup"
    call_command("backup", str(path))
    grow(5, 6)
    do_create_checkpoint()  # the witness and the signer have seen 11
    with pytest.raises(CommandError, match="truncate"):
        call_command("restore", str(path))
    assert Event.objects.count() == 11  # refused: nothing restored
    with pytest.raises(SystemExit) as exit_:
        call_command("restore", str(path), "--force")
    assert exit_.value.code == 1
    assert "TRUNCATED" in capsys.readouterr().out
    assert Event.objects.count() == 6
    with pytest.raises(SystemExit):
        call_command("verify", "--no-progress", "--witness-state", str(witness.dir))
    assert "truncated" in capsys.readouterr().out
    with pytest.raises(CheckpointRefused):  # and the signer will not sign over it
        do_create_checkpoint()

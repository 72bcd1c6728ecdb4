"""Backup and restore of the database, the signing key kept apart (issue 13, finding 11;
AUD-3, 等保2.0 logs kept ≥ 6 months).

SQLite: the online backup API (`sqlite3.Connection.backup`, a consistent copy while the site
runs). PostgreSQL: `pg_dump --format=custom` / `pg_restore --clean --if-exists`. Beside the
backup file a manifest (`<file>.json`) says the log's size, root and newest checkpoint and the
published verifier key; the signing key is never in a backup (back it up apart, with the same
care: whoever holds both could sign a rewritten history).

Restoring a backup over a newer log is a truncation: `restore` refuses it unless `--force`,
and after any restore it compares the restored log with what the signer last signed (kept
beside its key, outside the database) — as `wuquan verify --witness-state` does with a witness.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.db import connection

from . import selectors, signing
from .models import Checkpoint


class BackupError(RuntimeError):
    pass


def _vendor() -> str:
    return connection.vendor


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _pg_args() -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = []
    if s.get("HOST"):
        args += ["-h", s["HOST"]]
    if s.get("PORT"):
        args += ["-p", str(s["PORT"])]
    if s.get("USER"):
        args += ["-U", s["USER"]]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def do_backup(path: str | os.PathLike) -> dict:
    """Write a backup of the database to `path` and its manifest beside it; return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    size, root = selectors.tree_head()
    latest = Checkpoint.objects.order_by("-size").first()
    if _vendor() == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif _vendor() == "postgresql":
        args, env = _pg_args()
        name = connection.settings_dict["NAME"]
        cmd = [_tool("pg_dump"), *args, "--format=custom", "--no-owner", "-f", str(path), name]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    else:
        raise BackupError(f"no backup for {_vendor()}")
    manifest = {
        "database": _vendor(),
        "file": path.name,
        "created_at": datetime.now(UTC).isoformat(),
        "log_size": size,
        "log_root": base64.b64encode(root).decode(),
        "checkpoint_size": latest.size if latest else None,
        "verifier_key": _vkey(),
        "signing_key": "not included: back up WUQUAN_LOG_KEY_PATH apart",
    }
    manifest_path(path).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def _vkey() -> str | None:
    published = signing.published_vkey()
    if published is not None:
        return published[0]
    return signing.verifier_key() if signing.has_key() else None


@dataclass
class Restored:
    size: int
    before: int | None
    signed_size: int | None

    @property
    def truncated(self) -> bool:
        return self.signed_size is not None and self.size < self.signed_size


def _current_size() -> int | None:
    try:
        return selectors.tree_head()[0]
    except Exception:  # why: a fresh database has no tables yet
        return None


def do_restore(path: str | os.PathLike, *, force: bool = False) -> Restored:
    """Restore the backup at `path` into the configured database.

    Refuses (BackupError) when the backup's log is shorter than the log in the database now,
    unless `force`. Afterwards the result says whether the restored log is shorter than the
    checkpoint the signer last signed (a truncation the operator must resolve)."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"no backup at {path}")
    try:
        manifest = json.loads(manifest_path(path).read_text())
    except FileNotFoundError:
        manifest = {}
    before = _current_size()
    backed_up = manifest.get("log_size")
    if before and backed_up is not None and backed_up < before and not force:
        raise BackupError(
            f"the database's log holds {before} events, the backup only {backed_up}: restoring "
            f"it would truncate the log (use --force only to recover from a damaged database)"
        )
    if _vendor() == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif _vendor() == "postgresql":
        args, env = _pg_args()
        name = connection.settings_dict["NAME"]
        cmd = [
            _tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "-d",
            name,
            str(path),
        ]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    else:
        raise BackupError(f"no restore for {_vendor()}")
    # why: the frontier this connection remembers belongs to the log before the restore
    connection._wuquan_ledger_state = None
    connection._wuquan_ledger_committed = None
    size = selectors.tree_head()[0]
    mine = signing.last_signed()
    signed = None
    if mine is not None:
        signed = signing.parse_checkpoint(signing.split_note(mine)[0])[1]
    return Restored(size, before, signed)

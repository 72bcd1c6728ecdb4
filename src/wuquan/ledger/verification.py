"""Recompute the whole log from the stored events and check every stored hash (AUD-2).

`verify_log()` streams the events in index order through a raw cursor and checks, per row:
the indices are gapless from 0; leaf_hash = H(leaf); the leaf's own "index" is the row's;
the projected columns (action, actor, subject_type, subject_id) agree with the leaf; node_hash
and root_hash are those of the recomputed tree. Every stored checkpoint is checked too: its
signature, its origin, and its root against the recomputed tree at its size (this is what
catches a rewrite that recomputed all hashes, or rows deleted from the end).

The projection check is an exact byte comparison against the canonical JSON (fast path);
values that would need JSON escaping, and any mismatch, go to a parsing check that names what
differs. `deep=True` always parses the leaf and
also compares the `at` column. It stops at the first problem, which it reports with its
position (event index, or the tree size of a checkpoint).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256

from django.db import connection, transaction

from . import merkle, signing
from .models import Checkpoint

Progress = Callable[[int, int], None]


@dataclass
class Problem:
    position: int
    what: str
    checkpoint: bool = False

    def __str__(self) -> str:
        where = (
            f"checkpoint of size {self.position}" if self.checkpoint else f"event {self.position}"
        )
        return f"{where}: {self.what}"


@dataclass
class Report:
    size: int
    root: bytes
    checkpoints: int
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Found(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _checkpoint_roots(vkey: str | None) -> dict[int, tuple[bytes | None, str | None]]:
    """size → (root the signed note states, or None; what is wrong, or None)."""
    rows = list(Checkpoint.objects.order_by("size").values_list("size", "root_hash", "note"))
    if not rows:
        return {}
    if vkey is None and not signing.has_key():
        return {
            size: (None, "no log key to check the signature (pass --vkey)") for size, _, _ in rows
        }
    vkey = vkey or signing.verifier_key()
    origin = signing.key_name()
    out: dict[int, tuple[bytes | None, str | None]] = {}
    for size, stored_root, note in rows:
        try:
            note_origin, note_size, note_root = signing.open_checkpoint(note, vkey)
        except signing.NoteError as exc:
            out[size] = (None, f"signature or format is bad: {exc}")
            continue
        if note_origin != origin:
            out[size] = (None, f"origin {note_origin!r} is not this log's {origin!r}")
        elif note_size != size:
            out[size] = (None, f"the signed note says size {note_size}")
        elif note_root != bytes(stored_root):
            out[size] = (None, "stored root_hash differs from the signed note's root")
        else:
            out[size] = (note_root, None)
    return out


def _fallback_projection(leaf: str, index: int, cols: tuple, at_col=None) -> str | None:
    """Precise check by parsing the leaf: what differs, or None."""
    action, actor, subject_type, subject_id = cols
    try:
        data = json.loads(leaf)
    except ValueError:
        return "leaf is not JSON"
    if data.get("index") != index:
        return f"leaf says index {data.get('index')!r}"
    if data.get("action") != action:
        return "action column differs from the leaf"
    if str(data.get("actor", ""))[:120] != actor:
        return "actor column differs from the leaf"
    if data.get("subject") != [subject_type, subject_id]:
        return "subject columns differ from the leaf"
    if at_col is not None:
        if isinstance(at_col, str):
            at_col = datetime.fromisoformat(at_col)
        if at_col.tzinfo is None:
            at_col = at_col.replace(tzinfo=UTC)
        try:
            leaf_at = datetime.fromisoformat(data.get("at", ""))
        except (TypeError, ValueError):
            return "leaf has no valid time"
        if leaf_at != at_col:
            return "at column differs from the leaf"
    return None


def verify_log(
    *,
    deep: bool = False,
    every_root: bool = True,
    vkey: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Check the whole stored log; see the module docstring. Never writes.

    `every_root=False` (`wuquan verify --fast`) recomputes the tree head only at checkpoint
    sizes and at the end instead of after every row: each head costs popcount(size) − 1
    extra hashes, about 5× the rest of the hashing at a million events. Leaves, node
    hashes, projections and checkpoints are still all checked; an edited root_hash column
    between checkpoints is then left to the default mode.
    """
    checkpoints = _checkpoint_roots(vkey)
    cp_sizes = sorted(size for size in checkpoints if size > 0)
    q = connection.ops.quote_name
    if connection.vendor == "postgresql":
        hashed_leaf = "'\\x00'::bytea || convert_to(leaf, 'UTF8')"
        raw = "convert_to({}, 'UTF8')"
    else:
        hashed_leaf = "CAST(X'00' || CAST(leaf AS BLOB) AS BLOB)"
        raw = "CAST({} AS BLOB)"
    projections = ", ".join(
        raw.format(c) for c in ("action", "actor", "subject_type", "subject_id")
    )
    # why: the database hands over UTF-8 bytes — the leaf already prefixed with 0x00 for
    # SHA-256 — so Python neither encodes nor decodes on the fast path.
    sql = (
        f"SELECT {q('index')}, {hashed_leaf}, leaf_hash, node_hash, root_hash, {projections}"
        f"{', at' if deep else ''} FROM {q('ledger_event')} ORDER BY {q('index')}"
    )
    with connection.cursor() as c:
        c.execute(f"SELECT COUNT(*) FROM {q('ledger_event')}")
        total = c.fetchone()[0]
    args = (sql, total, deep, every_root, checkpoints, cp_sizes, progress)
    if connection.vendor == "postgresql":
        # why: a named (server-side) cursor streams; it needs a transaction to live in.
        with transaction.atomic(), connection.chunked_cursor() as cursor:
            return _run(cursor, *args)
    connection.ensure_connection()
    cursor = connection.connection.cursor()  # the raw sqlite3 cursor: no wrapper per fetch
    try:
        return _run(cursor, *args)
    finally:
        cursor.close()


def _run(cursor, sql, total, deep, every_root, checkpoints, cp_sizes, progress) -> Report:
    cursor.execute(sql)
    h = sha256
    stack: list[bytes] = []  # the frontier: maximal complete subtrees, left to right
    root = merkle.EMPTY_ROOT
    expected = 0
    next_cp = iter(cp_sizes)
    cp_at = next(next_cp, -1)
    fetch = cursor.fetchmany
    try:
        while True:
            rows = fetch(10000)
            if not rows:
                break
            for row in rows:
                idx, hashed_leaf, lh_s, nh_s, rh_s, action, actor, st, sid = row[:9]
                if idx != expected:
                    raise _Found(Problem(expected, f"missing (the next stored index is {idx})"))
                lh = h(hashed_leaf).digest()
                if lh != lh_s:
                    raise _Found(
                        Problem(idx, "leaf_hash is not the hash of the leaf (leaf edited?)")
                    )
                # Projections: the canonical JSON has sorted keys (action, actor, at, index,
                # payload, subject), so exact byte comparisons decide it when no value needs
                # JSON escaping; anything else goes to the precise, parsing check.
                head = b'\x00{"action":"' + action + b'","actor":"' + actor + b'","at":"'
                values = action + actor + st + sid
                if (
                    deep
                    or not hashed_leaf.startswith(head)
                    or not hashed_leaf.endswith(b',"subject":["' + st + b'","' + sid + b'"]}')
                    or not hashed_leaf.startswith(
                        b',"index":%d,"payload":' % idx, hashed_leaf.find(b'"', len(head)) + 1
                    )
                    or b'"' in values
                    or b"\\" in values
                ):
                    what = _fallback_projection(
                        hashed_leaf[1:].decode(),
                        idx,
                        tuple(bytes(v).decode() for v in row[5:9]),
                        row[9] if deep else None,
                    )
                    if what:
                        raise _Found(Problem(idx, what))
                node = lh
                n = idx
                while n & 1:
                    node = h(stack.pop() + node).digest()
                    n >>= 1
                if node != nh_s:
                    raise _Found(Problem(idx, "node_hash differs from the recomputed subtree"))
                stack.append(b"\x01" + node)  # why: kept prefixed, one concatenation per hash
                if every_root or idx + 1 == cp_at:
                    root = node
                    for left in stack[-2::-1]:
                        root = h(left + root).digest()
                    if root != rh_s:
                        raise _Found(
                            Problem(idx, "root_hash differs from the recomputed tree head")
                        )
                expected = idx + 1
                if expected == cp_at:
                    cp_root, what = checkpoints[cp_at]
                    if what is None and cp_root != root:
                        what = "signed root differs from the tree recomputed from the events"
                    if what:
                        raise _Found(Problem(cp_at, what, checkpoint=True))
                    cp_at = next(next_cp, -1)
            last_rh = rows[-1][4]
            if progress:
                progress(expected, total)
        if expected and not every_root:
            root = stack[-1][1:]
            for left in stack[-2::-1]:
                root = h(left + root).digest()
            if root != last_rh:
                raise _Found(
                    Problem(expected - 1, "root_hash differs from the recomputed tree head")
                )
        if cp_at != -1:
            raise _Found(
                Problem(cp_at, f"covers {cp_at} events but only {expected} are stored", True)
            )
    except _Found as found:
        return Report(expected, root, len(cp_sizes), found.problem)
    return Report(expected, root, len(cp_sizes))

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
    jobs: int = 1,
) -> Report:
    """Check the whole stored log; see the module docstring. Never writes.

    `every_root=False` (`wuquan verify --fast`) recomputes the tree head only at checkpoint
    sizes and at the end instead of after every row: each head costs popcount(size) − 1
    extra hashes, about 5× the rest of the hashing at a million events. Leaves, node
    hashes, projections and checkpoints are still all checked; an edited root_hash column
    between checkpoints is then left to the default mode.

    `jobs > 1` splits the index range over that many worker processes (each starts from the
    stored frontier at its range's start, which the previous range's worker checks); the
    first problem over all ranges is reported. It needs its own connections, so inside a
    transaction or on an in-memory SQLite database it runs in this process instead.
    """
    checkpoints = _checkpoint_roots(vkey)
    q = connection.ops.quote_name
    with connection.cursor() as c:
        c.execute(f"SELECT COUNT(*), MAX({q('index')}) FROM {q('ledger_event')}")
        total, last = c.fetchone()
    span = 0 if last is None else last + 1
    ranges = [(0, span)]
    if jobs > 1 and span >= 2 * _MIN_RANGE and _can_fork():
        step = max(_MIN_RANGE, -(-span // (4 * jobs)))
        ranges = [(lo, min(lo + step, span)) for lo in range(0, span, step)]
    tasks = [
        (lo, hi, hi == span, deep, every_root, checkpoints, progress if len(ranges) == 1 else None)
        for lo, hi in ranges
    ]
    if len(tasks) == 1:
        results = [_verify_range(*tasks[0], total=total)]
    else:
        import multiprocessing

        from django.db import connections

        connections.close_all()  # why: children must open their own connections
        results, done = [], 0
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for result in pool.imap(_verify_range_task, tasks):
                results.append(result)
                done += result[1] - result[0]
                if progress:
                    progress(min(done, total), total)
    problems = [r[3] for r in results if r[3] is not None]
    cp_count = sum(1 for size in checkpoints if size > 0)
    if problems:
        first = min(problems, key=lambda p: p.position - (0.5 if p.checkpoint else 0))
        return Report(first.position, merkle.EMPTY_ROOT, cp_count, first)
    return Report(span, results[-1][2], cp_count)


_MIN_RANGE = 50_000


def _can_fork() -> bool:
    if connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


def _verify_range_task(args) -> tuple:
    return _verify_range(*args)


def _select_sql(deep: bool) -> str:
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
    return (
        f"SELECT {q('index')}, {hashed_leaf}, leaf_hash, node_hash, root_hash, {projections}"
        f"{', at' if deep else ''} FROM {q('ledger_event')} "
        f"WHERE {q('index')} >= %s AND {q('index')} < %s ORDER BY {q('index')}"
    )


def _verify_range(lo, hi, is_last, deep, every_root, checkpoints, progress, total=None):
    """Check events [lo, hi); returns (lo, hi, root after hi-1, first Problem or None)."""
    from .models import Event

    stack: list[bytes] = []
    if lo:
        positions = merkle.Frontier.closing_positions(lo)
        nodes = dict(Event.objects.filter(index__in=positions).values_list("index", "node_hash"))
        for p in positions:
            if p not in nodes:
                return lo, hi, merkle.EMPTY_ROOT, Problem(p, "missing")
            stack.append(b"\x01" + bytes(nodes[p]))
    args = (_select_sql(deep), lo, hi, is_last, deep, every_root, checkpoints, stack)
    if connection.vendor == "postgresql":
        # why: a named (server-side) cursor streams; it needs a transaction to live in.
        with transaction.atomic(), connection.chunked_cursor() as cursor:
            root, problem = _run(cursor, *args, progress, total)
    else:
        connection.ensure_connection()
        cursor = connection.connection.cursor()  # the raw sqlite3 cursor: no wrapper per fetch
        try:
            root, problem = _run(cursor, *args, progress, total)
        finally:
            cursor.close()
    return lo, hi, root, problem


def _run(cursor, sql, lo, hi, is_last, deep, every_root, checkpoints, stack, progress, total):
    cursor.execute(sql.replace("%s", "?") if connection.vendor == "sqlite" else sql, (lo, hi))
    cp_sizes = sorted(size for size in checkpoints if lo < size <= hi)
    h = sha256
    # `stack` is the frontier (maximal complete subtrees, left to right), each hash kept
    # prefixed with 0x01 so that a node costs one concatenation.
    root = merkle.EMPTY_ROOT
    expected = lo
    last_rh = None
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
                stack.append(b"\x01" + node)
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
        if expected < hi and not is_last:
            raise _Found(Problem(expected, f"missing (range ends at {hi})"))
        if expected and is_last and not every_root and last_rh is not None:
            root = stack[-1][1:]
            for left in stack[-2::-1]:
                root = h(left + root).digest()
            if root != last_rh:
                raise _Found(
                    Problem(expected - 1, "root_hash differs from the recomputed tree head")
                )
        if is_last:
            beyond = [size for size in checkpoints if size > expected]
            if beyond:
                raise _Found(
                    Problem(
                        min(beyond),
                        f"covers {min(beyond)} events but only {expected} are stored",
                        True,
                    )
                )
    except _Found as found:
        return root, found.problem
    return root, None

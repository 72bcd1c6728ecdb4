"""Recompute the whole log from the stored events and check every stored hash (AUD-2).

`verify_log()` reads the events in index order — on PostgreSQL as aggregated batches
(`BATCHED`, below), on SQLite row by row through a raw cursor — and checks, per row:
the indices are gapless from 0; leaf_hash = H(leaf); the leaf's own "index" is the row's;
the projected columns (action, actor, subject_type, subject_id) agree with the leaf; node_hash
is that of the recomputed tree. Tree heads are not stored per row (docs/decisions/0002): the
head is folded from the recomputed frontier at each checkpoint's size and at the end. Every
stored checkpoint is checked: its signature, its origin, and its root against the recomputed
tree at its size (this is what catches a rewrite that recomputed all hashes, or rows deleted
from the end).

The projection check runs in the database or on bytes (see "How the projections are
checked" below); any row it flags is checked again by parsing the leaf, which names what
differs. `deep=True` always parses the leaf and also compares the `at` column. It stops at
the first problem, which it reports with its position (event index, or the tree size of a
checkpoint).
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from itertools import repeat

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
    vkey: str | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
) -> Report:
    """Check the whole stored log; see the module docstring. Never writes.

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
        (lo, hi, hi == span, deep, checkpoints, progress if len(ranges) == 1 else None)
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


_BATCH = 20_000  # rows per fetch; progress is reported per batch
# Read batches through a helper thread (`_prefetched`)? Measured at 10^6 events
# (bench/results/ledger_verify.json): on PostgreSQL it lets the server's work overlap the
# hashing (6.3 s → 4.6 s); on SQLite the query engine's share is small and the reader's GIL
# hand-offs cost more than they save (3.2 s → 3.7 s), so there the loop reads itself.
PREFETCH = {"postgresql": True, "sqlite": False}


# How the projections are checked on the fast path (a row that fails is always checked again
# by parsing its leaf in Python, `_fallback_projection`, which names the column that differs
# or clears a false alarm: an escaped value, an actor over 120 characters):
# - "json" (SQLite): SQLite's JSON functions extract action, actor, index and subject from
#   the leaf and the result is compared, in SQL, with the same values built from the columns
#   — an exact comparison of two JSON texts written by the same serializer.
# - "pieces" (PostgreSQL, or SQLite when its JSON functions refuse a leaf): the database
#   builds, from the columns, the leaf's head `{"action":"…","actor":"…","at":"`, its tail
#   `,"subject":["…","…"]}` and `","index":<index>,"payload":`, and Python compares them
#   with the leaf bytes (`_flag_pieces`). Exact when no value needs JSON escaping, so a
#   value holding a quote or a backslash counts as a mismatch.
# - "deep": every row is parsed in Python, and the `at` column is compared too.
JSON_MATCH = (
    "json_extract(leaf, '$.action', '$.actor', '$.index', '$.subject') = "
    """json_array(action, actor, "index", json_array(subject_type, subject_id))"""
)
PIECES = (
    """'{"action":"' || action || '","actor":"' || actor || '","at":"'""",
    """',"subject":["' || subject_type || '","' || subject_id || '"]}'""",
    """'","index":' || "index" || ',"payload":'""",
)


def _select_sql(mode: str) -> str:
    """Rows as (flagged index, 0x00 ‖ leaf bytes, leaf_hash, node_hash, …).

    The flagged index is the index when the projections match the leaf, else −1 − index, so
    the per-row loop tests both the gapless index and the projections with one comparison.
    "json" flags in SQL; "pieces" adds the head, tail and index pieces, flagged by
    `_flag_pieces`; "deep" flags every row and adds the index, the projected columns and `at`.
    """
    q = connection.ops.quote_name
    index = q("index")
    if connection.vendor == "postgresql":
        hashed_leaf = "'\\x00'::bytea || convert_to(leaf, 'UTF8')"
        as_bytes = "convert_to({}, 'UTF8')"
        placeholder = "%s"
    else:
        hashed_leaf = "CAST(X'00' || CAST(leaf AS BLOB) AS BLOB)"
        as_bytes = "CAST({} AS BLOB)"
        placeholder = "?"
    # why: the database hands over UTF-8 bytes, the leaf already prefixed with 0x00 for
    # SHA-256, so Python neither encodes nor concatenates per row.
    if mode == "deep":
        first = f"-1 - {index}"
        extra = f", {index}, action, actor, subject_type, subject_id, at"
    elif mode == "json":
        first = f"CASE WHEN {JSON_MATCH} THEN {index} ELSE -1 - {index} END"
        extra = ""
    else:
        first = index
        extra = "".join(", " + as_bytes.format(piece) for piece in PIECES)
    return (
        f"SELECT {first}, {hashed_leaf}, leaf_hash, node_hash{extra} "
        f"FROM {q('ledger_event')} WHERE {index} >= {placeholder} "
        f"AND {index} < {placeholder} ORDER BY {index}"
    )


def _flag_pieces(rows: list) -> list:
    """(index, leaf, leaf_hash, node_hash, head, tail, index piece) rows → the flagged 4-tuples.

    The head and tail each hold their fixed number of quotes and no backslash exactly when
    no value needed escaping; the first quote after the head closes the `at` string.
    """
    return [
        (
            i
            if leaf.startswith(head, 1)
            and leaf.endswith(tail)
            and leaf.startswith(own, leaf.find(b'"', len(head) + 1))
            and head.count(b'"') == 11
            and tail.count(b'"') == 6
            and b"\\" not in head
            and b"\\" not in tail
            else -1 - i,
            leaf,
            lh,
            nh,
        )
        for i, leaf, lh, nh, head, tail, own in rows
    ]


def _verify_range(lo, hi, is_last, deep, checkpoints, progress, total=None):
    """Check events [lo, hi); returns (lo, hi, root after hi-1, first Problem or None)."""
    from .models import Event

    frontier: list[bytes] = []
    if lo:
        positions = merkle.Frontier.closing_positions(lo)
        nodes = dict(Event.objects.filter(index__in=positions).values_list("index", "node_hash"))
        for p in positions:
            if p not in nodes:
                return lo, hi, merkle.EMPTY_ROOT, Problem(p, "missing")
            frontier.append(b"\x01" + bytes(nodes[p]))
    connection.ensure_connection()
    if not deep and BATCHED.get(connection.vendor):
        root, problem = _batched(lo, hi, is_last, checkpoints, frontier, progress, total)
        return lo, hi, root, problem
    mode = "deep" if deep else "json" if connection.vendor == "sqlite" else "pieces"
    while True:
        args = (lo, hi, is_last, mode, checkpoints, list(frontier), progress, total)
        try:
            root, problem = _stream(_select_sql(mode), *args)
        except Exception as exc:
            # why: SQLite's JSON functions refuse a leaf that is not JSON (or are missing
            # from an old build); the pieces then decide and Python names the row.
            if mode != "json" or "json" not in str(exc).lower():
                raise
            mode = "pieces"
            continue
        return lo, hi, root, problem


# The batched fast path (PostgreSQL). One query per batch of rows returns the batch
# aggregated: the row count; the leaves as UTF-8 joined by 0x01 (a byte canonical JSON
# never holds: it escapes every control character); the stored leaf hashes and node hashes,
# each as one bytea; and the projected columns action, actor, subject_type, subject_id, each
# joined like the leaves. The driver makes eight Python objects per batch instead of
# several per row, and the server's share (scan, aggregation) overlaps the hashing through
# the prefetch thread. Per row Python does what hashlib alone does (hash the leaf, hash the
# nodes it closes) plus two list appends; the comparisons are made per batch: the row count
# against the batch's width (with the primary key, that is "gapless"), the joined
# recomputed hashes against the joined stored ones, and the projections as in "pieces"
# mode (`_flag_pieces`), the pieces built from the columns by joins and the comparisons
# `bytes.startswith`/`endswith` mapped over the batch. Why not build or compare the pieces
# in SQL: per-row text concatenation on the server measured ≈ +0.9 s per 10^6 rows (each
# `||` allocates), which made the server, not the hashing, the bottleneck.
# A gap hands the rest of the range, from the batch's first index, to the per-row path
# (`_stream`, "pieces" mode), which reports it exactly as before; a hash that differs (or
# a value holding the separator) hands that batch alone to it; a batch whose only failure
# is the projections has its flagged rows parsed (`_fallback_projection`), which names the
# column or clears a false alarm. Batches also end at every checkpoint size, so each
# checkpoint is checked between the same rows as in the per-row path.
BATCHED = {"postgresql": True, "sqlite": False}
_SEP = b"\x01"
_HEAD = (b'{"action":"', b'","actor":"', b'","at":"')
_TAIL = (b',"subject":["', b'","', b'"]}')
_OWN = (b'","index":', b',"payload":')


def _batch_sql() -> str:
    q = connection.ops.quote_name
    index = q("index")
    # why coalesce: a NULL would be skipped by string_agg and could let a value holding the
    # separator realign the pieces; as a separator it can only add pieces (caught by count)
    cols = "".join(
        f", convert_to(string_agg(coalesce({c}, chr(1)), chr(1)), 'UTF8')"
        for c in ("leaf", "action", "actor", "subject_type", "subject_id")
    )
    # why: joined hashes lose the rows' boundaries; a 16-byte hash next to a 48-byte one
    # would join to the same bytes, so every stored hash must be 32 bytes (NULL counts as not)
    sizes = (
        "bool_and(coalesce(octet_length(leaf_hash) = 32 AND octet_length(node_hash) = 32, false))"
    )
    # why: the aggregates read the rows in the ordered subquery's order (all of them the
    # same order: one input stream); a different order could only make the batch fail its
    # comparisons and go to the per-row path, which orders explicitly.
    return (
        f"SELECT count(*), {sizes}, string_agg(leaf_hash, ''::bytea), "
        f"string_agg(node_hash, ''::bytea)"
        f"{cols} FROM (SELECT * FROM {q('ledger_event')} WHERE {index} >= %s "
        f"AND {index} < %s ORDER BY {index}) e"
    )


def _batch_bounds(lo: int, hi: int, checkpoints) -> list[tuple[int, int]]:
    """[a, b) batches of at most _BATCH rows, cut at every checkpoint size inside [lo, hi)."""
    edges = sorted(set(range(lo, hi, _BATCH)) | {s for s in checkpoints if lo < s < hi} | {hi})
    return list(zip(edges, edges[1:], strict=False))


def _batched(lo, hi, is_last, checkpoints, frontier, progress, total):
    """Check [lo, hi) batch by batch (see BATCHED); returns (root, first Problem or None)."""
    import psycopg

    lock = threading.Lock()
    stack = list(frontier)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # why: Django's default cursor class binds on the client and refuses binary results
        cursor = psycopg.Cursor(connection.connection)
        if outermost:
            # why: every batch reads the same snapshot, as one cursor would
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        sql = _batch_sql()
        todo = iter(_batch_bounds(lo, hi, checkpoints))

        def fetch(_size):  # called by the prefetch thread, holding `lock`
            for a, b in todo:
                cursor.execute(sql, (a, b), binary=True)
                return [(a, b, cursor.fetchone())]
            return []

        batches = _prefetched(fetch, lock)
        try:
            for ((a, b, row),) in batches:
                at_a = list(stack)
                verdict = _check_batch(a, b, row, stack, lock)
                if verdict in (_GAP, _PER_ROW):
                    end, last = (hi, is_last) if verdict is _GAP else (b, False)
                    args = (last, "pieces", checkpoints, at_a, progress, total)
                    if verdict is _GAP:
                        batches.close()  # why: the rest of the range is read row by row
                        return _stream(_select_sql("pieces"), a, end, *args)
                    root, problem = _stream(_select_sql("pieces"), a, end, *args)
                    if problem:
                        return root, problem
                    stack = at_a  # advanced past the batch by the per-row path
                elif verdict is not None:
                    return _fold(stack), verdict
                if b in checkpoints:
                    cp_root, what = checkpoints[b]
                    if what is None and cp_root != _fold(stack):
                        what = "signed root differs from the tree recomputed from the events"
                    if what:
                        return _fold(stack), Problem(b, what, checkpoint=True)
                if progress:
                    progress(b, total)
        finally:
            batches.close()
            cursor.close()
    beyond = [size for size in checkpoints if size > hi] if is_last else []
    if beyond:
        low = min(beyond)
        return _fold(stack), Problem(low, f"covers {low} events but only {hi} are stored", True)
    return _fold(stack), None


_GAP = Problem(-1, "a gap: the per-row path decides from here on")
_PER_ROW = Problem(-1, "the per-row path decides this batch")


def _pieces(count: int, pattern: tuple[bytes, bytes, bytes], left: list, right: list) -> list:
    """[pattern[0] + left[i] + pattern[1] + right[i] + pattern[2] for each i], built by one
    join and one split instead of a formatting call per row."""
    parts = [b""] * (4 * count)
    parts[0::4] = left
    parts[1::4] = [pattern[1]] * count
    parts[2::4] = right
    parts[3::4] = [pattern[2] + _SEP + pattern[0]] * count
    return (pattern[0] + b"".join(parts)).split(_SEP)[:count]


def _check_batch(a, b, row, stack, lock):
    """None when rows [a, b) are intact (`stack`, the frontier, is then advanced past them);
    the first Problem among them; _GAP or _PER_ROW when the per-row path must decide."""
    if None in row or row[0] != b - a:
        return _GAP  # (a NULL where the schema allows none goes the same way)
    count, sizes_ok, leaf_hashes, node_hashes, *blobs = row
    if not sizes_ok:
        return _PER_ROW  # a stored hash that is not 32 bytes: only row by row can tell
    leaves, actions, actors, types, ids = (blob.split(_SEP) for blob in blobs)
    if not len(leaves) == len(actions) == len(actors) == len(types) == len(ids) == count:
        return _PER_ROW  # a value holds the separator: only row by row can tell
    h = sha256
    push, pop = stack.append, stack.pop
    recomputed_leaves: list[bytes] = []
    recomputed_nodes: list[bytes] = []
    leaf_out, node_out = recomputed_leaves.append, recomputed_nodes.append
    for i, leaf in enumerate(leaves, a):
        node = h(b"\x00" + leaf).digest()
        leaf_out(node)
        if i & 1:
            n = i
            while n & 1:
                node = h(pop() + node).digest()
                n >>= 1
        node_out(node)
        push(b"\x01" + node)
    if b"".join(recomputed_leaves) != leaf_hashes or b"".join(recomputed_nodes) != node_hashes:
        return _PER_ROW
    # The projections, as `_flag_pieces` checks them: exact when no value needed JSON
    # escaping (no quote, no backslash in any of the four columns); the first quote after
    # the head closes the `at` string, and the index piece must start there.
    heads = _pieces(count, _HEAD, actions, actors)
    tails = _pieces(count, _TAIL, types, ids)
    own = (_OWN[1] + _SEP + _OWN[0]).join(map(b"%d".__mod__, range(a, b)))
    owns = (_OWN[0] + own + _OWN[1]).split(_SEP)
    at_ends = map(bytes.find, leaves, repeat(b'"'), map(len, heads))
    if (
        not any(b'"' in blob or b"\\" in blob for blob in blobs[1:])
        and all(map(bytes.startswith, leaves, heads))
        and all(map(bytes.endswith, leaves, tails))
        and all(map(bytes.startswith, leaves, owns, at_ends))
    ):
        return None
    prefixed = map(b"\x00".__add__, leaves)  # why: _flag_pieces reads hashed leaves
    rows = zip(range(a, b), prefixed, repeat(None), repeat(None), heads, tails, owns)
    for i in [-1 - i for i, *_ in _flag_pieces(rows) if i < 0]:
        what = _projection_problem(b"\x00" + leaves[i - a], i, None, lock)
        if what:
            return Problem(i, what)
    return None


def _stream(sql, lo, hi, *args):
    """Run the per-row loop over a streaming cursor of `sql`, fed by a prefetch thread."""
    lock = threading.Lock()
    if connection.vendor == "postgresql":
        # why: a named (server-side) cursor streams; binary transfer hands over bytea as is
        # (no hex decoding); it needs a transaction to live in.
        with transaction.atomic():
            cursor = connection.connection.cursor(name="wuquan_verify", binary=True)
            return _run_on(cursor, sql, lock, lo, hi, *args)
    cursor = connection.connection.cursor()  # the raw sqlite3 cursor: no wrapper per fetch
    return _run_on(cursor, sql, lock, lo, hi, *args)


def _run_on(cursor, sql, lock, lo, hi, *args):
    batches = None
    try:
        cursor.execute(sql, (lo, hi))
        if PREFETCH.get(connection.vendor):
            batches = _prefetched(cursor.fetchmany, lock)
        else:
            batches = iter(lambda: cursor.fetchmany(_BATCH), [])
        return _run(batches, lock, lo, hi, *args)
    finally:
        if batches is not None:
            getattr(batches, "close", lambda: None)()  # why: stops the prefetch thread
        cursor.close()


def _prefetched(fetch, lock: threading.Lock):
    """Yield batches of `fetch(_BATCH)` while a helper thread reads the next ones.

    why: the database's share of the work (PostgreSQL's server process, or SQLite's query
    engine, which runs without the GIL) then overlaps the hashing instead of alternating
    with it. `lock` is held around each fetch, so the loop can query the same connection
    between fetches (the parsing check of a flagged row).
    """
    batches: queue.Queue = queue.Queue(maxsize=3)
    stop = threading.Event()

    def read():
        try:
            while not stop.is_set():
                with lock:
                    rows = fetch(_BATCH)
                batches.put(rows)
                if not rows:
                    return
        except BaseException as exc:  # noqa: BLE001 — handed to the consuming thread
            batches.put(exc)

    reader = threading.Thread(target=read, name="wuquan-verify-prefetch", daemon=True)
    reader.start()
    try:
        while True:
            rows = batches.get()
            if isinstance(rows, BaseException):
                raise rows
            if not rows:
                return
            yield rows
    finally:
        stop.set()
        while reader.is_alive():
            try:
                batches.get(timeout=0.05)
            except queue.Empty:
                pass
        reader.join()


def _projection_problem(leaf: bytes, index: int, deep_row: tuple | None, lock) -> str | None:
    """The parsing check of one row's projections (and `at`, in deep mode)."""
    if deep_row is not None:
        cols, at_col = deep_row[5:9], deep_row[9]
    else:
        from .models import Event

        with lock:
            cols = Event.objects.values_list("action", "actor", "subject_type", "subject_id").get(
                index=index
            )
        at_col = None
    return _fallback_projection(leaf[1:].decode(), index, tuple(cols), at_col)


def _fold(stack: list[bytes]) -> bytes:
    """The tree head from the frontier (hashes kept prefixed with 0x01)."""
    if not stack:
        return merkle.EMPTY_ROOT
    root = stack[-1][1:]
    for left in stack[-2::-1]:
        root = sha256(left + root).digest()
    return root


def _run(batches, lock, lo, hi, is_last, mode, checkpoints, stack, progress, total):
    """The per-row loop. `stack` is the frontier (maximal complete subtrees, left to right),
    each hash kept prefixed with 0x01 so that a node costs one concatenation."""
    cp_sizes = sorted(size for size in checkpoints if lo < size <= hi)
    h = sha256
    push, pop = stack.append, stack.pop
    expected = lo
    next_cp = iter(cp_sizes)
    cp_at = next(next_cp, -1)
    by_index: dict = {}
    try:
        deep = mode == "deep"
        for rows in batches:
            if deep:
                by_index = {r[4]: r for r in rows}
                rows = [r[:4] for r in rows]
            elif mode == "pieces":
                rows = _flag_pieces(rows)
            for idx, leaf, lh_s, nh_s in rows:
                if idx != expected:
                    # the slow path: a gap, or projections to check by parsing the leaf
                    real = idx if idx >= 0 else -1 - idx
                    if real != expected:
                        raise _Found(
                            Problem(expected, f"missing (the next stored index is {real})")
                        )
                    idx = real
                    if h(leaf).digest() != lh_s:
                        raise _Found(
                            Problem(idx, "leaf_hash is not the hash of the leaf (leaf edited?)")
                        )
                    what = _projection_problem(leaf, idx, by_index.get(idx) if deep else None, lock)
                    if what:
                        raise _Found(Problem(idx, what))
                node = h(leaf).digest()
                if node != lh_s:
                    raise _Found(
                        Problem(idx, "leaf_hash is not the hash of the leaf (leaf edited?)")
                    )
                if idx & 1:
                    n = idx
                    while n & 1:
                        node = h(pop() + node).digest()
                        n >>= 1
                if node != nh_s:
                    raise _Found(Problem(idx, "node_hash differs from the recomputed subtree"))
                push(b"\x01" + node)
                expected = idx + 1
                if expected == cp_at:
                    cp_root, what = checkpoints[cp_at]
                    if what is None and cp_root != _fold(stack):
                        what = "signed root differs from the tree recomputed from the events"
                    if what:
                        raise _Found(Problem(cp_at, what, checkpoint=True))
                    cp_at = next(next_cp, -1)
            if progress:
                progress(expected, total)
        if expected < hi and not is_last:
            raise _Found(Problem(expected, f"missing (range ends at {hi})"))
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
        return _fold(stack), found.problem
    return _fold(stack), None


# --- outside views of the log: witnesses and an expected size (issue 13, finding 2) ----------


def check_outside(report: Report, note: str, vkey: str, what: str, cosigner: str | None = None):
    """Compare an intact-looking log with a checkpoint held outside the database (a witness's
    latest cosigned one): None if the log extends it, else the Problem. `report` must be OK
    (then the stored node hashes are the recomputed ones, and `root_at` can be trusted)."""
    from .proofs import root_at

    try:
        text, lines = signing.split_note(note)
        origin, size, root = signing.open_checkpoint(note, vkey)
    except signing.NoteError as exc:
        return Problem(0, f"{what}: the log's signature on it does not verify: {exc}", True)
    if cosigner is not None:
        stamps = []
        for line in lines:
            try:
                stamps.append(signing.open_cosignature(text, line, cosigner))
            except signing.NoteError as exc:
                return Problem(size, f"{what}: bad cosignature: {exc}", True)
        if not any(s is not None for s in stamps):
            return Problem(size, f"{what}: not cosigned by {cosigner.split('+')[0]}", True)
    if origin != signing.key_name():
        return Problem(size, f"{what}: origin {origin!r} is not this log's", True)
    if report.size < size:
        return Problem(
            size, f"{what} covers {size} events but only {report.size} are stored: truncated", True
        )
    if root_at(size) != root:
        return Problem(size, f"{what}: the log's tree at this size has another root: forked", True)
    if not Checkpoint.objects.filter(size=size).exists():
        return Problem(size, f"{what}: this checkpoint is missing from the store (deleted)", True)
    return None


def check_expected_size(report: Report, expected: int) -> Problem | None:
    if report.checkpoints == 0:
        return Problem(
            0, f"no checkpoint is stored (expected a log of at least {expected} events)", True
        )
    if report.size < expected:
        return Problem(
            expected, f"expected at least {expected} events, {report.size} stored: truncated", True
        )
    return None


def check_cosignatures(witness_vkeys: list[str]) -> tuple[int, Problem | None]:
    """Re-check every stored cosignature against the configured witness keys (issue 13,
    finding 2): (how many were checked, the first Problem or None). A cosignature stored for
    a witness whose key is not configured (a row planted in the database, or a witness removed
    from WUQUAN_WITNESSES without its rows), one whose line is by another key than its row
    says, or one whose signature or timestamp does not verify, is a problem: a stored
    cosignature is only evidence if it verifies under a key published separately."""
    from .models import Cosignature

    keys: dict[tuple[str, str], str] = {}
    for vkey in witness_vkeys:
        name, kid, _pub = signing.parse_cosigner_vkey(vkey)
        keys[(name, kid.hex())] = vkey
    checked = 0
    rows = Cosignature.objects.select_related("checkpoint").order_by("checkpoint__size", "witness")
    for c in rows:
        size = c.checkpoint.size
        vkey = keys.get((c.witness, c.key_id))
        if vkey is None:
            return checked, Problem(
                size,
                f"cosignature by {c.witness} (key id {c.key_id}): not a configured witness key "
                "(WUQUAN_WITNESSES)",
                True,
            )
        try:
            text, _lines = signing.split_note(c.checkpoint.note)
            timestamp = signing.open_cosignature(text, c.line, vkey)
        except signing.NoteError as exc:
            return checked, Problem(size, f"cosignature by {c.witness}: {exc}", True)
        if timestamp is None:
            return checked, Problem(
                size, f"cosignature stored for {c.witness} is signed by another key", True
            )
        if timestamp != c.timestamp:
            return checked, Problem(
                size, f"cosignature by {c.witness}: stored time differs from the signed one", True
            )
        checked += 1
    return checked, None

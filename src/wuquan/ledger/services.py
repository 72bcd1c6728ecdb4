"""Writes to the transparency log. `record()` is the only way an event is written (AUD-1).

It runs in the caller's transaction: if that rolls back, the event never existed. Appends are
serialised by updating the single AppendLock row at the first append of a transaction; within
one transaction the tree's frontier is kept in memory (validated against Django's savepoint
bookkeeping, see `_TxState`), so an append costs one INSERT and amortised O(1) hashing: the
frontier is folded into a tree head only when one is asked for (checkpoints, proofs, the API).

Across transactions, each connection remembers the frontier its last committed append
transaction left and the lock row's `generation` then. The locking UPDATE returns the new
generation; when the one before it is the remembered one, nobody appended since and the
frontier is not read back (one statement instead of three per append transaction). Otherwise
it is read from the store, and every `cached_under_lock` value on the connection is dropped.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from wuquan.common.exceptions import RuleViolation

from . import commitments, merkle
from .models import AppendLock, Checkpoint, Commitment, Event

Subscriber = Callable[[Event], None]
_subscribers: list[Subscriber] = []


def subscribe(fn: Subscriber) -> None:
    """Call `fn(event)` inside the recording transaction after each append (event rules)."""
    if fn not in _subscribers:
        _subscribers.append(fn)


def canonical_json(obj: Any) -> str:
    """Sorted keys, no spaces, UTF-8 characters kept: the leaf encoding (ARCHITECTURE.md)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def describe_actor(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    username = getattr(actor, "get_username", None)
    if callable(username):
        return f"user:{username()}"
    name = getattr(actor, "name", None)
    if name is not None and getattr(actor, "pk", None) is not None:
        return f"{actor._meta.label_lower}:{actor.pk}:{name}"
    return str(actor)


def describe_subject(subject: Any) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        kind, ident = subject
        return str(kind), str(ident)
    if isinstance(subject, str):
        return subject, ""
    meta = getattr(subject, "_meta", None)
    if meta is not None:
        return meta.label_lower, str(subject.pk)
    return type(subject).__name__, str(subject)


# the lock row's generation moves by a random step in [1, GENERATIONS) per append transaction
GENERATIONS = 1 << 62


class _TxState:
    """The frontier cached for the current transaction on this connection.

    Valid only while our marker callback is still queued in `connection.run_on_commit`:
    Django drops queued callbacks when the transaction or the savepoint they were queued in
    rolls back, and runs (then drops) them on commit. So a stale frontier is never reused.
    On commit the marker of the connection's newest state leaves its frontier and the lock
    generation for the connection's next append transaction (`_frontier_for_append`); an
    append that failed leaves no newest state (`record`), so nothing is left.
    """

    def __init__(
        self,
        frontier: merkle.Frontier,
        savepoints: tuple,
        generation: int | None,
        cached: dict | None = None,
    ):
        self.frontier = frontier
        self.savepoints = savepoints
        self.generation = generation
        # `cached_under_lock` values loaded in this transaction: kept for later transactions
        # only if it commits (they may have read its own uncommitted changes)
        self.cached = dict(cached or {})

        def marker():
            # why: callbacks run on the committing thread, so `connection` is this one; a
            # real commit runs them outside any atomic block (tests' captured callbacks run
            # inside one, before anything is committed)
            if connection.in_atomic_block:
                return
            if getattr(connection, "_wuquan_ledger_state", None) is self:
                # (no copy: this state is never appended to again; a reuse copies it)
                connection._wuquan_ledger_committed = (self.generation, self.frontier)
                _committed_cache().update(self.cached)

        self.marker = marker
        transaction.on_commit(self.marker)

    def is_current(self) -> bool:
        return any(entry[1] is self.marker for entry in connection.run_on_commit)


def _load_frontier() -> merkle.Frontier:
    from .proofs import current_size, frontier_at

    return frontier_at(current_size())


def _ensure_lock_row() -> None:
    """Create the lock row if it is missing (migration 0002 makes it; a flushed test database
    has none). Concurrent creators do not fail: the loser waits for the winner's row."""
    AppendLock.objects.bulk_create([AppendLock(pk=1)], ignore_conflicts=True)


class _Lock(NamedTuple):
    generation: int | None  # after this transaction's step; None: the database cannot say
    before: int | None  # before it
    last_index: int | None  # the store's last event and its node hash, read in the same
    last_node: bytes | None  # statement (None: an empty log or a database that cannot say)


def _take_lock() -> _Lock:
    """Take the append lock for this transaction, saying the generation before and after it
    and the store's last event — in one statement where the database can return from an
    UPDATE (PostgreSQL, SQLite ≥ 3.35)."""
    step = secrets.randbelow(GENERATIONS - 1) + 1
    for _attempt in range(2):
        if connection.features.can_return_columns_from_insert:  # UPDATE … RETURNING too
            q = connection.ops.quote_name
            events, index = q(Event._meta.db_table), q("index")
            last = f"FROM {events} ORDER BY {index} DESC LIMIT 1"
            with connection.cursor() as cur:
                cur.execute(
                    f"UPDATE {q(AppendLock._meta.db_table)} "
                    f"SET {q('appends')} = {q('appends')} + 1, "
                    f"{q('generation')} = ({q('generation')} + %s) %% %s "
                    f"WHERE {q('id')} = 1 RETURNING {q('generation')}, "
                    f"(SELECT {index} {last}), (SELECT {q('node_hash')} {last})",
                    [step, GENERATIONS],
                )
                row = cur.fetchone()
            if row is not None:
                generation, last_index, last_node = row
                return _Lock(
                    generation,
                    (generation - step) % GENERATIONS,
                    last_index,
                    None if last_node is None else bytes(last_node),
                )
        elif AppendLock.objects.filter(pk=1).update(
            appends=F("appends") + 1, generation=(F("generation") + step) % GENERATIONS
        ):
            return _Lock(None, None, None, None)
        _ensure_lock_row()
    raise RuntimeError("the ledger's append lock row cannot be created")


def _remembered_holds(lock: _Lock) -> merkle.Frontier | None:
    """The frontier this connection's last committed append transaction left, if nobody has
    appended since: the generation before our step is the one it left, and the store's last
    event is the frontier's last one with its node hash (which also catches what the
    generation cannot: a savepoint rolled back behind `atomic`'s back, a writer running code
    that does not move the generation)."""
    remembered = getattr(connection, "_wuquan_ledger_committed", None)
    if remembered is None or lock.before is None or remembered[0] != lock.before:
        return None
    frontier: merkle.Frontier = remembered[1]
    if frontier.size == 0:
        return frontier if lock.last_index is None else None
    if lock.last_index != frontier.size - 1 or lock.last_node != frontier.hashes[-1]:
        return None
    return frontier


def _frontier_for_append() -> merkle.Frontier:
    state: _TxState | None = getattr(connection, "_wuquan_ledger_state", None)
    savepoints = tuple(connection.savepoint_ids)
    if state is not None and state.is_current():
        if savepoints != state.savepoints:
            # why: a marker queued at this depth goes away if this savepoint rolls back.
            state = _TxState(
                state.frontier.copy(),
                savepoints,
                state.generation,
                state.cached,
            )
            connection._wuquan_ledger_state = state
        return state.frontier
    lock = _take_lock()
    remembered = _remembered_holds(lock)
    if remembered is not None:
        frontier = remembered.copy()
    else:
        # someone else appended (or we cannot tell): read the frontier back, and drop what
        # was cached on the strength of nobody else having written
        connection._wuquan_ledger_cached = {}
        frontier = _load_frontier()
    state = _TxState(frontier, savepoints, lock.generation)
    connection._wuquan_ledger_state = state
    return state.frontier


T = TypeVar("T")


def _committed_cache() -> dict:
    cached = getattr(connection, "_wuquan_ledger_cached", None)
    if cached is None:
        cached = connection._wuquan_ledger_cached = {}
    return cached


def cached_under_lock(key: str, load: Callable[[], T]) -> T:
    """For event subscribers: `load()`'s result, kept on this connection across transactions
    while no other connection appends to the log.

    Only for data that is never changed without an event recorded in the same transaction
    (so another process changing it also moves the lock generation, which empties the cache
    at this connection's next append), and only valid when called while this transaction
    holds the append lock (after this transaction's first `record`, as in a `subscribe`d
    function); before that `load()` runs every time. Where this process changes the data,
    call `forget(key)`. A value loaded in a transaction outlives it only if the transaction
    commits, and is kept at all only if loaded at the savepoint depth of the transaction's
    newest append.
    """
    state: _TxState | None = getattr(connection, "_wuquan_ledger_state", None)
    if state is None or not state.is_current():
        return load()
    if key in state.cached:
        return state.cached[key]
    committed = _committed_cache()
    if key in committed:
        return committed[key]
    value = load()
    # why: kept only at the depth the state's marker was queued at — loaded inside a deeper
    # savepoint it may have read what that savepoint's rollback undoes
    if tuple(connection.savepoint_ids) == state.savepoints:
        state.cached[key] = value
    return value


def forget(key: str) -> None:
    """Drop `cached_under_lock(key, …)` on this connection (call where the data changes)."""
    _committed_cache().pop(key, None)
    state: _TxState | None = getattr(connection, "_wuquan_ledger_state", None)
    if state is not None:
        state.cached.pop(key, None)


def record(
    actor: Any,
    action: str,
    subject: Any = None,
    payload: dict | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one event to the log inside the caller's transaction and return it.

    `actor`: a user, a model instance, a string or None (system); `action`: a dotted verb
    such as "approvals.case.accepted"; `subject`: a model instance or (type, id);
    `payload`: JSON-able details; `at`: when it happened (defaults to now; imports pass
    their own time). Event rules subscribed by supervision run before this returns; they
    find `subject` itself as `event.subject_instance` when it is a model instance.
    """
    if not connection.in_atomic_block:
        with transaction.atomic():
            return record(actor, action, subject, payload, at)
    when = at or timezone.now()
    if timezone.is_naive(when):
        raise ValueError("ledger.record needs a timezone-aware time")
    subject_type, subject_id = describe_subject(subject)
    actor_label = describe_actor(actor)
    clear = payload or {}
    # why: personal data and free text enter the leaf only as salted commitments (finding 4)
    payload, openings = commitments.apply(action, clear)
    current = _frontier_for_append()
    # why: appended on a copy, installed only once the row is in: an insert that fails — or
    # anything that interrupts it, not only an Exception — leaves the frontier as it was
    frontier = current.copy()
    index = frontier.size
    leaf = canonical_json(
        {
            "index": index,
            "at": when.astimezone(UTC).isoformat(),
            "actor": actor_label,
            "action": action,
            "subject": [subject_type, subject_id],
            "payload": payload or {},
        }
    )
    lh = merkle.leaf_hash(leaf.encode())
    node = frontier.append(lh)
    try:
        event = Event.objects.create(
            index=index,
            at=when,
            actor=actor_label[:120],
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            leaf=leaf,
            leaf_hash=lh,
            node_hash=node,
        )
        if openings:
            Commitment.objects.bulk_create(
                [
                    Commitment(event_index=index, field=path, salt=salt, value=text)
                    for path, salt, text, _d in openings
                ]
            )
    except BaseException:
        connection._wuquan_ledger_state = None
        connection._wuquan_ledger_committed = None
        raise
    event._clear_payload = clear
    current.size, current.hashes = frontier.size, frontier.hashes
    # why: subscribers (the inline rules) may read the in-memory subject the caller just
    # saved in this transaction instead of loading its row again; None for (type, id)
    event.subject_instance = subject if getattr(subject, "_meta", None) is not None else None
    for fn in _subscribers:
        fn(event)
    return event


class CheckpointRefused(RuleViolation):
    """The signer will not sign: the tree is not an extension of what it signed before
    (issue 13, finding 1). `problem` is one of the ledger.events PROBLEM_* codes."""

    def __init__(self, message, *, problem: str, size: int, last_size: int | None):
        super().__init__(message, code=problem)
        self.problem, self.size, self.last_size = problem, size, last_size


def _check_extends(size: int, root: bytes, old_note: str, vkey: str, what: str) -> int:
    """Raise CheckpointRefused unless the tree (size, root) extends the checkpoint `old_note`
    (signed by `vkey`): its signature, then the RFC 9162 consistency proof from its size,
    built from the store and checked against both signed roots. Returns the old size."""
    from . import events, proofs, signing

    try:
        _origin, old_size, old_root = signing.open_checkpoint(old_note, vkey)
    except signing.NoteError as exc:
        raise CheckpointRefused(
            f"{what} is not signed by our key: {exc}",
            problem=events.PROBLEM_BAD_SIGNATURE,
            size=size,
            last_size=None,
        ) from None
    if old_size > size:
        raise CheckpointRefused(
            f"the log holds {size} events but {what} covers {old_size}: truncated",
            problem=events.PROBLEM_TRUNCATED,
            size=size,
            last_size=old_size,
        )
    if old_size == size:
        ok = old_root == root
    else:
        try:
            proof = proofs.consistency_proof(old_size, size)
        except RuleViolation:  # why: a row the proof needs is gone
            ok = False
        else:
            ok = merkle.is_consistent(old_size, size, old_root, root, proof)
    if not ok:
        raise CheckpointRefused(
            f"the tree of {size} events is not consistent with {what} (size {old_size})",
            problem=events.PROBLEM_INCONSISTENT,
            size=size,
            last_size=old_size,
        )
    return old_size


def do_create_checkpoint(*, at: datetime | None = None) -> tuple[Checkpoint | None, bool]:
    """Sign the current tree head if the tree grew since the last checkpoint (AUD-2).

    Returns (latest checkpoint, created). Runs under the append lock, so the head it signs
    is one that appends agree on. An empty tree gets no checkpoint: (None, False).

    It never signs a head that does not extend what it signed before (issue 13, finding 1):
    the newest stored checkpoint must verify under our key and the new tree must be
    consistent with it, and so must the checkpoint this signer last signed, which it keeps
    beside its key outside the database (`signing.last_signed`) — so deleted checkpoint
    rows, a truncated or a rewritten log are refused. A refusal raises CheckpointRefused and
    records `ledger.checkpoint.refused` (after the signing transaction rolled back), which the
    rule AUD-2-checkpoint-refused turns into an alarm for the commission. After a new
    checkpoint commits it is submitted to the configured witnesses (`ledger.witnessing`).
    """
    try:
        checkpoint, created = _sign_checked()
    except CheckpointRefused as refused:
        from . import events

        record(
            "system",
            events.CHECKPOINT_REFUSED,
            ("ledger.checkpoint", str(refused.size)),
            events.checkpoint_refused(refused.problem, refused.size, refused.last_size),
            at=at,
        )
        raise
    if checkpoint is not None:
        from . import witnessing

        witnessing.submit_quietly(checkpoint, at=at)
    return checkpoint, created


def _sign_checked() -> tuple[Checkpoint | None, bool]:
    from . import events, selectors, signing

    with transaction.atomic():
        if not AppendLock.objects.filter(pk=1).update(appends=F("appends")):
            _ensure_lock_row()
            AppendLock.objects.filter(pk=1).update(appends=F("appends"))
        size, root = selectors.tree_head()
        latest = Checkpoint.objects.order_by("-size").first()
        mine = signing.last_signed()
        published = signing.published_vkey()
        if published is not None and published[0] != signing.verifier_key():
            raise CheckpointRefused(
                f"the signing key at {settings.WUQUAN_LOG_KEY_PATH} is not the published key "
                f"({published[1]})",
                problem=events.PROBLEM_KEY_NOT_PUBLISHED,
                size=size,
                last_size=latest.size if latest else None,
            )
        vkey = signing.verifier_key()
        if mine is not None:
            _o, mine_size, _r = signing.parse_checkpoint(signing.split_note(mine)[0])
            if latest is None or latest.size < mine_size:
                raise CheckpointRefused(
                    f"this signer last signed a checkpoint of size {mine_size}; the store's "
                    f"newest is {latest.size if latest else 'none'}: checkpoint rows deleted",
                    problem=events.PROBLEM_MISSING,
                    size=size,
                    last_size=mine_size,
                )
            _check_extends(size, root, mine, vkey, "the checkpoint this signer last signed")
        if latest is not None:
            _check_extends(size, root, latest.note, vkey, "the newest stored checkpoint")
        if size == 0:
            return latest, False
        if latest is not None and latest.size >= size:
            return latest, False
        note = signing.sign_checkpoint(size, root)
        checkpoint = Checkpoint.objects.create(size=size, root_hash=root, note=note)
    signing.remember_signed(note)
    return checkpoint, True


def do_erase_commitment(
    commitment: Commitment, *, actor: Any, basis: str, at: datetime | None = None
) -> Commitment:
    """Erase a committed value and its salt on a lawful request (issue 13, finding 4; PIPL
    art. 47). The leaf keeps its commitment, so the log still verifies; without the salt the
    value cannot be recovered from it. Recorded as `ledger.commitment.erased` with the basis
    code (the request itself is filed outside the log). Only the system administrator or the
    commission may erase."""
    from wuquan.common.exceptions import InvalidInput, NotPermitted
    from wuquan.org import roles
    from wuquan.org import selectors as org_selectors

    from . import events
    from .models import ErasureBasis

    if basis not in ErasureBasis.values:
        raise InvalidInput("请选择删除依据", field="basis")
    if not (
        org_selectors.is_system_admin(actor) or roles.COMMISSION in org_selectors.role_names(actor)
    ):
        raise NotPermitted("只有系统管理员或纪检监察人员可以删除记录中的个人信息")
    with transaction.atomic():
        row = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if row.erased_at is not None:
            raise RuleViolation("该内容已删除", field="basis")
        event = record(
            actor,
            events.COMMITMENT_ERASED,
            ("ledger.event", str(row.event_index)),
            events.commitment_erased(row.event_index, row.field, basis),
            at=at,
        )
        row.value = None
        row.salt = None
        row.erased_at = event.at
        row.erasure_basis = basis
        row.erasure_event = event.index
        row.save()
    return row


def next_index() -> int:
    """The index the next event appended in this transaction will get (taking the append lock
    now, as the first `record` would): a caller that must write an event's index into a row
    before the event exists (supervision's bulk alarms) reads it here; it holds until the
    transaction ends, since nobody else can append meanwhile."""
    if not connection.in_atomic_block:
        raise RuntimeError("ledger.next_index() needs a transaction")
    return _frontier_for_append().size


EVENT_COLUMNS = (
    "index", "at", "actor", "action", "subject_type", "subject_id", "leaf", "leaf_hash",
    "node_hash",
)  # fmt: skip


def _insert_events(events: list[Event]) -> None:
    """The rows in few statements (`common.bulk.insert_rows`; why not bulk_create: preparing
    each field of 10^4 rows through the ORM cost more than the hashing and the insert
    together; bench/sweep.py)."""
    # why: a column added to Event (a merge) must be added here too, not silently left empty;
    # in the model's order, since record_many builds its Events positionally
    assert EVENT_COLUMNS == tuple(f.column for f in Event._meta.concrete_fields)
    from wuquan.common.bulk import insert_rows

    at = connection.ops.adapt_datetimefield_value(events[0].at)
    same_time = all(e.at is events[0].at for e in events)
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            e.index,
            at if same_time else adapt(e.at),
            e.actor,
            e.action,
            e.subject_type,
            e.subject_id,
            e.leaf,
            e.leaf_hash,
            e.node_hash,
        )  # fmt: skip
        for e in events
    ]
    insert_rows(Event._meta.db_table, EVENT_COLUMNS, rows)


COMMITMENT_COLUMNS = (
    "event_index", "field", "salt", "value", "erased_at", "erasure_basis", "erasure_event",
)  # fmt: skip


def _insert_commitments(openings: list[tuple[int, str, bytes, str]]) -> None:
    """The openings (event index, path, salt, canonical value) in few statements, not yet
    erased (why not bulk_create: as `_insert_events`, 10^4 model instances cost more than
    the rows' hashing; bench/sweep.py)."""
    # why: a column added to Commitment (a merge) must be added here too
    assert set(COMMITMENT_COLUMNS) == {
        f.column for f in Commitment._meta.concrete_fields if not f.primary_key
    }
    from wuquan.common.bulk import insert_rows

    rows = [(index, path, salt, text, None, "", None) for index, path, salt, text in openings]
    insert_rows(Commitment._meta.db_table, COMMITMENT_COLUMNS, rows)


def record_many(
    entries: list[tuple[Any, str, Any, dict | None]], at: datetime | None = None
) -> list[Event]:
    """Append several events in one go: `entries` are (actor, action, subject, payload), each
    the same event `record(actor, action, subject, payload, at)` would write, at consecutive
    indices, inserted with one multi-row INSERT per batch. Subscribers run after the inserts,
    once per event in order, as they would after each `record` (supervision.engine raises
    10^4 alarms at once this way; bench/sweep.py). Runs in the caller's transaction."""
    if not entries:
        return []
    if not connection.in_atomic_block:
        with transaction.atomic():
            return record_many(entries, at)
    when = at or timezone.now()
    if timezone.is_naive(when):
        raise ValueError("ledger.record needs a timezone-aware time")
    stamp = when.astimezone(UTC).isoformat()
    current = _frontier_for_append()
    frontier = current.copy()  # why: installed only once every row is in (as `record`)
    events, subjects, openings = [], [], []
    for actor, action, subject, clear in entries:
        subject_type, subject_id = describe_subject(subject)
        actor_label = describe_actor(actor)
        clear = clear or {}
        # why: as in `record`, personal data and free text enter the leaf only as salted
        # commitments (issue 13, finding 4)
        payload, opened = commitments.apply(action, clear)
        index = frontier.size
        openings.extend((index, path, salt, text) for path, salt, text, _d in opened)
        leaf = canonical_json(
            {
                "index": index,
                "at": stamp,
                "actor": actor_label,
                "action": action,
                "subject": [subject_type, subject_id],
                "payload": payload or {},
            }
        )
        lh = merkle.leaf_hash(leaf.encode())
        # positional, in EVENT_COLUMNS order (Django's fast path: half the cost of keywords)
        events.append(
            Event(
                index, when, actor_label[:120], action, subject_type, subject_id, leaf, lh,
                frontier.append(lh),
            )
        )  # fmt: skip
        events[-1]._clear_payload = clear
        subjects.append(subject)
    try:
        _insert_events(events)
        if openings:
            _insert_commitments(openings)
    except BaseException:
        connection._wuquan_ledger_state = None
        connection._wuquan_ledger_committed = None
        raise
    current.size, current.hashes = frontier.size, frontier.hashes
    for event, subject in zip(events, subjects, strict=True):
        event.subject_instance = subject if getattr(subject, "_meta", None) is not None else None
        for fn in _subscribers:
            fn(event)
    return events

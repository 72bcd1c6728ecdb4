"""Writes to the transparency log. `record()` is the only way an event is written (AUD-1).

It runs in the caller's transaction: if that rolls back, the event never existed. Appends are
serialised by updating the single AppendLock row at the first append of a transaction; within
one transaction the tree's frontier is kept in memory (validated against Django's savepoint
bookkeeping, see `_TxState`), so an append costs one INSERT and amortised O(1) hashing: the
frontier is folded into a tree head only when one is asked for (checkpoints, proofs, the API).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from . import merkle
from .models import AppendLock, Checkpoint, Event

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


class _TxState:
    """The frontier cached for the current transaction on this connection.

    Valid only while our marker callback is still queued in `connection.run_on_commit`:
    Django drops queued callbacks when the transaction or the savepoint they were queued in
    rolls back, and runs (then drops) them on commit. So a stale frontier is never reused.
    """

    def __init__(self, frontier: merkle.Frontier, savepoints: tuple):
        self.frontier = frontier
        self.savepoints = savepoints
        self.marker = lambda: None
        transaction.on_commit(self.marker)

    def is_current(self) -> bool:
        return any(entry[1] is self.marker for entry in connection.run_on_commit)


def _load_frontier() -> merkle.Frontier:
    from .proofs import current_size, frontier_at

    return frontier_at(current_size())


def _frontier_for_append() -> merkle.Frontier:
    state: _TxState | None = getattr(connection, "_wuquan_ledger_state", None)
    savepoints = tuple(connection.savepoint_ids)
    if state is not None and state.is_current():
        if savepoints != state.savepoints:
            # why: a marker queued at this depth goes away if this savepoint rolls back.
            state = _TxState(
                merkle.Frontier(state.frontier.size, state.frontier.hashes), savepoints
            )
            connection._wuquan_ledger_state = state
        return state.frontier
    if not AppendLock.objects.filter(pk=1).update(appends=F("appends") + 1):
        AppendLock.objects.create(pk=1, appends=1)
    state = _TxState(_load_frontier(), savepoints)
    connection._wuquan_ledger_state = state
    return state.frontier


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
    their own time). Event rules subscribed by supervision run before this returns.
    """
    if not connection.in_atomic_block:
        with transaction.atomic():
            return record(actor, action, subject, payload, at)
    when = at or timezone.now()
    if timezone.is_naive(when):
        raise ValueError("ledger.record needs a timezone-aware time")
    subject_type, subject_id = describe_subject(subject)
    actor_label = describe_actor(actor)
    frontier = _frontier_for_append()
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
    except Exception:
        connection._wuquan_ledger_state = None
        raise
    for fn in _subscribers:
        fn(event)
    return event


def do_create_checkpoint() -> tuple[Checkpoint | None, bool]:
    """Sign the current tree head if the tree grew since the last checkpoint (AUD-2).

    Returns (latest checkpoint, created). Runs under the append lock, so the head it signs
    is one that appends agree on. An empty tree gets no checkpoint: (None, False).
    """
    from . import selectors, signing

    with transaction.atomic():
        if not AppendLock.objects.filter(pk=1).update(appends=F("appends")):
            AppendLock.objects.create(pk=1)
        size, root = selectors.tree_head()
        latest = Checkpoint.objects.order_by("-size").first()
        if size == 0:
            return latest, False
        if latest is not None and latest.size >= size:
            return latest, False
        note = signing.sign_checkpoint(size, root)
        return Checkpoint.objects.create(size=size, root_hash=root, note=note), True

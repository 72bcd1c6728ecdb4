"""AUD-1: across transactions a connection reuses the frontier its last committed append left,
when the append lock's generation says nobody else appended since — and reads it back from
the store whenever it cannot be sure (another connection appended, a failed insert, a
rollback, a generation moved by hand). Each case ends with the stored tree checked against a
full recompute, so a wrongly reused frontier fails here."""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from wuquan.ledger import merkle, proofs, record, selectors
from wuquan.ledger.models import AppendLock, Event
from wuquan.ledger.services import _subscribers, cached_under_lock, forget, subscribe

from ..common.threads import in_another_connection

pytestmark = pytest.mark.django_db(transaction=True)


def _log_is_whole():
    events = list(Event.objects.order_by("index"))
    assert [e.index for e in events] == list(range(len(events)))
    leaves = [merkle.leaf_hash(e.leaf.encode()) for e in events]
    assert all(proofs.root_at(n) == merkle.root(leaves[:n]) for n in range(1, len(leaves) + 1))
    return selectors.tree_head() == (len(leaves), merkle.root(leaves))


def _event_reads(queries) -> list[str]:
    table = Event._meta.db_table
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and table in q["sql"]]


def test_aud1_next_transaction_on_the_same_connection_does_not_read_the_frontier_back():
    record("system", "test.one", ("t", 1))
    with CaptureQueriesContext(connection) as ctx:
        record("system", "test.two", ("t", 2))
        record("system", "test.three", ("t", 3))
    assert _event_reads(ctx.captured_queries) == []
    assert _log_is_whole()


def test_aud1_an_append_by_another_connection_makes_the_next_one_read_the_frontier_back():
    record("system", "test.mine", ("t", 1))
    in_another_connection(lambda: record("system", "test.theirs", ("t", 2)))
    with CaptureQueriesContext(connection) as ctx:
        event = record("system", "test.mine-again", ("t", 3))
    assert event.index == 2
    assert _event_reads(ctx.captured_queries)
    assert _log_is_whole()


def test_aud1_a_rolled_back_transaction_leaves_the_last_committed_frontier():
    record("system", "test.kept", ("t", 1))
    with pytest.raises(RuntimeError), transaction.atomic():
        for i in range(3):
            record("system", "test.lost", ("t", i))
        raise RuntimeError
    with CaptureQueriesContext(connection) as ctx:
        event = record("system", "test.after", ("t", 2))
    assert event.index == 1
    assert _event_reads(ctx.captured_queries) == []  # the rollback undid the generation too
    assert _log_is_whole()


def test_aud1_a_failed_insert_that_is_caught_leaves_nothing_to_reuse():
    record("system", "test.first", ("t", 1))
    with transaction.atomic():
        record("system", "test.second", ("t", 2))
        # a row in the way of the next index: the INSERT fails, the caller's savepoint
        # rolls it back, and the transaction still commits
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {Event._meta.db_table} (index, at, actor, action, subject_type,"
                " subject_id, leaf, leaf_hash, node_hash) VALUES (2, %s, 'x', 'x', '', '', "
                "'{}', %s, %s)".replace("(index,", f"({connection.ops.quote_name('index')},"),
                [selectors_now(), b"\0" * 32, b"\0" * 32],
            )
        try:
            with transaction.atomic():
                record("system", "test.blocked", ("t", 3))
        except Exception:
            pass
        with connection.cursor() as cur:
            cur.execute(
                f"DELETE FROM {Event._meta.db_table} WHERE {connection.ops.quote_name('index')} = 2"
            )
    with CaptureQueriesContext(connection) as ctx:
        event = record("system", "test.third", ("t", 4))
    assert event.index == 2
    assert _event_reads(ctx.captured_queries)  # read back: the failed append left nothing
    assert _log_is_whole()


def selectors_now():
    from django.utils import timezone

    return timezone.now()


def test_aud1_a_generation_moved_behind_the_connections_back_makes_it_read_back():
    record("system", "test.one", ("t", 1))
    # as a restored backup or a hand edit would: the remembered generation is no longer the
    # one before the next lock
    AppendLock.objects.filter(pk=1).update(generation=12345)
    with CaptureQueriesContext(connection) as ctx:
        record("system", "test.two", ("t", 2))
    assert _event_reads(ctx.captured_queries)
    assert _log_is_whole()


def test_aud1_cached_under_lock_lasts_until_another_connection_appends_or_forget():
    loads = []
    seen = []

    here = threading.current_thread()

    def subscriber(event):
        if threading.current_thread() is here:  # the other connection's loads are its own
            seen.append(cached_under_lock("test.key", lambda: loads.append(1) or len(loads)))

    subscribe(subscriber)
    try:
        record("system", "test.a", ("t", 1))
        record("system", "test.b", ("t", 2))
        assert seen == [1, 1]  # loaded once, kept across the two transactions
        forget("test.key")
        record("system", "test.c", ("t", 3))
        assert seen[-1] == 2
        in_another_connection(lambda: record("system", "test.theirs", ("t", 4)))
        record("system", "test.d", ("t", 5))
        assert seen[-1] == 3  # another connection appended: dropped and loaded again
    finally:
        _subscribers.remove(subscriber)
    # outside the append lock nothing is kept
    assert cached_under_lock("test.key", lambda: "fresh") == "fresh"
    assert _log_is_whole()


def test_aud1_a_database_without_update_returning_reads_the_frontier_back_every_time(
    monkeypatch,
):
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    record("system", "test.one", ("t", 1))
    with CaptureQueriesContext(connection) as ctx:
        record("system", "test.two", ("t", 2))
    assert _event_reads(ctx.captured_queries)
    assert AppendLock.objects.get(pk=1).appends >= 2
    assert _log_is_whole()


def test_aud1_a_missing_lock_row_is_made_again():
    AppendLock.objects.all().delete()
    record("system", "test.one", ("t", 1))
    assert AppendLock.objects.get(pk=1).appends == 1
    assert _log_is_whole()


# ---- sequences found in review: each left a wrong remembered frontier before the check of
# the store's last event in the locking statement (or the copy-then-install append) ----------


def test_aud1_a_savepoint_rolled_back_outside_atomic_is_not_remembered():
    record("system", "test.one", ("t", 1))
    with transaction.atomic():
        record("system", "test.two", ("t", 2))
        sid = transaction.savepoint()  # savepoint()/savepoint_rollback() bypass atomic's books
        record("system", "test.rolled-back", ("t", 3))
        transaction.savepoint_rollback(sid)
    event = record("system", "test.next", ("t", 4))
    assert event.index == 2
    assert _log_is_whole()


def test_aud1_a_savepoint_rolled_back_in_raw_sql_is_not_remembered():
    record("system", "test.one", ("t", 1))
    with transaction.atomic():
        record("system", "test.two", ("t", 2))
        with connection.cursor() as cur:
            cur.execute("SAVEPOINT wq_test_sp")
        record("system", "test.rolled-back", ("t", 3))
        with connection.cursor() as cur:
            cur.execute("ROLLBACK TO SAVEPOINT wq_test_sp")
    assert record("system", "test.next", ("t", 4)).index == 2
    assert _log_is_whole()


class _Interrupt(BaseException):
    """Not an Exception: what a worker's time limit or a greenlet kill raises."""


def test_aud1_an_append_interrupted_by_a_base_exception_leaves_no_phantom_leaf():
    from django.db.models.signals import pre_save

    record("system", "test.one", ("t", 1))
    fire = {"on": False}

    def interrupt(sender, **kwargs):
        if fire["on"]:
            raise _Interrupt

    pre_save.connect(interrupt, sender=Event)
    try:
        with transaction.atomic():
            record("system", "test.two", ("t", 2))
            fire["on"] = True
            with pytest.raises(_Interrupt):
                record("system", "test.interrupted", ("t", 3))
            fire["on"] = False
    finally:
        pre_save.disconnect(interrupt, sender=Event)
    assert record("system", "test.next", ("t", 4)).index == 2
    assert _log_is_whole()


def test_aud1_a_writer_that_does_not_move_the_generation_is_noticed():
    """Code from before the generation (a worker not yet restarted in a rolling update)
    appends the old way: lock, read the frontier back, insert."""
    from django.db.models import F

    from wuquan.ledger.services import _load_frontier, canonical_json

    def old_writer():
        with transaction.atomic():
            AppendLock.objects.filter(pk=1).update(appends=F("appends") + 1)
            frontier = _load_frontier()
            leaf = canonical_json({"index": frontier.size, "old": True})
            lh = merkle.leaf_hash(leaf.encode())
            Event.objects.create(
                index=frontier.size,
                at=selectors_now(),
                actor="old",
                action="test.old",
                subject_type="t",
                subject_id="old",
                leaf=leaf,
                leaf_hash=lh,
                node_hash=frontier.append(lh),
            )

    record("system", "test.one", ("t", 1))
    in_another_connection(old_writer)
    assert record("system", "test.next", ("t", 2)).index == 2
    assert _log_is_whole()


def test_aud1_a_value_cached_inside_a_rolled_back_savepoint_is_not_kept():
    data = {"v": "committed"}
    seen = []

    def subscriber(event):
        if event.action == "test.try":
            try:
                with transaction.atomic():
                    data["v"] = "written-then-rolled-back"  # stands for an uncommitted row
                    cached_under_lock("test.key", lambda: data["v"])
                    raise RuntimeError
            except RuntimeError:
                data["v"] = "committed"  # the rollback undid the row
        elif event.action == "test.read":
            seen.append(cached_under_lock("test.key", lambda: data["v"]))

    subscribe(subscriber)
    try:
        record("system", "test.try", ("t", 1))
        record("system", "test.read", ("t", 2))
    finally:
        _subscribers.remove(subscriber)
    assert seen == ["committed"]


@pytest.mark.django_db  # one test transaction, never committed: callbacks run by capture
def test_aud1_on_commit_callbacks_run_inside_a_transaction_remember_nothing(
    django_capture_on_commit_callbacks,
):
    record("system", "test.outer", ("t", 1))
    with pytest.raises(RuntimeError), transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            record("system", "test.inner", ("t", 2))
        raise RuntimeError
    assert record("system", "test.after", ("t", 3)).index == 1
    assert _log_is_whole()

"""AUD-2: `wuquan verify` catches every edit made behind the application's back, with its
position. Each tampering is done with direct SQL, as an intruder with database access would."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from wuquan.ledger import merkle, proofs, record, selectors
from wuquan.ledger.models import Checkpoint, Event
from wuquan.ledger.services import canonical_json, do_create_checkpoint
from wuquan.ledger.verification import verify_log

N = 20
Q = connection.ops.quote_name


@pytest.fixture
def log(db):
    with transaction.atomic():
        for i in range(10):
            record(f"user:clerk{i % 3}", "test.tamper", ("case", i), {"i": i, "名": "龙潭"})
    do_create_checkpoint()
    with transaction.atomic():
        for i in range(10, N):
            record("system", "test.tamper", ("case", i), {"i": i})
    do_create_checkpoint()


def sql(statement, params=()):
    with connection.cursor() as c:
        c.execute(statement.replace("{index}", Q("index")), params)


def row(index):
    return Event.objects.values().get(index=index)


def put(index, values):
    sets = ", ".join(f"{Q(k)} = %s" for k in values)
    sql(f"UPDATE ledger_event SET {sets} WHERE {{index}} = %s", [*values.values(), index])


def problem():
    report = verify_log()
    assert not report.ok
    return report.problem


def test_aud2_intact_log_verifies_and_the_command_prints_ok(log, capsys):
    report = verify_log(deep=True)
    assert report.ok and report.size == N and report.checkpoints == 2
    call_command("verify", "--no-progress")
    out = capsys.readouterr().out
    leaves = list(Event.objects.order_by("index").values_list("leaf", flat=True))
    recomputed = merkle.root([merkle.leaf_hash(leaf.encode()) for leaf in leaves])
    assert report.root == recomputed == selectors.tree_head()[1]
    assert out.startswith(f"OK size={N} root={recomputed.hex()}")
    call_command("verify", "--no-progress", "--fast")  # kept as an alias of the default
    assert capsys.readouterr().out.startswith(f"OK size={N}")


def test_aud2_edited_leaf_is_caught_at_its_position(log, capsys):
    leaf = row(7)["leaf"].replace('"i":7', '"i":700')
    put(7, {"leaf": leaf})
    p = problem()
    assert (p.position, p.checkpoint) == (7, False) and "leaf" in p.what
    with pytest.raises(SystemExit) as exit_:
        call_command("verify", "--no-progress")
    assert exit_.value.code == 1
    assert "event 7" in capsys.readouterr().out


@pytest.mark.parametrize(
    "column,value", [("action", "test.forged"), ("actor", "user:boss"), ("subject_id", "99")]
)
def test_aud2_edited_projection_column_is_caught_at_its_position(log, column, value):
    put(9, {column: value})
    p = problem()
    assert (p.position, p.checkpoint) == (9, False) and column.split("_")[0] in p.what


def test_aud2_edited_time_column_is_caught_by_deep_mode(log):
    sql("UPDATE ledger_event SET at = %s WHERE {index} = %s", ["2001-01-01 00:00:00", 4])
    report = verify_log(deep=True)
    assert report.problem.position == 4 and "at" in report.problem.what


def test_aud2_deleted_row_is_caught_at_its_position(log):
    sql("DELETE FROM ledger_event WHERE {index} = %s", [12])
    p = problem()
    assert (p.position, p.checkpoint) == (12, False) and "missing" in p.what


def test_aud2_deleted_tail_is_caught_by_the_checkpoint(log):
    sql("DELETE FROM ledger_event WHERE {index} >= %s", [15])
    p = problem()
    assert (p.position, p.checkpoint) == (N, True)


def test_aud2_inserted_row_is_caught_at_its_position(log):
    for i in range(N - 1, 9, -1):  # why: one row at a time, so the primary key never clashes
        sql("UPDATE ledger_event SET {index} = %s WHERE {index} = %s", [i + 1, i])
    old = row(11)
    leaf = canonical_json(
        {"action": "test.tamper", "actor": "system", "at": "2020-01-01T00:00:00+00:00",
         "index": 10, "payload": {"i": "inserted"}, "subject": ["case", "10"]}
    )  # fmt: skip
    Event.objects.bulk_create(
        [
            Event(
                index=10, at=old["at"], actor="system", action="test.tamper",
                subject_type="case", subject_id="10", leaf=leaf,
                leaf_hash=merkle.leaf_hash(leaf.encode()),
                node_hash=old["node_hash"],
            )
        ]
    )  # fmt: skip
    p = problem()
    assert (p.position, p.checkpoint) == (10, False) and "node_hash" in p.what


def test_aud2_swapped_rows_are_caught_at_the_first_of_them(log):
    a, b = row(3), row(4)
    for target, source in ((3, b), (4, a)):
        put(target, {k: v for k, v in source.items() if k != "index"})
    p = problem()
    assert (p.position, p.checkpoint) == (3, False) and "index 4" in p.what


def test_aud2_rewrite_with_all_hashes_recomputed_is_caught_by_the_signed_checkpoint(log):
    frontier = merkle.Frontier()
    for e in Event.objects.order_by("index"):
        leaf = e.leaf.replace('"i":5', '"i":500') if e.index == 5 else e.leaf
        lh = merkle.leaf_hash(leaf.encode())
        node = frontier.append(lh)
        put(e.index, {"leaf": leaf, "leaf_hash": lh, "node_hash": node})
    p = problem()
    assert (p.position, p.checkpoint) == (10, True) and "root" in p.what


def test_aud2_forged_checkpoint_is_caught_at_its_size(log):
    cp = Checkpoint.objects.get(size=10)
    forged = cp.note.replace("\n10\n", "\n9\n")
    sql("UPDATE ledger_checkpoint SET note = %s, size = %s WHERE id = %s", [forged, 9, cp.id])
    p = problem()
    assert (p.position, p.checkpoint) == (9, True) and "signature" in p.what


def test_aud2_checkpoint_root_column_edit_is_caught(log):
    sql("UPDATE ledger_checkpoint SET root_hash = %s WHERE size = %s", [bytes(32), N])
    p = problem()
    assert (p.position, p.checkpoint) == (N, True)


@pytest.mark.parametrize("index", [6, 7, 15, N - 1])
def test_aud2_edited_node_hash_is_caught_at_its_position(log, index):
    """6: a lone leaf's node; 7 and 15: nodes that close subtrees of 8 and 16 leaves (and
    that tree heads are folded from); N - 1: the last row, after the last checkpoint."""
    put(index, {"node_hash": bytes(32)})
    p = problem()
    assert (p.position, p.checkpoint) == (index, False) and "node_hash" in p.what


def test_aud2_tree_heads_are_folded_from_the_stored_frontier(log):
    """No per-row root is stored: the head of any size comes from the closing nodes."""
    leaves = [bytes(h) for h in Event.objects.order_by("index").values_list("leaf_hash", flat=True)]
    for size in range(N + 1):
        assert proofs.root_at(size) == merkle.root(leaves[:size])
    assert selectors.tree_head() == (N, merkle.root(leaves))
    assert "root_hash" not in {f.name for f in Event._meta.get_fields()}


def test_aud2_values_that_need_json_escaping_verify_and_their_edits_are_caught(db):
    """The fast projection check flags escaped values; the parsing check clears them."""
    long_actor = "org.person:1:" + "龙" * 130  # the actor column keeps 120 characters
    with transaction.atomic():
        record('user:a"b\\c', 'test.esc"aped', ("case", 'x"\\y'), {"q": '"'})
        record(long_actor, "test.long", ("case\n", "1"))
        record("system", "test.plain", ("case", "2"))
    assert verify_log().ok and verify_log(deep=True).ok
    put(0, {"subject_id": 'x"\\z'})
    p = problem()
    assert (p.position, p.checkpoint) == (0, False) and "subject" in p.what
    put(0, {"subject_id": 'x"\\y'})
    put(1, {"actor": long_actor[:119] + "X"})
    p = problem()
    assert (p.position, p.checkpoint) == (1, False) and "actor" in p.what


def test_aud2_a_leaf_that_is_not_json_is_reported_not_a_crash(log):
    put(8, {"leaf": "not json"})
    p = problem()
    assert (p.position, p.checkpoint) == (8, False) and "leaf" in p.what
    put(8, {"leaf": "not json", "leaf_hash": merkle.leaf_hash(b"not json")})
    p = problem()
    assert (p.position, p.checkpoint) == (8, False) and "JSON" in p.what


def test_aud2_verify_command_draws_a_progress_bar_on_stderr_for_long_runs(log, capsys, monkeypatch):
    from wuquan.ledger.management.commands import verify as verify_command

    monkeypatch.setattr(verify_command._ProgressBar, "MIN_TOTAL", 5)
    call_command("verify")
    captured = capsys.readouterr()
    assert f"{N}/{N} (100%)" in captured.err
    assert captured.out.startswith(f"OK size={N}")


def test_aud2_verify_without_the_key_cannot_vouch_for_checkpoints(log, settings, tmp_path):
    from wuquan.ledger import signing

    vkey = signing.verifier_key()
    settings.WUQUAN_LOG_KEY_PATH = tmp_path / "elsewhere.key"
    p = problem()
    assert p.checkpoint and "--vkey" in p.what
    assert verify_log(vkey=vkey).ok


@pytest.fixture
def committed_log(transactional_db, monkeypatch):
    """The same log, committed (worker processes only see committed rows), split small."""
    from wuquan.ledger import verification

    monkeypatch.setattr(verification, "_MIN_RANGE", 3)
    with transaction.atomic():
        for i in range(10):
            record("system", "test.tamper", ("case", i), {"i": i})
    do_create_checkpoint()
    with transaction.atomic():
        for i in range(10, N):
            record("system", "test.tamper", ("case", i), {"i": i})
    do_create_checkpoint()


def test_aud2_parallel_verify_reports_the_same_first_problem(committed_log):
    """On SQLite's in-memory test database this runs in-process (documented fallback)."""
    intact = verify_log(jobs=3)
    assert intact.ok and intact.size == N
    assert intact.root == selectors.tree_head()[1]
    put(16, {"node_hash": bytes(32)})
    put(8, {"subject_id": "x"})
    p = verify_log(jobs=3).problem
    assert (p.position, p.checkpoint) == (8, False)
    put(8, {"subject_id": "8"})
    sql("DELETE FROM ledger_event WHERE {index} = %s", [12])
    p = verify_log(jobs=3).problem
    assert (p.position, p.checkpoint) == (12, False) and "missing" in p.what
    sql("DELETE FROM ledger_event WHERE {index} >= %s", [13])  # now a cut-off tail
    p = verify_log(jobs=3).problem
    assert (p.position, p.checkpoint) == (N, True) and "only 12" in p.what


@pytest.mark.parametrize("prefetch", [True, False])
def test_aud2_verify_reports_the_same_with_and_without_the_prefetch_thread(
    log, monkeypatch, prefetch
):
    from wuquan.ledger import verification

    monkeypatch.setitem(verification.PREFETCH, connection.vendor, prefetch)
    monkeypatch.setattr(verification, "_BATCH", 3)  # why: many batches, so the thread hands over
    assert verify_log().ok
    put(11, {"actor": 'user:"forged"'})  # the parsing check queries between fetches
    p = problem()
    assert (p.position, p.checkpoint) == (11, False) and "actor" in p.what
    put(5, {"node_hash": bytes(32)})
    assert (problem().position, problem().checkpoint) == (5, False)


def test_aud2_batches_after_a_cleared_false_alarm_or_a_separator_are_still_checked(db, monkeypatch):
    """Small batches (PostgreSQL's batched path; SQLite's per-row path reads in batches of
    the same size): a value that needs JSON escaping (flagged, cleared by parsing the leaf)
    and one holding the batch separator 0x01 (that batch goes row by row) do not stop the
    check of later batches, and each later tampering is reported at its own position."""
    from wuquan.ledger import verification

    monkeypatch.setattr(verification, "_BATCH", 4)
    with transaction.atomic():
        record('user:a"b', "test.escaped", ("case", "0"))
        record("system", "test.sep", ("case\x01x", "1"))
        for i in range(2, 13):
            record("system", "test.plain", ("case", str(i)))
    do_create_checkpoint()
    assert verify_log().ok and verify_log().root == selectors.tree_head()[1]
    original = bytes(row(9)["node_hash"])
    put(9, {"node_hash": bytes(32)})
    p = problem()
    assert (p.position, p.checkpoint) == (9, False) and "node_hash" in p.what
    put(9, {"node_hash": original})
    put(6, {"actor": "user:x"})
    p = problem()
    assert (p.position, p.checkpoint) == (6, False) and "actor" in p.what
    put(6, {"actor": "system"})
    put(5, {"leaf": row(5)["leaf"].replace("test.plain", "test.plane")})
    p = problem()
    assert (p.position, p.checkpoint) == (5, False) and "leaf" in p.what
    sql("DELETE FROM ledger_event WHERE {index} = %s", [5])
    p = problem()
    assert (p.position, p.checkpoint) == (5, False) and "next stored index is 6" in p.what


def test_aud2_hashes_moved_across_a_row_boundary_are_caught_at_the_first_row(log):
    """Joined, node hashes of 16 and 48 bytes read like two of 32: each row's own counts."""
    first, second = bytes(row(12)["node_hash"]), bytes(row(13)["node_hash"])
    put(12, {"node_hash": first[:16]})
    put(13, {"node_hash": first[16:] + second})
    p = problem()
    assert (p.position, p.checkpoint) == (12, False) and "node_hash" in p.what

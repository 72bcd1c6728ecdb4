"""AUD-2: `wuquan verify` catches every edit made behind the application's back, with its
position. Each tampering is done with direct SQL, as an intruder with database access would."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from wuquan.ledger import merkle, record
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
    assert out.startswith(f"OK size={N} root={bytes(row(N - 1)['root_hash']).hex()}")


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
                node_hash=old["node_hash"], root_hash=old["root_hash"],
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
        put(
            e.index,
            {"leaf": leaf, "leaf_hash": lh, "node_hash": node, "root_hash": frontier.root()},
        )
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


def test_aud2_edited_root_column_is_caught_by_default_and_fast_mode_checks_the_end(log):
    put(13, {"root_hash": bytes(32)})
    p = problem()
    assert (p.position, p.checkpoint) == (13, False) and "root_hash" in p.what
    assert verify_log(every_root=False).ok  # documented: --fast checks heads at checkpoints
    put(N - 1, {"root_hash": bytes(32)})
    report = verify_log(every_root=False)
    assert report.problem.position in (N - 1, N)


def test_aud2_fast_mode_still_catches_leaf_and_node_edits(log):
    put(6, {"node_hash": bytes(32)})
    assert verify_log(every_root=False).problem.position == 6


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


@pytest.mark.parametrize("every_root", [True, False])
def test_aud2_parallel_verify_reports_the_same_first_problem(committed_log, every_root):
    """On SQLite's in-memory test database this runs in-process (documented fallback)."""
    intact = verify_log(jobs=3, every_root=every_root)
    assert intact.ok and intact.size == N
    assert intact.root == bytes(row(N - 1)["root_hash"])
    put(16, {"node_hash": bytes(32)})
    put(8, {"subject_id": "x"})
    p = verify_log(jobs=3, every_root=every_root).problem
    assert (p.position, p.checkpoint) == (8, False)
    put(8, {"subject_id": "8"})
    sql("DELETE FROM ledger_event WHERE {index} = %s", [12])
    p = verify_log(jobs=3, every_root=every_root).problem
    assert (p.position, p.checkpoint) == (12, False) and "missing" in p.what
    sql("DELETE FROM ledger_event WHERE {index} >= %s", [13])  # now a cut-off tail
    p = verify_log(jobs=3, every_root=every_root).problem
    assert (p.position, p.checkpoint) == (N, True) and "only 12" in p.what

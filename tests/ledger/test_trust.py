"""Issue 13, findings 1 and 3 (AUD-2): the signer never signs a head inconsistent with one it
signed before, and `wuquan verify` checks with the key published apart from the database."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.ledger.tamper import delete_checkpoints, rewrite_from, truncate_to
from wuquan.ledger import events, record, signing
from wuquan.ledger.models import Checkpoint, Event
from wuquan.ledger.services import CheckpointRefused, do_create_checkpoint
from wuquan.ledger.tasks import sign_checkpoint_periodically
from wuquan.supervision.models import Alarm


def grow(n, start=0):
    for i in range(start, start + n):
        record("system", "test.trust", ("case", i), {"i": i})


@pytest.fixture
def signed(db):
    grow(10)
    cp, created = do_create_checkpoint()
    assert created and cp.size == 10
    return cp


def refusals():
    return list(
        Event.objects.filter(action=events.CHECKPOINT_REFUSED).values_list("leaf", flat=True)
    )


def alarms(code="AUD-2-checkpoint-refused"):
    return Alarm.objects.filter(rule_code=code)


def test_aud2_checkpoint_grows_from_a_consistent_log_without_alarm(signed):
    grow(5, 10)
    cp, created = do_create_checkpoint()
    assert created and cp.size == 15
    assert signing.parse_checkpoint(signing.split_note(signing.last_signed())[0])[1] == 15
    assert refusals() == [] and not alarms().exists()


def test_aud2_checkpoint_refused_over_a_rewritten_history_and_the_commission_alarmed(signed):
    rewrite_from(3)
    grow(5, 10)
    with pytest.raises(CheckpointRefused) as refused:
        do_create_checkpoint()
    assert refused.value.problem == events.PROBLEM_INCONSISTENT
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [10]  # nothing signed
    assert len(refusals()) == 1 and events.PROBLEM_INCONSISTENT in refusals()[0]
    alarm = alarms().get()
    assert alarm.severity == "红牌" and alarm.unit_id is None  # the commission's board


def test_aud2_checkpoint_refused_when_checkpoint_rows_were_deleted(signed):
    delete_checkpoints()
    grow(3, 10)
    with pytest.raises(CheckpointRefused) as refused:
        do_create_checkpoint()
    assert refused.value.problem == events.PROBLEM_MISSING
    assert Checkpoint.objects.count() == 0 and alarms().count() == 1


def test_aud2_checkpoint_refused_over_a_truncated_log(signed):
    truncate_to(6)
    with pytest.raises(CheckpointRefused) as refused:
        do_create_checkpoint()
    assert refused.value.problem == events.PROBLEM_MISSING
    assert Checkpoint.objects.count() == 0


def test_aud2_checkpoint_refused_when_the_stored_checkpoint_is_forged(signed, tmp_path):
    # the intruder rewrote the log and stored a checkpoint signed by a key of their own
    rewrite_from(0)
    forger = Ed25519PrivateKey.generate()
    body = signing.checkpoint_text(10, bytes(32))
    pub = forger.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    sig = signing.key_id(signing.key_name(), pub) + forger.sign(body.encode())
    import base64

    note = f"{body}\n{signing.SIG_PREFIX}{signing.key_name()} {base64.b64encode(sig).decode()}\n"
    Checkpoint.objects.filter(size=10).update(note=note)
    grow(2, 10)
    with pytest.raises(CheckpointRefused) as refused:
        do_create_checkpoint()
    assert refused.value.problem in (events.PROBLEM_INCONSISTENT, events.PROBLEM_BAD_SIGNATURE)
    assert Checkpoint.objects.count() == 1


def test_aud2_checkpoint_command_and_periodic_task_refuse_loudly(signed):
    rewrite_from(5)
    grow(1, 10)
    with pytest.raises(CommandError, match="REFUSED"):
        call_command("checkpoint")
    with pytest.raises(CheckpointRefused):
        sign_checkpoint_periodically.call_local()
    assert Checkpoint.objects.count() == 1 and len(refusals()) == 2
    assert alarms().count() >= 1


def test_aud2_signer_refuses_when_its_key_file_is_not_the_published_key(signed, settings):
    settings.WUQUAN_LOG_KEY_PATH.unlink()
    signing._cache.clear()  # a new key appears at the same path
    grow(2, 10)
    with pytest.raises(CheckpointRefused) as refused:
        do_create_checkpoint()
    assert refused.value.problem == events.PROBLEM_KEY_NOT_PUBLISHED
    assert Checkpoint.objects.count() == 1


# --- finding 3: the verifier's key ------------------------------------------------------------


def test_aud2_verify_says_which_published_key_it_used(signed, capsys, settings):
    call_command("verify", "--no-progress")
    out = capsys.readouterr().out
    assert out.startswith("OK size=10")
    assert f"key={settings.WUQUAN_LOG_VKEY} (WUQUAN_LOG_VKEY)" in out


def test_aud2_verify_reads_the_published_key_from_a_file(signed, capsys, settings, tmp_path):
    path = tmp_path / "published.vkey"
    path.write_text(settings.WUQUAN_LOG_VKEY + "\n")
    settings.WUQUAN_LOG_VKEY, settings.WUQUAN_LOG_VKEY_FILE = "", str(path)
    call_command("verify", "--no-progress")
    assert f"(WUQUAN_LOG_VKEY_FILE={path})" in capsys.readouterr().out


def test_aud2_verify_refuses_to_trust_the_key_beside_the_database_silently(
    signed, capsys, settings
):
    settings.WUQUAN_LOG_VKEY = ""
    with pytest.raises(SystemExit) as exit_:
        call_command("verify", "--no-progress")
    assert exit_.value.code == 1
    assert "no published verifier key" in capsys.readouterr().out
    call_command("verify", "--no-progress", "--allow-local-key")
    out = capsys.readouterr().out
    assert out.startswith("OK") and "NOT an independent check" in out


def test_aud2_verify_catches_a_replaced_key_file_and_resigned_checkpoints(signed, capsys, settings):
    """The intruder rewrites history, replaces the key file and re-signs every checkpoint:
    the local key would pass; the published key does not."""
    published = settings.WUQUAN_LOG_VKEY
    rewrite_from(2)
    settings.WUQUAN_LOG_KEY_PATH.unlink()
    signing._cache.clear()
    from wuquan.ledger import selectors

    size, root = selectors.tree_head()
    Checkpoint.objects.filter(size=10).update(
        note=signing.sign_checkpoint(size, root), root_hash=root
    )
    call_command("verify", "--no-progress", "--allow-local-key", "--vkey", signing.verifier_key())
    assert capsys.readouterr().out.startswith("OK")  # the intruder's own key vouches
    with pytest.raises(SystemExit):
        call_command("verify", "--no-progress")
    out = capsys.readouterr().out
    assert "FAILED at checkpoint of size 10" in out and f"key={published}" in out

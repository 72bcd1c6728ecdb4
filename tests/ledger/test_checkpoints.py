"""AUD-2: signed checkpoints in the C2SP signed-note format, with the key kept outside the DB."""

import base64
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from wuquan.common.exceptions import RuleViolation
from wuquan.ledger import record, selectors, signing
from wuquan.ledger.models import Checkpoint
from wuquan.ledger.services import do_create_checkpoint
from wuquan.ledger.tasks import sign_checkpoint_periodically

# The example of Go's golang.org/x/mod/sumdb/note documentation (BSD licence).
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_NOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_aud2_our_note_verifier_accepts_the_go_sumdb_example():
    text = signing.open_note(GO_NOTE, GO_VKEY)
    assert text.startswith("If you think cryptography")
    with pytest.raises(signing.NoteError):
        signing.open_note(GO_NOTE.replace("answer", "Answer"), GO_VKEY)


@pytest.mark.django_db
def test_aud2_checkpoint_is_a_c2sp_signed_note_over_origin_size_and_root(settings, log_key):
    for i in range(5):
        record("system", "test.cp", ("t", i))
    cp, created = do_create_checkpoint()
    assert created and cp.size == 5
    size, root = selectors.tree_head()
    body, sig_block = cp.note.split("\n\n")
    assert body.split("\n") == [settings.WUQUAN_LOG_ORIGIN, "5", base64.b64encode(root).decode()]
    name, b64 = sig_block.removeprefix("\u2014 ").removesuffix("\n").split(" ")
    assert name == settings.WUQUAN_LOG_ORIGIN
    vkey = signing.verifier_key()
    vname, kid_hex, key_b64 = vkey.split("+", 2)
    assert base64.b64decode(b64)[:4].hex() == kid_hex
    assert base64.b64decode(key_b64)[:1] == b"\x01"
    assert signing.open_checkpoint(cp.note, vkey) == (settings.WUQUAN_LOG_ORIGIN, 5, root)
    forged = cp.note.replace("\n5\n", "\n4\n")
    with pytest.raises(signing.NoteError):
        signing.open_checkpoint(forged, vkey)


@pytest.mark.django_db
def test_aud2_signing_key_is_created_once_outside_the_database_with_mode_0600(log_key):
    first = signing.verifier_key()
    assert log_key.exists()
    assert stat.S_IMODE(log_key.stat().st_mode) == 0o600
    signing._cache.clear()
    assert signing.verifier_key() == first


@pytest.mark.django_db
def test_aud2_checkpoint_command_signs_only_when_the_tree_grew(capsys):
    with pytest.raises(CommandError):
        call_command("checkpoint")
    record("system", "test.cp", ("t", 1))
    call_command("checkpoint")
    out = capsys.readouterr().out
    assert "\n1\n" in out and "\u2014 " in out
    call_command("checkpoint")
    assert Checkpoint.objects.count() == 1
    record("system", "test.cp", ("t", 2))
    assert sign_checkpoint_periodically.call_local() == 2
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [2, 1]


@pytest.mark.django_db
def test_aud2_checkpoints_and_events_cannot_be_deleted_through_the_app(admin_client):
    e = record("system", "test.cp", ("t", 1))
    cp, _ = do_create_checkpoint()
    for attempt in (cp.delete, Checkpoint.objects.all().delete, e.delete):
        with pytest.raises(RuleViolation), transaction.atomic():
            attempt()
    assert Checkpoint.objects.count() == 1
    resp = admin_client.get(f"/admin/ledger/checkpoint/{cp.pk}/delete/")
    assert resp.status_code == 403
    resp = admin_client.get(f"/admin/ledger/checkpoint/{cp.pk}/change/")
    assert resp.status_code == 200 and b'name="_save"' not in resp.content
    assert admin_client.get("/admin/ledger/event/").status_code == 200

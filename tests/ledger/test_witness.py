"""Issue 13, finding 2 (AUD-2): witnesses (c2sp.org/tlog-witness add-checkpoint, Ed25519
cosignature/v1 of c2sp.org/tlog-cosignature) refuse a forked and a truncated log, and
`wuquan verify --witness-state DIR` / `--witness URL` / `--expected-size` catch them."""

import threading
import urllib.request

import pytest
from django.core.management import call_command

from tests.ledger.tamper import delete_checkpoints, rewrite_from, truncate_to
from wuquan.ledger import events, proofs, record, signing, witnessing
from wuquan.ledger.models import Cosignature, Event
from wuquan.ledger.services import do_create_checkpoint
from wuquan.ledger.witness import SIZE_TYPE, Witness, WitnessRefusal, make_server, request_body
from wuquan.supervision.models import Alarm


def grow(n, start=0):
    for i in range(start, start + n):
        record("system", "test.witness", ("case", i), {"i": i})


@pytest.fixture
def witness(tmp_path, settings):
    w = Witness(tmp_path / "witness")
    w.init("witness.longtan.example/w1")
    w.trust(settings.WUQUAN_LOG_VKEY)
    settings.WUQUAN_WITNESSES = f"{w.dir} {w.vkey()}"
    return w


@pytest.fixture
def served(witness, settings):
    """The same witness behind its HTTP server (as `wuquan witness serve` runs it)."""
    server = make_server(witness)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    settings.WUQUAN_WITNESSES = f"{url} {witness.vkey()}"
    yield url
    server.shutdown()
    server.server_close()


def refusal(witness, body):
    with pytest.raises(WitnessRefusal) as err:
        witness.add_checkpoint(body)
    return err.value


def verify(*args):
    try:
        call_command("verify", "--no-progress", *args)
    except SystemExit as exit_:
        return exit_.code
    return 0


# --- the protocol ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_aud2_witness_cosigns_from_zero_then_only_consistent_growth(witness, settings):
    settings.WUQUAN_WITNESSES = ""  # submit by hand here
    grow(5)
    cp5, _ = do_create_checkpoint()
    line = witness.add_checkpoint(request_body(0, [], cp5.note), now=1_700_000_000)
    text = signing.split_note(cp5.note)[0]
    assert line.startswith("\u2014 witness.longtan.example/w1 ")
    assert signing.open_cosignature(text, line, witness.vkey()) == 1_700_000_000
    with pytest.raises(signing.NoteError):
        signing.open_cosignature(text.replace("\n5\n", "\n6\n"), line, witness.vkey())
    grow(4, 5)
    cp9, _ = do_create_checkpoint()
    # a stale old size: 409 with the witness's size, as text/x.tlog.size
    stale = refusal(witness, request_body(0, [], cp9.note))
    assert (stale.status, stale.body, stale.content_type) == (409, "5\n", SIZE_TYPE)
    # a wrong proof: 422
    bad = refusal(witness, request_body(5, [bytes(32)] * 3, cp9.note))
    assert bad.status == 422
    assert list((witness.dir / "evidence").iterdir())  # kept as evidence of misbehaviour
    good = witness.add_checkpoint(request_body(5, proofs.consistency_proof(5, 9), cp9.note))
    assert signing.open_cosignature(signing.split_note(cp9.note)[0], good, witness.vkey())
    assert "\n9\n" in witness.latest(settings.WUQUAN_LOG_ORIGIN)


@pytest.mark.django_db
def test_aud2_witness_answers_404_403_and_400_as_the_spec_says(witness, settings):
    settings.WUQUAN_WITNESSES = ""
    grow(3)
    cp, _ = do_create_checkpoint()
    other = cp.note.replace(settings.WUQUAN_LOG_ORIGIN, "other.example/log", 1)
    assert refusal(witness, request_body(0, [], other)).status == 404
    forged = cp.note.replace("\n3\n", "\n4\n", 1)
    assert refusal(witness, request_body(0, [], forged)).status == 403
    assert refusal(witness, request_body(4, [], cp.note)).status == 400  # old > size
    assert refusal(witness, b"old 01\n\n" + cp.note.encode()).status == 400
    assert refusal(witness, b"no blank line").status == 400
    assert witness.latest(settings.WUQUAN_LOG_ORIGIN) is None  # nothing cosigned


@pytest.mark.django_db
def test_aud2_log_submits_each_checkpoint_over_http_and_serves_the_cosignatures(
    served, witness, client
):
    grow(4)
    cp, created = do_create_checkpoint()
    assert created and cp.cosignatures.get().witness == "witness.longtan.example/w1"
    grow(3, 4)
    cp2, _ = do_create_checkpoint()
    assert cp2.cosignatures.count() == 1  # the second went from old size 4 with a proof
    served_note = client.get("/api/v1/log/checkpoint").content.decode()
    text = signing.split_note(cp2.note)[0]
    cosig = served_note.splitlines()[-1]
    assert served_note.startswith(cp2.note)
    assert signing.open_cosignature(text, cosig, witness.vkey()) is not None
    assert signing.open_checkpoint(served_note, signing.verifier_key())[1] == 7
    listed = client.get("/api/v1/log/witnesses").json()
    assert listed == [{"name": "witness.longtan.example/w1", "vkey": witness.vkey()}]
    with urllib.request.urlopen(f"{served}/latest?origin={signing.key_name()}") as resp:
        assert "\n7\n" in resp.read().decode()
    assert verify("--witness", served, "--witness-vkey", witness.vkey()) == 0


@pytest.mark.django_db
def test_aud2_witness_catches_up_after_a_409(witness, settings):
    grow(3)
    settings.WUQUAN_WITNESSES = ""
    do_create_checkpoint()  # the witness did not see size 3
    settings.WUQUAN_WITNESSES = f"{witness.dir} {witness.vkey()}"
    grow(2, 3)
    cp, _ = do_create_checkpoint()
    assert cp.cosignatures.count() == 1
    grow(2, 5)
    cp7, _ = do_create_checkpoint()
    assert cp7.cosignatures.count() == 1


# --- a forked and a truncated log ---------------------------------------------------------------


def witness_alarms():
    return Alarm.objects.filter(rule_code="AUD-2-witness-refused")


@pytest.mark.django_db
def test_aud2_forked_log_is_refused_by_the_witness_and_caught_by_verify(witness, settings, capsys):
    grow(8)
    do_create_checkpoint()
    assert verify("--witness-state", str(witness.dir)) == 0
    capsys.readouterr()
    # the intruder rewrites history, and also controls the signer (its record beside the key
    # is gone, the stored checkpoint re-signed) — only the witness still knows
    rewrite_from(2)
    signing.signer_state_path().unlink()
    delete_checkpoints()
    grow(2, 8)
    cp, created = do_create_checkpoint()
    assert created and cp.cosignatures.count() == 0  # no cosignature for the fork
    refused = Event.objects.filter(action=events.WITNESS_REFUSED).get()
    assert refused.payload["problem"] == events.PROBLEM_WITNESS_FORK
    assert refused.payload["status"] == 422
    assert witness_alarms().count() == 1
    assert "\n8\n" in witness.latest(settings.WUQUAN_LOG_ORIGIN)  # it kept the real one
    assert verify() == 0  # the database alone looks fine
    assert verify("--witness-state", str(witness.dir)) == 1
    assert "forked" in capsys.readouterr().out


@pytest.mark.django_db
def test_aud2_truncated_log_is_refused_by_the_witness_and_caught_by_verify(
    witness, settings, capsys
):
    grow(12)
    do_create_checkpoint()
    truncate_to(5)
    signing.signer_state_path().unlink()
    grow(3, 5)  # 8 events now: fewer than the witness has seen
    cp, created = do_create_checkpoint()
    assert created and cp.size == 8 and cp.cosignatures.count() == 0
    refused = Event.objects.filter(action=events.WITNESS_REFUSED).get()
    assert refused.payload["problem"] == events.PROBLEM_WITNESS_AHEAD
    assert refused.payload["witness_size"] == 12
    assert witness_alarms().count() == 1
    capsys.readouterr()
    assert verify("--witness-state", str(witness.dir)) == 1
    assert "truncated" in capsys.readouterr().out


@pytest.mark.django_db
def test_aud2_truncation_past_the_last_checkpoint_fails_verify_with_a_witness(witness, capsys):
    grow(6)
    do_create_checkpoint()
    grow(4, 6)
    truncate_to(6)  # only unsigned events removed: the database alone cannot tell
    assert verify() == 0
    assert verify("--expected-size", "10") == 1
    grow(1, 6)
    do_create_checkpoint()
    capsys.readouterr()
    assert verify("--witness-state", str(witness.dir)) == 0  # the witness saw 6, 7 extends it


@pytest.mark.django_db
def test_aud2_deleted_checkpoint_rows_and_zero_checkpoints_fail_verify(witness, capsys):
    grow(5)
    do_create_checkpoint()
    delete_checkpoints()
    assert verify() == 0  # as before issue 13: zero checkpoints accepted on its own
    assert verify("--witness-state", str(witness.dir)) == 1
    assert "missing from the store" in capsys.readouterr().out
    assert verify("--expected-size", "5") == 1
    assert "no checkpoint" in capsys.readouterr().out


@pytest.mark.django_db
def test_aud2_witness_state_from_another_log_key_is_not_accepted(witness, capsys, settings):
    grow(3)
    do_create_checkpoint()
    assert Cosignature.objects.count() == 1
    other = Witness(witness.dir.parent / "other")
    other.init("witness.other.example/w2")
    assert verify("--witness-state", str(other.dir)) == 1  # it never saw this log
    assert "no checkpoint of this log" in capsys.readouterr().out


def test_aud2_witness_runs_without_django_settings(tmp_path):
    """`python -m wuquan.ledger.witness`: its own key and store, no database."""
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "wuquan.ledger.witness",
            "--dir",
            str(tmp_path),
            "init",
            "--name",
            "w.example/x",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    name, _kid, _key = signing.parse_cosigner_vkey(out.strip())
    assert name == "w.example/x"
    assert (tmp_path / "witness-ed25519.key").stat().st_mode & 0o077 == 0


def test_aud2_witnesses_setting_is_parsed_and_checked(settings):
    w = "w.example/x+01234567+" + "A" * 44
    settings.WUQUAN_WITNESSES = "http://a.example only-one-field"
    with pytest.raises(signing.NoteError):
        witnessing.configured()
    settings.WUQUAN_WITNESSES = f"http://a.example {w}"
    with pytest.raises(signing.NoteError):  # the key id does not match
        witnessing.configured()


# --- stored cosignatures re-checked by verify against the configured witness keys -----------


@pytest.mark.django_db
def test_aud2_verify_rechecks_stored_cosignatures_against_the_configured_keys(witness, capsys):
    grow(4)
    do_create_checkpoint()
    grow(2, 4)
    do_create_checkpoint()
    assert Cosignature.objects.count() == 2
    capsys.readouterr()
    assert verify() == 0
    out = capsys.readouterr().out
    assert "cosignatures=2 verified" in out and "witness.longtan.example/w1" in out


@pytest.mark.django_db
def test_aud2_verify_reports_a_cosignature_by_a_key_not_configured(witness, capsys, settings):
    import base64

    grow(4)
    cp, _ = do_create_checkpoint()
    # a second witness cosigns, but the operator configured only the first: a row planted
    # straight into the database by whoever controls it looks exactly like this
    other = Witness(witness.dir.parent / "other")
    other.init("witness.other.example/w2")
    other.trust(settings.WUQUAN_LOG_VKEY)
    body = other.add_checkpoint(request_body(0, [], cp.note))
    line = body.splitlines()[0]
    name, kid, _key = signing.parse_cosigner_vkey(other.vkey())
    timestamp = int.from_bytes(base64.b64decode(line.split(" ")[2])[4:12], "big")
    Cosignature.objects.create(
        checkpoint=cp, witness=name, key_id=kid.hex(), line=line, timestamp=timestamp
    )
    capsys.readouterr()
    assert verify() == 1
    out = capsys.readouterr().out
    assert "witness.other.example/w2" in out and "not a configured witness key" in out
    settings.WUQUAN_WITNESSES = f"{witness.dir} {witness.vkey()};{other.dir} {other.vkey()}"
    assert verify() == 0  # configured: both verify
    settings.WUQUAN_WITNESSES = ""
    assert verify() == 1  # a witness dropped from the configuration leaves unverifiable rows


@pytest.mark.django_db
def test_aud2_verify_reports_a_stored_cosignature_whose_signature_is_bad(witness, capsys):
    import base64

    grow(4)
    do_create_checkpoint()
    c = Cosignature.objects.get()
    prefix, name, b64 = c.line.split(" ")
    raw = bytearray(base64.b64decode(b64))
    raw[-1] ^= 1  # one bit of the Ed25519 signature
    Cosignature.objects.filter(pk=c.pk).update(
        line=f"{prefix} {name} {base64.b64encode(bytes(raw)).decode()}"
    )
    capsys.readouterr()
    assert verify() == 1
    out = capsys.readouterr().out
    assert "checkpoint of size 4" in out and "cosignature does not verify" in out
    # the stored time changed behind the signature's back is caught as well
    Cosignature.objects.filter(pk=c.pk).update(line=c.line, timestamp=c.timestamp + 1)
    assert verify() == 1
    assert "stored time differs" in capsys.readouterr().out

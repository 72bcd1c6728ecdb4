"""AUD-2: anyone can check the log from outside through the API: checkpoint, key, proofs."""

import base64

import pytest
from django.db import transaction

from wuquan.ledger import merkle, record, signing
from wuquan.ledger.services import do_create_checkpoint

N = 13


def b(s):
    return base64.b64decode(s)


@pytest.fixture
def log(db):
    with transaction.atomic():
        for i in range(N):
            record("system", "test.api", ("case", i), {"i": i})
    do_create_checkpoint()
    with transaction.atomic():
        for i in range(N, N + 4):
            record("system", "test.api", ("case", i), {"i": i})


def test_aud2_outsider_checks_an_event_against_the_signed_checkpoint(client, log):
    vkey = client.get("/api/v1/log/public-key").content.decode().strip()
    note = client.get("/api/v1/log/checkpoint").content.decode()
    origin, size, root = signing.open_checkpoint(note, vkey)
    assert size == N
    got = client.get("/api/v1/log/events/5").json()
    assert got["tree_size"] == N and b(got["tree_root"]) == root
    leaf_hash = merkle.leaf_hash(got["leaf"].encode())
    assert leaf_hash == b(got["leaf_hash"])
    merkle.verify_inclusion(5, size, leaf_hash, [b(h) for h in got["inclusion_proof"]], root)


def test_aud2_event_proof_for_a_chosen_tree_size_and_for_events_after_the_checkpoint(client, log):
    head = client.get("/api/v1/log/head").json()
    assert head["size"] == N + 4
    got = client.get("/api/v1/log/events/15").json()
    assert got["tree_size"] == N + 4
    merkle.verify_inclusion(
        15, N + 4, b(got["leaf_hash"]), [b(h) for h in got["inclusion_proof"]], b(head["root_hash"])
    )
    got = client.get("/api/v1/log/events/2?tree_size=3").json()
    merkle.verify_inclusion(
        2, 3, b(got["leaf_hash"]), [b(h) for h in got["inclusion_proof"]], b(got["tree_root"])
    )


def test_aud2_consistency_proof_links_the_checkpoint_to_the_current_head(client, log):
    got = client.get(f"/api/v1/log/consistency?size1={N}").json()
    assert got["size2"] == N + 4
    merkle.verify_consistency(
        N, N + 4, b(got["root1"]), b(got["root2"]), [b(h) for h in got["proof"]]
    )


def test_aud2_bad_requests_get_clear_4xx_errors(client, log):
    assert client.get("/api/v1/log/events/999").status_code == 404
    resp = client.get("/api/v1/log/events/5?tree_size=3")
    assert resp.status_code == 400 and resp.json()["field"] == "tree_size"
    assert client.get("/api/v1/log/events/5?tree_size=999").status_code == 400
    assert client.get("/api/v1/log/consistency?size1=9&size2=4").status_code == 400


@pytest.mark.django_db
def test_aud2_no_checkpoint_yet_is_a_404(client):
    assert client.get("/api/v1/log/checkpoint").status_code == 404


@pytest.mark.django_db
def test_aud2_openapi_lists_the_log_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for p in ("checkpoint", "public-key", "head", "events/{index}", "consistency"):
        assert f"/api/v1/log/{p}" in paths
    assert client.get("/api/v1/docs").status_code == 200

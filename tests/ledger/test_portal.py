"""AUD-2: the public checkpoints page shows the head, each checkpoint, the key and how to verify."""

import pytest

from wuquan.ledger import record, selectors, signing
from wuquan.ledger.services import do_create_checkpoint


@pytest.mark.django_db
def test_aud2_portal_log_page_shows_head_checkpoints_key_and_how_to_verify(client):
    for i in range(3):
        record("system", "test.portal", ("t", i))
    cp, _ = do_create_checkpoint()
    record("system", "test.portal", ("t", 3))
    resp = client.get("/gk/log/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'id="tree-size">4<' in html
    assert selectors.tree_head()[1].hex() in html
    assert signing.verifier_key() in html
    assert cp.note.split("\n")[2] in html  # the checkpoint's root line
    assert "如何校验" in html and "/api/v1/log/events/" in html


@pytest.mark.django_db
def test_aud1_staff_see_the_recent_events_page(admin_client):
    record("system", "test.staff-page", ("t", 1))
    resp = admin_client.get("/staff/ledger/")
    assert resp.status_code == 200 and "test.staff-page" in resp.content.decode()

"""The decisions API (DEC-2..6): meetings, items, statements, votes and results over
django-ninja; a secret vote shows only how many voted, never who chose what (DEC-5)."""

import pytest
from django.contrib.auth import get_user_model

from wuquan.decisions import services
from wuquan.decisions.models import MatterKind, SealedBallot
from wuquan.ledger.models import Event

from .dec_helpers import meeting_at_vote

pytestmark = pytest.mark.django_db
API = "/api/v1/decisions"


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create(username="api-admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_dec5_api_secret_vote_shows_how_many_voted_and_the_result_only_after_the_count(staff):
    meeting, item, members = meeting_at_vote(3, 3, kind=MatterKind.APPOINTMENT)
    body = staff.get(f"{API}/meetings/{meeting.pk}").json()
    assert [i["id"] for i in body["items"]] == [item.pk] and len(body["members"]) == 3
    said = staff.get(f"{API}/items/{item.pk}/statements").json()
    assert [s["member_id"] for s in said] == [m.pk for m in members]
    for member, choice in zip(members, ["yes", "yes", "no"], strict=True):
        r = staff.post(
            f"{API}/items/{item.pk}/votes",
            {"member_id": member.pk, "choice": choice},
            content_type="application/json",
        )
        assert r.status_code == 204
    votes = staff.get(f"{API}/items/{item.pk}/votes").json()
    assert votes == {"mode": "secret", "voted": 3, "named": []}
    assert staff.get(f"{API}/items/{item.pk}/result").json()["decided"] is False
    services.do_close_vote(item, actor="clerk")
    result = staff.get(f"{API}/items/{item.pk}/result").json()
    assert (result["decided"], result["yes"], result["no"], result["passed"]) == (True, 2, 1, True)


def test_dec5_api_refuses_a_bad_vote_and_writes_nothing(staff):
    meeting, item, members = meeting_at_vote(3, 3, kind=MatterKind.APPOINTMENT)
    before = Event.objects.count()
    r = staff.post(
        f"{API}/items/{item.pk}/votes",
        {"member_id": members[0].pk, "choice": "maybe"},
        content_type="application/json",
    )
    assert 400 <= r.status_code < 500
    assert Event.objects.count() == before and not SealedBallot.objects.exists()


def test_dec2_api_needs_a_staff_session(client):
    meeting, item, members = meeting_at_vote(3, 3)
    assert client.get(f"{API}/meetings/{meeting.pk}").status_code == 401
    assert client.get(f"{API}/units/{meeting.unit.code}/meetings").status_code == 401

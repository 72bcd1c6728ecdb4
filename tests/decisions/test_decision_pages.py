"""Staff pages: secret ballots through the UI, the village ledger and objections (DEC-5, DEC-10)."""

import pytest
from django.contrib.auth import get_user_model

from wuquan.decisions.models import Choice, MatterKind, SecretBallot, VoteMarker

from .dec_helpers import meeting_at_vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def decisions_demo(demo_org):
    from wuquan.decisions import demo

    demo.load(None)
    demo.load(None)  # idempotent


def test_dec5_secret_ballot_pages_mark_voters_and_enter_ballots_separately(decisions_demo, client):
    meeting, item, members = meeting_at_vote(3, 3, kind=MatterKind.APPOINTMENT)
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get(f"/staff/decisions/meetings/{meeting.pk}/").content.decode()
    assert "登记已投票" in page and "录入一张选票" in page and "vote-form" not in page
    for member in members:
        client.post(f"/staff/decisions/items/{item.pk}/mark-voted/", {"member": member.pk})
    for choice in (Choice.YES, Choice.YES, Choice.NO):
        client.post(f"/staff/decisions/items/{item.pk}/ballot/", {"choice": choice})
    assert VoteMarker.objects.filter(item=item).count() == 3
    assert (
        "赞成 2 票" not in client.get(f"/staff/decisions/meetings/{meeting.pk}/").content.decode()
    )
    client.post(f"/staff/decisions/items/{item.pk}/close-vote/")
    page = client.get(f"/staff/decisions/meetings/{meeting.pk}/").content.decode()
    assert "赞成 2 票 &gt; 应到 3 人的一半 1.5，通过" in page
    assert SecretBallot.objects.filter(item=item).count() == 3


def test_dec10_supervision_committee_sees_steps_and_files_an_objection(decisions_demo, client):
    client.force_login(get_user_model().objects.get(username="cunjian"))
    page = client.get("/staff/decisions/village/").content.decode()
    assert "韩屯村村部维修工程" in page and "党员大会审议" in page
    assert "旧街村集体林地出租" not in page  # another village
    from wuquan.decisions.models import VillageMatter

    matter = VillageMatter.objects.get(title="韩屯村村部维修工程")
    client.post(
        "/staff/decisions/village/", {"matter": matter.pk, "step": "4", "text": "公告照片不清晰"}
    )
    assert matter.objections.get().text == "公告照片不清晰"


def test_dec9_public_page_lists_published_decisions_and_void_village_matters(
    decisions_demo, client
):
    page = client.get("/gk/decisions/").content.decode()
    assert "购置项目评审系统" in page and "任命投资科科长" in page
    assert "旧街村集体林地出租" in page and "缺少" in page
    assert "已按程序办理任职手续" in page


def test_dec10_staff_home_warns_about_void_village_matters(decisions_demo, client):
    client.force_login(get_user_model().objects.get(username="admin"))
    assert "已认定无效" in client.get("/staff/").content.decode()

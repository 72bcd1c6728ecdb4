"""The portal's pages for bulletins, villages, the catalog, the suggestion box (POST-redirect-
GET, no code in the URL), the search and the Atom feeds (PUB-4, PUB-6, PUB-11, PUB-12)."""

import xml.etree.ElementTree as ET

import pytest

from wuquan.disclosure import services
from wuquan.disclosure.models import Bulletin, Inquiry

from .disc_helpers import publish_regular

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_pub6_public_bulletin_page_shows_content_chain_and_log_match(client, village_world):
    b = publish_regular(village_world)
    page = client.get(f"/gk/bulletins/{b.pk}/").content.decode()
    assert "低保发放12户" in page and "1,234.56" in page
    assert "与公开时写入运行记录的内容一致" in page and b.content_sha256 in page
    Bulletin.objects.filter(pk=b.pk).update(village_affairs="偷偷改过")
    assert "不一致" in client.get(f"/gk/bulletins/{b.pk}/").content.decode()


def test_pub6_unpublished_bulletin_is_not_public(client, village_world):
    w = village_world
    b = services.do_draft_bulletin(
        w["village"], services.BulletinContent(title="草稿"), actor=w["chair"], year=2026, quarter=3
    )
    assert client.get(f"/gk/bulletins/{b.pk}/").status_code == 404


def test_pub11_suggestion_post_redirects_and_reload_files_nothing(client, village_world):
    b = publish_regular(village_world)
    response = client.post(
        "/gk/ask/",
        {
            "target": f"bulletin:{b.pk}",
            "text": "建议公开每笔支出的发票。",
            "publish_consent": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/gk/ask/done/"
    assert "?" not in response["Location"]
    done = client.get("/gk/ask/done/").content.decode()
    code = done.split('id="tracking-code">')[1].split("<")[0]
    assert len(code) == 16
    again = client.get("/gk/ask/done/").content.decode()
    assert code not in again
    assert Inquiry.objects.count() == 1


def test_pub11_suggestion_form_is_limited_per_client_behind_the_trusted_proxy(
    client, village_world, settings
):
    """The portal form counts in common/ratelimit per client address (the right-most untrusted
    X-Forwarded-For hop behind WUQUAN_TRUSTED_PROXIES), and says so beside the form (429-like
    refusal, nothing filed)."""
    settings.WUQUAN_INQUIRY_RATE_PER_HOUR = 1
    settings.WUQUAN_TRUSTED_PROXIES = ["127.0.0.1"]
    b = publish_regular(village_world)
    form = {"target": f"bulletin:{b.pk}", "text": "建议公开每笔支出的发票。"}

    def post(client_addr):
        return client.post("/gk/ask/", form, HTTP_X_FORWARDED_FOR=client_addr)

    assert post("203.0.113.7").status_code == 302
    refused = post("203.0.113.7")
    assert refused.status_code == 400 and "提交过于频繁" in refused.content.decode()
    assert post("203.0.113.8").status_code == 302  # another visitor behind the same proxy
    assert Inquiry.objects.count() == 2


def test_pub11_errors_are_shown_beside_the_field_with_the_text_kept(client, village_world):
    b = publish_regular(village_world)
    response = client.post(
        "/gk/ask/",
        {"target": f"bulletin:{b.pk}", "text": "建议多公开", "asker_contact": "12345"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "id_asker_contact-error" in page and "建议多公开" in page
    assert Inquiry.objects.count() == 0


def test_pub12_village_page_shows_spokesperson_and_answered_questions(client, village_world):
    from wuquan.org.selectors import person_of

    w = village_world
    services.do_appoint_spokesperson(w["village"], person_of(w["chair"]), actor=w["discipline"])
    inquiry, _ = services.do_submit_inquiry(
        services.InquiryInput(
            target="spokesperson:hantun",
            text="分红什么时候发？",
            asker_name="王某",
            asker_contact="13912345678",
        ),
        count_rate=False,
    )
    services.do_answer_inquiry(inquiry, "春节前发放。", actor=w["chair"])
    page = client.get("/gk/village/hantun/").content.decode()
    assert "村务公开发言人" in page and "春节前发放" in page
    assert "王某" not in page and "13912345678" not in page


def test_search_and_atom_feeds_list_published_bulletins(client, village_world):
    b = publish_regular(village_world)
    page = client.get("/gk/search/", {"q": "低保", "unit": "hantun"}).content.decode()
    assert b.title in page
    assert b.title not in client.get("/gk/search/", {"q": "不存在的词"}).content.decode()
    for url in ("/gk/feeds/all.atom", "/gk/feeds/unit/hantun.atom", "/gk/feeds/kind/bulletin.atom"):
        response = client.get(url)
        assert response.status_code == 200
        feed = ET.fromstring(response.content)
        titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
        assert any(b.title in t for t in titles), url
    assert client.get("/gk/feeds/kind/nonsense.atom").status_code == 404
    other = ET.fromstring(client.get("/gk/feeds/unit/jiujie.atom").content)
    assert other.findall(f"{ATOM}entry") == []


def test_staff_review_page_moves_the_bulletin_on(client, village_world):
    w = village_world
    b = services.do_draft_bulletin(
        w["village"],
        services.BulletinContent(title="季度简报"),
        actor=w["chair"],
        year=2026,
        quarter=3,
    )
    client.force_login(w["secretary"])
    assert b.title in client.get("/staff/disclosure/").content.decode()
    response = client.post(f"/staff/disclosure/bulletins/{b.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.status == "agreed"
    client.force_login(w["agri"])  # not 农经站's turn yet: the error shows on the page
    page = client.post(f"/staff/disclosure/bulletins/{b.pk}/", {"decision": "approve"})
    assert "民政科" in page.content.decode()
    b.refresh_from_db()
    assert b.status == "agreed"


def test_staff_bulletin_form_keeps_input_on_error(client, village_world):
    w = village_world
    client.force_login(w["chair"])
    response = client.post(
        "/staff/disclosure/bulletins/new/",
        {"village": "hantun", "kind": "regular", "year": 2026, "quarter": "", "title": "某简报"},
    )
    page = response.content.decode()
    assert "季度" in page and "某简报" in page
    assert Bulletin.objects.count() == 0


def test_pub12_township_commission_opens_the_yearly_assessment_from_its_page(client, village_world):
    from wuquan.evaluation.models import Evaluation
    from wuquan.org.selectors import person_of

    w = village_world
    services.do_appoint_spokesperson(w["village"], person_of(w["chair"]), actor=w["discipline"])
    client.force_login(w["discipline"])
    assert "发言人年度考核" in client.get("/staff/disclosure/").content.decode()
    r = client.post(
        "/staff/disclosure/assessment/",
        {"unit": w["town"].pk, "year": 2026, "eligible_voters": 40},
    )
    assert r.status_code == 302 and Evaluation.objects.filter(unit=w["town"]).count() == 1
    client.force_login(w["secretary"])  # not the township commission: nothing to open
    assert (
        client.post(
            "/staff/disclosure/assessment/", {"unit": w["town"].pk, "year": 2026}
        ).status_code
        == 404
    )

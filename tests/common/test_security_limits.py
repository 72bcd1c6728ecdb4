"""Issue 13 finding 8 and issue 12 finding 5 on the complaint form: rate limits in the shared
store (the database cache table made by `wuquan migrate`, seen by every worker), client
addresses read correctly behind trusted proxies, wrong query codes throttled, the complaint
form POST-redirect-GET with an idempotency key and no code in any URL."""

import secrets
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import Client, RequestFactory, override_settings

from wuquan.common import ratelimit
from wuquan.common.net import client_ip
from wuquan.supervision.models import Complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, settings, tmp_path):
    """The small approvals world (approvals.sample), as tests/approvals/conftest.py builds it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    from wuquan.approvals import sample

    return sample.build()


GOOD = {
    "about": "other",
    "content": "窗口工作人员推诿，多次要求补交无关材料。",
    "anonymous": "on",
    "website": "",
}


def test_13_8_the_cache_table_exists_after_migrate_and_is_the_shared_store():
    assert "wuquan_cache" in connection.introspection.table_names()
    assert isinstance(caches["shared"], DatabaseCache)


def test_13_8_a_limit_counted_by_one_worker_holds_for_another_and_after_a_restart():
    for _ in range(3):
        assert ratelimit.take("t", "1.2.3.4", limit=3)
    # a fresh cache object = another worker process, or the same one restarted
    other_worker = DatabaseCache("wuquan_cache", {"KEY_PREFIX": "wq"})
    bucket = ratelimit._bucket("t", "1.2.3.4", 3600, time.time())
    assert other_worker.get(f"{bucket}:3") == 1
    caches["shared"].close()
    assert not ratelimit.take("t", "1.2.3.4", limit=3)
    assert ratelimit.take("t", "5.6.7.8", limit=3)


@pytest.mark.parametrize(
    "trusted, remote, forwarded, expected",
    [
        ([], "203.0.113.9", "1.1.1.1", "203.0.113.9"),  # no trusted proxy: the header is ignored
        (["10.0.0.0/8"], "10.0.0.5", "198.51.100.7", "198.51.100.7"),
        (["10.0.0.0/8"], "10.0.0.5", "1.1.1.1, 198.51.100.7", "198.51.100.7"),  # forged left hop
        (["10.0.0.0/8"], "10.0.0.5", "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two proxies
        (["10.0.0.0/8"], "203.0.113.9", "198.51.100.7", "203.0.113.9"),  # untrusted peer
        (["10.0.0.0/8"], "10.0.0.5", "garbage", "10.0.0.5"),
    ],
)
def test_13_8_client_address_behind_trusted_proxies(trusted, remote, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(WUQUAN_TRUSTED_PROXIES=trusted):
        assert client_ip(request) == expected


def _complain(client, ip="10.0.0.1", key=None, **extra):
    data = {**GOOD, "idempotency_key": key or secrets.token_urlsafe(24)}
    return client.post("/gk/supervision/complaint/", data, REMOTE_ADDR=ip, **extra)


@override_settings(WUQUAN_COMPLAINT_RATE_PER_HOUR=2, WUQUAN_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_13_8_complaint_limit_is_per_client_behind_the_proxy_not_per_proxy():
    proxy = "10.0.0.5"
    a, b = {"HTTP_X_FORWARDED_FOR": "198.51.100.1"}, {"HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert _complain(Client(), proxy, **a).status_code == 302
    assert _complain(Client(), proxy, **a).status_code == 302
    assert _complain(Client(), proxy, **a).status_code == 429
    assert _complain(Client(), proxy, **b).status_code == 302  # another villager, same proxy
    assert Complaint.objects.count() == 3


@override_settings(WUQUAN_LOOKUP_FAILURES_PER_HOUR=3)
def test_13_8_wrong_query_codes_are_throttled_even_the_right_one_after(world):
    from wuquan.approvals import services

    sub = services.do_submit_application(
        world.item, applicant_name="王五", data={"area_sqm": 90}, materials_later=True
    )
    client = Client()
    number = sub.case.application_no
    for _ in range(3):
        r = client.post("/gk/approvals/lookup/", {"number": number, "code": "WRONG123"})
        assert r.status_code == 404
    r = client.post("/gk/approvals/lookup/", {"number": number, "code": sub.query_code})
    assert r.status_code == 429
    api = Client().post(
        "/api/v1/approvals/status",
        {"number": number, "code": sub.query_code},
        content_type="application/json",
    )
    assert api.status_code == 429  # the same address through the API
    assert (
        Client(REMOTE_ADDR="192.0.2.1")
        .post("/gk/approvals/lookup/", {"number": number, "code": sub.query_code})
        .status_code
        == 302
    )


@override_settings(WUQUAN_LOOKUP_FAILURES_PER_HOUR=2)
def test_13_8_wrong_complaint_tracking_codes_are_throttled():
    client = Client()
    for _ in range(2):
        assert (
            client.post("/gk/supervision/complaint/track/", {"code": "A" * 16}).status_code == 404
        )
    assert client.post("/gk/supervision/complaint/track/", {"code": "A" * 16}).status_code == 429


@override_settings(WUQUAN_PUBLIC_POSTS_PER_HOUR=3)
def test_13_8_every_public_form_shares_a_per_address_budget(world):
    client = Client()
    url = f"/gk/approvals/items/{world.item.code}/ask/"
    for i in range(3):
        client.post(url, {"asker_name": "张三", "question": f"第{i}个问题：可以网上办理吗？"})
    r = client.post(url, {"asker_name": "张三", "question": "再问一个：可以网上办理吗？"})
    assert r.status_code == 429


def test_12_5_reloading_the_complaint_success_page_files_nothing_new():
    client = Client()
    r = _complain(client)
    assert r.status_code == 302 and r["Location"] == "/gk/supervision/complaint/done/"
    complaint = Complaint.objects.get()
    for _ in range(3):
        page = client.get(r["Location"])
        assert page.status_code == 200 and complaint.tracking_code in page.content.decode()
    assert Complaint.objects.count() == 1


def test_12_5_the_same_complaint_form_sent_twice_files_one_complaint():
    client = Client()
    key = secrets.token_urlsafe(24)
    first, again = _complain(client, key=key), _complain(client, key=key)
    assert first.status_code == again.status_code == 302
    assert Complaint.objects.count() == 1


def test_12_5_no_tracking_code_in_any_url():
    client = Client()
    r = _complain(client)
    code = Complaint.objects.get().tracking_code
    done = client.get(r["Location"]).content.decode()
    assert code not in r["Location"] and f"code={code}" not in done
    track = client.post("/gk/supervision/complaint/track/", {"code": code})
    assert track.status_code == 302 and code not in track["Location"]
    assert "已受理" in client.get(track["Location"]).content.decode()
    # the old GET form with the code in the query string no longer looks anything up
    assert (
        "已受理"
        not in Client().get(f"/gk/supervision/complaint/track/?code={code}").content.decode()
    )

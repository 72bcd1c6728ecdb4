"""Public pages rendered once (common.pagecache; PUB-1, APR-9; issue 20).

The cached copy must be what the view renders, per language; each visitor's form must carry
their own CSRF token (a cached page with the first visitor's token would refuse everyone
else's lookup); staff, visitors with a session and any POST must get the view itself."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from wuquan.common import pagecache

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _calls(monkeypatch, module, name):
    """Count how often the view `module.name` renders (its `render`)."""
    counted = {"n": 0}
    real = module.render

    def render(*args, **kwargs):
        counted["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "render", render)
    return counted


def test_pub1_the_portal_home_is_rendered_once_and_served_the_same(db, monkeypatch):
    from wuquan.disclosure import views

    counted = _calls(monkeypatch, views, "home")
    first = Client().get("/")
    second = Client().get("/")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and b"<html" in first.content
    assert counted["n"] == 1
    assert pagecache.CSRF_PLACEHOLDER.encode() not in second.content


def test_pub1_each_language_has_its_own_copy(db):
    zh = Client().get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = Client().get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 200
    assert b'lang="zh-hans"' in zh.content
    assert (b'lang="en"' in en.content) or en.content == zh.content  # en falls back when absent


def test_apr9_each_visitor_of_the_cached_lookup_form_gets_a_token_that_works(db, monkeypatch):
    from wuquan.approvals import public_views

    counted = _calls(monkeypatch, public_views, "lookup")
    tokens = []
    for _i in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get("/gk/approvals/lookup/")
        assert page.status_code == 200
        (token,) = TOKEN.findall(page.content)
        assert token != pagecache.CSRF_PLACEHOLDER.encode()
        tokens.append(token)
        # the visitor's own cookie and token pass the CSRF check (a wrong code is a 404, not 403)
        answer = visitor.post(
            "/gk/approvals/lookup/",
            {"number": "LT-0", "code": "X", "csrfmiddlewaretoken": token.decode()},
        )
        assert answer.status_code == 404, answer.status_code
    assert counted["n"] == 1 + 2  # the form once; each POST ran the view
    assert tokens[0] != tokens[1]


def test_apr9_a_token_from_another_visitors_page_is_refused(db):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    (token,) = TOKEN.findall(first.get("/gk/approvals/lookup/").content)
    second.get("/gk/approvals/lookup/")
    answer = second.post(
        "/gk/approvals/lookup/",
        {"number": "LT-0", "code": "X", "csrfmiddlewaretoken": token.decode()},
    )
    assert answer.status_code == 403


def test_pub1_staff_and_visitors_with_a_session_get_the_view_itself(client, demo_org, monkeypatch):
    from wuquan.disclosure import views

    counted = _calls(monkeypatch, views, "home")
    Client().get("/")
    assert counted["n"] == 1
    client.force_login(demo_org_user())
    staff = client.get("/")
    assert counted["n"] == 2 and staff.status_code == 200
    visitor = Client()
    visitor.cookies["sessionid"] = "abc"
    visitor.get("/")
    assert counted["n"] == 3


def demo_org_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="jiwei")

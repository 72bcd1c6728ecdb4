"""Sessions read in plain SQL (`wuquan.common.sessions`; issue 20, decision 0082).

The store must load exactly what Django's database store loads — the same data for a live
key, nothing for an expired or unknown one (and then a fresh key on save, never the old one) —
in one statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wuquan.common.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _saved(data: dict) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_the_site_uses_this_store():
    assert settings.SESSION_ENGINE == "wuquan.common.sessions"


def test_a_live_session_loads_as_djangos_store_loads_it_in_one_statement():
    key = _saved({"approvals-lookup": {"number": "LT-1", "code": "AB12"}, "n": 3})
    with CaptureQueriesContext(connection) as q:
        ours = SessionStore(key).load()
    assert (
        ours
        == django_db.SessionStore(key).load()
        == {
            "approvals-lookup": {"number": "LT-1", "code": "AB12"},
            "n": 3,
        }
    )
    assert len(q.captured_queries) == 1


def test_an_expired_session_loads_nothing_and_gets_a_new_key_on_save():
    key = _saved({"secret": "x"})
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    store = SessionStore(key)
    assert store.load() == {} and django_db.SessionStore(key).load() == {}
    assert store.session_key is None
    store["new"] = 1
    store.save()
    assert store.session_key and store.session_key != key


def test_a_session_about_to_expire_still_loads():
    key = _saved({"still": True})
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(seconds=30)
    )
    assert SessionStore(key).load() == {"still": True}


@pytest.mark.parametrize("key", ["nosuchkey12345678", "short", "", None])
def test_an_unknown_or_malformed_key_loads_nothing(key):
    _saved({"other": 1})
    assert SessionStore(key).load() == {}

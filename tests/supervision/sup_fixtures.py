"""Fixtures for the supervision tests: the demo org, the commission, a unit user, 发改 staff.

why not conftest.py: a second tests/<dir>/conftest.py makes `from conftest import login` in the
browser tests ambiguous; test modules import these fixtures by this unique module name."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """An Asia/Shanghai time from "YYYY-MM-DD HH:MM"."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def org(demo_org):
    from django.contrib.auth import get_user_model

    from wuquan.org import roles
    from wuquan.org.models import Post, Unit
    from wuquan.org.services import ensure_staff

    User = get_user_model()
    fagai_user = ensure_staff(
        "fagai-t",
        "发改局巡查员",
        Post.objects.get(unit__code="fagai", code="clerk"),
        [roles.HANDLER],
    )
    return {
        "jiwei": User.objects.get(username="jiwei"),
        "window": User.objects.get(username="window"),
        "shenji": User.objects.get(username="shenji"),
        "fagai_user": fagai_user,
        "zwfw": Unit.objects.get(code="zwfw"),
        "fagai": Unit.objects.get(code="fagai"),
        "caizheng": Unit.objects.get(code="caizheng"),
        "shenji_unit": Unit.objects.get(code="shenji"),
    }


@pytest.fixture
def temp_rule():
    """Register rules for one test and unregister them afterwards."""
    from wuquan.supervision import registry

    added = []

    def add(rule):
        registry.register(rule)
        added.append(rule.code)
        return rule

    yield add
    for code in added:
        registry.unregister(code)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # why: the demo accounts' PBKDF2 hashing dominated these tests' run time
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


__all__ = ["_fast_password_hashing", "org", "temp_rule"]

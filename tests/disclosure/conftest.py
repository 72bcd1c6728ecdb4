"""Fixtures for the portal tests (helpers in disc_helpers.py)."""

import pytest


@pytest.fixture
def village_world(demo_org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from wuquan.org.models import Post, Unit
    from wuquan.org.services import ensure_staff

    village = Unit.objects.get(code="hantun")
    town = village.parent

    def staff(username, unit, post_code):
        return ensure_staff(username, username, Post.objects.get(unit=unit, code=post_code), [])

    return {
        "village": village,
        "town": town,
        "chair": staff("t-chair", village, "supervision-chair"),
        "member": staff("t-member", village, "supervision-member"),
        "secretary": staff("t-secretary", village, "secretary"),
        "accountant": staff("t-accountant", village, "accountant"),
        "civil": staff("t-civil", town, "civil-affairs"),
        "agri": staff("t-agri", town, "agri-economics"),
        "discipline": staff("t-discipline", town, "discipline"),
    }

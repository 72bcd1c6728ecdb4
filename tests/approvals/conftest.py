"""Fixtures for the approvals tests: a small world (approvals.sample) and helpers."""

import pytest

from .approvals_helpers import pdf


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from wuquan.approvals import sample

    return sample.build()


@pytest.fixture
def online_files(world):
    from wuquan.catalog.models import MaterialReuse

    return {m.pk: pdf(f"m{m.pk}.pdf") for m in world.materials if m.reuse == MaterialReuse.NONE}

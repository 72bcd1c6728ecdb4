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


@pytest.fixture
def accepted(world, online_files):
    """A case submitted online with every material and accepted at the window: (case, query
    code)."""
    from wuquan.approvals import services

    sub = services.do_submit_application(
        world.item,
        applicant_name="龙潭小吃店",
        applicant_id_number="220203199001011230",
        applicant_phone="13812345678",
        data={"area_sqm": 100},
        files=online_files,
    )
    return services.do_accept_case(sub.case, actor=world.users["window"]), sub.query_code

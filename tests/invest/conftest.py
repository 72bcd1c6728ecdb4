import pytest

from .helpers import permissive_tiers


@pytest.fixture
def world(demo_org):
    permissive_tiers()
    return demo_org

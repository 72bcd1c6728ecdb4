import pytest

from .helpers import officers


@pytest.fixture
def o(demo_org):
    return officers()

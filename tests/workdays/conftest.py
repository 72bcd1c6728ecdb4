import pytest

from wuquan.workdays import layers


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test starts and ends with an empty per-year cache (schedules roll back)."""
    layers.invalidate()
    yield
    layers.invalidate()

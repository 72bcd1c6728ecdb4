"""Each test's secret-ballot keys in its own directory (common/sealing.py, DEC-5)."""

import pytest


@pytest.fixture(autouse=True)
def ballot_keys(settings, tmp_path):
    settings.WUQUAN_BALLOT_KEY_DIR = str(tmp_path / "ballot-keys")
    return tmp_path / "ballot-keys"

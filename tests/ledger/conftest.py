import pytest


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path):
    """Each test signs with a fresh key kept in its own temporary directory."""
    settings.WUQUAN_LOG_KEY_PATH = tmp_path / "keys" / "log-ed25519.key"
    return settings.WUQUAN_LOG_KEY_PATH

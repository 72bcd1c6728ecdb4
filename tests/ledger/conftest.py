import pytest


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path):
    """Each test signs with a fresh key kept in its own temporary directory, and its verifier
    key is "published" apart from it (WUQUAN_LOG_VKEY), as a deployment does (issue 13)."""
    from wuquan.ledger import signing

    settings.WUQUAN_LOG_KEY_PATH = tmp_path / "keys" / "log-ed25519.key"
    settings.WUQUAN_LOG_VKEY = signing.verifier_key()
    settings.WUQUAN_WITNESSES = ""
    return settings.WUQUAN_LOG_KEY_PATH

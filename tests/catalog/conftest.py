import pytest


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # why: the demo creates ~30 accounts; PBKDF2 would make each catalog test take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

"""Issue 13 finding 7: login lockout (django-axes) by username and address with a Chinese page
and an administrator unlock; a stronger password policy; TOTP two-factor login for the
commission, audit and administrator roles; the idle session timeout."""

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from wuquan.common.middleware import IdleTimeoutMiddleware
from wuquan.org import twofactor

pytestmark = pytest.mark.django_db

PASSWORD = "wuquan2026"  # the demo accounts' password (org/demo.py)


def _login(client, username, password, path="/accounts/login/", ip="10.1.1.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_13_7_wrong_passwords_lock_the_username_then_even_the_right_one_is_refused(demo_org):
    client = Client()
    for _ in range(4):
        assert _login(client, "window", "wrong-password").status_code == 200
    assert _login(client, "window", "wrong-password").status_code == 429  # the 5th locks
    locked = _login(client, "window", PASSWORD)
    assert locked.status_code == 429
    assert "登录已暂停" in locked.content.decode() and "_auth_user_id" not in client.session
    # from another address too: the username is locked
    assert _login(Client(), "window", PASSWORD, ip="10.9.9.9").status_code == 429


def test_13_7_one_address_guessing_many_usernames_is_locked_out(demo_org):
    client = Client()
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _login(client, name, "wrong-password", ip="10.2.2.2")
    assert _login(client, "window", PASSWORD, ip="10.2.2.2").status_code == 429
    assert _login(Client(), "window", PASSWORD, ip="10.3.3.3").status_code == 302


def test_13_7_the_admin_login_is_locked_the_same_way(demo_org):
    client = Client()
    for _ in range(5):
        _login(client, "admin", "wrong-password", path="/admin/login/")
    assert _login(client, "admin", PASSWORD, path="/admin/login/").status_code == 429


def test_13_7_an_administrator_unlocks_a_locked_username(demo_org):
    client = Client()
    for _ in range(5):
        _login(client, "window", "wrong-password")
    assert AccessAttempt.objects.filter(username="window").exists()
    call_command("axes_reset_username", "window")
    assert not AccessAttempt.objects.filter(username="window").exists()
    assert _login(Client(), "window", PASSWORD, ip="10.4.4.4").status_code == 302


@pytest.mark.parametrize("weak", ["wuquan2026", "12345678901234", "password12345", "abcdefghijkl"])
def test_13_7_weak_passwords_are_refused(demo_org, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, get_user_model().objects.get(username="window"))


def test_13_7_a_long_mixed_password_is_accepted(demo_org):
    validate_password("Longtan-Wuquan-2026", get_user_model().objects.get(username="window"))


@pytest.mark.two_factor
def test_13_7_the_commission_must_give_a_totp_code_after_the_password(demo_org):
    client = Client()
    r = _login(client, "jiwei", PASSWORD)
    assert r.status_code == 302
    board = client.get("/staff/supervision/")
    assert board.status_code == 302 and board["Location"].startswith("/staff/org/2fa/")
    assert client.get("/api/v1/approvals/units/jiwei/cases").status_code == 401
    wrong = client.post("/staff/org/2fa/", {"code": "000000", "next": "/staff/supervision/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    device = twofactor.confirmed_device(get_user_model().objects.get(username="jiwei"))
    device.throttling_failure_count = 0  # why: the wrong code above started django-otp's backoff
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(
        "/staff/org/2fa/", {"code": twofactor.current_code(device), "next": "/staff/supervision/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/staff/supervision/"
    assert client.get("/staff/supervision/").status_code == 200


@pytest.mark.two_factor
def test_13_7_audit_and_admin_need_two_factors_a_window_clerk_does_not(demo_org):
    users = get_user_model().objects
    assert twofactor.needs_two_factor(users.get(username="shenji"))
    assert twofactor.needs_two_factor(users.get(username="admin"))
    assert not twofactor.needs_two_factor(users.get(username="window"))
    clerk = Client()
    _login(clerk, "window", PASSWORD)
    assert clerk.get("/staff/").status_code == 200
    admin = Client()
    _login(admin, "admin", PASSWORD, path="/admin/login/", ip="10.5.5.5")
    assert admin.get("/admin/").status_code == 302


@pytest.mark.two_factor
def test_13_7_a_user_without_a_device_enrols_with_a_qr_code_then_a_code(demo_org):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username="shenji")
    TOTPDevice.objects.filter(user=user).delete()
    client = Client()
    client.force_login(user)
    r = client.get("/staff/")
    assert r["Location"].startswith("/staff/org/2fa/setup/")
    page = client.get(r["Location"])
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert twofactor.secret_of(device) in page.content.decode()
    done = client.post("/staff/org/2fa/setup/", {"code": twofactor.current_code(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed and client.get("/staff/").status_code == 200


def test_13_7_demo_prints_totp_secrets_and_the_totp_command_gives_a_working_code(demo_org):
    from io import StringIO

    from wuquan.org.demo import print_accounts

    out = StringIO()
    print_accounts(out)
    device = twofactor.confirmed_device(get_user_model().objects.get(username="jiwei"))
    assert twofactor.secret_of(device) in out.getvalue()
    code = StringIO()
    call_command("totp", "jiwei", stdout=code)
    assert device.verify_token(code.getvalue().strip())


def test_13_7_an_idle_session_is_signed_out(demo_org, settings):
    client = Client()
    client.force_login(get_user_model().objects.get(username="window"))
    assert client.get("/staff/").status_code == 200
    session = client.session
    session[IdleTimeoutMiddleware.KEY] = int(time.time()) - 31 * 60
    session.save()
    r = client.get("/staff/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert "_auth_user_id" not in client.session

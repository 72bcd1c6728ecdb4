"""Two-factor login (TOTP, django-otp) for the roles that can see every unit: the commission
(纪检监察), audit (审计) and system administrators, and any superuser (issue 13 finding 7;
等保2.0 三级 身份鉴别 c)："采用两种或两种以上组合的鉴别技术"; ASVS 5.0 V6.3).

After the password, such a user is sent to `/staff/org/2fa/` until they enter a code from
their authenticator app; one with no device yet enrols first (`/staff/org/2fa/setup/`: a QR
code and the secret, confirmed by a first code). Until then the API treats them as signed
out. `WUQUAN_REQUIRE_2FA=0` turns the requirement off (development only).

The demo enrols a device named "demo" for its privileged accounts and prints the secret
(`org/demo.py`); `wuquan totp USERNAME` prints the current code of a demo device.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect

from . import roles
from .selectors import role_names

TWO_FACTOR_ROLES = {roles.COMMISSION, roles.AUDIT, roles.ADMIN}
DEMO_DEVICE = "demo"
_OPEN_PREFIXES = ("/static/", "/staff/org/2fa/", "/accounts/logout/", "/i18n/")


def needs_two_factor(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or role_names(user) & TWO_FACTOR_ROLES)


def confirmed_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def enrol_device(user, *, name: str = "default", confirmed: bool = False):
    """The user's TOTP device, made if missing (a random 160-bit key; django-otp's default)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, name=name).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=confirmed)
    return device


def secret_of(device) -> str:
    """The base32 secret an authenticator app takes (what the QR code holds)."""
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def current_code(device) -> str:
    """The code an authenticator would show now (demo and tests; never shown on a page)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


class TwoFactorRequiredMiddleware:
    """Sends a signed-in user who needs two factors and has not given the second to the code
    page; their API calls run as anonymous. Goes after django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            getattr(settings, "WUQUAN_REQUIRE_2FA", True)
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and needs_two_factor(user)
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                request.user = AnonymousUser()
                return self.get_response(request)
            target = "org:2fa" if confirmed_device(user) else "org:2fa-setup"
            from django.urls import reverse

            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

"""Login hardening (issue 13 finding 7): the django-axes backend, a password-complexity
validator. Two-factor login lives in org/twofactor.py (it needs the roles)."""

from __future__ import annotations

import unicodedata

from axes.backends import AxesStandaloneBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class AxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes with a request (the login form,
    the admin's). Without a request (a management command, the test client's `login`) there
    is no client to throttle, so the check is skipped instead of refusing the login."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class CharacterClassesValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, other
    characters (等保2.0 三级 身份鉴别 a)：口令具有复杂度要求)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        kinds = set()
        for ch in password:
            if ch.isdigit():
                kinds.add("digit")
            elif ch.isalpha() and ch.isascii():
                kinds.add("upper" if ch.isupper() else "lower")
            elif not unicodedata.category(ch).startswith("C"):
                kinds.add("other")
        return len(kinds)

    def validate(self, password, user=None):
        if self.classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 种。")
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 种。") % {
            "n": self.min_classes
        }


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: a Chinese page, HTTP 429 (AXES_LOCKOUT_CALLABLE)."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)

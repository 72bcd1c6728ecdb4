"""The second step of login: enter a TOTP code, or enrol an authenticator first (org/twofactor.py)."""

from __future__ import annotations

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import twofactor


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("动态验证码"),
        regex=r"^\s*[0-9]{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("请输入验证器上显示的 6 位数字。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/staff/"


def _check(request, device, form) -> bool:
    """True (and the session marked verified) when the code matches; django-otp throttles
    repeated wrong codes on the device itself."""
    from django_otp import login as otp_login

    if not form.is_valid():
        return False
    if device.verify_token(form.cleaned_data["code"].strip()):
        otp_login(request, device)
        return True
    form.add_error("code", _("验证码不正确或已过期，请重新输入。"))
    return False


@login_required
def verify(request):
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect("org:2fa-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _check(request, device, form):
        return redirect(_next(request))
    return render(request, "org/2fa_verify.html", {"form": form, "next": _next(request)})


@login_required
def setup(request):
    """Enrol an authenticator: shown the QR code and the secret once, confirmed by a code."""
    if twofactor.confirmed_device(request.user) is not None:
        return redirect("org:2fa")
    device = twofactor.enrol_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _check(request, device, form):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return redirect(_next(request))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=False)
    return render(
        request,
        "org/2fa_setup.html",
        {
            "form": form,
            "next": _next(request),
            "secret": twofactor.secret_of(device),
            "qr": mark_safe(qr),  # noqa: S308 — segno's own SVG of our otpauth URL
        },
    )

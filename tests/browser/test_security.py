"""Browser: two-factor login for the commission, the Chinese lockout page, the complaint form
POST-redirect-GET, and a CSP that the pages live with (issue 13 findings 7, 9; issue 12
finding 5). Saves screenshots at 1366 px and 390 px into var/screenshots/."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path("var/screenshots")
WIDTHS = (1366, 390)


def _shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"security-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_13_7_commission_logs_in_with_password_then_totp_code(transactional_db, demo_org, page):
    from django.contrib.auth import get_user_model

    from wuquan.org import twofactor

    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "jiwei")
    page.fill("input[name=password]", "wuquan2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/org/2fa/**")
    _shoot(page, "2fa-verify")
    page.fill("input[name=code]", "000000")
    page.click("#otp-form button[type=submit]")
    assert "验证码不正确" in page.inner_text("#code-error")
    device = twofactor.confirmed_device(get_user_model().objects.get(username="jiwei"))
    device.throttle_reset()
    page.fill("input[name=code]", twofactor.current_code(device))
    page.click("#otp-form button[type=submit]")
    page.wait_for_url(lambda url: "/2fa/" not in url)
    assert "/staff/" in page.url
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_13_7_shenji_enrols_an_authenticator_with_a_qr_code(transactional_db, demo_org, page):
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from wuquan.org import twofactor

    user = get_user_model().objects.get(username="shenji")
    TOTPDevice.objects.filter(user=user).delete()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "shenji")
    page.fill("input[name=password]", "wuquan2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/org/2fa/setup/**")
    assert page.locator("figure.qr svg").count() == 1
    _shoot(page, "2fa-setup")
    device = TOTPDevice.objects.get(user=user)
    page.fill("input[name=code]", twofactor.current_code(device))
    page.click("#otp-form button[type=submit]")
    page.wait_for_url(lambda url: "/2fa/" not in url)


def test_13_7_the_lockout_page_speaks_chinese(transactional_db, demo_org, page):
    for _ in range(5):
        page.goto(page.base_url + "/accounts/login/")
        page.fill("input[name=username]", "window")
        page.fill("input[name=password]", "not-the-password")
        page.click("button[type=submit]")
    assert "登录已暂停" in page.inner_text("h1")
    _shoot(page, "locked-out")


def test_12_5_complaint_done_page_reloads_without_filing_again(transactional_db, demo_org, page):
    from wuquan.supervision.models import Complaint

    page.goto(page.base_url + "/gk/supervision/complaint/")
    page.select_option("#id_about", "other")
    page.fill("#id_content", "村务公开栏长期不更新，群众无法了解收支情况。")
    page.check("#id_anonymous")
    page.click("#complaint-form button[type=submit]")
    page.wait_for_url("**/complaint/done/")
    code = page.inner_text("#tracking-code").strip()
    assert code not in page.url
    page.reload()
    page.reload()
    assert page.inner_text("#tracking-code").strip() == code
    assert Complaint.objects.count() == 1
    page.go_back()  # back to the form, as a villager unsure it went through
    _shoot(page, "complaint-form")

"""Issue 12 in a real browser: the window clerk's path by keyboard alone, and a screenshot of
each key page at 1366 px and 390 px wide into var/screenshots/ (not committed), so anyone can
look at the whole product in a minute. axe-core checks every page visited (tests/conftest.py).
"""

from pathlib import Path

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser

SHOTS = Path("var/screenshots")
PDF = {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 browser test"}
WIDTHS = (1366, 390)


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # why no MEDIA_ROOT override: the live server thread keeps the storage it first opened;
    # uploads go to var/media (not committed)
    from wuquan.approvals import sample
    from wuquan.catalog import services as catalog_services
    from wuquan.catalog.models import FormField

    w = sample.build()
    catalog_services.do_save(
        FormField(
            item=w.item,
            name="area_sqm",
            label="经营场所面积",
            unit="平方米",
            help_text="按租赁合同填写；超过 500 平方米的须现场核查。",
            min_value=0,
        ),
        "browser test",
        actor="system:test",
    )
    return w


def shoot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        pg.set_viewport_size({"width": width, "height": 900})
        pg.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        # nothing is wider than the phone: tables and diagrams scroll inside their frames
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        wide = pg.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1 && !(e.parentElement && e.parentElement.closest('.table-wrap,.diagram,.flow-box,.mainnav')))"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert overflow <= 1, f"{name} at {width}px is {overflow}px wider than the screen: {wide}"
    pg.set_viewport_size({"width": 1366, "height": 900})


def keyboard_login(pg, username):
    pg.goto(pg.base_url + "/accounts/login/")
    # the username field has the focus on arrival: the clerk types at once
    assert pg.evaluate("document.activeElement.name") == "username"
    pg.keyboard.type(username)
    pg.keyboard.press("Tab")
    pg.keyboard.type("wuquan2026")
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/staff/**")


def tab_to(pg, predicate_js: str, limit: int = 80):
    """Press Tab until the focused element satisfies the JS predicate (el => bool)."""
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if pg.evaluate(f"({predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"never reached by Tab: {predicate_js}")


def test_window_clerk_registers_and_accepts_by_keyboard_alone(page, world):
    from wuquan.approvals.models import Case

    keyboard_login(page, "t-window")
    page.goto(page.base_url + "/staff/approvals/window/")
    tab_to(page, f"el => el.textContent.includes('{world.item.name}')")
    page.keyboard.press("Enter")
    page.wait_for_url("**item=**")
    tab_to(page, "el => el.name === 'applicant_name'")
    page.keyboard.press("Tab")  # past the name, left empty on purpose: the error comes inline
    page.keyboard.type("220203199001011230")
    tab_to(page, "el => el.name === 'area_sqm'")
    page.keyboard.type("620")
    tab_to(page, "el => el.type === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator(".field-error").first.inner_text().startswith("请填写申请人")
    assert page.locator("input[name=area_sqm]").input_value() == "620"  # entries kept
    shoot(page, "window-apply-errors")
    page.focus("input[name=applicant_name]")
    page.keyboard.type("龙潭老街小吃店")
    tab_to(page, "el => el.type === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accept/")
    case = Case.objects.get(applicant_name="龙潭老街小吃店")
    assert case.data == {"area_sqm": 620}
    shoot(page, "window-accept")
    for m in world.materials:
        page.focus(f"select[name='mat-{m.pk}']")
        page.keyboard.press("ArrowDown")  # （未核对） → 已提交
    tab_to(page, "el => el.id === 'btn-accept'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/notice/")
    assert page.locator("#query-code").inner_text().strip()
    shoot(page, "notice")
    page.goto(page.base_url + f"/staff/approvals/cases/{case.pk}/")
    shoot(page, "case")
    page.goto(page.base_url + "/staff/")
    shoot(page, "staff-home-window")


def test_screenshots_of_the_portal_and_the_staff_pages(page, browser, login, world):
    from wuquan.approvals import services
    from wuquan.supervision.models import Alarm

    base = page.base_url
    # the portal: the villager's path
    page.goto(base + "/")
    shoot(page, "portal-home")
    page.goto(base + f"/gk/approvals/items/{world.item.code}/")
    assert page.locator("label", has_text="经营场所面积").count() == 1
    assert page.locator("label.required", has_text="申请人").count() == 1  # marked beforehand
    shoot(page, "portal-apply")
    page.goto(base + f"/gk/catalog/item/{world.item.code}/")
    font = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#flow-diagram svg text.meta')).fontSize)"
        " * document.querySelector('#flow-diagram svg').getBoundingClientRect().width"
        " / document.querySelector('#flow-diagram svg').viewBox.baseVal.width"
    )
    assert font >= 11.5, f"diagram text drawn at {font:.1f}px"
    shoot(page, "portal-guide")
    page.goto(base + "/gk/approvals/lookup/")
    shoot(page, "portal-lookup")
    page.goto(base + "/gk/workplan/")
    shoot(page, "portal-workplan")
    page.goto(base + "/gk/log/")
    shoot(page, "portal-log")
    # staff: an uploaded file opens in a preview with its SHA-256
    files = {m.pk: _pdf(m.pk) for m in world.materials if m.reuse == "none"}
    sub = services.do_submit_application(
        world.item,
        applicant_name="张三",
        applicant_id_number="220203199001011230",
        data={"area_sqm": 100},
        files=files,
    )
    login(page, "t-window")
    page.goto(base + f"/staff/approvals/cases/{sub.case.pk}/accept/")
    page.get_by_role("link", name="查看").first.click()
    page.wait_for_url("**/files/material/**")
    assert page.locator("#sha256-check").inner_text().strip() == "与运行记录一致"
    assert page.locator("iframe.preview-frame").count() == 1
    shoot(page, "file-preview")
    page.goto(base + "/staff/approvals/")
    shoot(page, "worklist")
    # the commission's board and an alarm
    Alarm.objects.create(
        rule_code="SUP-2-case-overdue",
        rule_version=1,
        severity="红牌",
        subject_type="approvals.case",
        subject_id=str(sub.case.pk),
        message=f"办件 {sub.case.number} 已超过承诺办结日仍未办结",
        inputs={"case": sub.case.pk, "days_over": 3},
        raised_at=timezone.now(),
    )
    jiwei = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    jiwei.base_url = base
    login(jiwei, "t-head")
    jiwei.goto(base + "/staff/supervision/")
    shoot(jiwei, "supervision-board")
    jiwei.goto(base + "/staff/approvals/figures/")
    shoot(jiwei, "figures")


def _pdf(pk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"m{pk}.pdf", b"%PDF-1.4 browser", content_type="application/pdf")

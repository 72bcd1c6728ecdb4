"""A case end to end in a real browser (APR-1, APR-3, APR-4, APR-9): apply online → accept at
the window → two parallel reviews in two units → review → approve → deliver → the applicant
sees the result on the portal with the receipt number and query code."""

import re

import pytest

pytestmark = pytest.mark.browser

PDF = {"name": "file.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 browser test"}


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path
    from wuquan.approvals import sample

    return sample.build()


def as_user(browser, login, base_url, username):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = base_url
    login(pg, username)
    return pg


def complete(pg, case_url, task, opinion, decision=None):
    pg.goto(case_url)
    row = pg.locator(f"tr[data-step='{task}']")
    row.locator("textarea[name=opinion]").fill(opinion)
    if decision:
        row.locator("select[name=decision]").select_option(decision)
    row.locator("button", has_text="办结本环节").click()
    pg.wait_for_url(case_url)
    assert "已办结环节" in pg.content()


def test_apr1_apply_online_accept_parallel_reviews_approve_and_applicant_sees_result(
    page, browser, login, world
):
    # 1. the applicant applies on the portal
    page.goto(f"{page.base_url}/gk/approvals/items/{world.item.code}/")
    form = page.locator("#apply-form")
    form.locator("input[name=applicant_name]").fill("龙潭老街小吃店")
    form.locator("input[name=area_sqm]").fill("120")
    for m in world.materials:
        if m.reuse == "none":
            form.locator(f"input[name='material-{m.pk}']").set_input_files(PDF)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/gk/approvals/submitted/**")
    number = page.locator("#application-no").inner_text().strip()
    code = page.locator("#query-code").inner_text().strip()
    assert re.fullmatch(r"SQ-\d{8}-\d{4}", number) and len(code) == 8

    # 2. the window checks materials against the catalog list and accepts
    window = as_user(browser, login, page.base_url, "t-window")
    window.goto(f"{page.base_url}/staff/approvals/")
    window.locator("tr", has_text=number).get_by_role("link", name="审查材料 / 受理").click()
    window.locator("button[name=action][value=accept]").click()
    window.wait_for_url("**/notice/")
    receipt = window.locator("#receipt-no").inner_text().strip()
    assert re.fullmatch(r"LT-\d{8}-\d{4}", receipt)
    case_url = window.url.replace("notice/", "")

    # 3. two parallel reviews, in two units, both in their holders' worklists at once
    handler = as_user(browser, login, page.base_url, "t-chengban")
    fire = as_user(browser, login, page.base_url, "t-xf")
    for pg in (handler, fire):
        pg.goto(f"{page.base_url}/staff/approvals/")
        assert receipt in pg.locator("#worklist").inner_text()
    complete(handler, case_url, "Task_2", "材料齐全，符合条件")
    complete(fire, case_url, "Task_3", "消防条件符合")

    # 4. review, approval, delivery
    complete(as_user(browser, login, page.base_url, "t-shenhe"), case_url, "Task_5", "同意承办意见")
    complete(
        as_user(browser, login, page.base_url, "t-deputy"),
        case_url,
        "Task_6",
        "准予许可",
        "approve",
    )
    complete(window, case_url, "Task_7", "已送达")
    assert window.locator("#case-result").inner_text() == "准予许可"

    # 5. the applicant sees the result on the portal
    page.goto(f"{page.base_url}/gk/approvals/lookup/")
    page.fill("input[name=number]", receipt)
    page.fill("input[name=code]", code)
    page.click("button[type=submit]")
    assert page.locator("#case-result").inner_text() == "准予许可"
    assert page.locator("#case-status").inner_text() == "已办结"
    steps = page.locator("#public-steps").inner_text()
    assert "消防会审" in steps and "防火监督岗" in steps and "曹阳" not in steps


def test_apr9_wrong_query_code_in_the_browser_reveals_nothing(page, world):
    page.goto(f"{page.base_url}/gk/approvals/lookup/")
    page.fill("input[name=number]", "LT-20260101-0001")
    page.fill("input[name=code]", "ABCDEFGH")
    page.click("button[type=submit]")
    assert "编号或查询码不正确" in page.locator("#lookup-error").inner_text()

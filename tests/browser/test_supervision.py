"""Browser: a complaint from the public goes through 督查督办 to a published answer (SUP-5, SUP-9)."""

import re

import pytest

pytestmark = pytest.mark.browser


def logout(page):
    page.click("form[action$='/accounts/logout/'] button")


def test_sup9_complaint_to_published_answer_through_the_commission_and_the_unit(
    transactional_db, demo_org, page, login
):
    base = page.base_url
    # A member of the public files a complaint about the government service centre.
    page.goto(base + "/gk/supervision/complaint/")
    page.select_option("#id_about", "unit")
    page.select_option("#id_unit", "zwfw")
    page.fill("#id_content", "窗口工作人员要求补交清单以外的材料，往返三次仍未受理。")
    page.fill("#id_complainant_name", "王小二")
    page.fill("#id_complainant_phone", "13812345678")
    page.click("#complaint-form button[type=submit]")
    code = page.inner_text("#tracking-code").strip()
    assert re.fullmatch(r"[A-Z0-9]{16}", code)

    # The commission sees it on the board and assigns it to the centre.
    login(page, "jiwei")
    page.goto(base + "/staff/supervision/")
    page.click("#open-alarms a:has-text('#')")
    assert "13812345678" in page.inner_text("#complainant")
    page.select_option("#assign-form #id_unit", label="龙潭区政务服务中心")
    page.fill("#assign-form #id_working_days", "5")
    page.click("#assign-form button[type=submit]")
    assert page.inner_text("#alarm-status") == "已交办"
    alarm_url = page.url
    logout(page)

    # A user of the centre answers.
    login(page, "window")
    page.goto(alarm_url)
    assert "13812345678" not in page.content()
    page.fill(
        "#answer-form #id_explanation", "经核查属实，已对窗口人员批评教育并一次性告知材料清单。"
    )
    page.click("#answer-form button[type=submit]")
    assert page.inner_text("#alarm-status") == "已回复"
    logout(page)

    # The commission accepts the answer and closes it with an outcome and a public answer.
    login(page, "jiwei")
    page.goto(alarm_url)
    page.select_option("#check-form #id_decision", "accept")
    page.click("#check-form button[type=submit]")
    page.select_option("#close-form #id_outcome", "督促整改")
    page.fill("#close-form #id_note", "已督促整改到位")
    page.fill(
        "#close-form #id_published_answer", "经查属实，已督促政务服务中心整改，一次性告知办事材料。"
    )
    page.click("#close-form button[type=submit]")
    assert page.inner_text("#alarm-status") == "已办结"
    logout(page)

    # The public lookup shows the answer.
    page.goto(base + "/gk/supervision/complaint/track/")
    page.fill("input[name=code]", code)
    page.click("form.filters button[type=submit]")
    assert page.inner_text("#track-status") == "已办结"
    assert "一次性告知办事材料" in page.inner_text("#track-answer")

"""A village supervision committee drafts the quarter's bulletin, the three committees agree,
the township's 民政科, 农经站 and 纪委 review, file and publish it; a villager reads it, leaves a
suggestion and asks the spokesperson; the village answers (PUB-6, PUB-11, PUB-12)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
SHOTS = Path("var/screenshots")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"disclosure-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def portal_demo(demo_org):
    from wuquan.disclosure import services
    from wuquan.disclosure.demo import STAFF, _actor
    from wuquan.org.models import Person, Post, Unit

    for (unit_code, post_code), (username, name) in STAFF.items():
        _actor(Post.objects.get(unit__code=unit_code, code=post_code), username, name)
    village = Unit.objects.get(code="hantun")
    chair = Person.objects.get(user__username="cunjian")
    services.do_appoint_spokesperson(village, chair, actor="system")


def logout(page):
    page.context.clear_cookies()


def test_pub6_bulletin_from_draft_to_publication_then_answered_by_the_village(
    page, login, portal_demo
):
    login(page, "cunjian")
    page.goto(page.base_url + "/staff/disclosure/bulletins/new/")
    page.select_option("select[name=kind]", "regular")
    page.fill("input[name=title]", "韩屯村第三季度村务公开简报（浏览器测试）")
    page.fill("textarea[name=village_affairs]", "低保发放 12 户，宅基地审批 2 户。")
    page.fill("textarea[name=finance_affairs]", "收入 3 笔，支出 5 笔。")
    page.fill("input[name=cash_balance]", "800.50")
    page.fill("input[name=meeting_place]", "村部会议室")
    shoot(page, "draft-form")
    page.click("form.card button[type=submit]")
    expect(page.locator("h1")).to_contain_text("浏览器测试")
    bulletin_url = page.url

    for username in ("hantun-shuji", "wulajie-mz", "wulajie-nj", "wulajie-jw"):
        logout(page)
        login(page, username)
        page.goto(bulletin_url)
        page.select_option("select[name=decision]", "approve")
        page.click("form.card button[type=submit]")
        expect(page.locator(".messages")).to_contain_text("审核意见已登记")
    shoot(page, "staff-bulletin")
    page.click("button[name=publish]")
    expect(page.locator(".messages")).to_contain_text("已公开")

    logout(page)
    page.goto(page.base_url + "/gk/bulletins/")
    page.click("text=韩屯村第三季度村务公开简报（浏览器测试）")
    expect(page.locator("article h1")).to_contain_text("浏览器测试")
    expect(page.locator(".badge.green")).to_contain_text("一致")
    shoot(page, "public-bulletin")
    page.fill(".suggestion-box textarea[name=text]", "建议把简报贴到各屯公告栏。")
    page.click(".suggestion-box button[type=submit]")
    expect(page.locator("#tracking-code")).to_have_text(re.compile(r"^[A-Z2-9]{16}$"))
    assert "?" not in page.url

    page.goto(page.base_url + "/gk/village/hantun/")
    page.fill(".suggestion-box textarea[name=text]", "今年的机动地租给谁了？")
    page.click(".suggestion-box button[type=submit]")
    expect(page.locator("#tracking-code")).to_be_visible()

    login(page, "cunjian")  # the spokesperson answers the question
    page.goto(page.base_url + "/staff/disclosure/")
    page.locator("tr", has_text="机动地").get_by_role("link", name="答复").click()
    page.fill("textarea[name=answer]", "租给本村合作社，合同已公示。")
    page.click("form.card button[type=submit]")
    logout(page)
    login(page, "hantun-shuji")  # the village answers the suggestion beside its bulletin
    page.goto(page.base_url + "/staff/disclosure/")
    page.locator("tr", has_text="公告栏").get_by_role("link", name="答复").click()
    page.fill("textarea[name=answer]", "已采纳。")
    page.click("form.card button[type=submit]")
    logout(page)

    page.goto(page.base_url + "/gk/village/hantun/")
    expect(page.locator(".suggestion-box")).to_contain_text("租给本村合作社")
    shoot(page, "village")
    page.goto(bulletin_url.replace("/staff/disclosure/", "/gk/"))
    expect(page.locator(".suggestion-box")).to_contain_text("已采纳")

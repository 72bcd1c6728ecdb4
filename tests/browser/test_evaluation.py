"""Clerks run a democratic evaluation end to end in the browser: create, codes, an online vote,
a paper batch keyed by two clerks, close, publish, public result (EVA-1, EVA-2, PUB-10)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TITLE = "韩屯村2026年度村干部勤廉双述（浏览器测试）"


@pytest.fixture
def evaluation_demo(demo_org):
    from wuquan.evaluation import demo

    demo.load(None)


def _second_clerk(browser, page, login, username):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    other = context.new_page()
    other.set_default_timeout(15000)
    other.base_url = page.base_url
    login(other, username)
    return context, other


def test_eva_clerks_run_an_evaluation_from_creation_to_public_result(
    page, browser, login, evaluation_demo
):
    login(page, "ceping-a")
    page.get_by_role("link", name="民主测评").first.click()
    form = page.locator("#new-evaluation")
    form.locator("select[name=unit]").select_option(label="韩屯村")
    form.locator("input[name=year]").fill("2026")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("input[name=eligible_voters]").fill("20")
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    detail_url = page.url

    for box in page.locator("#add-subjects input[name=holder]").all()[:2]:
        box.check()
    page.locator("#add-subjects button[type=submit]").click()
    expect(page.locator("#subjects tr.subject")).to_have_count(2)
    names = page.locator("#subjects tr.subject > :first-child").all_inner_texts()  # the row header

    commit = page.locator("#commitment")
    commit.locator("textarea[name=text]").fill("签订职务履行和廉洁从政承诺书")
    commit.locator("button[type=submit]").click()
    expect(page.get_by_text("签订职务履行和廉洁从政承诺书")).to_be_visible()

    issue = page.locator("#issue-codes")
    issue.locator("input[name=count]").fill("2")
    issue.locator("button[type=submit]").click()
    codes = page.locator(".code-slip .code").all_inner_texts()
    assert len(codes) == 2 and all(len(c) == 10 for c in codes)
    page.goto(detail_url)
    page.locator("button[name=open]").click()
    expect(page.locator("#status")).to_have_text("测评中")

    # a voter votes online with a code, in a session of their own
    voter_ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    voter = voter_ctx.new_page()
    voter.set_default_timeout(15000)
    voter.goto(page.base_url + page.locator("#voting a").first.get_attribute("href"))
    voter.locator("input[name=code]").fill(codes[0])
    voter.locator("fieldset").nth(0).get_by_label("优秀", exact=True).check()
    voter.locator("fieldset").nth(1).get_by_label("称职", exact=True).check()
    voter.get_by_role("button", name="提交").click()
    expect(voter.get_by_text("投票成功")).to_be_visible()
    voter_ctx.close()

    # clerk A and clerk B key the same paper batch (三张: 优秀/优秀, 称职/称职, 优秀/不称职)
    page.locator("#paper-link").click()
    batch = page.locator("#paper-batch")
    batch.locator("input[name=batch]").fill("第1批")
    batch.locator("textarea[name=ballots]").fill("11\n22\n14")
    batch.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("待另一名录入员复核录入")
    paper_url = page.url

    b_ctx, clerk_b = _second_clerk(browser, page, login, "ceping-b")
    clerk_b.goto(paper_url)
    batch = clerk_b.locator("#paper-batch")
    batch.locator("input[name=batch]").fill("第1批")
    batch.locator("textarea[name=ballots]").fill("11\n22\n14")
    batch.locator("button[type=submit]").click()
    expect(clerk_b.locator(".messages")).to_contain_text("两人录入一致，已计入")
    expect(clerk_b.locator("tr.batch-counted")).to_contain_text("ceping-a、ceping-b")
    b_ctx.close()

    page.goto(detail_url)
    page.locator("button[name=close]").click()
    expect(page.locator("#status")).to_have_text("已计票")
    # 4 ballots: first subject 优秀 3, 称职 1; second 称职 2, 优秀 1, 不称职 1
    first = page.locator("#subjects tr.subject").nth(0)
    expect(first.locator(".rating")).to_contain_text("优秀")
    expect(first.locator(".rating")).to_contain_text("有效票 4")
    page.locator("button[name=publish]").click()
    expect(page.locator("#status")).to_have_text("已公示")

    page.goto(page.base_url + "/gk/evaluation/")
    card = page.locator(".card.evaluation", has_text=TITLE)
    expect(card).to_be_visible()
    row = card.locator("tbody tr", has_text=names[0])
    expect(row).to_contain_text("优秀")
    expect(card.locator("tbody tr", has_text=names[1])).to_contain_text("称职")

"""ORG-1..3 in a real browser: the admin sees the unit tree and the leadership split
(副职分管、正职监管); the window clerk cannot see another township's data."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_org3_admin_sees_unit_tree_and_head_deputy_areas(page, login, demo_org):
    login(page, "admin")
    page.goto(page.base_url + "/staff/org/")
    tree = page.locator("#unit-tree")
    expect(tree).to_contain_text("吉林市龙潭区")
    expect(tree).to_contain_text("韩屯村")
    tree.get_by_role("link", name="龙潭区财政局").click()
    leadership = page.locator("#leadership")
    expect(leadership).to_contain_text("龙潭区财政局")
    expect(leadership.locator("tr.head-row")).to_contain_text("监管")
    deputies = leadership.locator("tr.deputy-row")
    expect(deputies).to_have_count(3)
    expect(deputies.nth(0)).to_contain_text("行政审批")
    expect(deputies.nth(0)).to_contain_text("行政执法")
    expect(leadership).to_contain_text("干部人事")
    # the head's row names no 分管 area badge
    expect(leadership.locator("tr.head-row .badge")).to_have_count(1)


def test_org1_window_clerk_cannot_see_another_townships_data(page, login, demo_org):
    login(page, "window")
    page.goto(page.base_url + "/staff/org/")
    tree = page.locator("#unit-tree")
    expect(tree).to_contain_text("龙潭区政务服务中心")
    expect(tree).not_to_contain_text("乌拉街满族镇")
    expect(tree).not_to_contain_text("韩屯村")
    response = page.goto(page.base_url + "/staff/org/?unit=wulajie")
    assert response.status == 403
    expect(page.locator("[role=alert]")).to_contain_text("无权查看")

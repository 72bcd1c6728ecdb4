"""APR-2: an administrator sees the calendar years and the layer each rests on."""

import pytest

pytestmark = pytest.mark.browser


def login(page, username: str, password: str = "wuquan2026") -> None:
    # why: `from conftest import login` is ambiguous once tests/<app>/conftest.py files exist
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/**")


def test_apr2_admin_sees_calendar_layers(page, demo_org):
    from wuquan.workdays import demo

    demo.load(None)
    demo.load(None)  # idempotent
    login(page, "admin")
    page.goto(page.base_url + "/staff/workdays/")
    table = page.locator("#calendar-years")
    assert "国办发明电〔2024〕12号" in table.inner_text()
    assert page.locator("tr.layer-provisional").count() >= 1

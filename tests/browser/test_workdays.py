"""APR-2: an administrator sees the calendar years and the layer each rests on."""

import pytest

pytestmark = pytest.mark.browser


def test_apr2_admin_sees_calendar_layers(page, login, demo_org):
    from wuquan.workdays import demo

    demo.load(None)
    demo.load(None)  # idempotent
    login(page, "admin")
    page.goto(page.base_url + "/staff/workdays/")
    table = page.locator("#calendar-years")
    assert "国办发明电〔2024〕12号" in table.inner_text()
    assert page.locator("tr.layer-provisional").count() >= 1

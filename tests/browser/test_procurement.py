"""A unit's purchase end to end in a real browser (FIN-5, FIN-6, PUB-4): the clerk records a
request, approves it at its tier, publishes the tender, records three bids, evaluates, awards,
registers the contract and an amendment; the public page shows it and its OCDS download
validates against the local schemas."""

import json
from datetime import date, datetime, timedelta

import pytest

pytestmark = pytest.mark.browser

SHOTS = "var/screenshots"


@pytest.fixture
def world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from wuquan.org import demo as org_demo
    from wuquan.org.models import Unit
    from wuquan.procurement import demo, services

    org_demo.load(None)
    demo.ensure_clerk()
    services.do_set_tiers(
        Unit.objects.get(code="longtan"),
        date(2025, 1, 1),
        actor="test",
        source="测试",
        deputy_limit_fen=1_000_000,
        head_limit_fen=5_000_000,
        open_tender_fen=200_000_000,
        works_tender_fen=400_000_000,
        key_project_fen=1_000_000_000,
        village_limit_fen=10_000_000,
        township_limit_fen=50_000_000,
    )
    return Unit.objects.get(code="fagai")


def _local(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M")


def _shot(pg, name):
    for width in (1366, 390):
        pg.set_viewport_size({"width": width, "height": 900})
        pg.screenshot(path=f"{SHOTS}/procurement-{name}-{width}.png", full_page=True)


def test_unit_records_tender_to_amendment_and_public_ocds_validates(page, login, world):
    from wuquan.procurement import ocds

    login(page, "caigou")
    page.goto(page.base_url + "/staff/procurement/")
    form = page.locator("#new-request form")
    form.locator("select[name=buyer]").select_option(str(world.pk))
    form.locator("input[name=title]").fill("发改局会议室桌椅采购")
    form.locator("select[name=category]").select_option("goods")
    form.locator("input[name=item_code]").fill("A060101")
    form.locator("input[name=amount]").fill("十万")
    form.locator("input[name=requested_on]").fill("2025-05-06")
    form.locator("button[name=create]").click()
    assert "请填写金额（元）" in page.content()  # beside the field, data kept
    assert page.locator("#new-request input[name=title]").input_value() == "发改局会议室桌椅采购"
    page.locator("#new-request input[name=amount]").fill("36000")
    _shot(page, "staff-list")
    page.locator("#new-request button[name=create]").click()
    page.wait_for_url("**/staff/procurement/requests/**")
    assert "分管领导请示一把手同意" in page.content()
    page.locator("button[name=approve]").click()
    assert "请示一把手同意后执行" in page.locator("#approve-error").inner_text()
    page.locator("input[name=head_consent]").check()
    page.locator("button[name=approve]").click()
    start = datetime(2025, 5, 8, 9)
    tf = page.locator("#open-tender form")
    tf.locator("select[name=method]").select_option("quotation")
    tf.locator("input[name=period_start]").fill(_local(start))
    tf.locator("input[name=period_end]").fill(_local(start + timedelta(days=7)))
    tf.locator("button[name=publish]").click()
    page.wait_for_url("**/staff/procurement/tenders/**")
    tender_url = page.url
    from stdnum.cn import uscc

    for i, amount in enumerate(["33000", "34500", "35800"]):
        body = f"91220211MA{i + 500:07d}"
        bf = page.locator("#bid-form")
        bf.locator("input[name=uscc]").fill(body + uscc.calc_check_digit(body))
        bf.locator("input[name=name]").fill(f"吉林市测试家具有限公司{i + 1}")
        bf.locator("input[name=legal_rep]").fill(f"李{i}明")
        bf.locator("input[name=amount]").fill(amount)
        bf.locator("input[name=received_at]").fill(_local(start + timedelta(days=6, hours=i)))
        bf.locator("button[name=add-bid]").click()
        page.wait_for_url(tender_url)
    page.locator("#evaluate-form input[name=report_text]").fill("经评审，三家均有效，最低价者中标")
    page.locator("button[name=evaluate]").click()
    page.wait_for_url(tender_url)
    page.locator("button[name=award]").first.click()
    page.wait_for_url(tender_url)
    page.locator("button[name=contract]").click()
    page.wait_for_url(tender_url)
    af = page.locator("#amend-form")
    af.locator("input[name=new_amount]").fill("34650")
    af.locator("textarea[name=rationale]").fill("增加两把椅子")
    af.locator("button[name=amend]").click()
    page.wait_for_url(tender_url)
    assert page.locator("#contract-amount").inner_text() == "34,650.00"
    _shot(page, "staff-tender")

    tender_id = tender_url.rstrip("/").rsplit("/", 1)[-1]
    page.goto(f"{page.base_url}/gk/procurement/?q=桌椅")
    page.locator("a", has_text="发改局会议室桌椅采购").click()
    html = page.content()
    assert "吉林市测试家具有限公司1" in html and "34,650.00" in html and "增加两把椅子" in html
    assert "李0明" not in html and "李**" in html
    _shot(page, "public-detail")
    response = page.request.get(f"{page.base_url}/gk/procurement/{tender_id}/ocds.json")
    package = json.loads(response.body())
    assert ocds.errors(package) == []
    tags = [r["tag"][0] for r in package["releases"]]
    assert tags == ["tender", "tenderUpdate", "award", "contract", "contractAmendment"]

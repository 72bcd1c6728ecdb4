"""The centre records a land contract (发包) on a six-step decision → files it → its first
instalment is accrued and collected in the books → the month closes and is published → a
villager reads the contract and its schedule in the monthly disclosure, the person masked
(FIN-9, FIN-7, PUB-7). Pages are axe-checked by the browser conftest; screenshots below."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def village(transactional_db, demo_org):
    from django.db import connection

    from wuquan.collective import triggers

    from ..collective.helpers import book, matter, officers
    from ..collective.part2 import register

    users = officers()
    b = book(users)
    register(b, users)
    m = matter(b.unit, "东大地耕地发包给王德福")
    yield b, users, m
    triggers.suspend_delete_guards(connection)


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"collective-contract-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_fin9_land_contract_on_six_steps_to_the_books_and_the_portal(
    page, login, village, tmp_path
):
    from django.utils import timezone

    from wuquan.collective import services
    from wuquan.collective.models import Asset

    book, users, m = village
    base = page.base_url
    today = timezone.localdate()
    land = Asset.objects.get(book=book, code="ZY-001")
    login(page, users["centre"].username)
    page.goto(f"{base}/staff/collective/books/{book.pk}/contracts/new/")
    page.fill("input[name=number]", "HT-FB-001")
    page.select_option("select[name=kind]", "contract_out")
    page.fill("input[name=title]", "东大地耕地发包")
    page.fill("input[name=counterparty]", "王德福")
    page.select_option("select[name=party_kind]", "person")
    page.fill("input[name=counterparty_id]", "220203199001011231")  # wrong check digit
    page.select_option("select[name=asset]", str(land.pk))
    page.fill("input[name=amount]", "30000.00")
    page.fill("input[name=signed_on]", today.isoformat())
    page.fill("input[name=start]", today.isoformat())
    page.fill("input[name=end]", today.replace(year=today.year + 3).isoformat())
    page.select_option("select[name=matter]", str(m.pk))
    next_year = today.replace(year=today.year + 1).isoformat()
    page.fill(
        "textarea[name=schedule]",
        f"{today.isoformat()} 10000.00\n{next_year} 10000.00\n"
        f"{today.replace(year=today.year + 2).isoformat()} 10000.00",
    )
    page.click("#record-contract")
    error = page.locator("label:has(input[name=counterparty_id]) .field-error")
    assert "身份证" in error.inner_text()  # beside the field
    _shot(page, "form-error")
    page.fill("input[name=counterparty_id]", "220203199001011230")
    page.click("#record-contract")
    page.wait_for_selector("text=合同已登记")
    page.click("#file-contract")
    page.wait_for_selector("text=已备案")
    page.locator("button.accrue").first.click()
    page.wait_for_selector("text=凭证已记账")
    page.locator("#schedule button", has_text="收款").first.click()
    page.wait_for_selector("text=已收款")
    _shot(page, "detail")

    page.goto(
        f"{base}/staff/collective/books/{book.pk}/reports/detail/"
        f"?account=1101&year={today.year}&month={today.month}"
    )
    assert page.locator("tr", has_text="HT-FB-001").count() >= 2  # 应收 and 收款 in 应收款

    content, name = services.statement_from_books(book, today.year, today.month)
    statement = tmp_path / name
    statement.write_bytes(content)
    page.goto(f"{base}/staff/collective/books/{book.pk}/?year={today.year}&month={today.month}")
    page.set_input_files("input[name=file]", str(statement))
    page.click("text=导入对账单")
    page.wait_for_selector("text=结账检查全部通过")
    page.click("#close-month")
    page.wait_for_selector("text=已结账")
    page.click("#publish-month")
    page.wait_for_selector("text=本月已逐笔公开")

    page.context.clear_cookies()
    page.goto(f"{base}/gk/collective/{book.pk}/{today.year}/{today.month}/")
    row = page.locator("#public-contracts tr", has_text="HT-FB-001")
    text = row.inner_text()
    assert "30,000.00" in text and "王＊＊" in text and "王德福" not in text
    assert "220203199001011230" not in page.content()
    assert page.locator("#books-match").inner_text().startswith("账目与公开内容一致")
    _shot(page, "portal-month")

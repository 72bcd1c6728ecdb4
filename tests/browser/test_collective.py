"""The village accountant drafts a payment → the supervision committee → head and secretary →
the centre books it → the month closes → a villager reads the line on the portal (FIN-8, PUB-7)."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def ledger(transactional_db, demo_org):
    from django.db import connection

    from wuquan.collective import triggers
    from wuquan.collective.services import do_approve_budget

    from ..collective.helpers import at, book, matter, officers

    users = officers()
    b = book(users)
    do_approve_budget(
        b,
        2025,
        [("5101", "", 2_000_000)],
        matter(b.unit, "2025年度预算"),
        actor=users["centre"],
        at=at(2025, 1, 2),
    )
    yield b, users
    triggers.suspend_delete_guards(connection)


def _as(page, login, username):
    page.context.clear_cookies()
    login(page, username)


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"collective-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_fin8_pub7_payment_through_joint_signoff_to_the_portal(page, login, ledger, tmp_path):
    from wuquan.collective import services

    book, users = ledger
    base = page.base_url
    _as(page, login, users["accountant"].username)
    page.goto(f"{base}/staff/collective/books/{book.pk}/requests/new/")
    page.fill("input[name=date]", "2025-03-03")
    page.fill("input[name=summary]", "村部办公用品采购")
    page.fill("input[name=amount]", "1234.50")
    page.select_option("select[name=account]", "5101")
    page.fill("input[name=counterparty]", "龙潭文具店")
    attachment = tmp_path / "发票.pdf"
    attachment.write_bytes(b"%PDF-1.4 invoice")
    page.set_input_files("input[name=attachments]", str(attachment))
    page.click("#submit-request")
    page.wait_for_selector("text=等待村务监督委员会审核")
    request_url = page.url
    _shot(page, "request")

    for username, step in [
        (users["supervision"].username, "supervision"),
        (users["director"].username, "head"),
        (users["secretary"].username, "secretary"),
        (users["centre"].username, "centre"),
    ]:
        _as(page, login, username)
        page.goto(request_url)
        page.click(f"#sign-{step}")
        page.wait_for_selector(".msg-success")
    page.wait_for_selector("text=付款凭证")

    content, name = services.statement_from_books(book, 2025, 3)
    statement = tmp_path / name
    statement.write_bytes(content)
    page.goto(f"{base}/staff/collective/books/{book.pk}/?year=2025&month=3")
    page.set_input_files("input[name=file]", str(statement))
    page.click("text=导入对账单")
    page.wait_for_selector("text=结账检查全部通过")
    page.click("#close-month")
    page.wait_for_selector("text=已结账")
    page.click("#publish-month")
    page.wait_for_selector("text=本月已逐笔公开")
    _shot(page, "book")

    page.context.clear_cookies()
    page.goto(f"{base}/gk/collective/{book.pk}/2025/3/")
    row = page.locator("tr", has_text="村部办公用品采购").first
    assert "1,234.50" in row.inner_text()
    assert page.locator("#books-match").inner_text().startswith("账目与公开内容一致")
    _shot(page, "portal-month")

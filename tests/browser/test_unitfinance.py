"""A handler files a reimbursement with its vouchers → the reviewer, the responsible deputy and
the finance deputy sign → the cashier pays → the paid 报销单 prints (FIN-1, FIN-2)."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def staff(transactional_db, demo_org):
    from ..unitfinance.helpers import officers

    return officers()


def _as(page, login, user):
    page.context.clear_cookies()
    login(page, user.username)


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"unitfinance-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_fin1_fin2_reimbursement_through_the_chain_to_the_printed_sheet(
    page, login, staff, tmp_path
):
    from django.utils import timezone

    base = page.base_url
    _as(page, login, staff["clerk"])
    page.goto(f"{base}/staff/unitfinance/")
    page.click(f"#new-{staff['unit'].code}")
    page.select_option("select[name=spending_class]", "office")
    page.fill("input[name=summary]", "购买办公用品")
    page.fill("input[name=amount]", "1,234.50")
    page.fill("input[name=occurred_on]", timezone.localdate().isoformat())
    page.select_option("select[name=responsible_post]", str(staff["deputy1_post"].pk))
    page.click("#file-reimbursement")
    page.wait_for_selector("text=报销单已填报")
    url = page.url
    # submitting before the vouchers are complete is refused
    page.click("#submit")
    page.wait_for_selector("#action-error")
    assert "凭证不全" in page.inner_text("#action-error")
    for kind, name, number in (("invoice", "发票.pdf", "04400123"), ("list", "清单.pdf", "")):
        f = tmp_path / name
        f.write_bytes(b"%PDF-1.4 " + name.encode())
        page.select_option("select[name=kind]", kind)
        page.set_input_files("input[name=file]", str(f))
        if number:
            page.fill("input[name=invoice_no]", number)
            page.fill("input[name=invoice_amount]", "1234.50")
        page.click("#upload")
        page.wait_for_selector("text=凭证已上传")
    _shot(page, "draft")
    page.click("#submit")
    page.wait_for_selector("text=报销单进入审批")

    for key, step in (
        ("reviewer", "reviewer"),
        ("deputy1", "responsible"),
        ("finance_deputy", "finance"),
    ):
        _as(page, login, staff[key])
        page.goto(url)
        page.click(f"#sign-{step}")
        page.wait_for_selector(".msg-success")
    _as(page, login, staff["cashier"])
    page.goto(url)
    page.click("#pay")
    page.wait_for_selector("text=已支付")
    page.click("#print-link")
    page.wait_for_selector("#sheet-title")
    assert page.inner_text("#amount") == "¥1,234.50"
    sheet = page.inner_text("main") if page.locator("main").count() else page.content()
    assert "壹仟贰佰叁拾肆元伍角" in sheet and "分管财务工作领导" in sheet
    page.emulate_media(media="print")
    assert not page.locator("#print").is_visible()
    page.emulate_media(media="screen")
    _shot(page, "print")

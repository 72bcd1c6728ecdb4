"""一卡通 end to end in the browser (FIN-15, PUB-8): the village accountant imports the list and
publishes it, the centre exports the batch and imports the bank's return file (booked), and a
recipient confirms the payment on the portal with ID number and 查询码 (axe-checked pages)."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def programme(transactional_db, demo_org):
    from django.db import connection

    from wuquan.collective import services, triggers

    from ..collective.helpers import at, book, officers

    users = officers()
    b = book(users)
    p = services.do_create_programme(
        b, "dibao-2025-03", "2025年3月低保金", "dibao", "《社会救助暂行办法》第九条", 2025,
        "低保资金", actor=users["accountant"], at=at(2025, 3, 2),
    )  # fmt: skip
    yield p, users
    triggers.suspend_delete_guards(connection)


def _as(page, login, username):
    page.context.clear_cookies()
    login(page, username)


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"collective-benefit-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_fin15_pub8_list_published_paid_and_confirmed_by_the_recipient(
    page, login, programme, tmp_path
):
    from wuquan.collective import services
    from wuquan.collective.models import BenefitBatch, BenefitPayment, BenefitRecipient

    from ..collective.benefit_helpers import list_csv, people, rid

    p, users = programme
    base = page.base_url
    _as(page, login, users["accountant"].username)
    page.goto(f"{base}/staff/collective/benefits/{p.pk}/")
    listing = tmp_path / "名单.csv"
    listing.write_bytes(list_csv(people(3)))
    page.set_input_files("input[name=file]", str(listing))
    page.click("#import-list")
    page.wait_for_selector("text=已导入 3 人")
    page.click("#publish-list")
    page.wait_for_selector("text=名单已在公开门户公示")
    _shot(page, "staff")

    _as(page, login, users["centre"].username)
    page.goto(f"{base}/staff/collective/benefits/{p.pk}/")
    # the batch is dated today (the form's default): after the publication, which is today
    page.click("#export-batch")
    page.wait_for_selector("text=第 1 批代发文件已生成")
    batch = BenefitBatch.objects.get(programme=p)
    ret = tmp_path / "回盘.csv"
    ret.write_bytes(services.return_file_from_bank(batch, {2: "户名不符"}))
    page.locator("#batch-1 input[name=file]").set_input_files(str(ret))
    page.click("#import-return-1")
    page.wait_for_selector("text=回盘文件已导入")
    assert page.locator("#batch-1 .badge.bad").count() == 1
    _shot(page, "batch")

    page.context.clear_cookies()
    pub = p.publications.get()
    page.goto(f"{base}/gk/collective/benefits/{pub.pk}/")
    assert rid(10) not in page.content()
    r1 = BenefitRecipient.objects.get(programme=p, seq=1)
    page.fill("#id_number", rid(10))
    page.fill("#code", r1.code)
    page.check("input[name=received][value=yes]")
    page.click("#confirm-receipt")
    page.wait_for_selector("#confirm-done")
    _shot(page, "portal")
    assert BenefitPayment.objects.get(recipient=r1).confirmed_at is not None

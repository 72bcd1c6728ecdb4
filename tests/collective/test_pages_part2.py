"""The part-2 pages (FIN-7, FIN-9, FIN-14): register with reconciliation and Excel, inventory,
asset, contracts, the new-contract form with errors beside the fields, the township approval,
and the portal month with the contract (person masked, no ID number)."""

import pytest

from wuquan.collective import services
from wuquan.collective.models import Asset, Contract

from .helpers import matter
from .part2 import PERSON_ID, register


@pytest.fixture
def staff(client, users):
    client.force_login(users["centre"])
    return client


def test_fin7_register_pages_and_excel(staff, books, users):
    batch = register(books, users)
    r = staff.get(f"/staff/collective/books/{books.pk}/assets/")
    assert (
        r.status_code == 200
        and "资源性资产" in r.content.decode()
        and "reconciliation" in r.content.decode()
    )
    x = staff.get(f"/staff/collective/books/{books.pk}/assets.xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxml")
    assert staff.get(f"/staff/collective/inventories/{batch.pk}/").status_code == 200
    asset = Asset.objects.get(code="JY-001")
    r = staff.post(
        f"/staff/collective/assets/{asset.pk}/",
        {"action": "dispose", "on": "2025-06-01", "amount": "700000"},
    )
    assert r.status_code == 200 and "field-error" in r.content.decode()  # beside 决策


def test_fin7_inventory_upload_through_the_page(staff, books, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = (
        "编号,名称,类别,种类,数量,面积（亩）,坐落,四至,原值（元）,累计折旧（元）,所在科目,状态\n"
        "ZY-9,北岗地,资源性资产,耕地,1,12.5,村北,,0,0,,闲置\n"
    ).encode()
    r = staff.post(
        f"/staff/collective/books/{books.pk}/assets/",
        {
            "title": "补充清查",
            "as_of": "2025-06-30",
            "file": SimpleUploadedFile("r.csv", csv, content_type="text/csv"),
        },
    )
    assert r.status_code == 302
    r = staff.post(r["Location"], {"action": "publish"})
    assert r.status_code == 302


def test_fin9_contract_form_errors_beside_fields_and_portal_masking(staff, books, users):
    register(books, users)
    m = matter(books.unit, "东大地租赁")
    land = Asset.objects.get(code="ZY-001")
    form = {
        "number": "HT-9",
        "kind": "lease",
        "title": "东大地租赁",
        "counterparty": "王小明",
        "party_kind": "person",
        "counterparty_id": "123",
        "asset": land.pk,
        "amount": "3000",
        "signed_on": "2025-03-01",
        "start": "2025-03-01",
        "end": "2026-02-28",
        "matter": m.pk,
        "schedule": "2025-03-01 3000.00",
    }
    r = staff.post(f"/staff/collective/books/{books.pk}/contracts/new/", form)
    page = r.content.decode()
    assert r.status_code == 200 and "有效的居民身份证号码" in page
    form["counterparty_id"] = PERSON_ID
    r = staff.post(f"/staff/collective/books/{books.pk}/contracts/new/", form)
    assert r.status_code == 302
    c = Contract.objects.get(number="HT-9")
    assert staff.get(f"/staff/collective/contracts/{c.pk}/").status_code == 200
    assert staff.get(f"/staff/collective/books/{books.pk}/contracts/").status_code == 200
    assert staff.get(f"/staff/collective/books/{books.pk}/transfers/new/").status_code == 200
    # the month closes and is published; the portal shows the contract, masked
    today = c.recorded_on
    services.do_import_statement(
        books,
        today.year,
        today.month,
        *services.statement_from_books(books, today.year, today.month),
        actor=users["centre"],
    )
    services.do_close_period(books, today.year, today.month, actor=users["centre"])
    services.do_publish_month(books, today.year, today.month, actor=users["centre"])
    staff.logout()
    page = staff.get(f"/gk/collective/{books.pk}/{today.year}/{today.month}/").content.decode()
    assert "HT-9" in page and "王＊＊" in page and "王小明" not in page and PERSON_ID not in page


def test_fin14_township_approval_form_refuses_a_non_township_officer(staff, books, users):
    from wuquan.org.models import Unit

    r = staff.post(
        f"/staff/collective/books/{books.pk}/transfers/new/",
        {
            "other": Unit.objects.get(code="jiujie").pk,
            "amount": "5000",
            "purpose": "借款",
            "valid_from": "2025-01-01",
            "valid_until": "2025-12-31",
        },
    )
    assert r.status_code == 200 and "只有乡镇" in r.content.decode()

"""Staff and public pages, the API and the downloads (PUB-4): thin views over the services;
errors beside the field with the data kept; nothing private on public pages."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from wuquan.org.models import Unit
from wuquan.procurement import demo, ocds, services
from wuquan.procurement.models import ProcurementRequest, Release

from .helpers import YUAN, at, firm, process, tiers


@pytest.fixture
def world(demo_org):
    tiers()
    fagai = Unit.objects.get(code="fagai")
    clerk = demo.ensure_clerk()
    a = firm(1, legal_rep="张三丰", phone="13812345678")
    tender, bids, award, contract = process(fagai, firms=[a, firm(2), firm(3)])
    services.do_amend_contract(contract, 7_100 * YUAN, "增加数量", actor="t", at=at(2025, 4, 20))
    c = Client()
    c.force_login(clerk)
    return fagai, tender, c


def test_pub4_staff_request_form_keeps_data_and_shows_errors_beside_fields(world):
    fagai, _, c = world
    before = ProcurementRequest.objects.count()
    r = c.post(
        reverse("procurement:list"),
        {
            "buyer": fagai.pk,
            "title": "打印纸",
            "category": "goods",
            "item_code": "A0901",
            "amount": "abc",
            "requested_on": "2025-05-01",
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "请填写金额（元）" in html and 'value="打印纸"' in html
    assert ProcurementRequest.objects.count() == before
    r = c.post(
        reverse("procurement:list"),
        {
            "buyer": fagai.pk,
            "title": "打印纸",
            "category": "goods",
            "item_code": "A0901",
            "amount": "3,000.50",
            "requested_on": "2025-05-01",
        },
    )
    assert r.status_code == 302
    req = ProcurementRequest.objects.get(title="打印纸")
    assert req.amount_fen == 300_050 and req.tier == "deputy"


def test_pub4_staff_tender_page_and_refusal_shown(world):
    _, tender, c = world
    assert c.get(reverse("procurement:tender", args=[tender.pk])).status_code == 200
    r = c.post(
        reverse("procurement:tender", args=[tender.pk]),
        {
            "action": "amend",
            "contract": tender.contracts.get().pk,
            "new_amount": "-1",
            "rationale": "",
        },
    )
    assert "金额必须大于零" in r.content.decode()


def test_pub4_public_pages_search_and_mask_people(world):
    _, tender, _ = world
    c = Client()
    r = c.get(reverse("procurement-public:list"), {"q": "办公"})
    assert tender.title in r.content.decode()
    r = c.get(reverse("procurement-public:list"), {"q": "不存在的项目"})
    assert tender.title not in r.content.decode()
    html = c.get(reverse("procurement-public:detail", args=[tender.pk])).content.decode()
    assert "张三丰" not in html and "张**" in html and "13812345678" not in html
    assert "7,100.00" in html


def test_pub4_public_ocds_downloads_validate(world):
    _, tender, _ = world
    c = Client()
    package = json.loads(c.get(reverse("procurement-public:ocds", args=[tender.pk])).content)
    assert (
        ocds.errors(package) == [] and len(package["releases"]) == 5
    )  # tender, opening, award, contract, amendment
    record = json.loads(c.get(reverse("procurement-public:record", args=[tender.pk])).content)
    assert ocds.errors(record, "record-package") == []
    assert record["records"][0]["compiledRelease"]["contracts"][0]["value"]["amount"] == 7100
    lines = b"".join(c.get(reverse("procurement-public:jsonl")).streaming_content).splitlines()
    assert len(lines) == Release.objects.count()
    xlsx = c.get(reverse("procurement-public:excel"))
    assert xlsx.content[:2] == b"PK"


def test_pub4_api_releases_and_records_paginate_by_date_and_ocid(world):
    fagai, tender, _ = world
    for i in range(3):
        process(fagai, start=at(2025, 6, 2 + i))
    c = Client()
    r = c.get("/api/v1/ocds/releases", {"since": "2025-06-01T00:00:00+08:00"})
    package = r.json()
    assert ocds.errors(package) == []
    assert {rel["date"][:7] for rel in package["releases"]} == {"2025-06"}  # March–April left out
    ocid = ocds.ocid_for(tender.pk)
    assert {
        rel["ocid"] for rel in c.get("/api/v1/ocds/releases", {"ocid": ocid}).json()["releases"]
    } == {ocid}
    records = c.get("/api/v1/ocds/records").json()
    assert ocds.errors(records, "record-package") == [] and len(records["records"]) == 4
    from wuquan.procurement import api

    api.PAGE_SIZE, old = 2, api.PAGE_SIZE
    try:
        r = c.get("/api/v1/ocds/records")
        assert len(r.json()["records"]) == 2 and 'rel="next"' in r["Link"]
    finally:
        api.PAGE_SIZE = old


def test_red_flag_page_is_for_the_commission_only(world):
    _, _, c = world
    url = reverse("procurement:red-flags")
    assert c.get(url).status_code == 403
    # issue 16: the clerk's menu does not offer the page it would be refused
    menu = c.get(reverse("procurement:list")).content.decode()
    assert reverse("procurement:list") in menu and f'href="{url}"' not in menu
    from django.contrib.auth import get_user_model

    c.force_login(get_user_model().objects.get(username="jiwei"))
    r = c.get(url)
    assert r.status_code == 200 and f'href="{url}"' in r.content.decode()

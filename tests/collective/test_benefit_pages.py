"""The 一卡通 pages (FIN-15, PUB-8): import with per-row errors beside the file field, the
portal list masked, the uniform confirmation answer, the rate limit, the fund ledgers."""

from __future__ import annotations

from datetime import date

import pytest

from wuquan.collective import services
from wuquan.collective.models import BenefitPayment, BenefitRecipient

from .benefit_helpers import card, list_csv, people, rid
from .helpers import at


@pytest.fixture
def programme(books, users):
    return services.do_create_programme(
        books, "dibao-2025-03", "2025年3月低保金", "dibao", "《社会救助暂行办法》", 2025,
        "低保资金", actor=users["accountant"], at=at(2025, 3, 2),
    )  # fmt: skip


def _client(client, user):
    client.force_login(user)
    return client


def test_fin15_pub8_staff_import_errors_beside_the_file_field(client, programme, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _client(client, users["accountant"])
    rows = people(2)
    rows[1] = ("钱二", "110101199003070119", card(11), "300", 1)
    f = SimpleUploadedFile("名单.csv", list_csv(rows), content_type="text/csv")
    resp = c.post(f"/staff/collective/benefits/{programme.pk}/", {"action": "import", "file": f})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'id="err-file"' in html and "第 3 行：身份证号不正确" in html
    assert not BenefitRecipient.objects.exists()
    f = SimpleUploadedFile("名单.csv", list_csv(people(2)), content_type="text/csv")
    resp = c.post(f"/staff/collective/benefits/{programme.pk}/", {"action": "import", "file": f})
    assert resp.status_code == 302 and BenefitRecipient.objects.count() == 2
    tpl = c.get(f"/staff/collective/benefits/{programme.pk}/template.xlsx")
    assert tpl.status_code == 200 and tpl.content[:2] == b"PK"


def test_pub8_portal_list_masked_and_confirmation_uniform(client, programme, users, settings):
    services.do_import_recipients(
        programme, list_csv(people(2)), "a.csv", actor=users["accountant"], at=at(2025, 3, 3)
    )
    pub = services.do_publish_list(programme, actor=users["accountant"], at=at(2025, 3, 5))
    batch = services.do_export_batch(programme, date(2025, 3, 10), actor=users["centre"])
    services.do_import_return(
        batch, services.return_file_from_bank(batch), "r.csv", actor=users["centre"]
    )
    page = client.get(f"/gk/collective/benefits/{pub.pk}/").content.decode()
    assert "赵*" in page and "赵一" not in page
    assert rid(10) not in page and card(10) not in page and rid(10)[-4:] in page
    url = f"/gk/collective/benefits/{pub.pk}/"
    r1 = BenefitRecipient.objects.get(programme=programme, seq=1)
    answers = []
    for id_number, code in [(rid(10), r1.code), (rid(40), "ABCDEF"), (rid(10), "ZZZZZZ")]:
        resp = client.post(url, {"id_number": id_number, "code": code, "received": "yes"})
        assert resp.status_code == 302
        answers.append(client.get(url).content.decode().count('id="confirm-done"'))
    assert answers == [1, 1, 1]
    assert BenefitPayment.objects.filter(confirmed_at__isnull=False).count() == 1
    bad = client.post(url, {"id_number": "12345", "code": "X", "received": "yes"})
    assert bad.status_code == 400 and 'id="err-id"' in bad.content.decode()
    settings.WUQUAN_BENEFIT_CONFIRMS_PER_HOUR = 4
    assert client.post(url, {"id_number": rid(10), "code": "X"}).status_code == 429
    listing = client.get("/gk/collective/benefits/").content.decode()
    assert "2025年3月低保金" in listing


def test_fin15_fund_ledger_pages(client, books, users):
    services.do_post_voucher(
        books, "receipt", date(2025, 3, 1), "低保资金到账",
        [
            {"account": "1002", "side": "D", "amount": 500_000, "fund": "低保资金"},
            {"account": "2302", "side": "C", "amount": 500_000, "fund": "低保资金"},
        ],
        actor=users["centre"], at=at(2025, 3, 1),
    )  # fmt: skip
    c = _client(client, users["centre"])
    html = c.get(f"/staff/collective/books/{books.pk}/funds/?year=2025&month=3").content.decode()
    assert "低保资金" in html and "5,000.00" in html and "集体自有资金" in html
    assert client.get(f"/gk/collective/{books.pk}/2025/3/funds/").status_code in (302, 404)


def test_pub8_portal_plug_in_lists_the_publication(programme, users):
    from wuquan.disclosure.sources import public_items, resolve_target

    services.do_import_recipients(
        programme, list_csv(people(1)), "a.csv", actor=users["accountant"], at=at(2025, 3, 3)
    )
    pub = services.do_publish_list(programme, actor=users["accountant"], at=at(2025, 3, 5))
    assert any(i.key == f"benefit:{pub.pk}" for i in public_items(kinds=["benefit"]))
    assert resolve_target(f"benefit:{pub.pk}").owner == programme.book.unit
    assert resolve_target("benefit:99999999999") is None


def test_pub8_api_gives_the_masked_list_and_nothing_else(client, programme, users):
    services.do_import_recipients(
        programme, list_csv(people(2)), "a.csv", actor=users["accountant"], at=at(2025, 3, 3)
    )
    pub = services.do_publish_list(programme, actor=users["accountant"], at=at(2025, 3, 5))
    resp = client.get(f"/api/v1/collective/benefits/{pub.pk}")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert resp.json()["total"] == 60_000 and rid(10) not in body and card(10) not in body
    assert client.get("/api/v1/collective/benefits/99999999999").status_code == 404


def test_pub8_village_reissues_a_code_and_the_old_one_stops_working(client, programme, users):
    services.do_import_recipients(
        programme, list_csv(people(1)), "a.csv", actor=users["accountant"], at=at(2025, 3, 3)
    )
    r = BenefitRecipient.objects.get(programme=programme)
    old = r.code
    c = _client(client, users["accountant"])
    resp = c.post(
        f"/staff/collective/benefits/{programme.pk}/", {"action": "code", "recipient": r.pk}
    )
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.code != old and len(r.code) == 6


def test_pub8_ids_out_of_range_are_missing_pages(client, users):
    assert client.get("/gk/collective/benefits/99999999999/").status_code == 404
    assert client.get("/gk/collective/1/99999/3/funds/").status_code == 404
    c = _client(client, users["centre"])
    assert c.get("/staff/collective/benefits/99999999999/").status_code == 404

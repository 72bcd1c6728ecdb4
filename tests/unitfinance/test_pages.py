"""The staff pages (FIN-1..4): filing with errors beside the fields, uploading, signing, the
printable 报销单, the Excel export, the limits import page, reports and staff disclosures."""

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from wuquan.unitfinance import services
from wuquan.unitfinance.models import Reimbursement, Status

from .helpers import at, attach_all, file_one, pdf, sign_all


def test_fin1_file_page_shows_errors_beside_fields(client, o):
    client.force_login(o["clerk"])
    url = f"/staff/unitfinance/units/{o['unit'].pk}/new/"
    page = client.get(url)
    assert page.status_code == 200 and "分管领导" in page.content.decode()
    bad = client.post(
        url,
        {
            "spending_class": "office",
            "summary": "办公用品",
            "amount": "12.345",
            "occurred_on": "2026-03-05",
            "responsible_post": o["deputy1_post"].pk,
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and 'id="id_amount_error"' in html and "两位小数" in html
    assert not Reimbursement.objects.exists()
    ok = client.post(
        url,
        {
            "spending_class": "office",
            "summary": "办公用品",
            "amount": "1,200.00",
            "occurred_on": "2026-03-05",
            "responsible_post": o["deputy1_post"].pk,
        },
    )
    r = Reimbursement.objects.get()
    assert ok.status_code == 302 and r.amount == 120_000


def test_fin2_upload_duplicate_invoice_error_beside_the_field(client, o):
    r1 = file_one(o)
    attach_all(o, r1, invoice_no="12345678")
    r2 = file_one(o, amount=10_000)
    client.force_login(o["clerk"])
    resp = client.post(
        f"/staff/unitfinance/r/{r2.pk}/attach/",
        {
            "kind": "invoice",
            "invoice_no": "12345678",
            "invoice_amount": "100",
            "file": SimpleUploadedFile("发票.pdf", b"%PDF-1.4 x"),
        },
    )
    html = resp.content.decode()
    assert resp.status_code == 400 and 'id="id_invoice_no_error"' in html and r1.number in html


def test_fin1_sign_pay_and_print(client, o):
    r = file_one(o)
    attach_all(o, r)
    client.force_login(o["clerk"])
    assert client.post(f"/staff/unitfinance/r/{r.pk}/do/submit/").status_code == 302
    for key, step in (
        ("reviewer", "reviewer"),
        ("deputy1", "responsible"),
        ("finance_deputy", "finance"),
    ):
        client.force_login(o[key])
        page = client.get(f"/staff/unitfinance/r/{r.pk}/").content.decode()
        assert f'id="sign-{step}"' in page
        client.post(f"/staff/unitfinance/r/{r.pk}/do/sign/", {"step": step})
    client.force_login(o["cashier"])
    client.post(f"/staff/unitfinance/r/{r.pk}/do/pay/")
    r.refresh_from_db()
    assert r.status == Status.PAID
    sheet = client.get(f"/staff/unitfinance/r/{r.pk}/print/").content.decode()
    assert (
        "壹仟贰佰元整" in sheet
        and "分管财务工作领导" in sheet
        and r.attachments.first().sha256 in sheet
    )
    raw = client.get(f"/staff/unitfinance/r/{r.pk}/files/{r.attachments.first().pk}/raw/")
    assert raw.status_code == 200 and raw["X-Content-Type-Options"] == "nosniff"


def test_fin1_sign_refusal_shown_and_other_unit_cannot_read(client, o):
    r = file_one(o)
    attach_all(o, r)
    services.do_submit_reimbursement(r, actor=o["clerk"])
    client.force_login(o["deputy1"])
    resp = client.post(f"/staff/unitfinance/r/{r.pk}/do/sign/", {"step": "responsible"})
    assert resp.status_code == 409 and "审核人" in resp.content.decode()
    from wuquan.org.models import Post
    from wuquan.org.services import ensure_post_account

    outsider = ensure_post_account(
        Post.objects.get(unit__code="nongshui", code="clerk"), "ns-clerk", "x"
    )
    client.force_login(outsider)
    assert client.get(f"/staff/unitfinance/r/{r.pk}/").status_code == 404


def test_fin3_export_period_to_excel(client, o):
    r = file_one(o)
    attach_all(o, r)
    sign_all(o, r)
    file_one(o, on=date(2025, 6, 1), amount=5_000)
    client.force_login(o["reviewer"])
    resp = client.get("/staff/unitfinance/export.xlsx?start=2026-01-01&end=2026-12-31")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [(x[1], x[6], x[7]) for x in rows] == [(r.number, 1200, "待支付")]


def test_fin3_limits_page_imports_and_shows_errors(client, o):
    client.force_login(o["finance_deputy"])
    url = f"/staff/unitfinance/units/{o['unit'].pk}/limits/"
    template = client.get(f"/staff/unitfinance/units/{o['unit'].pk}/limits.xlsx").content
    wb = load_workbook(io.BytesIO(template))
    wb.active["C2"] = 3000  # 差旅费 per item
    buf = io.BytesIO()
    wb.save(buf)
    resp = client.post(url, {"file": SimpleUploadedFile("l.xlsx", buf.getvalue())})
    assert resp.status_code == 302
    page = client.get(url).content.decode()
    assert "3,000.00" in page
    bad = client.post(url, {"file": SimpleUploadedFile("l.xlsx", b"not excel")})
    assert 'id="id_file_error"' in bad.content.decode()


def test_fin4_report_present_receive_and_staff_disclosure(client, o):
    services.do_enter_budget(o["unit"], 2026, "office", 2_000_000, actor=o["finance_deputy"])
    r = file_one(o)
    attach_all(o, r)
    sign_all(o, r)
    services.do_pay_reimbursement(r, actor=o["cashier"], at=at(2026, 3, 20))
    client.force_login(o["finance_deputy"])
    url = f"/staff/unitfinance/units/{o['unit'].pk}/reports/"
    resp = client.post(url, {"form": "report", "r-year": 2026, "r-quarter": 1, "r-income": "0"})
    assert resp.status_code == 302
    page = client.get(resp["Location"]).content.decode()
    assert "1,200.00" in page and "6.0%" in page
    client.post(resp["Location"], {"on": "2026-04-10"})
    client.force_login(o["head"])
    client.post(resp["Location"], {"action": "receive"})
    rep = o["unit"]
    from wuquan.unitfinance.models import FinanceReport

    rep = FinanceReport.objects.get()
    assert rep.presented_on == date(2026, 4, 10) and rep.received_by is not None
    client.force_login(o["finance_deputy"])
    resp = client.post(url, {"form": "disclosure", "d-year": 2026, "d-half": 1})
    assert resp.status_code == 302
    client.force_login(o["clerk"])
    listing = client.get("/staff/unitfinance/disclosures/").content.decode()
    assert "2026年上半年" in listing
    assert "1,200.00" in client.get(resp["Location"]).content.decode()
    # publishing twice is refused beside the field
    client.force_login(o["finance_deputy"])
    again = client.post(url, {"form": "disclosure", "d-year": 2026, "d-half": 1})
    assert 'id="id_d-half_error"' in again.content.decode()


def test_fin1_upload_page_path(client, o):
    r = file_one(o)
    client.force_login(o["clerk"])
    resp = client.post(
        f"/staff/unitfinance/r/{r.pk}/attach/",
        {"kind": "list", "file": pdf("清单.pdf")},
    )
    assert resp.status_code == 302 and r.attachments.count() == 1


def test_fin1_api_lists_a_period_and_shows_the_chain(client, o):
    r = file_one(o)
    attach_all(o, r)
    sign_all(o, r)
    client.force_login(o["reviewer"])
    rows = client.get("/api/v1/unitfinance/reimbursements?start=2026-01-01&end=2026-12-31").json()
    assert [x["number"] for x in rows] == [r.number]
    one = client.get(f"/api/v1/unitfinance/reimbursements/{r.pk}").json()
    assert [s["step"] for s in one["signatures"]] == [
        "handler",
        "reviewer",
        "responsible",
        "finance",
    ]
    assert client.get("/api/v1/unitfinance/reimbursements/99999999999").status_code == 404

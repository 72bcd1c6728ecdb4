"""Issue 12 (a UI for clerks and villagers), findings 1, 2, 3, 6 and 10 (receipt numbers): each
test fails on the code before the issue and passes after. Setup through the services; every
refusal also asserts nothing was written."""

import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wuquan.approvals import selectors, services
from wuquan.approvals.models import Case, CaseMaterial
from wuquan.catalog import diagram
from wuquan.catalog import services as catalog_services
from wuquan.catalog.models import FormField
from wuquan.common import sms
from wuquan.common.exceptions import NotPermitted, RuleViolation
from wuquan.ledger.models import Event

PDF = b"%PDF-1.4 issue-12 test"


def _pdf(name="a.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def labelled(world):
    """The test item's `area_sqm` defined in the catalog with a Chinese label and unit."""
    catalog_services.do_save(
        FormField(
            item=world.item,
            name="area_sqm",
            label="经营场所面积",
            unit="平方米",
            help_text="按租赁合同填写",
            min_value=0,
        ),
        "issue 12 test",
        actor="system:test",
    )
    return world


@pytest.fixture
def submitted(world):
    files = {m.pk: _pdf(f"m{m.pk}.pdf") for m in world.materials if m.reuse == "none"}
    sub = services.do_submit_application(
        world.item,
        applicant_name="龙潭小吃店",
        applicant_id_number="220203199001011230",
        applicant_phone="13812345678",
        data={"area_sqm": 100},
        files=files,
    )
    return sub


def _counts():
    return (Case.objects.count(), Event.objects.count())


# ---- finding 1: uploads served to allowed staff only, type/size limits, preview, SHA-256 -------


def test_finding1_window_clerk_opens_an_uploaded_file_inline_with_its_sha256(
    client, world, submitted
):
    cm = CaseMaterial.objects.filter(case=submitted.case).exclude(file="").first()
    assert cm.sha256 == hashlib.sha256(PDF).hexdigest()
    event = Event.objects.get(action="approvals.case.submitted", subject_id=str(submitted.case.pk))
    assert cm.sha256 in event.payload["material_sha256"].values()
    client.force_login(world.users["window"])
    page = client.get(f"/staff/approvals/cases/{submitted.case.pk}/").content.decode()
    link = f"/staff/approvals/cases/{submitted.case.pk}/files/material/{cm.pk}/"
    assert link in page and cm.sha256 in page
    preview = client.get(link)
    assert preview.status_code == 200 and cm.sha256 in preview.content.decode()
    assert "与运行记录一致" in preview.content.decode()
    raw = client.get(link + "raw/")
    assert raw.status_code == 200 and b"".join(raw.streaming_content) == PDF
    assert raw["Content-Type"] == "application/pdf"
    assert raw["Content-Disposition"].startswith("inline")
    assert raw["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in raw["Cache-Control"]


def test_finding1_staff_of_another_unit_and_the_public_cannot_open_the_file(world, submitted):
    cm = CaseMaterial.objects.filter(case=submitted.case).exclude(file="").first()
    url = f"/staff/approvals/cases/{submitted.case.pk}/files/material/{cm.pk}/raw/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    outsider = get_user_model().objects.create_user("t-outsider", password="x")
    c = Client()
    c.force_login(outsider)
    # answered like a missing file (issue 13, finding 10: a 403 would confirm it exists)
    assert c.get(url).status_code == 404
    # and no upload is reachable under MEDIA_URL
    assert Client().get("/media/" + cm.file.name).status_code == 404


def test_finding1_wrong_type_disguised_file_and_oversize_are_refused_and_nothing_written(
    world, settings
):
    settings.WUQUAN_UPLOAD_MAX_BYTES = 64
    m = next(m for m in world.materials if m.reuse == "none")
    others = {x.pk: _pdf(f"{x.pk}.pdf") for x in world.materials if x.reuse == "none" and x != m}
    for bad, expect in [
        (SimpleUploadedFile("virus.exe", b"MZ...."), "文件类型不允许"),
        (SimpleUploadedFile("fake.pdf", b"MZ this is not a pdf"), "内容与扩展名"),
        (_pdf("big.pdf", PDF + b"x" * 100), "大小限制"),
    ]:
        n = _counts()
        with pytest.raises(Exception) as exc:
            services.do_submit_application(
                world.item,
                applicant_name="张三",
                data={"area_sqm": 10},
                files={**others, m.pk: bad},
            )
        assert expect in str(exc.value)
        assert _counts() == n


# ---- finding 2: catalog-defined form fields speak Chinese everywhere ---------------------------


def test_finding2_form_diagram_and_errors_use_the_catalog_label_not_the_variable(client, labelled):
    world = labelled
    page = client.get(f"/gk/approvals/items/{world.item.code}/").content.decode()
    assert "经营场所面积" in page and "平方米" in page and "按租赁合同填写" in page
    assert re.search(r">\s*area_sqm\s*<", page) is None  # never shown as a label
    svg = diagram.svg_for(world.item.published_flow())
    drawn = re.sub(r"<[^>]+>", "", svg)  # the text, its wrapped lines joined
    assert "经营场所面积 &gt; 500 平方米" in drawn and "area_sqm" not in svg
    n = _counts()
    r = client.post(
        f"/gk/approvals/items/{world.item.code}/apply/",
        {"applicant_name": "张三", "area_sqm": "很大"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "“经营场所面积”应填数字（单位：平方米）" in html
    assert "area_sqm" not in re.sub(
        r'(name|for|id|href|data-field|aria-describedby)="[^"]*"', "", html
    )
    assert _counts() == n


def test_finding2_service_error_names_the_field_by_its_label(labelled):
    from wuquan.common.exceptions import InvalidInput

    n = _counts()
    with pytest.raises(InvalidInput) as exc:
        services.do_submit_application(
            labelled.item, applicant_name="张三", data={}, materials_later=True
        )
    assert "经营场所面积" in str(exc.value.message) and exc.value.field == "area_sqm"
    assert _counts() == n


# ---- finding 3: the query code on the notice, re-issued at the window --------------------------


def test_finding3_window_reissues_the_code_after_an_identity_check_recorded_and_sent(
    client, world, submitted
):
    case = services.do_accept_case(submitted.case, actor=world.users["window"])
    sms.LoggingSMSBackend.sent.clear()
    client.force_login(world.users["window"])
    with_ = client.get(f"/staff/approvals/cases/{case.pk}/notice/").content.decode()
    assert 'id="query-code"' not in with_ and "重新发放" in with_
    url = f"/staff/approvals/cases/{case.pk}/reissue-code/"
    # the wrong identity number: refused beside the field, nothing written
    n = _counts()
    r = client.post(url, {"id_number": "220203199001019999", "send_sms": "on"})
    assert r.status_code == 400 and "证件号码与申请时登记的不一致" in r.content.decode()
    assert _counts() == n
    # full-width digits and spaces, as typed from the card, are accepted
    with django_capture_on_commit():
        r = client.post(
            url, {"id_number": "２２０２０３ １９９００１０１１２３０", "send_sms": "on"}
        )
    assert r.status_code == 302 and r["Location"].endswith("/notice/")
    notice = client.get(r["Location"]).content.decode()
    code = re.search(r'id="query-code"[^>]*>([^<]+)<', notice).group(1)
    case.refresh_from_db()
    assert selectors.check_query_code(case, code)
    assert not selectors.check_query_code(case, submitted.query_code)  # the old one is void
    assert code in client.get(r["Location"]).content.decode()  # a reload keeps it
    event = Event.objects.filter(action="approvals.case.code_reissued").get()
    assert code not in str(event.payload) and "220203" not in str(event.payload)
    assert event.payload["sms_sent"] is True
    assert any(p == "13812345678" and code in t for p, t in sms.LoggingSMSBackend.sent)


def test_finding3_only_the_window_may_reissue_and_nothing_is_written(world, submitted):
    n = _counts()
    with pytest.raises(NotPermitted):
        services.do_reissue_query_code(
            submitted.case, id_number="220203199001011230", actor=world.users["chengban"]
        )
    assert _counts() == n


def test_finding3_no_identity_on_record_no_reissue(world):
    files = {m.pk: _pdf(f"m{m.pk}.pdf") for m in world.materials if m.reuse == "none"}
    sub = services.do_submit_application(
        world.item, applicant_name="无证件", data={"area_sqm": 1}, files=files
    )
    n = _counts()
    with pytest.raises(RuleViolation):
        services.do_reissue_query_code(sub.case, id_number="x", actor=world.users["window"])
    assert _counts() == n


# ---- finding 6: every error inline, at once, entries kept --------------------------------------


def test_finding6_window_form_shows_all_errors_beside_their_fields_and_keeps_the_entries(
    client, labelled
):
    world = labelled
    client.force_login(world.users["window"])
    n = _counts()
    r = client.post(
        f"/staff/approvals/window/?item={world.item.code}",
        {"item": world.item.code, "applicant_name": "", "area_sqm": "-5", "title": "开一家小吃店"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "操作未完成" not in html  # not the separate error page
    assert "请填写申请人姓名或单位名称" in html and "“经营场所面积”不能小于 0平方米" in html
    assert 'value="开一家小吃店"' in html and 'value="-5"' in html  # entries kept
    assert 'aria-invalid="true"' in html and 'class="required"' in html
    assert _counts() == n


def test_finding6_refusal_without_reason_is_shown_beside_the_reason(client, world, submitted):
    client.force_login(world.users["window"])
    n = _counts()
    r = client.post(
        f"/staff/approvals/cases/{submitted.case.pk}/accept/", {"action": "refuse", "reason": ""}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="refuse-reason-error"' in html and "不予受理必须说明理由" in html
    # finding 9: 不予受理 is a danger button, 受理 the primary one — they no longer look alike
    assert 'class="danger" id="btn-refuse"' in html and 'value="accept" id="btn-accept"' in html
    assert "操作未完成" not in html
    assert _counts() == n


# ---- finding 10: receipt numbers typed with full-width digits or spaces -------------------------


def test_finding10_lookup_normalises_full_width_digits_spaces_and_dashes(world, submitted):
    case = services.do_accept_case(submitted.case, actor=world.users["window"])
    full = case.receipt_no.translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    ).replace("-", "－")
    typed = " " + full[:5] + " " + full[5:] + " "
    assert selectors.lookup(typed, submitted.query_code.lower()).pk == case.pk


def django_capture_on_commit():
    """Run on_commit callbacks (the SMS) inside the test transaction."""
    from django.db import connection

    class _Run:
        def __enter__(self):
            self.n = len(connection.run_on_commit)

        def __exit__(self, *exc):
            for _sids, func, _robust in connection.run_on_commit[self.n :]:
                func()

    return _Run()

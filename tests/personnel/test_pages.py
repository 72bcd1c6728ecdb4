"""The staff and portal pages of personnel: thin over the services, errors beside the fields."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from wuquan.ledger.models import Event
from wuquan.personnel import services
from wuquan.personnel.models import PersonalReport, Selection

from .helpers import STEP, org_dept_user, setup_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(demo_org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {
        "org": org_dept_user(),
        "window": get_user_model().objects.get(username="window"),
    }


def test_per3_cadre_files_own_report_with_relatives_and_firms(client, staff):
    client.force_login(staff["window"])
    response = client.post(
        "/staff/personnel/my-report/",
        {
            "year": "2025",
            "marital_status": "married",
            "children_count": "1",
            "houses": "龙潭区某小区 3-201 96㎡",
            "rel0_relation": "child",
            "rel0_name": "李小明",
            "firm0_name": "龙潭小明商贸有限公司",
            "firm0_uscc": "91220202MA0Y1D3M73",
            "firm0_relative": "0",
        },
    )
    assert response.status_code == 302
    report = PersonalReport.objects.get()
    assert report.houses == [{"text": "龙潭区某小区 3-201 96㎡"}]
    assert report.firms.get().relative.name == "李小明"


def test_per3_report_form_keeps_the_data_and_shows_the_error_beside_the_field(client, staff):
    client.force_login(staff["window"])
    before = Event.objects.count()
    response = client.post(
        "/staff/personnel/my-report/",
        {
            "year": "2025",
            "marital_status": "married",
            "houses": "甲小区",
            "firm0_name": "某公司",
            "firm0_uscc": "BAD",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "统一社会信用代码不正确" in page and "甲小区" in page
    assert not PersonalReport.objects.exists() and Event.objects.count() == before


def test_per1_only_the_org_department_opens_a_selection(client, staff):
    _unit, post, _est = setup_unit()
    client.force_login(staff["window"])
    data = {"post": post.pk, "title": "选拔", "on": "2026-03-02", **STEP}
    assert client.post("/staff/personnel/", data).status_code == 403
    assert not Selection.objects.exists()
    client.force_login(staff["org"])
    response = client.post("/staff/personnel/", data)
    assert response.status_code == 302 and Selection.objects.count() == 1


def test_per1_open_form_shows_every_missing_field_at_once(client, staff):
    client.force_login(staff["org"])
    response = client.post("/staff/personnel/", {"title": "选拔"})
    page = response.content.decode()
    assert response.status_code == 400
    for text in ("请填写拟任岗位", "请填写参加人员", "请填写动议结果"):
        assert text in page
    assert 'value="选拔"' in page


def test_per1_dossier_page_and_public_notice(client, staff):
    _unit, post, _est = setup_unit()
    sel = services.do_open_selection(
        post, "规划科科长选拔", actor="t", on=timezone.localdate(), **STEP
    )
    client.force_login(staff["org"])
    page = client.get(f"/staff/personnel/selections/{sel.pk}/dossier/").content.decode()
    assert "干部选拔任用文书档案" in page and "动议" in page
    Selection.objects.filter(pk=sel.pk).update(
        status="notice",
        candidate=sel.post.unit.posts.get(code="head").appointments.first().person,
        notice_start=timezone.localdate(),
        notice_end=timezone.localdate() + timedelta(days=7),
    )
    client.logout()
    assert "规划科科长" in client.get("/gk/personnel/").content.decode()
    response = client.post(f"/gk/personnel/{sel.pk}/", {"content": ""})
    assert response.status_code == 400 and "请填写反映内容" in response.content.decode()
    assert client.post(f"/gk/personnel/{sel.pk}/", {"content": "反映情况"}).status_code == 302
    assert sel.objections.count() == 1


def test_coi_links_page_finds_a_firm_by_its_code(client, staff):
    from wuquan.org.models import Person

    cadre = Person.objects.get(user=staff["window"])
    services.do_file_report(
        cadre,
        2025,
        actor="t",
        submitted_on=timezone.localdate(),
        marital_status="married",
        firms=[{"name": "某公司", "uscc": "91220202MA0Y1D3M73"}],
    )
    client.force_login(staff["org"])
    client.post("/staff/personnel/links/rebuild/")
    page = client.get("/staff/personnel/links/?q=91220202ma0y1d3m73").content.decode()
    assert "报告的企业" in page and cadre.name in page


def test_per1_selection_ledger_exports_to_excel(client, staff):
    from io import BytesIO

    from openpyxl import load_workbook

    _unit, post, _est = setup_unit()
    services.do_open_selection(post, "规划科科长选拔", actor="t", on=timezone.localdate(), **STEP)
    client.force_login(staff["window"])
    assert client.get("/staff/personnel/selections.xlsx").status_code == 403
    client.force_login(staff["org"])
    response = client.get("/staff/personnel/selections.xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][1] == "名称" and rows[1][1] == "规划科科长选拔"
    assert rows[1][rows[0].index("动议")] == timezone.localdate().isoformat()

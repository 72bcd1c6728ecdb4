"""ORG-1..4 staff pages and admin: the org page, 轮岗提示, the Excel page (admins only),
and admin saves going through the services (recorded)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from wuquan.ledger.models import Event
from wuquan.org import excel, roles, services
from wuquan.org.models import Appointment, Person, Post

pytestmark = pytest.mark.django_db


def _login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def test_org3_org_page_shows_tree_head_supervising_and_deputy_areas(client, demo_org):
    _login(client, "admin")
    page = client.get("/staff/org/", {"unit": "caizheng"}).content.decode()
    assert "龙潭区财政局" in page and "乌拉街满族镇" in page
    assert "监管" in page
    assert "行政审批" in page and "物资采购" in page and "干部人事" in page


def test_org1_window_clerk_cannot_open_a_township(client, demo_org):
    _login(client, "window")
    page = client.get("/staff/org/")
    assert page.status_code == 200
    assert "龙潭区政务服务中心" in page.content.decode()
    assert "乌拉街满族镇" not in page.content.decode()
    assert client.get("/staff/org/", {"unit": "wulajie"}).status_code == 403


def test_org4_rotation_page_lists_people_due(client, demo_org):
    post = Post.objects.get(unit__code="zwfw", code="finance")
    services.do_appoint(
        services.do_save_person(Person(name="老财务"), actor="system"),
        post,
        date(2012, 1, 1),
        actor="system",
    )
    _login(client, "window")
    page = client.get("/staff/org/rotation/", {"as_of": "2024-01-01"}).content.decode()
    assert "老财务" in page
    assert client.get("/staff/org/rotation/", {"as_of": "bad"}).status_code == 400


def test_org_excel_page_is_for_system_admins_only(client, demo_org):
    _login(client, "window")
    assert client.get("/staff/org/excel/").status_code == 403
    assert client.get("/staff/org/excel/download/").status_code == 403
    _login(client, "admin")
    response = client.get("/staff/org/excel/download/")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_org_excel_page_upload_shows_row_errors(client, demo_org):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(excel.export_bytes()))
    wb["人员"].append(["P777", "", "", "", ""])
    buf = BytesIO()
    wb.save(buf)
    _login(client, "admin")
    upload = SimpleUploadedFile("org.xlsx", buf.getvalue())
    response = client.post("/staff/org/excel/", {"file": upload})
    assert response.status_code == 400
    assert f"人员 第{wb['人员'].max_row}行 姓名" in response.content.decode()
    ok = SimpleUploadedFile("org.xlsx", excel.export_bytes())
    assert client.post("/staff/org/excel/", {"file": ok}).status_code == 302


def test_org3_admin_refuses_areas_on_a_head_post_and_records_a_valid_change(client, demo_org):
    _login(client, "admin")
    post = Post.objects.get(unit__code="shenji", code="head")
    url = f"/admin/org/post/{post.pk}/change/"
    data = {
        "unit": post.unit_id,
        "code": "head",
        "name": post.name,
        "risk_class": "A",
        "is_head": "on",
        "areas": ["finance"],
        "duties": "",
        "rotation_years": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # form redisplayed with the error
    assert "一把手不直接分管" in response.content.decode()
    assert Post.objects.get(pk=post.pk).areas == []
    data["areas"] = []
    data["rotation_years"] = "6"
    before = Event.objects.count()
    assert client.post(url, data).status_code == 302
    assert Post.objects.get(pk=post.pk).rotation_years == 6
    assert Event.objects.count() == before + 1
    assert Event.objects.order_by("-index").first().actor == "user:admin"


def test_org4_admin_person_inline_appointments_go_through_the_services(client, demo_org):
    _login(client, "admin")
    head = Post.objects.get(unit__code="shenji", code="head")
    services.do_appoint(
        services.do_save_person(Person(name="现任局长"), actor="system"),
        head,
        date(2023, 1, 1),
        actor="system",
    )
    data = {
        "code": "",
        "name": "新人",
        "id_number": "11010519491231002X",
        "phone": "",
        "user": "",
        "appointments-TOTAL_FORMS": "1",
        "appointments-INITIAL_FORMS": "0",
        "appointments-MIN_NUM_FORMS": "0",
        "appointments-MAX_NUM_FORMS": "1000",
        "appointments-0-post": head.pk,
        "appointments-0-start": "2024-01-01",
        "appointments-0-end": "",
    }
    response = client.post("/admin/org/person/add/", data)
    assert response.status_code == 200 and "同一时间只能有一人任职" in response.content.decode()
    assert not Person.objects.filter(name="新人").exists()
    data["appointments-0-post"] = Post.objects.get(unit__code="shenji", code="clerk").pk
    assert client.post("/admin/org/person/add/", data).status_code == 302
    person = Person.objects.get(name="新人")
    assert Appointment.objects.filter(person=person).count() == 1
    assert Event.objects.filter(
        action="org.appointment.started", subject_id=str(person.appointments.get().pk)
    ).exists()


def test_org1_admin_role_user_can_open_the_org_admin(client, demo_org):
    user = services.ensure_staff("orgadmin", "组织管理员", None, [roles.ADMIN])
    client.force_login(user)
    assert client.get("/admin/org/unit/").status_code == 200
    assert client.get("/admin/org/unit/", {"kind__exact": "village"}).status_code == 200


def test_org4_staff_home_shows_rotation_panel_only_when_someone_is_due(client, demo_org):
    _login(client, "window")
    assert "轮岗提示" not in client.get("/staff/").content.decode().split("<main")[1]
    post = Post.objects.get(unit__code="zwfw", code="finance")
    services.do_appoint(
        services.do_save_person(Person(name="老财务"), actor="system"),
        post,
        date(2012, 1, 1),
        actor="system",
    )
    assert "轮岗年限" in client.get("/staff/").content.decode()

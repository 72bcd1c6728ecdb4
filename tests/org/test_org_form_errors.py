"""Issue 12 finding 6 on the organisation pages and workplan's 调度表 (ORG-1, ORG-4, WRK-3): a
date that is not a date is shown beside the 截至日期 field, the entry kept, today's figures
meanwhile; an Excel upload without a file says so beside the file field, nothing written.
Issue 12 finding 9: their tables carry a caption and th scope."""

import re

from django.contrib.auth import get_user_model

from wuquan.ledger.models import Event


def _login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


def field_error(html: str, name: str) -> str:
    m = re.search(rf'<div class="field[^"]*" data-field="{name}"(.*?)</div>', html, re.S)
    assert m, f"no field {name} on the page"
    err = re.search(r'class="field-error"[^>]*>([^<]+)<', m.group(1))
    return err.group(1) if err else ""


def test_org4_rotation_bad_date_beside_the_field_entry_kept(client, demo_org):
    _login(client, "admin")
    r = client.get("/staff/org/rotation/", {"as_of": "2025-13-40"})
    html = r.content.decode()
    assert r.status_code == 400
    assert field_error(html, "as_of") == "日期格式应为 YYYY-MM-DD。"
    assert 'value="2025-13-40"' in html and 'id="rotation-table"' in html
    ok = client.get("/staff/org/rotation/", {"as_of": "2025-06-30"})
    assert ok.status_code == 200 and 'value="2025-06-30"' in ok.content.decode()


def test_org1_home_bad_date_beside_the_field(client, demo_org):
    _login(client, "admin")
    r = client.get("/staff/org/", {"as_of": "昨天"})
    assert r.status_code == 400
    assert field_error(r.content.decode(), "as_of") == "日期格式应为 YYYY-MM-DD。"


def test_org1_excel_upload_without_a_file_beside_the_field_nothing_written(client, demo_org):
    _login(client, "admin")
    n = Event.objects.count()
    r = client.post("/staff/org/excel/", {})
    assert r.status_code == 400
    assert field_error(r.content.decode(), "file") == "请选择要导入的 .xlsx 文件。"
    assert Event.objects.count() == n


def test_wrk3_dispatch_bad_date_beside_the_field(client, demo_org):
    _login(client, "jiwei")
    r = client.get("/staff/workplan/dispatch/", {"as_of": "2015/03/01"})
    html = r.content.decode()
    assert r.status_code == 400
    assert field_error(html, "as_of") == "日期格式应为 YYYY-MM-DD。"
    assert 'value="2015/03/01"' in html


def test_issue12_org_and_workplan_tables_have_captions_and_scoped_headers(client, demo_org):
    _login(client, "admin")
    for url in ("/staff/org/", "/staff/org/rotation/", "/staff/org/excel/"):
        html = client.get(url).content.decode()
        for table in re.findall(r"<table.*?</table>", html, re.S):
            assert "<caption" in table, url
            assert "<th>" not in table, url
        assert "style=" not in html

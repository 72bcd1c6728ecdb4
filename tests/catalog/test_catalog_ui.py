"""Issue 12 on the catalog's staff import and on every template of the apps approvals,
supervision, workplan, org and catalog: errors beside the field with the entry kept (finding 6);
tables with a caption, scoped headers and the scrolling wrapper; no inline style (CSP)."""

import re
from pathlib import Path

from django.contrib.auth import get_user_model

import wuquan
from wuquan.ledger.models import Event

APPS = ("approvals", "supervision", "workplan", "org", "catalog")


def test_cat9_import_without_a_file_error_beside_it_reason_kept(client, demo_org):
    client.force_login(get_user_model().objects.get(username="admin"))
    n = Event.objects.count()
    r = client.post("/staff/catalog/import/", {"change_reason": "区政府决定调整"})
    html = r.content.decode()
    assert r.status_code == 400
    block = re.search(r'data-field="file"(.*?)</div>', html, re.S).group(1)
    assert "请选择要导入的 .xlsx 文件。" in block
    assert 'value="区政府决定调整"' in html
    assert Event.objects.count() == n


def _templates():
    root = Path(wuquan.__file__).parent
    for app in APPS:
        yield from sorted((root / app / "templates").rglob("*.html"))


def test_issue12_templates_have_captions_scoped_headers_wrappers_and_no_inline_style():
    problems = []
    for path in _templates():
        text = path.read_text()
        if re.search(r"\sstyle=", text) or "<style" in text:
            problems.append(f"{path.name}: inline style")
        for m in re.finditer(r"<table\b", text):
            table = text[m.start() : text.find("</table>", m.start())]
            if "<caption" not in table[:400]:
                problems.append(f"{path.name}: table without caption")
            if re.search(r"<th(?![^>]*\bscope=)[\s>]", table):
                problems.append(f"{path.name}: th without scope")
            before = text[max(0, m.start() - 60) : m.start()]
            nested_kv = 'class="kv"' in table[:40] and path.name == "alarm.html"
            if 'class="table-wrap" tabindex="0"' not in before and not nested_kv:
                problems.append(f"{path.name}: table not in the scrolling wrapper")
    assert problems == []

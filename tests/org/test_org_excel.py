"""ORG-1..4 Excel: export → import round-trips; a bad file names its row and field and
writes nothing."""

from datetime import date
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from wuquan.ledger.models import Event
from wuquan.org import excel
from wuquan.org.models import Appointment, Person, Post, Unit

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(
            Unit.objects.values_list(
                "code", "name", "short_name", "kind", "parent__code", "is_supervisory", "sort"
            )
        ),
        sorted(
            Post.objects.values_list(
                "unit__code",
                "code",
                "name",
                "risk_class",
                "is_head",
                "is_deputy",
                "areas",
                "duties",
                "rotation_years",
            ),
            key=str,
        ),
        sorted(Person.objects.values_list("code", "name", "id_number", "phone", "user__username")),
        sorted(
            Appointment.objects.values_list(
                "person__code", "post__unit__code", "post__code", "start", "end"
            )
        ),
    )


def _workbook_bytes():
    return excel.export_bytes()


def _edit(content: bytes, sheet: str, edits: dict[tuple[int, int], object]) -> BytesIO:
    wb = load_workbook(BytesIO(content))
    for (row, col), value in edits.items():
        wb[sheet].cell(row=row, column=col, value=value)
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_org_excel_round_trip_into_an_empty_database_reproduces_the_organisation(
    demo_org, django_user_model
):
    content = _workbook_bytes()
    before = _snapshot()
    # Empty the organisation (accounts stay: the import links people to existing accounts).
    Appointment.objects.all().delete()
    Person.objects.all().delete()
    Post.objects.all().delete()
    while Unit.objects.exists():
        Unit.objects.filter(children__isnull=True).delete()
    counts = excel.import_workbook(BytesIO(content), actor="test")
    assert counts["created"] > 0 and counts["updated"] == 0
    assert _snapshot() == before


def test_org_excel_reimport_of_an_export_changes_nothing(demo_org):
    before_events = Event.objects.count()
    counts = excel.import_workbook(BytesIO(_workbook_bytes()))
    assert counts["created"] == counts["updated"] == 0
    assert Event.objects.count() == before_events


def test_org_excel_import_updates_and_records_each_change(demo_org):
    content = _workbook_bytes()
    wb = load_workbook(BytesIO(content))
    row = next(r[0].row for r in wb["单位"].iter_rows(min_row=2) if r[0].value == "shenji")
    counts = excel.import_workbook(
        _edit(content, "单位", {(row, 2): "龙潭区审计局（新）"}), actor="t"
    )
    assert counts["updated"] == 1
    assert Unit.objects.get(code="shenji").name == "龙潭区审计局（新）"
    assert Event.objects.filter(action="org.unit.changed").count() == 1


def test_org_excel_bad_rows_are_all_reported_and_nothing_is_written(demo_org):
    content = _workbook_bytes()
    wb = load_workbook(BytesIO(content))
    ws = wb["岗位"]
    ws.append(["shenji", "new-post", "新岗位", "D", "是", "否", "财务", "", ""])
    wb["人员"].append(["P999999", "王五", "110105194912310021", "", ""])
    wb["单位"].append(["newunit", "新单位", "", "区直单位", "longtan", "否", 99])
    wb["任职"].append(["P999999", "shenji", "clerk", "2024-13-01", ""])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    before = (_snapshot(), Event.objects.count())
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(buf)
    messages = [str(e) for e in exc.value.errors]
    post_row = ws.max_row
    assert any(
        e.sheet == "岗位" and e.row == post_row and e.field == "风险等级" for e in exc.value.errors
    )
    assert any(e.sheet == "人员" and e.field == "身份证号" for e in exc.value.errors), messages
    assert any(e.sheet == "任职" and e.field == "任职日期" for e in exc.value.errors), messages
    assert not Unit.objects.filter(code="newunit").exists()  # the good row was not written either
    assert (_snapshot(), Event.objects.count()) == before


def test_org_excel_rule_breaking_row_in_the_write_pass_rolls_back_everything(demo_org):
    """A head post given finance passes the row check but breaks ORG-3 in the service: the
    rows before it are rolled back too."""
    wb = load_workbook(BytesIO(_workbook_bytes()))
    wb["单位"].append(["newunit", "新单位", "", "区直单位", "longtan", "否", 99])
    wb["岗位"].append(["newunit", "head", "局长", "A", "是", "否", "财务", "", ""])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    before = (_snapshot(), Event.objects.count())
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(buf)
    [error] = exc.value.errors
    assert (error.sheet, error.row, error.field) == ("岗位", wb["岗位"].max_row, "分管领域")
    assert (_snapshot(), Event.objects.count()) == before


def test_org_excel_overlapping_head_appointment_in_file_is_refused(demo_org):
    wb = load_workbook(BytesIO(_workbook_bytes()))
    wb["人员"].append(["X1", "甲", "", "", ""])
    wb["人员"].append(["X2", "乙", "", "", ""])
    wb["任职"].append(["X1", "shenji", "head", date(2020, 1, 1), None])
    wb["任职"].append(["X2", "shenji", "head", date(2021, 1, 1), None])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(buf)
    assert [(e.sheet, e.row) for e in exc.value.errors] == [("任职", wb["任职"].max_row)]
    assert not Person.objects.filter(code__in=["X1", "X2"]).exists()


def test_org_excel_not_an_xlsx_and_missing_sheet_are_clear_errors(db):
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(BytesIO(b"this is not a spreadsheet"))
    assert exc.value.errors[0].sheet == "文件"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "单位"
    wb.active.append(["编码", "名称"])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(buf)
    found = {(e.sheet, e.row) for e in exc.value.errors}
    assert ("单位", 1) in found and ("岗位", 0) in found


def test_org_excel_management_commands_round_trip(demo_org, tmp_path):
    path = tmp_path / "org.xlsx"
    call_command("org_export", str(path))
    assert load_workbook(path).sheetnames == ["单位", "岗位", "人员", "任职"]
    call_command("org_import", str(path))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"nope")
    with pytest.raises(CommandError):
        call_command("org_import", str(bad))

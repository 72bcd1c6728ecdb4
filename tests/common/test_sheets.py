"""common.sheets: each kind reads its cells and refuses bad ones with a clear message, a sheet is
read by its headers with every bad cell reported, what write_sheet writes reads back the same,
and the messages go through gettext."""

import gettext
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import models
from django.utils import translation
from django.utils.translation import trans_real
from openpyxl import Workbook, load_workbook

from wuquan.common import sheets
from wuquan.common.sheets import (
    BOOL,
    COUNT,
    DATE,
    DECIMAL,
    INT,
    TEXT,
    CellError,
    Choice,
    ChoiceList,
    Column,
    RowError,
    read_sheet,
    write_sheet,
)


class Colour(models.TextChoices):
    RED = "red", "红"
    GREEN = "green", "绿"
    BLUE = "blue", "蓝"


COLUMNS = [
    Column("编码", "code", required=True),
    Column("数量", "count", COUNT, default=0),
    Column("差额", "delta", INT),
    Column("金额", "amount", DECIMAL),
    Column("日期", "day", DATE),
    Column("启用", "on", BOOL),
    Column("颜色", "colour", Choice(Colour)),
    Column("代码", "short", Choice(Colour, labels=False)),
    Column("多色", "colours", ChoiceList(Colour)),
]


def _reopen(wb: Workbook):
    """Save and load again read-only, as the importers do (rows may come back short)."""
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    return load_workbook(buf, read_only=True, data_only=True)


def _book(header, *rows, sheet="表"):
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    return _reopen(wb)


def _message(kind, value) -> str:
    with pytest.raises(CellError) as exc:
        kind.read(value)
    return exc.value.message


# ---------------------------------------------------------------- kinds


def test_text_is_stripped_and_a_whole_float_loses_its_point():
    assert TEXT.read("  甲 ") == "甲"
    assert TEXT.read(12.0) == "12"
    assert TEXT.read(12.5) == "12.5"


def test_int_reads_numbers_and_whole_floats_and_refuses_the_rest():
    assert INT.read(7) == 7
    assert INT.read(7.0) == 7
    assert INT.read(" -3 ") == -3
    assert _message(INT, "十") == "“十”不是整数。"
    assert _message(INT, 7.5) == "“7.5”不是整数。"


def test_count_refuses_a_negative_number():
    assert COUNT.read("0") == 0
    assert _message(COUNT, -1) == "“-1”不是非负整数。"


def test_decimal_reads_exactly_and_refuses_text_and_infinity():
    assert DECIMAL.read("12.30") == Decimal("12.30")
    assert DECIMAL.read(0.1) == Decimal("0.1")
    assert _message(DECIMAL, "十元") == "“十元”不是数字。"
    assert _message(DECIMAL, "Infinity") == "“Infinity”不是数字。"
    assert _message(DECIMAL, "NaN") == "“NaN”不是数字。"


def test_date_reads_date_cells_and_iso_text_with_any_of_three_separators():
    assert DATE.read(date(2024, 3, 1)) == date(2024, 3, 1)
    assert DATE.read(datetime(2024, 3, 1, 9, 30)) == date(2024, 3, 1)
    for text in ("2024-03-01", "2024/03/01", "2024.03.01"):
        assert DATE.read(text) == date(2024, 3, 1)
    assert _message(DATE, "2024-13-01") == "“2024-13-01”不是日期（YYYY-MM-DD）。"
    assert _message(DATE, "昨天") == "“昨天”不是日期（YYYY-MM-DD）。"


def test_bool_reads_yes_and_no_and_refuses_anything_else():
    for yes in ("是", "1", 1, "Y", "true"):
        assert BOOL.read(yes) is True
    for no in ("否", "0", 0, "N", "false"):
        assert BOOL.read(no) is False
    assert _message(BOOL, "对") == "应填“是”或“否”，而不是“对”。"
    assert BOOL.write(True) == "是" and BOOL.write(False) == "否"


def test_choice_reads_label_or_stored_value_and_lists_the_labels_when_refusing():
    kind = Choice(Colour)
    assert kind.read("红") == "red"
    assert kind.read(" green ") == "green"
    assert _message(kind, "紫") == "“紫”不是可选值（红、绿、蓝）。"
    assert kind.write("red") == "红"
    assert Choice(Colour, labels=False).write("red") == "red"


def test_choice_list_reads_labels_separated_by_dun_or_commas_and_names_every_unknown_one():
    kind = ChoiceList(Colour)
    assert kind.read("红、blue，绿") == ["red", "blue", "green"]
    assert kind.read("红,, 绿") == ["red", "green"]
    message = _message(kind, "红、紫、黑")
    assert "“紫”不是可选值" in message and "“黑”不是可选值" in message
    assert kind.write(["red", "blue"]) == "红、蓝"


# ---------------------------------------------------------------- reading a sheet


def test_read_sheet_reads_every_kind_by_header_in_any_column_order():
    header = ["多色", "代码", "颜色", "启用", "日期", "金额", "差额", "数量", "编码", "备注"]
    wb = _book(
        header,
        ["红、绿", "blue", "蓝", "是", date(2024, 1, 2), 9.5, -2, 3, "a1", "ignored"],
    )
    rows, errors = read_sheet(wb, "表", COLUMNS)
    assert errors == []
    assert rows == [
        (
            2,
            {
                "code": "a1",
                "count": 3,
                "delta": -2,
                "amount": Decimal("9.5"),
                "day": date(2024, 1, 2),
                "on": True,
                "colour": "blue",
                "short": "blue",
                "colours": ["red", "green"],
            },
        )
    ]


def test_read_sheet_gives_empty_cells_the_default_or_the_kinds_empty_value():
    wb = _book(sheets.headers(COLUMNS), ["a1"])  # a short row: the other cells are missing
    [(number, row)], errors = read_sheet(wb, "表", COLUMNS)
    assert errors == [] and number == 2
    assert row == {
        "code": "a1",
        "count": 0,
        "delta": None,
        "amount": None,
        "day": None,
        "on": False,
        "colour": None,
        "short": None,
        "colours": [],
    }


def test_read_sheet_reports_every_bad_cell_of_every_row_and_still_returns_the_rows():
    wb = _book(
        sheets.headers(COLUMNS),
        ["", -1, "x", "y", "昨天", "对", "紫", "Z", "黑"],
        [],  # a blank row is skipped, not reported
        ["a2", 1, 2, 3],
        ["   ", "", 1.5],
    )
    rows, errors = read_sheet(wb, "表", COLUMNS)
    assert [n for n, _row in rows] == [2, 4, 5]
    assert [(e.row, e.field) for e in errors] == [
        (2, "编码"),
        (2, "数量"),
        (2, "差额"),
        (2, "金额"),
        (2, "日期"),
        (2, "启用"),
        (2, "颜色"),
        (2, "代码"),
        (2, "多色"),
        (5, "编码"),
        (5, "差额"),
    ]
    assert errors[0].message == "不能为空。"
    assert rows[0][1]["count"] == 0 and rows[0][1]["colour"] is None  # bad cells read as empty


def test_read_sheet_names_the_missing_columns_and_reads_no_rows():
    wb = _book(["编码", "金额"], ["a1", 1])
    rows, errors = read_sheet(wb, "表", COLUMNS)
    assert rows == []
    [error] = errors
    assert (error.sheet, error.row, error.field) == ("表", 1, "")
    assert error.message == "缺少列：数量、差额、日期、启用、颜色、代码、多色。"


def test_read_sheet_reports_a_missing_sheet_unless_it_is_optional():
    wb = _book(["编码"], ["a1"])
    assert read_sheet(wb, "别的", COLUMNS) == ([], [RowError("别的", 0, "", "缺少工作表。")])
    assert read_sheet(wb, "别的", COLUMNS, optional=True) == ([], [])


def test_read_sheet_reports_with_the_callers_row_error_class():
    class LoudRowError(RowError):
        def __str__(self):
            return f"!{self.message}"

    wb = _book(["编码", "数量"], ["", 1])
    _rows, [error] = read_sheet(wb, "表", COLUMNS[:2], row_error=LoudRowError)
    assert type(error) is LoudRowError and str(error) == "!不能为空。"


def test_empty_list_default_is_not_shared_between_rows():
    wb = _book(sheets.headers(COLUMNS), ["a1"], ["a2"])
    rows, _errors = read_sheet(wb, "表", COLUMNS)
    rows[0][1]["colours"].append("red")
    assert rows[1][1]["colours"] == []


# ---------------------------------------------------------------- writing a sheet


def test_write_sheet_writes_what_read_sheet_reads_back():
    data = [
        {
            "code": "a1",
            "count": 3,
            "delta": -2,
            "amount": Decimal("12.5"),
            "day": date(2024, 1, 2),
            "on": True,
            "colour": "red",
            "short": "green",
            "colours": ["red", "blue"],
        },
        {
            "code": "a2",
            "count": 0,
            "delta": None,
            "amount": None,
            "day": None,
            "on": False,
            "colour": None,
            "short": None,
            "colours": [],
        },
    ]
    wb = Workbook()
    wb.remove(wb.active)
    ws = write_sheet(wb, "表", COLUMNS, data)
    assert [c.value for c in ws[1]] == sheets.headers(COLUMNS)
    assert [c.value for c in ws[2]][5:9] == ["是", "红", "green", "红、蓝"]
    assert ws.cell(row=2, column=5).number_format == "yyyy-mm-dd"
    rows, errors = read_sheet(_reopen(wb), "表", COLUMNS)
    assert errors == []
    assert [row for _n, row in rows] == data


# ---------------------------------------------------------------- errors and their language


def test_row_error_names_sheet_row_and_field_and_leaves_out_what_is_not_there():
    assert str(RowError("岗位", 12, "分管领域", "未知。")) == "岗位 第12行 分管领域：未知。"
    assert str(RowError("岗位", 12, "", "未知。")) == "岗位 第12行：未知。"
    assert str(RowError("文件", 0, "", "无法读取。")) == "文件：无法读取。"
    assert str(RowError("岗位", 0, "表头", "缺少。")) == "岗位 表头：缺少。"


def test_sort_errors_goes_sheet_by_sheet_then_row_by_row_keeping_a_rows_order():
    errors = [
        RowError("乙", 3, "b", ""),
        RowError("甲", 5, "a", ""),
        RowError("乙", 2, "z", ""),
        RowError("乙", 2, "a", ""),
        RowError("文件", 0, "", ""),
    ]
    ordered = sheets.sort_errors(errors, ["甲", "乙"])
    assert [(e.sheet, e.row, e.field) for e in ordered] == [
        ("文件", 0, ""),
        ("甲", 5, "a"),
        ("乙", 2, "z"),
        ("乙", 2, "a"),
        ("乙", 3, "b"),
    ]


class _Catalogue(gettext.NullTranslations):
    """A stand-in English catalogue (the project ships none yet): msgid -> English."""

    def __init__(self, messages: dict[str, str]):
        super().__init__()
        self.messages = messages

    def gettext(self, message):
        return self.messages.get(message, message)

    def to_language(self):
        return "en"


def test_messages_are_looked_up_in_the_active_language_with_their_placeholders_filled(
    monkeypatch,
):
    english = _Catalogue(
        {
            "“%(value)s”不是整数。": "“%(value)s” is not a whole number.",
            "不能为空。": "Required.",
            "%(sheet)s 第%(row)d行 %(field)s：%(message)s": "%(sheet)s row %(row)d %(field)s: "
            "%(message)s",
        }
    )
    monkeypatch.setitem(trans_real._translations, "en", english)
    wb = _book(["编码", "差额"], ["", "十"])
    columns = [Column("编码", "code", required=True), Column("差额", "delta", INT)]
    with translation.override("en"):
        _rows, errors = read_sheet(wb, "表", columns)
        shown = [str(e) for e in errors]
    assert shown == ["表 row 2 编码: Required.", "表 row 2 差额: “十” is not a whole number."]
    _rows, errors = read_sheet(wb, "表", columns)  # back in Chinese
    assert [str(e) for e in errors] == [
        "表 第2行 编码：不能为空。",
        "表 第2行 差额：“十”不是整数。",
    ]


def test_without_a_catalogue_english_shows_the_chinese_msgid():
    with translation.override("en"):
        assert _message(COUNT, -1) == "“-1”不是非负整数。"

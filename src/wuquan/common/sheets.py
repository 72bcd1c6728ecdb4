"""Declarative Excel sheets: a sheet is a list of `Column(header, attr, kind)`, and reading,
checking and writing its cells follow from that list (the bulk imports of org and catalog).

A kind turns one cell into a Python value (or raises `CellError` with a message the user can act
on) and back. Headers, sheet names and the 是/否 of a cell are the file format, so they are not
translated; every message is (`gettext`, `%`-style named placeholders).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal as _Decimal
from decimal import InvalidOperation
from typing import Any, ClassVar

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

YES, NO = "是", "否"
LIST_SEPARATOR = "、"
COLUMN_WIDTH = 16


class CellError(ValueError):
    """One cell cannot be read; `message` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """One bad cell, row or sheet: `row` is the spreadsheet's numbering (headers are row 1; 0
    when the error is about the sheet or the file), `field` the column header ("" for the row)."""

    sheet: str
    row: int
    field: str
    message: str

    def __str__(self):
        values = {"sheet": self.sheet, "row": self.row, "field": self.field}
        values["message"] = self.message
        if self.row and self.field:
            return _("%(sheet)s 第%(row)d行 %(field)s：%(message)s") % values
        if self.row:
            return _("%(sheet)s 第%(row)d行：%(message)s") % values
        if self.field:
            return _("%(sheet)s %(field)s：%(message)s") % values
        return _("%(sheet)s：%(message)s") % values


def cell_text(value) -> str:
    """A cell as stripped text; a whole number Excel stored as a float loses its `.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(content: bytes, filename: str) -> list[list]:
    """The rows of an uploaded list, first sheet of an .xlsx or a CSV file (empty cells ""):
    the bank statements, registers and rosters clerks keep. A file that does not open is the
    user's error (InvalidInput on `file`), never a crash. A CSV that is not UTF-8 is read as
    GB 18030: Chinese banks and older Excel versions export CSV in GBK."""
    import csv
    import io

    from openpyxl import load_workbook

    from wuquan.common.exceptions import InvalidInput

    if (filename or "").lower().endswith(".xlsx"):
        try:
            ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # noqa: BLE001 — any broken workbook is the clerk's file
            raise InvalidInput(_("无法读取该 Excel 文件。"), field="file") from exc
        return [["" if c is None else c for c in r] for r in ws.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="replace")
    return list(csv.reader(io.StringIO(text)))


# ---------------------------------------------------------------- kinds


@dataclass(frozen=True)
class Text:
    empty: ClassVar[Any] = ""

    def read(self, value):
        return cell_text(value)

    def write(self, value):
        return value if value not in (None, "") else None


@dataclass(frozen=True)
class Int:
    """A whole number; `non_negative` refuses the ones below zero."""

    non_negative: bool = False
    empty: ClassVar[Any] = None

    def read(self, value):
        text = cell_text(value)
        try:
            number = int(text)
        except ValueError:
            raise CellError(_("“%(value)s”不是整数。") % {"value": text}) from None
        if self.non_negative and number < 0:
            raise CellError(_("“%(value)s”不是非负整数。") % {"value": text})
        return number

    def write(self, value):
        return value


@dataclass(frozen=True)
class Decimal:
    empty: ClassVar[Any] = None

    def read(self, value):
        text = cell_text(value)
        try:
            number = _Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise CellError(_("“%(value)s”不是数字。") % {"value": text})
        return number

    def write(self, value):
        # why: a number cell, not text, so the sheet can sum it; 14 digits survive a float.
        return float(value) if value is not None else None


@dataclass(frozen=True)
class Date:
    """A date cell, or text YYYY-MM-DD (also with / or . between the parts)."""

    empty: ClassVar[Any] = None

    def read(self, value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = cell_text(value)
        try:
            return date.fromisoformat(text.replace("/", "-").replace(".", "-"))
        except ValueError:
            raise CellError(_("“%(value)s”不是日期（YYYY-MM-DD）。") % {"value": text}) from None

    def write(self, value):
        return value


@dataclass(frozen=True)
class Bool:
    """是 or 否 (also 1/0, true/false, Y/N); an empty cell is 否."""

    empty: ClassVar[Any] = False
    TRUE: ClassVar[frozenset] = frozenset({YES, "1", "true", "True", "TRUE", "Y", "y"})
    FALSE: ClassVar[frozenset] = frozenset({NO, "0", "false", "False", "FALSE", "N", "n"})

    def read(self, value):
        text = cell_text(value)
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise CellError(_("应填“是”或“否”，而不是“%(value)s”。") % {"value": text})

    def write(self, value):
        return YES if value else NO


def _one_of(choices: type[TextChoices], text: str) -> str:
    """The stored value of `text`, given as a label or as the stored value itself."""
    for stored, label in choices.choices:
        if text in (stored, str(label)):
            return stored
    raise CellError(
        _("“%(value)s”不是可选值（%(choices)s）。")
        % {"value": text, "choices": LIST_SEPARATOR.join(map(str, choices.labels))}
    )


@dataclass(frozen=True)
class Choice:
    """One of a TextChoices, read as its label or its stored value; written as the label
    (`labels=False`: as the stored value, for short codes such as A/B/C)."""

    choices: type[TextChoices]
    labels: bool = True
    empty: ClassVar[Any] = None

    def read(self, value):
        return _one_of(self.choices, cell_text(value))

    def write(self, value):
        if value in (None, ""):
            return None
        if self.labels and value in self.choices.values:
            return str(self.choices(value).label)
        return value


@dataclass(frozen=True)
class ChoiceList:
    """Several of a TextChoices separated by 、 (a comma is taken too); written with 、."""

    choices: type[TextChoices]
    empty: ClassVar[Any] = ()

    def read(self, value):
        text = cell_text(value).replace("，", LIST_SEPARATOR).replace(",", LIST_SEPARATOR)
        found, bad = [], []
        for part in (p.strip() for p in text.split(LIST_SEPARATOR)):
            if not part:
                continue
            try:
                found.append(_one_of(self.choices, part))
            except CellError as exc:
                bad.append(exc.message)
        if bad:
            raise CellError(" ".join(bad))
        return found

    def write(self, value):
        labels = [str(self.choices(v).label) for v in value or () if v in self.choices.values]
        return LIST_SEPARATOR.join(labels) or None


TEXT = Text()
INT = Int()
COUNT = Int(non_negative=True)
DECIMAL = Decimal()
DATE = Date()
BOOL = Bool()

_NO_DEFAULT = object()


@dataclass(frozen=True)
class Column:
    """One column: its `header` in the file, the `attr` its value is read into, its `kind`.
    An empty cell is refused when `required`, else it reads as `default` (the kind's empty
    value — "" for text, 否 for a bool, [] for a list, None otherwise — when not given)."""

    header: str
    attr: str
    kind: Any = TEXT
    required: bool = False
    default: Any = _NO_DEFAULT

    def empty_value(self):
        if self.default is not _NO_DEFAULT:
            return self.default
        empty = self.kind.empty
        return list(empty) if isinstance(empty, tuple) else empty


def headers(columns: Iterable[Column]) -> list[str]:
    return [c.header for c in columns]


def header_by_attr(columns: Iterable[Column]) -> dict[str, str]:
    """attr -> header, to name the column of an error a service raises on a field."""
    return {c.attr: c.header for c in columns}


# ---------------------------------------------------------------- reading


def read_sheet(
    wb: Workbook,
    sheet: str,
    columns: list[Column],
    *,
    optional: bool = False,
    row_error: type[RowError] = RowError,
) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Every non-empty row of `sheet` as (row number, {attr: value}), and every bad cell.

    Columns are found by header (order free, extra columns ignored); a missing sheet (unless
    `optional`) or missing columns are one error and no rows. A bad cell is reported and reads
    as the column's empty value, so the caller still sees the row for its cross-row checks.
    Errors are `row_error`s (an app's RowError that shows itself its own way).
    """
    if sheet not in wb.sheetnames:
        return [], [] if optional else [row_error(sheet, 0, "", _("缺少工作表。"))]
    rows = wb[sheet].iter_rows(values_only=True)
    found = [cell_text(h) for h in next(rows, ())]
    missing = [c.header for c in columns if c.header not in found]
    if missing:
        message = _("缺少列：%(columns)s。") % {"columns": LIST_SEPARATOR.join(missing)}
        return [], [row_error(sheet, 1, "", message)]
    position = {header: i for i, header in reversed(list(enumerate(found)))}
    out: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(cell_text(v) == "" for v in values):
            continue
        row = {}
        for column in columns:
            i = position[column.header]
            raw = values[i] if i < len(values) else None
            row[column.attr] = column.empty_value()
            if cell_text(raw) == "":
                if column.required:
                    errors.append(row_error(sheet, number, column.header, _("不能为空。")))
                continue
            try:
                row[column.attr] = column.kind.read(raw)
            except CellError as exc:
                errors.append(row_error(sheet, number, column.header, exc.message))
        out.append((number, row))
    return out, errors


# ---------------------------------------------------------------- writing


def write_sheet(
    wb: Workbook, sheet: str, columns: list[Column], rows: Iterable[Mapping[str, Any]]
) -> Worksheet:
    """A new sheet of `wb`: the headers, then one line per row ({attr: value}) in the layout
    `read_sheet` reads back."""
    ws = wb.create_sheet(sheet)
    ws.append(headers(columns))
    for row in rows:
        ws.append([c.kind.write(row.get(c.attr)) for c in columns])
    for cell in ws[1]:
        ws.column_dimensions[cell.column_letter].width = COLUMN_WIDTH
    for line in ws.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    return ws


def sort_errors(errors: list[RowError], sheets: Iterable[str]) -> list[RowError]:
    """The errors sheet by sheet (in `sheets` order, others first) and row by row; the errors of
    one row keep their order."""
    order = {name: i for i, name in enumerate(sheets)}
    return sorted(errors, key=lambda e: (order.get(e.sheet, -1), e.row))

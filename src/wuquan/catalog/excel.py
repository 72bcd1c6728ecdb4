"""Excel import/export of powers, items, materials and fees (openpyxl; CAT-1, CAT-4..6, CAT-9).

Import is all-or-nothing: every row of every sheet is checked and written inside one
transaction (each row in a savepoint so one bad row does not hide the next one's errors); if any
row is bad, the transaction is rolled back and the report names each bad row and field.
Rows are matched by code (materials by item code + name), so exporting and re-importing an
unchanged workbook changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from wuquan.common import sheets
from wuquan.common.exceptions import InvalidInput
from wuquan.common.sheets import DATE, DECIMAL, INT, Choice, Column, Text
from wuquan.org.models import Area, Post, Unit

from . import services
from .models import (
    ApprovalItem,
    Fee,
    FeeKind,
    ItemStatus,
    Material,
    MaterialReuse,
    Power,
    PowerCategory,
    PowerLevel,
)


@dataclass(frozen=True)
class Ref(Text):
    """A reference by code, written as the code and resolved after the row is read: `unit`,
    `power`, `item`, or `post` (within the row's unit). An empty cell is no reference."""

    target: str = "unit"
    empty: ClassVar[Any] = None

    def write(self, value):
        return value.code if value is not None else None


UNIT, POWER, ITEM, POST = Ref("unit"), Ref("power"), Ref("item"), Ref("post")

# sheet -> its columns; choices are written as labels and read as label or stored value.
SHEETS: dict[str, list[Column]] = {
    "职权": [
        Column("编码", "code"),
        Column("职权名称", "name"),
        Column("职权类别", "category", Choice(PowerCategory)),
        Column("清理层级", "level", Choice(PowerLevel)),
        Column("法规名称", "law"),
        Column("条款", "article"),
        Column("行使主体", "subject"),
        Column("单位编码", "unit", UNIT, required=True),
        Column("科室编码", "section", UNIT),
        Column("岗位编码", "post", POST),
    ],
    "事项": [
        Column("编码", "code"),
        Column("事项名称", "name"),
        Column("职权编码", "power", POWER),
        Column("实施机关编码", "unit", UNIT, required=True),
        Column("设立依据", "basis"),
        Column("状态", "status", Choice(ItemStatus)),
        Column("生效日期", "effective_from", DATE),
        Column("分管领域", "area", Choice(Area)),
        Column("承诺时限（工作日）", "promised_days", INT),
        Column("法定时限（工作日）", "legal_days", INT),
        Column("办理条件", "conditions"),
        Column("收费说明", "fees_text"),
        Column("服务承诺", "service_commitment"),
        Column("申请人权利", "rights"),
        Column("投诉举报途径", "complaint_channel"),
        Column("办理地点", "window"),
    ],
    "材料": [
        Column("事项编码", "item", ITEM, required=True),
        Column("材料名称", "name"),
        Column("材料依据", "basis"),
        Column("形式", "form"),
        Column("份数", "copies", INT),
        Column("复用", "reuse", Choice(MaterialReuse)),
        Column("说明", "note"),
        Column("排序", "sort", INT),
    ],
    "收费": [
        Column("编码", "code"),
        Column("目录", "kind", Choice(FeeKind)),
        Column("收费名称", "name"),
        Column("收费依据", "basis"),
        Column("收费许可证", "licence"),
        Column("收费对象", "payer"),
        Column("收费范围", "scope"),
        Column("收费标准（金额）", "amount", DECIMAL),
        Column("计费单位", "amount_unit"),
        Column("收费频次", "frequency"),
        Column("收费期限", "term"),
        Column("收费单位编码", "unit", UNIT, required=True),
        Column("关联事项编码", "item", ITEM),
    ],
}
MODELS = {"职权": Power, "事项": ApprovalItem, "材料": Material, "收费": Fee}


class RowError(sheets.RowError):
    """The shared RowError, shown the way this page always has: `sheet 第 N 行「field」：…`
    (docs/catalog.md)."""

    def __str__(self):
        values = {"sheet": self.sheet, "row": self.row, "field": self.field}
        values["message"] = self.message
        if not self.field:
            return _("%(sheet)s 第 %(row)d 行：%(message)s") % values
        return _("%(sheet)s 第 %(row)d 行「%(field)s」：%(message)s") % values


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    written: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def export_workbook() -> bytes:
    """The four catalogs as one .xlsx (a sheet each), in the same layout the import reads."""
    wb = Workbook()
    wb.remove(wb.active)
    querysets = {
        "职权": Power.objects.select_related("unit", "section", "post").order_by("code"),
        "事项": ApprovalItem.objects.select_related("unit", "power").order_by("code"),
        "材料": Material.objects.select_related("item").order_by("item__code", "sort", "id"),
        "收费": Fee.objects.select_related("unit", "item").order_by("code"),
    }
    for sheet, columns in SHEETS.items():
        rows = ({c.attr: getattr(obj, c.attr) for c in columns} for obj in querysets[sheet])
        sheets.write_sheet(wb, sheet, columns, rows)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _resolve(ref: Ref, code: str, row: dict):
    """The object a code names, or raise InvalidInput."""
    if ref.target == "unit":
        found = Unit.objects.filter(code=code).first()
    elif ref.target == "power":
        found = Power.objects.filter(code=code).first()
    elif ref.target == "item":
        found = ApprovalItem.objects.filter(code=code).first()
    else:  # post: within the row's unit
        unit = row.get("unit")
        found = Post.objects.filter(unit=unit, code=code).first() if unit else None
    if found is None:
        raise InvalidInput(_("编码“%(code)s”不存在。") % {"code": code})
    return found


def _resolve_row(sheet: str, rownum: int, row: dict, report: ImportReport) -> bool:
    """Replace each reference's code in `row` by its object; False (reported) if one is unknown."""
    ok = True
    for column in SHEETS[sheet]:
        if isinstance(column.kind, Ref) and row[column.attr] is not None:
            try:
                row[column.attr] = _resolve(column.kind, row[column.attr], row)
            except InvalidInput as exc:
                report.errors.append(RowError(sheet, rownum, column.header, str(exc.message)))
                row[column.attr] = None  # why: a post is then looked up in no unit, not in a code
                ok = False
    return ok


def _instance(sheet: str, values: dict):
    model = MODELS[sheet]
    if sheet == "材料":
        key = {"item": values["item"], "name": values["name"]}
    else:
        key = {"code": values["code"]}
    # why: an empty key matches nothing, so the row's own validation refuses it.
    obj = (model.objects.filter(**key).first() if all(key.values()) else None) or model()
    for attr, value in values.items():
        if value is None:
            f = model._meta.get_field(attr)
            if f.null:
                setattr(obj, attr, None)
            elif f.has_default():
                setattr(obj, attr, f.get_default())
            elif f.get_internal_type() in ("CharField", "TextField", "SlugField"):
                setattr(obj, attr, "")
            else:
                setattr(obj, attr, None)
        else:
            setattr(obj, attr, value)
    return obj


def import_workbook(file, actor, reason: str) -> ImportReport:
    """Import a workbook in the export layout; all rows or none (CAT-9: each change recorded)."""
    report = ImportReport()
    if not (reason or "").strip():
        report.errors.append(RowError("-", 0, "变更理由", _("请填写变更理由。")))
        return report
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — any unreadable file is one clear error
        report.errors.append(
            RowError("-", 0, "文件", _("无法读取 Excel 文件：%(reason)s") % {"reason": exc})
        )
        return report
    with transaction.atomic():
        for sheet, columns in SHEETS.items():
            rows, errors = sheets.read_sheet(wb, sheet, columns, optional=True, row_error=RowError)
            report.errors += errors
            bad = {e.row for e in errors}
            for rownum, data in rows:
                # why: references are checked on bad rows too, so every bad cell is reported.
                if not _resolve_row(sheet, rownum, data, report) or rownum in bad:
                    continue
                obj = _instance(sheet, data)
                try:
                    with transaction.atomic():
                        stored = type(obj).objects.filter(pk=obj.pk).first() if obj.pk else None
                        before = services.snapshot(stored) if stored else None
                        services.do_save(obj, reason, actor=actor)
                        if before != services.snapshot(obj):
                            report.written += 1
                except InvalidInput as exc:
                    label = sheets.header_by_attr(columns).get(exc.field or "", exc.field or "-")
                    report.errors.append(RowError(sheet, rownum, label, str(exc.message)))
        if report.errors:
            report.errors = sheets.sort_errors(report.errors, SHEETS)
            report.written = 0
            transaction.set_rollback(True)
    return report

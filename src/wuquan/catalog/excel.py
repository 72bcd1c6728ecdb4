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
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from openpyxl import Workbook, load_workbook

from wuquan.common.exceptions import InvalidInput
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

# sheet -> [(header, attribute, kind)] ; kind: str, int, date, decimal, choice:<Choices>, ref:<what>
SHEETS: dict[str, list[tuple[str, str, object]]] = {
    "职权": [
        ("编码", "code", str),
        ("职权名称", "name", str),
        ("职权类别", "category", PowerCategory),
        ("清理层级", "level", PowerLevel),
        ("法规名称", "law", str),
        ("条款", "article", str),
        ("行使主体", "subject", str),
        ("单位编码", "unit", "unit"),
        ("科室编码", "section", "unit?"),
        ("岗位编码", "post", "post?"),
    ],
    "事项": [
        ("编码", "code", str),
        ("事项名称", "name", str),
        ("职权编码", "power", "power?"),
        ("实施机关编码", "unit", "unit"),
        ("设立依据", "basis", str),
        ("状态", "status", ItemStatus),
        ("生效日期", "effective_from", date),
        ("分管领域", "area", Area),
        ("承诺时限（工作日）", "promised_days", int),
        ("法定时限（工作日）", "legal_days", int),
        ("办理条件", "conditions", str),
        ("收费说明", "fees_text", str),
        ("服务承诺", "service_commitment", str),
        ("申请人权利", "rights", str),
        ("投诉举报途径", "complaint_channel", str),
        ("办理地点", "window", str),
    ],
    "材料": [
        ("事项编码", "item", "item"),
        ("材料名称", "name", str),
        ("材料依据", "basis", str),
        ("形式", "form", str),
        ("份数", "copies", int),
        ("复用", "reuse", MaterialReuse),
        ("说明", "note", str),
        ("排序", "sort", int),
    ],
    "收费": [
        ("编码", "code", str),
        ("目录", "kind", FeeKind),
        ("收费名称", "name", str),
        ("收费依据", "basis", str),
        ("收费许可证", "licence", str),
        ("收费对象", "payer", str),
        ("收费范围", "scope", str),
        ("收费标准（金额）", "amount", Decimal),
        ("计费单位", "amount_unit", str),
        ("收费频次", "frequency", str),
        ("收费期限", "term", str),
        ("收费单位编码", "unit", "unit"),
        ("关联事项编码", "item", "item?"),
    ],
}
MODELS = {"职权": Power, "事项": ApprovalItem, "材料": Material, "收费": Fee}


@dataclass
class RowError:
    sheet: str
    row: int
    field: str
    message: str

    def __str__(self):
        return f"{self.sheet} 第 {self.row} 行「{self.field}」：{self.message}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    written: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _export_value(obj, attr, kind):
    if kind in ("unit", "unit?", "power?", "item", "item?"):
        ref = getattr(obj, attr)
        return ref.code if ref else ""
    if kind == "post?":
        return obj.post.code if obj.post_id else ""
    value = getattr(obj, attr)
    if isinstance(kind, type) and issubclass(
        kind, (PowerCategory, PowerLevel, ItemStatus, Area, MaterialReuse, FeeKind)
    ):
        return str(kind(value).label)
    if isinstance(value, Decimal):
        return float(value)
    return value if value is not None else ""


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
        ws = wb.create_sheet(sheet)
        ws.append([c[0] for c in columns])
        for obj in querysets[sheet]:
            ws.append([_export_value(obj, attr, kind) for _h, attr, kind in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _convert(value, kind, header: str):
    """Cell -> python value, or raise InvalidInput with a message for this field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind is str:
        return str(value).strip()
    if kind is int:
        try:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"“{value}”不是整数") from None
    if kind is Decimal:
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise InvalidInput(f"“{value}”不是数字") from None
    if kind is date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(f"“{value}”不是日期（YYYY-MM-DD）") from None
    if isinstance(kind, type):  # a TextChoices: accept the label or the stored value
        text = str(value).strip()
        for stored, label in kind.choices:
            if text in (stored, str(label)):
                return stored
        raise InvalidInput(
            f"“{text}”不是可选值（{'、'.join(str(label) for _v, label in kind.choices)}）"
        )
    return str(value).strip()


def _resolve(kind: str, code, row_values: dict):
    if code is None:
        if kind.endswith("?"):
            return None
        raise InvalidInput("不能为空")
    code = str(code).strip()
    base = kind.rstrip("?")
    if base == "unit":
        found = Unit.objects.filter(code=code).first()
    elif base == "power":
        found = Power.objects.filter(code=code).first()
    elif base == "item":
        found = ApprovalItem.objects.filter(code=code).first()
    else:  # post: within the row's unit
        unit = row_values.get("unit")
        found = Post.objects.filter(unit=unit, code=code).first() if unit else None
    if found is None:
        raise InvalidInput(f"编码“{code}”不存在")
    return found


def _read_row(sheet: str, values: tuple, rownum: int, report: ImportReport) -> dict | None:
    columns = SHEETS[sheet]
    out: dict = {}
    ok = True
    for (header, attr, kind), raw in zip(
        columns, list(values) + [None] * len(columns), strict=False
    ):
        try:
            if isinstance(kind, str):
                out[attr] = _resolve(kind, raw if raw not in ("",) else None, out)
            else:
                out[attr] = _convert(raw, kind, header)
        except InvalidInput as exc:
            report.errors.append(RowError(sheet, rownum, header, str(exc.message)))
            ok = False
    return out if ok else None


def _instance(sheet: str, values: dict):
    model = MODELS[sheet]
    if sheet == "材料":
        obj = (
            Material.objects.filter(item=values["item"], name=values["name"]).first() or Material()
        )
    else:
        obj = model.objects.filter(code=values["code"]).first() or model()
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
        report.errors.append(RowError("-", 0, "变更理由", "请填写变更理由"))
        return report
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — any unreadable file is one clear error
        report.errors.append(RowError("-", 0, "文件", f"无法读取 Excel 文件：{exc}"))
        return report
    with transaction.atomic():
        for sheet, columns in SHEETS.items():
            if sheet not in wb.sheetnames:
                continue
            rows = wb[sheet].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            expected = [c[0] for c in columns]
            if header[: len(expected)] != expected:
                report.errors.append(RowError(sheet, 1, "表头", f"表头应为：{'、'.join(expected)}"))
                continue
            for rownum, values in enumerate(rows, start=2):
                if values is None or all(v in (None, "") for v in values):
                    continue
                data = _read_row(sheet, values, rownum, report)
                if data is None:
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
                    label = exc.field or "-"
                    for header_, attr, _k in columns:
                        if attr == exc.field:
                            label = header_
                    report.errors.append(RowError(sheet, rownum, label, str(exc.message)))
        if report.errors:
            report.written = 0
            transaction.set_rollback(True)
    return report

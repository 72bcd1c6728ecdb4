"""Excel import and export of the organisation: units, posts, people and appointments (ORG-1..4).

Format (one workbook, four sheets, first row = headers, documented in docs/organisation.md):
  单位: 编码, 名称, 简称, 类别, 上级单位编码, 监督机关, 排序
  岗位: 单位编码, 岗位编码, 岗位名称, 风险等级, 主要负责人, 副职, 分管领域, 岗位职责, 轮岗年限
  人员: 人员编号, 姓名, 身份证号, 手机号, 账号
  任职: 人员编号, 单位编码, 岗位编码, 任职日期, 离任日期

Import is all-or-nothing: every row is first checked on its own (shape, choices, dates, ID
numbers, references), then all rows are written in ONE transaction through the services (so
each change is recorded in the log and the model rules apply); if any row fails either pass,
the transaction is rolled back and every failing row is reported with sheet, row and field.
Rows are matched by their keys (unit code; unit + post code; person code; person + post +
start date) and updated in place, so exporting and importing again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import BinaryIO

from django.contrib.auth import get_user_model
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from wuquan.common.exceptions import DomainError, InvalidInput
from wuquan.common.identity import is_valid_ric

from . import services
from .models import Appointment, Area, Person, Post, RiskClass, Unit, UnitKind

UNIT_HEADERS = ["编码", "名称", "简称", "类别", "上级单位编码", "监督机关", "排序"]
POST_HEADERS = [
    "单位编码",
    "岗位编码",
    "岗位名称",
    "风险等级",
    "主要负责人",
    "副职",
    "分管领域",
    "岗位职责",
    "轮岗年限",
]
PERSON_HEADERS = ["人员编号", "姓名", "身份证号", "手机号", "账号"]
APPOINTMENT_HEADERS = ["人员编号", "单位编码", "岗位编码", "任职日期", "离任日期"]
SHEETS = {
    "单位": UNIT_HEADERS,
    "岗位": POST_HEADERS,
    "人员": PERSON_HEADERS,
    "任职": APPOINTMENT_HEADERS,
}
AREA_SEPARATOR = "、"
YES, NO = "是", "否"


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # the spreadsheet row number (headers are row 1)
    field: str
    message: str

    def __str__(self):
        where = f"{self.sheet} 第{self.row}行" if self.row else self.sheet
        return f"{where} {self.field}：{self.message}" if self.field else f"{where}：{self.message}"


class ImportFailed(InvalidInput):
    """The workbook has errors; nothing was written. `errors` lists every bad row."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"导入失败，共 {len(errors)} 处错误，未写入任何数据。")


# ---------------------------------------------------------------- export


def _yes(value: bool) -> str:
    return YES if value else NO


def build_workbook(units=None, posts=None, people=None) -> Workbook:
    """A workbook of the given units/posts/people (all by default) and their appointments."""
    units = Unit.objects.all() if units is None else units
    posts = Post.objects.all() if posts is None else posts
    people = Person.objects.all() if people is None else people
    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("单位")
    ws.append(UNIT_HEADERS)
    by_id = {u.id: u for u in Unit.objects.all()}
    for u in sorted(units, key=lambda u: (len(u.ancestors()), u.sort, u.code)):
        parent = by_id.get(u.parent_id)
        ws.append(
            [
                u.code,
                u.name,
                u.short_name,
                str(UnitKind(u.kind).label),
                parent.code if parent else "",
                _yes(u.is_supervisory),
                u.sort,
            ]
        )
    ws = wb.create_sheet("岗位")
    ws.append(POST_HEADERS)
    for p in posts.select_related("unit").order_by("unit__sort", "unit__code", "code"):
        ws.append(
            [
                p.unit.code,
                p.code,
                p.name,
                p.risk_class,
                _yes(p.is_head),
                _yes(p.is_deputy),
                AREA_SEPARATOR.join(p.area_labels()),
                p.duties,
                p.rotation_years,
            ]
        )
    ws = wb.create_sheet("人员")
    ws.append(PERSON_HEADERS)
    people = list(people.select_related("user").order_by("id"))
    for person in people:
        ws.append(
            [
                person.code,
                person.name,
                person.id_number,
                person.phone,
                person.user.get_username() if person.user else "",
            ]
        )
    ws = wb.create_sheet("任职")
    ws.append(APPOINTMENT_HEADERS)
    appts = (
        Appointment.objects.filter(person__in=[p.id for p in people], post__in=posts)
        .select_related("person", "post", "post__unit")
        .order_by("person_id", "start")
    )
    for a in appts:
        ws.append([a.person.code, a.post.unit.code, a.post.code, a.start, a.end])
    for ws in wb.worksheets:
        for cell in ws[1]:
            ws.column_dimensions[cell.column_letter].width = 16
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    return wb


def export_bytes(**kwargs) -> bytes:
    buffer = BytesIO()
    build_workbook(**kwargs).save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- import: pass 1 (rows alone)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _bool(value, errors, where, field) -> bool:
    text = _text(value)
    if text in (YES, "1", "true", "True", "TRUE", "Y", "y"):
        return True
    if text in (NO, "", "0", "false", "False", "FALSE", "N", "n"):
        return False
    errors.append(RowError(*where, field, f"应填“是”或“否”，而不是“{text}”。"))
    return False


def _date(value, errors, where, field, required: bool) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        if required:
            errors.append(RowError(*where, field, "不能为空。"))
        return None
    try:
        return date.fromisoformat(text.replace("/", "-").replace(".", "-"))
    except ValueError:
        errors.append(RowError(*where, field, f"日期格式应为 YYYY-MM-DD，而不是“{text}”。"))
        return None


def _int(value, errors, where, field) -> int | None:
    text = _text(value)
    if not text:
        return None
    try:
        n = int(text)
        if n < 0:
            raise ValueError
        return n
    except ValueError:
        errors.append(RowError(*where, field, f"应为非负整数，而不是“{text}”。"))
        return None


def _choice(value, choices, errors, where, field) -> str:
    text = _text(value)
    for code, label in choices.choices:
        if text in (code, str(label)):
            return code
    errors.append(
        RowError(*where, field, f"“{text}”不是可选值（{'、'.join(map(str, choices.labels))}）。")
    )
    return ""


def _rows(wb, sheet: str, errors: list[RowError]):
    """(row number, {header: value}) for each non-empty row; checks the header row."""
    if sheet not in wb.sheetnames:
        errors.append(RowError(sheet, 0, "", "缺少工作表。"))
        return []
    ws = wb[sheet]
    rows = ws.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [h for h in SHEETS[sheet] if h not in header]
    if missing:
        errors.append(RowError(sheet, 1, "", f"缺少列：{'、'.join(missing)}。"))
        return []
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(_text(v) == "" for v in values):
            continue
        out.append((number, dict(zip(header, values, strict=False))))
    return out


def _parse(wb) -> tuple[dict, list[RowError]]:
    errors: list[RowError] = []
    parsed: dict[str, list] = {name: [] for name in SHEETS}
    labels_to_area = {str(label): code for code, label in Area.choices}
    # Units.
    for n, r in _rows(wb, "单位", errors):
        w = ("单位", n)
        code, name = _text(r["编码"]), _text(r["名称"])
        if not code:
            errors.append(RowError(*w, "编码", "不能为空。"))
        if not name:
            errors.append(RowError(*w, "名称", "不能为空。"))
        parsed["单位"].append(
            (
                n,
                {
                    "code": code,
                    "name": name,
                    "short_name": _text(r["简称"]),
                    "kind": _choice(r["类别"], UnitKind, errors, w, "类别"),
                    "parent": _text(r["上级单位编码"]),
                    "is_supervisory": _bool(r["监督机关"], errors, w, "监督机关"),
                    "sort": _int(r["排序"], errors, w, "排序") or 0,
                },
            )
        )
    unit_codes = {d["code"] for _, d in parsed["单位"]}
    known_units = set(Unit.objects.values_list("code", flat=True)) | unit_codes
    seen: set[str] = set()
    for n, d in parsed["单位"]:
        if d["code"] in seen:
            errors.append(RowError("单位", n, "编码", f"编码 {d['code']} 重复。"))
        seen.add(d["code"])
        if d["parent"] and d["parent"] not in known_units:
            errors.append(RowError("单位", n, "上级单位编码", f"找不到单位 {d['parent']}。"))
        if d["parent"] and d["parent"] == d["code"]:
            errors.append(RowError("单位", n, "上级单位编码", "上级单位不能是本单位。"))
    # Posts.
    post_keys: set[tuple[str, str]] = set()
    for n, r in _rows(wb, "岗位", errors):
        w = ("岗位", n)
        unit, code, name = _text(r["单位编码"]), _text(r["岗位编码"]), _text(r["岗位名称"])
        if unit not in known_units:
            errors.append(
                RowError(*w, "单位编码", f"找不到单位 {unit}。" if unit else "不能为空。")
            )
        if not code:
            errors.append(RowError(*w, "岗位编码", "不能为空。"))
        if not name:
            errors.append(RowError(*w, "岗位名称", "不能为空。"))
        if (unit, code) in post_keys:
            errors.append(RowError(*w, "岗位编码", f"岗位 {unit}/{code} 重复。"))
        post_keys.add((unit, code))
        areas = []
        for label in [
            a.strip()
            for a in _text(r["分管领域"])
            .replace(",", AREA_SEPARATOR)
            .replace("，", AREA_SEPARATOR)
            .split(AREA_SEPARATOR)
            if a.strip()
        ]:
            code_ = labels_to_area.get(label, label if label in Area.values else None)
            if code_ is None:
                errors.append(RowError(*w, "分管领域", f"未知的分管领域“{label}”。"))
            else:
                areas.append(code_)
        parsed["岗位"].append(
            (
                n,
                {
                    "unit": unit,
                    "code": code,
                    "name": name,
                    "risk_class": _choice(r["风险等级"], RiskClass, errors, w, "风险等级")
                    if _text(r["风险等级"])
                    else RiskClass.C,
                    "is_head": _bool(r["主要负责人"], errors, w, "主要负责人"),
                    "is_deputy": _bool(r["副职"], errors, w, "副职"),
                    "areas": areas,
                    "duties": _text(r["岗位职责"]),
                    "rotation_years": _int(r["轮岗年限"], errors, w, "轮岗年限"),
                },
            )
        )
    known_posts = set(Post.objects.values_list("unit__code", "code")) | post_keys
    # People.
    person_codes: set[str] = set()
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    for n, r in _rows(wb, "人员", errors):
        w = ("人员", n)
        code, name = _text(r["人员编号"]), _text(r["姓名"])
        id_number, username = _text(r["身份证号"]).upper(), _text(r["账号"])
        if not code:
            errors.append(RowError(*w, "人员编号", "不能为空。"))
        elif code in person_codes:
            errors.append(RowError(*w, "人员编号", f"人员编号 {code} 重复。"))
        person_codes.add(code)
        if not name:
            errors.append(RowError(*w, "姓名", "不能为空。"))
        if id_number and not is_valid_ric(id_number):
            errors.append(
                RowError(*w, "身份证号", "身份证号不正确（18位，末位可为X，校验码须正确）。")
            )
        if username and username not in usernames:
            errors.append(RowError(*w, "账号", f"找不到账号 {username}（请先在后台创建账号）。"))
        parsed["人员"].append(
            (
                n,
                {
                    "code": code,
                    "name": name,
                    "id_number": id_number,
                    "phone": _text(r["手机号"]),
                    "username": username,
                },
            )
        )
    known_people = (
        set(Person.objects.exclude(code=None).values_list("code", flat=True)) | person_codes
    )
    # Appointments.
    for n, r in _rows(wb, "任职", errors):
        w = ("任职", n)
        person, unit, post = _text(r["人员编号"]), _text(r["单位编码"]), _text(r["岗位编码"])
        if person not in known_people:
            errors.append(
                RowError(*w, "人员编号", f"找不到人员 {person}。" if person else "不能为空。")
            )
        if (unit, post) not in known_posts:
            errors.append(RowError(*w, "岗位编码", f"找不到岗位 {unit}/{post}。"))
        start = _date(r["任职日期"], errors, w, "任职日期", required=True)
        end = _date(r["离任日期"], errors, w, "离任日期", required=False)
        if start and end and end < start:
            errors.append(RowError(*w, "离任日期", "离任日期不能早于任职日期。"))
        parsed["任职"].append(
            (n, {"person": person, "unit": unit, "post": post, "start": start, "end": end})
        )
    return parsed, errors


# ---------------------------------------------------------------- import: pass 2 (write)

_FIELD_LABELS = {
    "单位": {"code": "编码", "name": "名称", "parent": "上级单位编码", "kind": "类别"},
    "岗位": {
        "areas": "分管领域",
        "is_head": "主要负责人",
        "is_deputy": "副职",
        "risk_class": "风险等级",
        "code": "岗位编码",
        "name": "岗位名称",
    },
    "人员": {"code": "人员编号", "name": "姓名", "id_number": "身份证号", "user": "账号"},
    "任职": {"start": "任职日期", "end": "离任日期"},
}


def _assign(obj, values: dict) -> bool:
    changed = False
    for k, v in values.items():
        if getattr(obj, k) != v:
            setattr(obj, k, v)
            changed = True
    return changed


def _write(parsed: dict, actor) -> tuple[dict, list[RowError]]:
    errors: list[RowError] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    def attempt(sheet, n, fn):
        try:
            with transaction.atomic():
                result = fn()
            counts[result] += 1
        except DomainError as exc:
            field = _FIELD_LABELS.get(sheet, {}).get(exc.field or "", exc.field or "")
            errors.append(RowError(sheet, n, field, str(exc.message)))

    # Units: parents before children, whatever the row order.
    pending = list(parsed["单位"])
    while pending:
        ready = [
            (n, d)
            for n, d in pending
            if not d["parent"] or Unit.objects.filter(code=d["parent"]).exists()
        ]
        if not ready:
            for n, d in pending:
                errors.append(
                    RowError(
                        "单位",
                        n,
                        "上级单位编码",
                        f"上级单位 {d['parent']} 无法建立（循环引用？）。",
                    )
                )
            break
        for n, d in ready:

            def save_unit(d=d):
                unit = Unit.objects.filter(code=d["code"]).first() or Unit(code=d["code"])
                new = unit.pk is None
                values = {k: v for k, v in d.items() if k != "parent"}
                values["parent"] = Unit.objects.get(code=d["parent"]) if d["parent"] else None
                if not _assign(unit, values) and not new:
                    return "unchanged"
                services.do_save_unit(unit, actor=actor)
                return "created" if new else "updated"

            attempt("单位", n, save_unit)
        pending = [p for p in pending if p not in ready]

    # Posts: heads demoted before others promoted would need ordering; non-head rows first.
    for n, d in sorted(parsed["岗位"], key=lambda item: item[1]["is_head"]):

        def save_post(d=d):
            unit = Unit.objects.get(code=d["unit"])
            post = Post.objects.filter(unit=unit, code=d["code"]).first() or Post(
                unit=unit, code=d["code"]
            )
            new = post.pk is None
            values = {k: v for k, v in d.items() if k not in ("unit", "code")}
            if not _assign(post, values) and not new:
                return "unchanged"
            services.do_save_post(post, actor=actor)
            return "created" if new else "updated"

        attempt("岗位", n, save_post)

    User = get_user_model()
    for n, d in parsed["人员"]:

        def save_person(d=d):
            person = Person.objects.filter(code=d["code"]).first() or Person(code=d["code"])
            new = person.pk is None
            user = User.objects.get(username=d["username"]) if d["username"] else None
            values = {"name": d["name"], "id_number": d["id_number"], "phone": d["phone"]}
            changed = _assign(person, values)
            if not changed and not new and person.user_id == (user.pk if user else None):
                return "unchanged"
            services.do_save_person(person, actor=actor)
            if user is not None and person.user_id != user.pk:
                services.do_link_account(person, user, actor=actor)
            return "created" if new else "updated"

        attempt("人员", n, save_person)

    for n, d in parsed["任职"]:

        def save_appointment(d=d):
            person = Person.objects.get(code=d["person"])
            post = Post.objects.get(unit__code=d["unit"], code=d["post"])
            appt = Appointment.objects.filter(person=person, post=post, start=d["start"]).first()
            if appt is not None:
                if appt.end == d["end"]:
                    return "unchanged"
                appt.end = d["end"]
                services.do_save_appointment(appt, actor=actor)
                return "updated"
            services.do_appoint(person, post, d["start"], actor=actor, end=d["end"])
            return "created"

        attempt("任职", n, save_appointment)
    return counts, errors


def import_workbook(source: str | BinaryIO, actor=None) -> dict:
    """Import a workbook (path or file object). Returns counts {created, updated, unchanged};
    raises ImportFailed (nothing written) listing every bad row."""
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ImportFailed(
            [RowError("文件", 0, "", f"不是有效的 Excel（.xlsx）文件：{exc}")]
        ) from exc
    except Exception as exc:  # why: zipfile.BadZipFile and friends on a corrupt upload
        raise ImportFailed(
            [RowError("文件", 0, "", f"无法读取文件：{type(exc).__name__}")]
        ) from exc
    try:
        parsed, errors = _parse(wb)
    finally:
        wb.close()
    if errors:
        raise ImportFailed(errors)
    with transaction.atomic():
        counts, errors = _write(parsed, actor)
        if errors:
            raise ImportFailed(errors)  # rolls back every row written above
    return counts

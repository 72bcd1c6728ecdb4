"""Excel import and export of the organisation: units, posts, people and appointments (ORG-1..4).

Format (one workbook, four sheets, first row = headers, documented in docs/organisation.md;
declared as data in `COLUMNS`, read and written by `wuquan.common.sheets`):
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

from io import BytesIO
from typing import BinaryIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from wuquan.common.exceptions import DomainError, InvalidInput
from wuquan.common.identity import is_valid_ric
from wuquan.common.sheets import (
    BOOL,
    COUNT,
    DATE,
    Choice,
    ChoiceList,
    Column,
    RowError,
    header_by_attr,
    headers,
    read_sheet,
    sort_errors,
    write_sheet,
)

from . import services
from .models import Appointment, Area, Person, Post, RiskClass, Unit, UnitKind

__all__ = [
    "SHEETS",
    "ImportFailed",
    "RowError",
    "build_workbook",
    "export_bytes",
    "import_workbook",
]

# The four sheets, one Column per header (docs/organisation.md); text unless a kind is given.
COLUMNS: dict[str, list[Column]] = {
    "单位": [
        Column("编码", "code", required=True),
        Column("名称", "name", required=True),
        Column("简称", "short_name"),
        Column("类别", "kind", Choice(UnitKind), required=True),
        Column("上级单位编码", "parent"),
        Column("监督机关", "is_supervisory", BOOL),
        Column("排序", "sort", COUNT, default=0),
    ],
    "岗位": [
        Column("单位编码", "unit", required=True),
        Column("岗位编码", "code", required=True),
        Column("岗位名称", "name", required=True),
        Column("风险等级", "risk_class", Choice(RiskClass, labels=False), default=RiskClass.C),
        Column("主要负责人", "is_head", BOOL),
        Column("副职", "is_deputy", BOOL),
        Column("分管领域", "areas", ChoiceList(Area)),
        Column("岗位职责", "duties"),
        Column("轮岗年限", "rotation_years", COUNT),
    ],
    "人员": [
        Column("人员编号", "code", required=True),
        Column("姓名", "name", required=True),
        Column("身份证号", "id_number"),
        Column("手机号", "phone"),
        Column("账号", "user"),  # a username: the account must exist already
    ],
    "任职": [
        Column("人员编号", "person", required=True),
        Column("单位编码", "unit"),
        Column("岗位编码", "post"),
        Column("任职日期", "start", DATE, required=True),
        Column("离任日期", "end", DATE),
    ],
}
# sheet -> its headers, in file order (the format table of org/excel.html).
SHEETS: dict[str, list[str]] = {sheet: headers(columns) for sheet, columns in COLUMNS.items()}


class ImportFailed(InvalidInput):
    """The workbook has errors; nothing was written. `errors` lists every bad row."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            ngettext(
                "导入失败，共 %(n)d 处错误，未写入任何数据。",
                "导入失败，共 %(n)d 处错误，未写入任何数据。",
                len(errors),
            )
            % {"n": len(errors)}
        )


# ---------------------------------------------------------------- export


def build_workbook(units=None, posts=None, people=None) -> Workbook:
    """A workbook of the given units/posts/people (all by default) and their appointments."""
    units = Unit.objects.all() if units is None else units
    posts = Post.objects.all() if posts is None else posts
    people = Person.objects.all() if people is None else people
    wb = Workbook()
    wb.remove(wb.active)
    by_id = {u.id: u for u in Unit.objects.all()}
    write_sheet(
        wb,
        "单位",
        COLUMNS["单位"],
        (
            {
                "code": u.code,
                "name": u.name,
                "short_name": u.short_name,
                "kind": u.kind,
                "parent": by_id[u.parent_id].code if u.parent_id in by_id else "",
                "is_supervisory": u.is_supervisory,
                "sort": u.sort,
            }
            for u in sorted(units, key=lambda u: (len(u.ancestors()), u.sort, u.code))
        ),
    )
    write_sheet(
        wb,
        "岗位",
        COLUMNS["岗位"],
        (
            {
                "unit": p.unit.code,
                "code": p.code,
                "name": p.name,
                "risk_class": p.risk_class,
                "is_head": p.is_head,
                "is_deputy": p.is_deputy,
                "areas": p.areas,
                "duties": p.duties,
                "rotation_years": p.rotation_years,
            }
            for p in posts.select_related("unit").order_by("unit__sort", "unit__code", "code")
        ),
    )
    people = list(people.select_related("user").order_by("id"))
    write_sheet(
        wb,
        "人员",
        COLUMNS["人员"],
        (
            {
                "code": person.code,
                "name": person.name,
                "id_number": person.id_number,
                "phone": person.phone,
                "user": person.user.get_username() if person.user else "",
            }
            for person in people
        ),
    )
    appointments = (
        Appointment.objects.filter(person__in=[p.id for p in people], post__in=posts)
        .select_related("person", "post", "post__unit")
        .order_by("person_id", "start")
    )
    write_sheet(
        wb,
        "任职",
        COLUMNS["任职"],
        (
            {
                "person": a.person.code,
                "unit": a.post.unit.code,
                "post": a.post.code,
                "start": a.start,
                "end": a.end,
            }
            for a in appointments
        ),
    )
    return wb


def export_bytes(**kwargs) -> bytes:
    buffer = BytesIO()
    build_workbook(**kwargs).save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- import: pass 1 (rows alone)


def _parse(wb) -> tuple[dict, list[RowError]]:
    """Every sheet read through its declaration, then the checks across rows and against the
    database: duplicate keys, references to units/posts/people/accounts, ID checksums."""
    errors: list[RowError] = []
    parsed: dict[str, list[tuple[int, dict]]] = {}
    for sheet, columns in COLUMNS.items():
        parsed[sheet], sheet_errors = read_sheet(wb, sheet, columns)
        errors += sheet_errors

    unit_codes = {d["code"] for _n, d in parsed["单位"]}
    known_units = set(Unit.objects.values_list("code", flat=True)) | unit_codes
    seen: set[str] = set()
    for n, d in parsed["单位"]:
        if d["code"] and d["code"] in seen:
            errors.append(
                RowError("单位", n, "编码", _("编码 %(code)s 重复。") % {"code": d["code"]})
            )
        seen.add(d["code"])
        if d["parent"] and d["parent"] not in known_units:
            message = _("找不到单位 %(code)s。") % {"code": d["parent"]}
            errors.append(RowError("单位", n, "上级单位编码", message))
        if d["parent"] and d["parent"] == d["code"]:
            errors.append(RowError("单位", n, "上级单位编码", _("上级单位不能是本单位。")))

    post_keys: set[tuple[str, str]] = set()
    for n, d in parsed["岗位"]:
        unit, code = d["unit"], d["code"]
        if unit and unit not in known_units:
            message = _("找不到单位 %(code)s。") % {"code": unit}
            errors.append(RowError("岗位", n, "单位编码", message))
        if (unit, code) in post_keys:
            message = _("岗位 %(unit)s/%(code)s 重复。") % {"unit": unit, "code": code}
            errors.append(RowError("岗位", n, "岗位编码", message))
        post_keys.add((unit, code))
    known_posts = set(Post.objects.values_list("unit__code", "code")) | post_keys

    person_codes: set[str] = set()
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    for n, d in parsed["人员"]:
        code, username = d["code"], d["user"]
        d["id_number"] = d["id_number"].upper()
        if code and code in person_codes:
            message = _("人员编号 %(code)s 重复。") % {"code": code}
            errors.append(RowError("人员", n, "人员编号", message))
        person_codes.add(code)
        if d["id_number"] and not is_valid_ric(d["id_number"]):
            message = _("身份证号不正确（18位，末位可为X，校验码须正确）。")
            errors.append(RowError("人员", n, "身份证号", message))
        if username and username not in usernames:
            message = _("找不到账号 %(username)s（请先在后台创建账号）。") % {"username": username}
            errors.append(RowError("人员", n, "账号", message))
    known_people = (
        set(Person.objects.exclude(code=None).values_list("code", flat=True)) | person_codes
    )

    for n, d in parsed["任职"]:
        if d["person"] and d["person"] not in known_people:
            message = _("找不到人员 %(code)s。") % {"code": d["person"]}
            errors.append(RowError("任职", n, "人员编号", message))
        if (d["unit"], d["post"]) not in known_posts:
            message = _("找不到岗位 %(unit)s/%(code)s。") % {"unit": d["unit"], "code": d["post"]}
            errors.append(RowError("任职", n, "岗位编码", message))
        if d["start"] and d["end"] and d["end"] < d["start"]:
            errors.append(RowError("任职", n, "离任日期", _("离任日期不能早于任职日期。")))
    return parsed, sort_errors(errors, COLUMNS)


# ---------------------------------------------------------------- import: pass 2 (write)

# attr -> header per sheet, to name the column of an error a service raises on a model field.
_FIELD_LABELS = {sheet: header_by_attr(columns) for sheet, columns in COLUMNS.items()}


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
                message = _("上级单位 %(code)s 无法建立（循环引用？）。") % {"code": d["parent"]}
                errors.append(RowError("单位", n, "上级单位编码", message))
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
            user = User.objects.get(username=d["user"]) if d["user"] else None
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
        message = _("不是有效的 Excel（.xlsx）文件：%(reason)s") % {"reason": exc}
        raise ImportFailed([RowError("文件", 0, "", message)]) from exc
    except Exception as exc:  # why: zipfile.BadZipFile and friends on a corrupt upload
        message = _("无法读取文件：%(reason)s") % {"reason": type(exc).__name__}
        raise ImportFailed([RowError("文件", 0, "", message)]) from exc
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

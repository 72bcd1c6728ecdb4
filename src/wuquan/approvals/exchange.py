"""JSON Lines exchange: org, catalog items and historical cases with their own timestamps
(history from a legacy system) — `wuquan import FILE.jsonl` / `wuquan export` (docs/exchange-format.md).

Every line is validated first; bad lines are reported by number and NOTHING is imported when
any line is bad (so no case is ever half imported). Imported history is recorded in the ledger
action by action with its own timestamps and `"source": "import"`, so supervision reads it like
live history — including what the live services would have refused (a fee outside the catalog,
a result without acceptance, a step by someone not holding its post): that is the point of
importing it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wuquan.catalog import flows
from wuquan.catalog import services as catalog_services
from wuquan.catalog.models import ApprovalItem, Fee, FeeKind, Material, MaterialReuse
from wuquan.common.exceptions import DomainError
from wuquan.org.models import Person, Post, Unit, UnitKind
from wuquan.org.selectors import person_of
from wuquan.org.services import do_appoint, do_save_person, ensure_post, ensure_unit

from . import services
from .models import (
    Case,
    CaseStep,
    StepState,
    SuspensionKind,
)

FORMAT = "wuquan-exchange/1"
ACTOR = services.IMPORT_ACTOR
ACCEPT_KIND = services.ACCEPT_KIND
REASON = "历史数据导入"
STEP_KINDS = set(flows.STEP_KINDS)


@dataclass
class Report:
    lines: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    imported: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    line_numbers: list[int] = field(default_factory=list)  # of each validated object

    @property
    def ok(self) -> bool:
        return not self.errors


def _dt(value, name: str, errors: list[str], required: bool = True) -> datetime | None:
    if value in (None, ""):
        if required:
            errors.append(f"缺少 {name}")
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{name} 不是 ISO 8601 时间：{value}")
        return None
    if timezone.is_naive(moment):
        errors.append(f"{name} 必须带时区（如 +08:00）：{value}")
        return None
    return moment


def _need(obj: dict, keys: list[str], errors: list[str]) -> None:
    for k in keys:
        if obj.get(k) in (None, ""):
            errors.append(f"缺少字段 {k}")


class _Seen:
    """Codes defined by earlier lines of the file, besides those already in the database."""

    def __init__(self):
        self.units: set[str] = set()
        self.posts: set[tuple[str, str]] = set()
        self.persons: set[str] = set()
        self.items: dict[str, dict] = {}

    def unit(self, code) -> bool:
        return code in self.units or Unit.objects.filter(code=code).exists()

    def post(self, unit, code) -> bool:
        return (unit, code) in self.posts or Post.objects.filter(
            unit__code=unit, code=code
        ).exists()

    def person(self, code) -> bool:
        return code in self.persons or Person.objects.filter(code=code).exists()

    def item(self, code) -> bool:
        return code in self.items or ApprovalItem.objects.filter(code=code).exists()


def _check_unit(o, seen, errors):
    _need(o, ["code", "name", "kind"], errors)
    if o.get("kind") and o["kind"] not in UnitKind.values:
        errors.append(f"单位类型无效：{o['kind']}")
    if o.get("parent") and not seen.unit(o["parent"]):
        errors.append(f"上级单位不存在：{o['parent']}")
    seen.units.add(o.get("code"))


def _check_post(o, seen, errors):
    _need(o, ["unit", "code", "name"], errors)
    if o.get("unit") and not seen.unit(o["unit"]):
        errors.append(f"单位不存在：{o['unit']}")
    if o.get("risk_class", "C") not in ("A", "B", "C"):
        errors.append("risk_class 应为 A、B 或 C")
    seen.posts.add((o.get("unit"), o.get("code")))


def _check_person(o, seen, errors):
    _need(o, ["code", "name"], errors)
    for a in o.get("appointments", []):
        if not seen.post(a.get("unit"), a.get("post")):
            errors.append(f"任职岗位不存在：{a.get('unit')}/{a.get('post')}")
        try:
            date.fromisoformat(str(a.get("start")))
        except ValueError:
            errors.append(f"任职日期无效：{a.get('start')}")
    seen.persons.add(o.get("code"))


def _check_item(o, seen, errors):
    _need(o, ["code", "name", "unit", "basis", "promised_days", "legal_days", "steps"], errors)
    if o.get("unit") and not seen.unit(o["unit"]):
        errors.append(f"实施机关不存在：{o['unit']}")
    names = [m.get("name") for m in o.get("materials", [])]
    if len(names) != len(set(names)):
        errors.append("申报材料名称重复")
    for m in o.get("materials", []):
        if m.get("reuse", "none") not in MaterialReuse.values:
            errors.append(f"材料复用标记无效：{m.get('reuse')}")
    for k, s in enumerate(o.get("steps") or [], 1):
        if s.get("kind") not in STEP_KINDS:
            errors.append(f"第 {k} 个环节类型无效：{s.get('kind')}")
        if not seen.post(s.get("unit"), s.get("post")):
            errors.append(f"第 {k} 个环节的岗位不存在：{s.get('unit')}/{s.get('post')}")
    if not errors and not ApprovalItem.objects.filter(code=o["code"]).exists():
        try:
            errors.extend(str(e) for e in flows.validate(_flow_xml(o), int(o["promised_days"])))
        except (TypeError, ValueError, KeyError) as exc:
            errors.append(f"流程无效：{exc}")
    seen.items[o.get("code")] = o


def _flow_xml(o: dict) -> str:
    """The item's flow: the exported BPMN itself (parallel groups and conditions kept), or
    built from the `steps` rows."""
    if o.get("bpmn"):
        return o["bpmn"]
    return flows.build_bpmn(f"flow_{o['code']}", o["name"], _rows(o["steps"]))


def _rows(steps):
    return [
        flows.StepRow(
            s["name"],
            s["kind"],
            int(s.get("limit_days", 1)),
            s["unit"],
            s["post"],
            group=s.get("group", ""),
            condition=s.get("condition", ""),
        )
        for s in steps
    ]


def _check_case(o, seen, errors):
    _need(o, ["ref", "item", "applicant_name", "submitted_at"], errors)
    if o.get("item") and not seen.item(o["item"]):
        errors.append(f"事项不存在：{o['item']}")
    submitted = _dt(o.get("submitted_at"), "submitted_at", errors)
    accepted = _dt(o.get("accepted_at"), "accepted_at", errors, required=False)
    if submitted and accepted and accepted < submitted:
        errors.append("accepted_at 早于 submitted_at")
    if o.get("result", "") not in ("", "approved", "denied", "withdrawn"):
        errors.append(f"result 无效：{o.get('result')}")
    if o.get("result") and not o.get("result_at"):
        errors.append("有 result 时必须有 result_at")
    _dt(o.get("result_at"), "result_at", errors, required=False)
    _dt(o.get("delivered_at"), "delivered_at", errors, required=False)
    for k, s in enumerate(o.get("steps", []), 1):
        errs: list[str] = []
        _need(s, ["name", "kind", "unit", "post"], errs)
        if s.get("kind") and s["kind"] not in STEP_KINDS:
            errs.append(f"类型无效：{s['kind']}")
        if s.get("unit") and not seen.post(s.get("unit"), s.get("post")):
            errs.append(f"岗位不存在：{s.get('unit')}/{s.get('post')}")
        if s.get("person") and not seen.person(s["person"]):
            errs.append(f"人员不存在：{s['person']}")
        a = _dt(s.get("started_at"), "started_at", errs, required=False)
        b = _dt(s.get("completed_at"), "completed_at", errs, required=False)
        if a and b and b < a:
            errs.append("completed_at 早于 started_at")
        errors.extend(f"环节 {k}：{e}" for e in errs)
    for k, f in enumerate(o.get("fees", []), 1):
        try:
            Decimal(str(f.get("amount")))
        except InvalidOperation:
            errors.append(f"收费 {k}：金额无效")
        _dt(f.get("at"), f"收费 {k} at", errors)
        if not f.get("name") and not f.get("fee"):
            errors.append(f"收费 {k}：缺少 fee 或 name")
    for k, p in enumerate(o.get("suspensions", []), 1):
        if p.get("kind") not in SuspensionKind.values:
            errors.append(f"中止 {k}：类型无效")
        if not p.get("reason"):
            errors.append(f"中止 {k}：缺少理由")
        _dt(p.get("from"), f"中止 {k} from", errors)
        _dt(p.get("to"), f"中止 {k} to", errors, required=False)


def _check_fee(o, seen, errors):
    _need(o, ["code", "kind", "name", "basis", "payer", "scope", "amount", "unit"], errors)
    if o.get("kind") and o["kind"] not in FeeKind.values:
        errors.append(f"收费目录类型无效：{o['kind']}")
    try:
        Decimal(str(o.get("amount")))
    except InvalidOperation:
        errors.append("收费标准金额无效")
    if o.get("unit") and not seen.unit(o["unit"]):
        errors.append(f"收费单位不存在：{o['unit']}")
    if o.get("item") and not seen.item(o["item"]):
        errors.append(f"事项不存在：{o['item']}")


CHECKS = {
    "unit": _check_unit,
    "fee": _check_fee,
    "post": _check_post,
    "person": _check_person,
    "item": _check_item,
    "case": _check_case,
}


def validate(lines) -> tuple[list[dict], Report]:
    report = Report()
    seen = _Seen()
    objects = []
    for n, raw in enumerate(lines, 1):
        report.lines = n
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            report.errors.append((n, f"不是有效的 JSON：{exc.msg}（第 {exc.colno} 列）"))
            continue
        if not isinstance(obj, dict):
            report.errors.append((n, "每行应为一个 JSON 对象"))
            continue
        kind = obj.get("type")
        if kind == "header":
            if obj.get("format") != FORMAT:
                report.errors.append((n, f"格式应为 {FORMAT}"))
            continue
        check = CHECKS.get(kind)
        if check is None:
            report.errors.append((n, f"未知的 type：{kind}"))
            continue
        errors: list[str] = []
        try:
            check(obj, seen, errors)
        except (TypeError, AttributeError, ValueError) as exc:
            errors.append(f"结构无效：{exc}")
        for e in errors:
            report.errors.append((n, e))
        objects.append(obj)
        report.line_numbers.append(n)
    return objects, report


def import_lines(lines) -> Report:
    """Validate every line, then import all of it in one transaction (or nothing)."""
    objects, report = validate(lines)
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            for n, obj in zip(report.line_numbers, objects, strict=True):
                try:
                    done = IMPORTERS[obj["type"]](obj)
                except ReplayError as exc:
                    report.errors.append((n, str(exc)))
                    raise
                bucket = report.imported if done else report.skipped
                bucket[obj["type"]] = bucket.get(obj["type"], 0) + 1
    except ReplayError:
        report.imported.clear()
        report.skipped.clear()
    return report


def _import_unit(o) -> bool:
    if Unit.objects.filter(code=o["code"]).exists():
        return False
    parent = Unit.objects.get(code=o["parent"]) if o.get("parent") else None
    ensure_unit(o["code"], o["name"], o["kind"], parent, short_name=o.get("short_name", ""))
    return True


def _import_post(o) -> bool:
    unit = Unit.objects.get(code=o["unit"])
    if Post.objects.filter(unit=unit, code=o["code"]).exists():
        return False
    ensure_post(
        unit,
        o["code"],
        o["name"],
        o.get("risk_class", "C"),
        is_head=bool(o.get("is_head")),
        is_deputy=bool(o.get("is_deputy")),
        areas=o.get("areas", []),
    )
    return True


def _import_person(o) -> bool:
    if Person.objects.filter(code=o["code"]).exists():
        return False
    person = do_save_person(Person(code=o["code"], name=o["name"]), actor=ACTOR)
    for a in o.get("appointments", []):
        post = Post.objects.get(unit__code=a["unit"], code=a["post"])
        end = date.fromisoformat(a["end"]) if a.get("end") else None
        do_appoint(person, post, date.fromisoformat(a["start"]), actor=ACTOR, end=end)
    return True


def _import_item(o) -> bool:
    if ApprovalItem.objects.filter(code=o["code"]).exists():
        return False
    item = catalog_services.do_save(
        ApprovalItem(
            code=o["code"],
            name=o["name"],
            unit=Unit.objects.get(code=o["unit"]),
            basis=o["basis"],
            promised_days=int(o["promised_days"]),
            legal_days=int(o["legal_days"]),
            area=o.get("area", "approval"),
        ),
        REASON,
        actor=ACTOR,
    )
    for k, m in enumerate(o.get("materials", [])):
        catalog_services.do_save(
            Material(item=item, name=m["name"], reuse=m.get("reuse", "none"), sort=k),
            REASON,
            actor=ACTOR,
        )
    version = catalog_services.do_add_flow_version(
        item, _flow_xml(o), REASON, note="导入", actor=ACTOR
    )
    catalog_services.do_publish_flow(version, REASON, actor=ACTOR)
    return True


class ReplayError(Exception):
    """A case line the services refused while replaying it (reported by line number)."""


def _when(value) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _person(code):
    return Person.objects.select_related("user").filter(code=code).first() if code else None


def _by(username: str):
    """The person of the account a source names (a fee's `by`), if there is one."""
    user = get_user_model().objects.filter(username=username).first() if username else None
    return person_of(user) if user is not None else None


def _actions(o: dict) -> list[tuple[datetime, int, int, str, Any]]:
    """The case's history as timed actions, in the order they happened (ties: the file's)."""
    acts: list[tuple[datetime, int, int, str, Any]] = []
    steps = o.get("steps", [])
    accept = next((s for s in steps if s.get("kind") == ACCEPT_KIND), None)
    others = [s for s in steps if s is not accept and s.get("completed_at")]
    if o.get("accepted_at"):
        acts.append((_when(o["accepted_at"]), 0, 0, "accept", accept or {}))
    elif others or (accept and accept.get("completed_at")):
        # why: a case handled without a formal acceptance (体外循环): its 受理 task is passed
        # unaccepted, when the source says or just before the first step done after it
        first = min(_when(s["completed_at"]) for s in others) if others else None
        moment = _when(accept.get("completed_at")) if accept else None
        acts.append((moment or first, 0, 0, "unaccepted", accept or {}))
    for k, s in enumerate(others):
        acts.append((_when(s["completed_at"]), 1, k, "step", s))
    for k, p in enumerate(o.get("suspensions", [])):
        acts.append((_when(p["from"]), 2, k, "suspend", p))
        if p.get("to"):
            acts.append((_when(p["to"]), 2, k, "resume", p))
    for k, f in enumerate(o.get("fees", [])):
        acts.append((_when(f["at"]), 3, k, "fee", f))
    if o.get("result") == "withdrawn":
        acts.append((_when(o["result_at"]), 4, 0, "withdraw", o))
    acts.sort(key=lambda a: (a[0], a[1], a[2]))
    return acts


def _open_step(case: Case, s: dict, strict: bool = True) -> CaseStep | None:
    """The case's ready step the source line `s` completes: its `task` (the flow's task id)
    or, failing that, its name. None (strict=False) or ReplayError when there is none."""
    steps = case.steps.filter(state__in=(StepState.READY, StepState.CLAIMED))
    step = steps.filter(step_id=s["task"]).first() if s.get("task") else None
    step = step or steps.filter(name=s.get("name", "")).first()
    if step is None and strict:
        raise ReplayError(
            f"环节“{s.get('name')}”（{s.get('task') or '无 task'}）在此时不是流程中的待办环节"
        )
    return step


def import_case(o: dict) -> Case | None:
    """One historical case replayed through the live services, each action at its own time
    with `ImportedHistory` (docs/decisions/0010-one-write-path.md): submission, acceptance,
    step completions, 补正 and special procedures, fees, withdrawal — so deadlines, pause
    moves, provisional marks, payloads and flags are the live ones. Returns None when a case
    with this `ref` was imported before (idempotent)."""
    if Case.objects.filter(source_ref=o["ref"]).exists():
        return None
    item = ApprovalItem.objects.get(code=o["item"])
    history = services.ImportedHistory(
        source_ref=o["ref"],
        application_no=o.get("application_no") or f"IMP-{o['ref']}"[:32],
        receipt_no=o.get("receipt_no") or "",
    )
    try:
        case = services.do_submit_application(
            item,
            applicant_name=o["applicant_name"],
            title=o.get("title", ""),
            data=o.get("data", {}),
            actor=ACTOR,
            at=_when(o["submitted_at"]),
            history=history,
        ).case
        waiting: list = []  # steps the source has done before the flow made them ready
        for at, _order, _k, kind, x in _actions(o):
            case.refresh_from_db()
            if kind == "step" and _open_step(case, x, strict=False) is None:
                waiting.append((at, x))
                continue
            _replay(case, kind, x, at, o, history)
            waiting = _replay_waiting(case, waiting, o, history)
        if waiting:
            _open_step(case, waiting[0][1])  # raises: the flow never reached it
    except (DomainError, CaseStep.DoesNotExist) as exc:
        raise ReplayError(str(exc)) from exc
    case.refresh_from_db()
    return case


def _replay_waiting(case: Case, waiting: list, o: dict, history) -> list:
    """Complete, at their own (earlier) times, the waiting steps the flow has now reached —
    so a step done out of order is recorded as it happened and APR-3 flags it."""
    progress = True
    while waiting and progress:
        progress = False
        for entry in list(waiting):
            case.refresh_from_db()
            if _open_step(case, entry[1], strict=False) is not None:
                waiting.remove(entry)
                _replay(case, "step", entry[1], entry[0], o, history)
                progress = True
    return waiting


def _replay(case: Case, kind: str, x: dict, at: datetime, o: dict, history) -> None:
    """One action of the source through its live service, with the import's history."""
    result = o.get("result", "")
    who = history.acting(_person(x.get("person")))
    if kind == "accept":
        services.do_accept_case(case, note=x.get("opinion", ""), actor=ACTOR, at=at, history=who)
    elif kind == "unaccepted":
        step = case.steps.get(kind=ACCEPT_KIND, state=StepState.READY)
        services.do_complete_step(step, x.get("opinion", ""), actor=ACTOR, at=at, history=who)
    elif kind == "step":
        decide = x.get("kind") in services.DECISION_KINDS and result in (
            "approved",
            "denied",
        )
        services.do_complete_step(
            _open_step(case, x),
            x.get("opinion", ""),
            actor=ACTOR,
            decision=("approve" if result == "approved" else "deny") if decide else "",
            reason=o.get("result_reason", "") if decide else "",
            certificate_no=o.get("certificate_no", "") if decide else "",
            at=at,
            history=who,
        )
    elif kind == "suspend":
        by = x.get("by") or ""
        services.do_suspend_case(
            case,
            x["kind"],
            x["reason"],
            x.get("demanded", []),
            actor=ACTOR,
            at=at,
            history=history.acting(_by(by), by=by),
        )
    elif kind == "resume":
        by = x.get("resumed_by") or ""
        services.do_resume_case(
            case,
            x.get("note", ""),
            actor=ACTOR,
            at=at,
            history=history.acting(_by(by), by=by),
        )
    elif kind == "fee":
        by = x.get("by") or ""
        services.do_charge_fee(
            case,
            Fee.objects.filter(code=x["fee"]).first() if x.get("fee") else None,
            x["amount"],
            actor=ACTOR,
            at=at,
            name=x.get("name", ""),
            history=history.acting(_by(by), by=by),
        )
    elif kind == "withdraw":
        services.do_withdraw_case(
            case, o.get("result_reason", ""), actor=ACTOR, at=at, history=history
        )


FEE_FIELDS = ("kind", "code", "name", "basis", "licence", "payer", "scope", "amount_unit")
FEE_FIELDS += ("frequency", "term")


def _import_fee(o) -> bool:
    """A row of the fee catalog (APR-8), so the charges of imported cases are judged against
    the same catalog as on the exporting instance."""
    if Fee.objects.filter(code=o["code"]).exists():
        return False
    fee = Fee(
        **{k: o.get(k, "") for k in FEE_FIELDS if o.get(k) is not None},
        amount=Decimal(str(o["amount"])).quantize(Decimal("0.01")),
        unit=Unit.objects.get(code=o["unit"]),
        item=ApprovalItem.objects.get(code=o["item"]) if o.get("item") else None,
    )
    catalog_services.do_save(fee, REASON, actor=ACTOR)
    return True


IMPORTERS = {
    "unit": _import_unit,
    "fee": _import_fee,
    "post": _import_post,
    "person": _import_person,
    "item": _import_item,
    "case": lambda o: import_case(o) is not None,
}

# Other apps' lines (decisions' `meeting`, evaluation's `evaluation`, …): an app that has an
# `exchange.py` with `LINES = {type: (check, importer)}`, `ReplayError` and `export_lines()`
# plugs in by convention (docs/exchange-format.md). Their lines come after the cases.
EXPORTERS: list = []


def _plug_in(module) -> None:
    def wrap(importer):
        def run(o):
            try:
                return importer(o)
            except module.ReplayError as exc:
                raise ReplayError(str(exc)) from exc

        return run

    for kind, (check, importer) in module.LINES.items():
        CHECKS[kind] = check
        IMPORTERS[kind] = wrap(importer)
    EXPORTERS.append(module.export_lines)


def _plug_in_apps() -> None:
    from importlib import import_module
    from importlib.util import find_spec

    from django.conf import settings

    for app in settings.WUQUAN_APPS:
        if app != "wuquan.approvals" and find_spec(f"{app}.exchange"):
            _plug_in(import_module(f"{app}.exchange"))


_plug_in_apps()


# ---- export ---------------------------------------------------------------------------------


def _iso(v) -> str | None:
    return v.isoformat() if v else None


def export_lines(cases: bool = True):
    """Yield the lines of a complete export: header, units, posts, persons, items (with their
    BPMN), the fee catalog, cases. Apart from the header, an export imported into an empty
    instance exports again byte for byte (tested)."""
    yield {"type": "header", "format": FORMAT, "exported_at": timezone.now().isoformat()}
    for u in Unit.objects.order_by("id"):
        yield {
            "type": "unit",
            "code": u.code,
            "name": u.name,
            "kind": u.kind,
            "parent": u.parent.code if u.parent_id else None,
            "short_name": getattr(u, "short_name", ""),
        }
    for p in Post.objects.select_related("unit").order_by("id"):
        yield {
            "type": "post",
            "unit": p.unit.code,
            "code": p.code,
            "name": p.name,
            "risk_class": p.risk_class,
            "is_head": p.is_head,
            "is_deputy": p.is_deputy,
            "areas": p.areas or [],
        }
    for person in (
        Person.objects.exclude(code=None)
        .prefetch_related("appointments__post__unit")
        .order_by("id")
    ):
        yield {
            "type": "person",
            "code": person.code,
            "name": person.name,
            "appointments": [
                {
                    "unit": a.post.unit.code,
                    "post": a.post.code,
                    "start": a.start.isoformat(),
                    "end": _iso(a.end),
                }
                for a in person.appointments.all()
            ],
        }
    for item in ApprovalItem.objects.select_related("unit").order_by("id"):
        version = item.published_flow()
        if version is None:
            continue
        yield {
            "type": "item",
            "code": item.code,
            "name": item.name,
            "unit": item.unit.code,
            "basis": item.basis,
            "promised_days": item.promised_days,
            "legal_days": item.legal_days,
            "area": item.area,
            "materials": [{"name": m.name, "reuse": m.reuse} for m in item.materials.all()],
            "steps": [
                {
                    "name": s.name,
                    "kind": s.kind,
                    "limit_days": s.limit_days,
                    "unit": s.unit_code,
                    "post": s.post_code,
                }
                for s in flows.steps(version)
            ],
            "bpmn": version.bpmn_xml,
        }
    for fee in Fee.objects.select_related("unit", "item").order_by("id"):
        yield {
            "type": "fee",
            **{k: getattr(fee, k) for k in FEE_FIELDS},
            "amount": str(fee.amount),
            "unit": fee.unit.code,
            "item": fee.item.code if fee.item_id else None,
        }
    if cases:
        yield from _case_lines()
        for export in EXPORTERS:
            yield from export()


def _case_lines():
    for c in (
        Case.objects.select_related("item")
        .prefetch_related(
            "steps__post__unit", "steps__person", "charges__fee", "suspensions__demanded"
        )
        .order_by("id")
    ):
        yield {
            "type": "case",
            "ref": c.source_ref or c.application_no,
            "item": c.item.code,
            "application_no": c.application_no,
            "receipt_no": c.receipt_no,
            "applicant_name": c.applicant_name,
            "title": c.title,
            "data": c.data,
            "submitted_at": _iso(c.submitted_at),
            "accepted_at": _iso(c.accepted_at),
            "result": c.result,
            "result_reason": c.result_reason,
            "result_at": _iso(c.result_at),
            "certificate_no": c.certificate_no,
            "delivered_at": _iso(c.delivered_at),
            "steps": [
                {
                    "task": s.step_id,
                    "name": s.name,
                    "kind": s.kind,
                    "unit": s.post.unit.code,
                    "post": s.post.code,
                    "limit_days": s.limit_days,
                    "person": s.person.code if s.person_id else None,
                    "opinion": s.opinion,
                    "started_at": _iso(s.started_at),
                    "completed_at": _iso(s.completed_at),
                }
                for s in c.steps.all()
                if s.state != StepState.CANCELLED
            ],
            "fees": [
                {
                    "fee": ch.fee.code if ch.fee_id else None,
                    "name": ch.fee_name,
                    "amount": str(ch.amount),
                    "at": _iso(ch.charged_at),
                    "by": ch.charged_by,
                }
                for ch in c.charges.all()
            ],
            "suspensions": [
                {
                    "kind": p.kind,
                    "reason": p.reason,
                    "from": _iso(p.started_at),
                    "to": _iso(p.ended_at),
                    "demanded": [m.name for m in p.demanded.all()],
                    "by": p.started_by,
                    "resumed_by": p.ended_by,
                    "note": p.resume_note,
                }
                for p in c.suspensions.all()
            ],
        }


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)

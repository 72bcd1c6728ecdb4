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

from django.db import transaction
from django.utils import timezone

from wuquan.catalog import flows
from wuquan.catalog import services as catalog_services
from wuquan.catalog.models import ApprovalItem, Fee, Material, MaterialReuse
from wuquan.ledger import record
from wuquan.org.models import Person, Post, Unit, UnitKind
from wuquan.org.selectors import posts_held
from wuquan.org.services import do_appoint, do_save_person, ensure_post, ensure_unit

from .models import (
    Case,
    CaseMaterial,
    CaseResult,
    CaseStatus,
    CaseStep,
    Channel,
    Charge,
    MaterialStatus,
    StepState,
    Suspension,
    SuspensionKind,
)

FORMAT = "wuquan-exchange/1"
ACTOR = "system:import"
REASON = "历史数据导入"
STEP_KINDS = set(flows.STEP_KINDS)


@dataclass
class Report:
    lines: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    imported: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

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
            xml = flows.build_bpmn(f"flow_{o['code']}", o["name"], _rows(o["steps"]))
            errors.extend(str(e) for e in flows.validate(xml, int(o["promised_days"])))
        except (TypeError, ValueError, KeyError) as exc:
            errors.append(f"流程无效：{exc}")
    seen.items[o.get("code")] = o


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
        _need(s, ["name", "kind", "unit", "post", "started_at"], errs)
        if s.get("kind") and s["kind"] not in STEP_KINDS:
            errs.append(f"类型无效：{s['kind']}")
        if s.get("unit") and not seen.post(s.get("unit"), s.get("post")):
            errs.append(f"岗位不存在：{s.get('unit')}/{s.get('post')}")
        if s.get("person") and not seen.person(s["person"]):
            errs.append(f"人员不存在：{s['person']}")
        a = _dt(s.get("started_at"), "started_at", errs)
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


CHECKS = {
    "unit": _check_unit,
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
    return objects, report


def import_lines(lines) -> Report:
    """Validate every line, then import all of it in one transaction (or nothing)."""
    objects, report = validate(lines)
    if not report.ok:
        return report
    with transaction.atomic():
        for obj in objects:
            done = IMPORTERS[obj["type"]](obj)
            bucket = report.imported if done else report.skipped
            bucket[obj["type"]] = bucket.get(obj["type"], 0) + 1
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
    person = do_save_person(Person(code=o["code"], name=o["name"]), ACTOR)
    for a in o.get("appointments", []):
        post = Post.objects.get(unit__code=a["unit"], code=a["post"])
        end = date.fromisoformat(a["end"]) if a.get("end") else None
        do_appoint(person, post, date.fromisoformat(a["start"]), ACTOR, end=end)
    return True


def _import_item(o) -> bool:
    if ApprovalItem.objects.filter(code=o["code"]).exists():
        return False
    item = catalog_services.do_save(
        ACTOR,
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
    )
    for k, m in enumerate(o.get("materials", [])):
        catalog_services.do_save(
            ACTOR, Material(item=item, name=m["name"], reuse=m.get("reuse", "none"), sort=k), REASON
        )
    xml = flows.build_bpmn(f"flow_{o['code']}", o["name"], _rows(o["steps"]))
    version = catalog_services.do_add_flow_version(ACTOR, item, xml, REASON, note="导入")
    catalog_services.do_publish_flow(ACTOR, version, REASON)
    return True


def _payload(case: Case, **extra) -> dict:
    return {
        "case_id": case.pk,
        "application_no": case.application_no,
        "receipt_no": case.receipt_no,
        "item_id": case.item_id,
        "item_code": case.item.code,
        "item_area": case.item.area,
        "case_unit_id": case.unit_id,
        "flow_version_id": case.flow_id,
        "source": "import",
        "source_ref": case.source_ref,
        **extra,
    }


def import_case(o: dict) -> Case | None:
    """One historical case with its step events, fees and pauses, each recorded with its own
    time. Returns None when a case with this `ref` was imported before (idempotent)."""
    if Case.objects.filter(source_ref=o["ref"]).exists():
        return None
    item = ApprovalItem.objects.get(code=o["item"])
    submitted = datetime.fromisoformat(o["submitted_at"])
    accepted = datetime.fromisoformat(o["accepted_at"]) if o.get("accepted_at") else None
    result_at = datetime.fromisoformat(o["result_at"]) if o.get("result_at") else None
    delivered = datetime.fromisoformat(o["delivered_at"]) if o.get("delivered_at") else None
    pauses = o.get("suspensions", [])
    from wuquan.workdays.calendar import compute_deadline

    spans = [(p["from"], p.get("to")) for p in pauses]
    due = compute_deadline(accepted, item.promised_days, spans) if accepted else None
    result = o.get("result", "")
    finished = result in ("approved", "denied") and (delivered or result_at)
    status = (
        CaseStatus.WITHDRAWN
        if result == "withdrawn"
        else CaseStatus.FINISHED
        if finished
        else CaseStatus.SUSPENDED
        if any(not p.get("to") for p in pauses)
        else CaseStatus.RUNNING
        if accepted
        else CaseStatus.SUBMITTED
    )
    case = Case.objects.create(
        item=item,
        flow=item.published_flow(),
        unit=item.unit,
        channel=Channel.IMPORT,
        status=status,
        application_no=o.get("application_no") or f"IMP-{o['ref']}"[:32],
        receipt_no=o.get("receipt_no") or None,
        applicant_name=o["applicant_name"],
        title=o.get("title", ""),
        data=o.get("data", {}),
        submitted_at=submitted,
        accepted_at=accepted,
        promised_days=item.promised_days,
        due=due.due if due else None,
        provisional=bool(due and due.provisional),
        result=result or CaseResult.NONE,
        result_reason=o.get("result_reason", ""),
        result_at=result_at,
        certificate_no=o.get("certificate_no", ""),
        delivered_at=delivered,
        finished_at=(delivered or result_at)
        if status in (CaseStatus.FINISHED, CaseStatus.WITHDRAWN)
        else None,
        source_ref=o["ref"],
    )
    for m in item.materials.all():
        CaseMaterial.objects.create(case=case, material=m, status=MaterialStatus.PROVIDED)
    record(ACTOR, "approvals.case.submitted", case, _payload(case, channel="import"), at=submitted)
    if accepted:
        record(
            ACTOR,
            "approvals.case.accepted",
            case,
            _payload(case, step_kind="受理", due=case.due.isoformat() if case.due else None),
            at=accepted,
        )
    for k, s in enumerate(o.get("steps", []), 1):
        post = Post.objects.get(unit__code=s["unit"], code=s["post"])
        person = Person.objects.filter(code=s["person"]).first() if s.get("person") else None
        started = datetime.fromisoformat(s["started_at"])
        completed = datetime.fromisoformat(s["completed_at"]) if s.get("completed_at") else None
        step = CaseStep.objects.create(
            case=case,
            task_id=f"import-{k}",
            step_id=s.get("task", f"Imported_{k}"),
            name=s["name"],
            kind=s["kind"],
            unit=post.unit,
            post=post,
            limit_days=int(s.get("limit_days", 0)),
            state=StepState.DONE if completed else StepState.READY,
            person=person,
            opinion=s.get("opinion", ""),
            started_at=started,
            completed_at=completed,
            deadline=compute_deadline(started, int(s.get("limit_days", 0))).due,
        )
        if completed:
            holds = bool(
                person
                and posts_held(person, timezone.localdate(completed)).filter(pk=post.pk).exists()
            )
            action = (
                "approvals.case.result"
                if s["kind"] in ("审批", "决定") and result in ("approved", "denied")
                else "approvals.case.delivered"
                if s["kind"] == "送达"
                else "approvals.case.accepted"
                if s["kind"] == "受理"
                else "approvals.step.completed"
            )
            if action == "approvals.case.accepted" and accepted:
                action = "approvals.step.completed"  # why: acceptance already recorded above
            ev = record(
                ACTOR,
                action,
                step,
                _payload(
                    case,
                    step_id=step.pk,
                    task=step.step_id,
                    step_name=step.name,
                    step_kind=step.kind,
                    post_id=post.pk,
                    unit_id=post.unit_id,
                    person_id=person.pk if person else None,
                    user=None,
                    holds_post=holds,
                    opinion=step.opinion[:500],
                    **(
                        {
                            "result": result,
                            "accepted": accepted is not None,
                            "certificate_no": case.certificate_no,
                        }
                        if action == "approvals.case.result"
                        else {}
                    ),
                ),
                at=completed,
            )
            step.event_index = ev.index
            step.save(update_fields=["event_index"])
    has_result_step = case.steps.filter(kind__in=("审批", "决定")).exists()
    if result in ("approved", "denied") and not has_result_step:
        record(
            ACTOR,
            "approvals.case.result",
            case,
            _payload(
                case,
                result=result,
                accepted=accepted is not None,
                certificate_no=case.certificate_no,
                step_kind=None,
            ),
            at=result_at,
        )
    if result == "withdrawn":
        record(
            ACTOR,
            "approvals.case.withdrawn",
            case,
            _payload(case, reason=case.result_reason),
            at=result_at,
        )
    for p in pauses:
        pause = Suspension.objects.create(
            case=case,
            kind=p["kind"],
            reason=p["reason"],
            started_at=datetime.fromisoformat(p["from"]),
            started_by=ACTOR,
            ended_at=datetime.fromisoformat(p["to"]) if p.get("to") else None,
            ended_by=ACTOR if p.get("to") else "",
        )
        record(
            ACTOR,
            "approvals.case.suspended",
            case,
            _payload(case, suspension_id=pause.pk, kind=pause.kind, reason=pause.reason),
            at=pause.started_at,
        )
        if pause.ended_at:
            record(
                ACTOR,
                "approvals.case.resumed",
                case,
                _payload(case, suspension_id=pause.pk, kind=pause.kind),
                at=pause.ended_at,
            )
    for f in o.get("fees", []):
        fee = Fee.objects.filter(code=f["fee"]).first() if f.get("fee") else None
        amount = Decimal(str(f["amount"])).quantize(Decimal("0.01"))
        in_catalog = bool(fee and fee.item_id == item.pk and fee.amount == amount)
        charge = Charge.objects.create(
            case=case,
            fee=fee,
            fee_name=f.get("name") or (fee.name if fee else ""),
            amount=amount,
            charged_at=datetime.fromisoformat(f["at"]),
            charged_by=f.get("by", ACTOR),
        )
        ev = record(
            ACTOR,
            "approvals.fee.charged",
            charge,
            _payload(
                case,
                fee_id=fee.pk if fee else None,
                fee_code=fee.code if fee else None,
                fee_name=charge.fee_name,
                amount=str(amount),
                catalog_amount=str(fee.amount) if fee else None,
                in_catalog=in_catalog,
            ),
            at=charge.charged_at,
        )
        charge.event_index = ev.index
        charge.save(update_fields=["event_index"])
    return case


IMPORTERS = {
    "unit": _import_unit,
    "post": _import_post,
    "person": _import_person,
    "item": _import_item,
    "case": lambda o: import_case(o) is not None,
}


# ---- export ---------------------------------------------------------------------------------


def _iso(v) -> str | None:
    return v.isoformat() if v else None


def export_lines(cases: bool = True):
    """Yield the lines of a complete export: header, units, posts, persons, items, cases."""
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
        }
    if not cases:
        return
    for c in (
        Case.objects.select_related("item")
        .prefetch_related("steps__post__unit", "steps__person", "charges__fee", "suspensions")
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
                }
                for p in c.suspensions.all()
            ],
        }


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)

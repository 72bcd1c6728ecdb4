"""Writes of the approval platform (APR-1..8): submit, accept or refuse, claim and complete
steps, suspend and resume the clock, charge fees, withdraw, consult.

Every function here is one exercise of power: it checks who may do it, changes state and
records exactly ONE ledger event, all in one transaction. Event payloads carry what the
supervision rules need (docs/approvals.md lists them): case, item, step, step kind, post,
unit, user and person, fee and amount, materials demanded.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.catalog import fields as catalog_fields
from wuquan.catalog import flows
from wuquan.catalog.models import ApprovalItem, Fee, ItemStatus, Material, MaterialReuse
from wuquan.common import sms
from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.common.identity import clean_applicant
from wuquan.common.inputs import LONG_TEXT_MAX, SHORT_TEXT_MAX, check_flat_data, check_text
from wuquan.common.uploads import check_upload
from wuquan.ledger import record
from wuquan.org import roles
from wuquan.org.models import Post, Unit
from wuquan.org.selectors import person_of, posts_held, role_names
from wuquan.workdays import services as deadlines
from wuquan.workdays.calendar import compute_deadline

from . import engine, events, locking
from .models import (
    OPEN_STATUSES,
    ApiToken,
    Case,
    CaseMaterial,
    CaseResult,
    CaseStatus,
    CaseStep,
    Channel,
    Charge,
    Consultation,
    DailySequence,
    MaterialStatus,
    StepState,
    Suspension,
    SuspensionKind,
)
from .selectors import _hash_code, _token_hash, acceptance_step

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the window
CODE_LENGTH = 8
RECEIPT_PREFIX = getattr(settings, "WUQUAN_RECEIPT_PREFIX", "LT")
DECISION_KINDS = ("审批", "决定")
ACCEPT_KIND = "受理"
DELIVERY_KIND = "送达"
IMPORT_ACTOR = "system:import"


# ---- helpers ---------------------------------------------------------------------------------


def _when(at: datetime | None) -> datetime:
    when = at or timezone.now()
    if timezone.is_naive(when):
        raise InvalidInput(_("时间必须带时区"), field="at")
    return when


def next_number(kind: str, prefix: str, at: datetime) -> str:
    """`PREFIX-YYYYMMDD-NNNN`, a per-day sequence incremented under a row lock (APR-1)."""
    day = timezone.localdate(at)
    if not DailySequence.objects.filter(kind=kind, day=day).exists():
        try:
            with transaction.atomic():
                DailySequence.objects.create(kind=kind, day=day, last=0)
        except IntegrityError:
            pass  # why: another transaction created today's row first; we increment it below.
    DailySequence.objects.filter(kind=kind, day=day).update(last=F("last") + 1)
    n = DailySequence.objects.select_for_update().get(kind=kind, day=day).last
    return f"{prefix}-{day:%Y%m%d}-{n:04d}"


def _new_code(case: Case) -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    case.query_salt = secrets.token_hex(8)
    case.query_hash = _hash_code(case.query_salt, code)
    return code


def _person(user):
    """The user's Person, memoised on the user object for the length of a request/action."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_wuquan_person", False)
    if cached is False:
        cached = person_of(user)
        user._wuquan_person = cached
    return cached


def _person_id(user) -> int | None:
    person = _person(user)
    return person.pk if person else None


def holds_post(user, post: Post, at: datetime) -> bool:
    person = _person(user)
    return (
        person is not None
        and posts_held(person, timezone.localdate(at)).filter(pk=post.pk).exists()
    )


def require_post(user, post: Post, at: datetime) -> None:
    """APR-3: a step is done only by someone holding its post (on the day it is done)."""
    if not holds_post(user, post, at):
        raise NotPermitted(
            _("该环节须由“%(post)s”岗位办理；您（%(user)s）在%(day)s未在此岗位任职，未作任何更改。")
            % {
                "post": post,
                "user": getattr(user, "get_username", lambda: str(user))(),
                "day": timezone.localdate(at).isoformat(),
            },
            field="post",
        )


@dataclass(frozen=True)
class ImportedHistory:
    """History from a legacy system replayed through the live services (`wuquan import`,
    docs/exchange-format.md) — the ONE way a service accepts what a live call would refuse
    (AUD-1, APR-2, APR-5, SUP-2; docs/decisions/0010-one-write-path.md).

    Passed as `history=` to a service, it changes only this: who acted is `person` (the
    file's person code, who may have no account), checks of the acting party are not made but
    their outcome is recorded — a step by someone not holding its post (`holds_post: false`),
    a fee outside the catalog or off its standard (`in_catalog: false`), a result with no
    acceptance (`accepted: false`) — the legacy numbers are kept, and every payload carries
    the import marker (`source: "import"`, `source_ref`). Deadlines, provisional marks, pauses
    and the events themselves are computed by the same code as live work."""

    source_ref: str
    person: Any = None  # org.Person who acted (None: not named in the source)
    by: str = ""  # the username the source names (a fee's `by`), kept in the payload
    application_no: str = ""
    receipt_no: str = ""

    def acting(self, person=None, by: str = "") -> ImportedHistory:
        return replace(self, person=person, by=by)


def _marked(payload: dict, history: ImportedHistory | None) -> dict:
    if history is not None:
        payload.update(events.import_marker(history.source_ref))
    return payload


def _acting_user(actor, history: ImportedHistory | None):
    """The account behind the act (the FK columns `completed_by`, `accepted_by`…)."""
    if history is None:
        return actor if getattr(actor, "is_authenticated", False) else None
    person = history.person
    return person.user if person is not None and person.user_id else None


def _acting_person_id(actor, history: ImportedHistory | None) -> int | None:
    if history is None:
        return _person_id(actor)
    return history.person.pk if history.person is not None else None


def _label(actor, history: ImportedHistory | None = None) -> str:
    """A short text naming who acted (Suspension.started_by, Charge.charged_by…)."""
    if history is not None:
        user = _acting_user(actor, history)
        return history.by or (user.get_username() if user else IMPORT_ACTOR)
    return actor if isinstance(actor, str) else actor.get_username()


def _person_holds(person_id: int | None, post: Post, at: datetime) -> bool:
    if person_id is None:
        return False
    return (
        Post.objects.filter(pk=post.pk)
        .filter(
            Q(appointments__end__isnull=True) | Q(appointments__end__gte=timezone.localdate(at)),
            appointments__person_id=person_id,
            appointments__start__lte=timezone.localdate(at),
        )
        .exists()
    )


def _check_post(actor, post: Post, at: datetime, history: ImportedHistory | None) -> bool:
    """APR-3 for a live act (refused unless the actor holds the post); for history, whether
    the named person held it (recorded as `holds_post`, never refused)."""
    if history is None:
        require_post(actor, post, at)
        return True
    return _person_holds(_acting_person_id(actor, history), post, at)


def _suspension_spans(case: Case) -> list[tuple[datetime, datetime | None]]:
    return [(s.started_at, s.ended_at) for s in case.suspensions.all()]


def _step_deadline(step: CaseStep, spans) -> None:
    relevant = [(a, b) for a, b in spans if b is None or b > step.started_at]
    result = compute_deadline(step.started_at, step.limit_days, relevant)
    step.deadline = result.due
    step.provisional = result.provisional


def _post_for(step) -> Post:
    post = (
        Post.objects.select_related("unit")
        .filter(unit__code=step.unit_code, code=step.post_code)
        .first()
    )
    if post is None:
        raise RuleViolation(
            _("流程环节“%(name)s”的岗位 %(unit)s/%(post)s 不存在，请先在组织机构中设置。")
            % {"name": step.name, "unit": step.unit_code, "post": step.post_code}
        )
    return post


def sync_steps(
    case: Case, workflow, at: datetime, open_steps: list[CaseStep] | None = None
) -> list[CaseStep]:
    """Mirror the workflow's ready user tasks into CaseStep rows; open rows whose task is no
    longer ready (cancelled branches) become cancelled. Returns the new rows.

    `open_steps`: the case's open rows when the caller already read them under the case lock
    (saves a query per transition); read here otherwise."""
    ready = {str(t.id): t for t in engine.ready_tasks(workflow)}
    if open_steps is None:
        open_steps = case.steps.filter(state__in=(StepState.READY, StepState.CLAIMED))
    open_rows = {s.task_id: s for s in open_steps}
    for task_id, row in open_rows.items():
        if task_id not in ready:
            row.state = StepState.CANCELLED
            row.save(update_fields=["state"])
    smap = None
    spans = None
    created = []
    for task_id, task in ready.items():
        if task_id in open_rows:
            continue
        if smap is None:
            smap = flows.step_map(case.flow)
        meta = smap[task.task_spec.name]
        post = _post_for(meta)
        step = CaseStep(
            case=case,
            task_id=task_id,
            step_id=meta.id,
            name=meta.name,
            kind=meta.kind,
            unit_id=post.unit_id,
            post=post,
            limit_days=meta.limit_days,
            started_at=at,
        )
        if spans is None:
            spans = _suspension_spans(case)
        _step_deadline(step, spans)
        step.save()
        created.append(step)
    return created


def _refresh_deadlines(case: Case) -> None:
    """Copy the case deadline and recompute open steps' deadlines after a pause or a move."""
    if case.deadline_id:
        case.deadline.refresh_from_db()
        case.due = case.deadline.due
        case.provisional = case.deadline.provisional
    spans = _suspension_spans(case)
    for step in case.steps.filter(state__in=(StepState.READY, StepState.CLAIMED)):
        _step_deadline(step, spans)
        step.save(update_fields=["deadline", "provisional"])


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock: concurrent transitions of one case serialise."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "flow", "deadline")
        # why: the BPMN text is read only when the flow's parsed spec is not cached yet
        # (flows.graph_of / new_workflow key on id + checksum); deferred, it loads on demand.
        .defer("flow__bpmn_xml")
        .get(pk=case.pk)
    )


def _condition_data(version, raw: dict, item: ApprovalItem | None = None) -> dict:
    """The application-form fields, checked and typed: the catalog's form fields of the item
    (Chinese labels in every message, issue 12 finding 2) and every name the flow's conditions
    read (APR-3 routing). The first error is raised; forms show all of them beforehand
    (`catalog.fields.validate`)."""
    specs = catalog_fields.form_fields(item or version.item, version)
    clean, errors = catalog_fields.validate(specs, raw or {})
    if errors:
        name, message = next(iter(errors.items()))
        raise InvalidInput(message, field=name)
    return clean


def _payload_data(version, data: dict) -> dict:
    """What of the form goes into the event: numbers, yes/no and choices, never free text
    (a text field may hold personal data)."""
    specs = {s.name: s for s in catalog_fields.form_fields(version.item, version)}
    return {k: v for k, v in data.items() if k in specs and not specs[k].is_text}


# ---- application and acceptance (APR-1) -------------------------------------------------------


@dataclass
class Submitted:
    case: Case
    query_code: str  # shown once to the applicant, never stored in clear


@transaction.atomic
def do_submit_application(
    item: ApprovalItem,
    *,
    applicant_name: str,
    applicant_id_number: str = "",
    applicant_phone: str = "",
    title: str = "",
    data: dict | None = None,
    files: dict | None = None,
    channel: str = Channel.ONLINE,
    actor=None,
    at: datetime | None = None,
    materials_later: bool = False,
    history: ImportedHistory | None = None,
) -> Submitted:
    """An application through the one online entrance or at the window (APR-1, APR-7).

    Online, every catalog material the applicant must bring (reuse = none) needs a file;
    materials the records or an earlier step already hold are marked reused (CAT-5). At the
    window the clerk checks materials at acceptance. Gives an application number and a query
    code; records `approvals.case.submitted`. `actor`: the window user, or None (the
    applicant online). `history`: an imported case (channel `import`, its legacy numbers, the
    materials it was accepted with taken as provided).
    """
    when = _when(at)
    if item.status != ItemStatus.RETAINED:
        raise RuleViolation(_("事项“%(n)s”已不在保留目录内，不能申请。") % {"n": item.name})
    version = item.published_flow()
    if version is None:
        raise RuleViolation(_("事项“%(n)s”尚无已发布的办理流程。") % {"n": item.name})
    # why: one check for the portal, the window and the API (issue 12 finding 4, issue 13
    # finding 6): PostgreSQL refused over-long or NUL values with a 500, SQLite stored them.
    applicant_name, applicant_id_number, applicant_phone = clean_applicant(
        applicant_name, applicant_id_number, applicant_phone
    )
    title = check_text(title, field="title", max_length=SHORT_TEXT_MAX, label=_("申请事由"))
    check_flat_data(data if isinstance(data, dict) else dict(data or {}))
    if history is not None:
        channel = Channel.IMPORT
    if channel == Channel.WINDOW and roles.WINDOW not in role_names(actor):
        raise NotPermitted(_("窗口登记申请须由窗口受理人员办理。"))
    files = files or {}
    materials = list(item.materials.all())
    known = {m.pk for m in materials}
    unknown = [k for k in files if int(k) not in known]
    if unknown:
        raise RuleViolation(_("所附材料不在本事项的申报材料目录内。"), field="materials")
    if channel == Channel.ONLINE and not materials_later and history is None:
        missing = [
            m.name for m in materials if m.reuse == MaterialReuse.NONE and not files.get(m.pk)
        ]
        if missing:
            raise InvalidInput(
                _("缺少申报材料：%(m)s。未作任何提交。") % {"m": "、".join(missing)},
                field="materials",
            )
    by_pk = {m.pk: m for m in materials}
    checked = {
        int(k): check_upload(f, field=f"material-{int(k)}", label=by_pk[int(k)].name)
        for k, f in files.items()
    }
    cond = _condition_data(version, data or {}, item)
    case = Case(
        item=item,
        flow=version,
        unit=item.unit,
        channel=channel,
        application_no=(history and history.application_no)
        or next_number("application", "SQ", when),
        applicant_name=applicant_name,
        applicant_id_number=applicant_id_number,
        applicant_phone=applicant_phone,
        title=title,
        data=cond,
        submitted_at=when,
        submitted_by=actor if channel == Channel.WINDOW else None,
        promised_days=item.promised_days,
        source_ref=history.source_ref if history else "",
    )
    code = _new_code(case)
    workflow = engine.start(version, cond)
    case.workflow_state = engine.dump(workflow)
    case.save()
    for m in materials:
        f = files.get(m.pk) or files.get(str(m.pk))
        status = (
            MaterialStatus.PROVIDED
            if f or (history is not None and m.reuse == MaterialReuse.NONE)
            else MaterialStatus.REUSED
            if m.reuse != MaterialReuse.NONE
            else MaterialStatus.MISSING
        )
        cm = CaseMaterial(case=case, material=m, status=status)
        if f:
            cm.file.save(getattr(f, "name", m.name) or m.name, f, save=False)
            cm.sha256, cm.size = checked[m.pk].sha256, checked[m.pk].size
        cm.save()
    sync_steps(case, workflow, when)
    payload = events.case_submitted(
        case,
        channel=channel,
        materials={str(cm.material_id): cm.status for cm in case.materials.all()},
        data=_payload_data(version, cond),
        # the SHA-256 of each file uploaded, as stored beside it (issue 12, finding 1)
        material_sha256={str(k): c.sha256 for k, c in sorted(checked.items())},
    )
    who = IMPORT_ACTOR if history else actor or f"applicant:{case.application_no}"
    record(who, events.SUBMITTED, case, _marked(payload, history), at=when)
    if history is None:
        sms.send_after_commit(case.applicant_phone, _code_sms(case, code))
    return Submitted(case, code)


def _code_sms(case: Case, code: str) -> str:
    return _("【龙潭区政务服务】您的“%(item)s”申请编号 %(no)s，查询码 %(code)s，请妥善保管。") % {
        "item": case.item.name,
        "no": case.number,
        "code": code,
    }


def normalise_id(text: str) -> str:
    """An identity number as typed: full-width characters folded, spaces dropped, upper case."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text or "").split()).upper()


@transaction.atomic
def do_reissue_query_code(
    case: Case,
    *,
    id_number: str,
    actor,
    at: datetime | None = None,
    send_sms: bool = True,
) -> str:
    """Re-issue a lost query code at the window (issue 12, finding 3; APR-9): a window clerk
    checks the applicant's identity document against the number recorded with the application;
    the old code stops working; the new one is shown once, printed on the notice and sent by SMS
    to the phone on record. Records `approvals.case.code_reissued` (no code, no identity number
    in the payload)."""
    when = _when(at)
    if roles.WINDOW not in role_names(actor):
        raise NotPermitted(_("查询码只能由窗口受理人员核验身份后重新发放。"))
    case = _lock(case)
    if not case.applicant_id_number:
        raise RuleViolation(
            _("该办件申请时未登记证件号码，无法核验身份；请申请人持身份证明到实施机关办理。"),
            field="id_number",
        )
    if not normalise_id(id_number):
        raise InvalidInput(_("请填写申请人出示的证件号码。"), field="id_number")
    if not hmac.compare_digest(normalise_id(id_number), normalise_id(case.applicant_id_number)):
        raise RuleViolation(
            _("证件号码与申请时登记的不一致，不能重新发放查询码。"), field="id_number"
        )
    code = _new_code(case)
    case.save(update_fields=["query_salt", "query_hash"])
    sent = bool(send_sms) and sms.send_after_commit(case.applicant_phone, _code_sms(case, code))
    record(
        actor,
        "approvals.case.code_reissued",
        case,
        {**events.case_payload(case), "identity_checked": "id_document", "sms_sent": sent},
        at=when,
    )
    return code


@transaction.atomic
def do_accept_case(
    case: Case,
    materials: dict | None = None,
    note: str = "",
    *,
    actor: User | str,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Case:
    """受理 at the window (APR-1, APR-2, CAT-5): the clerk holding the window post marks each
    catalog material provided, reused (held by an earlier step or the records) or not needed;
    nothing outside the catalog can be marked. Gives the receipt number and starts the promised
    deadline in working days. Records `approvals.case.accepted`."""
    when = _when(at)
    user = _acting_user(actor, history)
    case = _lock(case)
    if case.status != CaseStatus.SUBMITTED:
        raise RuleViolation(
            _("办件当前状态为“%(s)s”，不能受理。") % {"s": case.get_status_display()}
        )
    step = acceptance_step(case)
    if step is None:
        raise RuleViolation(_("办件没有待办的受理环节。"))
    holds = _check_post(actor, step.post, when, history)
    rows = {cm.material_id: cm for cm in case.materials.select_related("material")}
    for key, status in (materials or {}).items():
        cm = rows.get(int(key))
        if cm is None:
            raise RuleViolation(
                _("不得要求或登记本事项申报材料目录以外的材料（编号 %(k)s）。") % {"k": key},
                field="materials",
            )
        if status not in (
            MaterialStatus.PROVIDED,
            MaterialStatus.REUSED,
            MaterialStatus.NOT_NEEDED,
        ):
            raise InvalidInput(_("材料状态无效：%(s)s") % {"s": status}, field="materials")
        cm.status = status
        cm.save(update_fields=["status", "updated_at"])
    missing = [cm.material.name for cm in rows.values() if cm.status == MaterialStatus.MISSING]
    if missing:
        raise InvalidInput(
            _("材料不齐，不能受理：%(m)s。请一次性告知申请人补齐，或不予受理并说明理由。")
            % {"m": "、".join(missing)},
            field="materials",
        )
    workflow = engine.load(case.workflow_state)
    engine.run_task(workflow, step.task_id, {**case.data})
    step.state = StepState.DONE
    step.completed_by = user
    step.claimed_by = step.claimed_by or user
    step.person_id = _acting_person_id(actor, history)
    step.opinion = note or _("材料齐全，予以受理。")
    step.completed_at = when
    case.status = CaseStatus.RUNNING
    case.accepted_at = when
    case.accepted_by = user
    case.receipt_no = (history and history.receipt_no) or next_number(
        "receipt", RECEIPT_PREFIX, when
    )
    tracked = deadlines.track_deadline(case, "promised", when, case.promised_days, owner=user)
    case.deadline = tracked
    case.due = tracked.due
    case.provisional = tracked.provisional
    case.workflow_state = engine.dump(workflow)
    case.save()
    step.save()
    sync_steps(case, workflow, when)
    payload = events.case_accepted(
        step,
        user=user,
        person_id=step.person_id,
        holds_post=holds,
        materials={str(k): cm.status for k, cm in rows.items()},
    )
    event = record(
        IMPORT_ACTOR if history else actor,
        events.ACCEPTED,
        case,
        _marked(payload, history),
        at=when,
    )
    step.event_index = event.index
    step.save()
    return case


@transaction.atomic
def do_refuse_case(case: Case, reason: str, *, actor: User, at: datetime | None = None) -> Case:
    """不予受理 with a stated reason (APR-1). An empty reason is refused."""
    when = _when(at)
    user = actor
    if not (reason or "").strip():
        raise InvalidInput(_("不予受理必须说明理由。"), field="reason")
    case = _lock(case)
    if case.status != CaseStatus.SUBMITTED:
        raise RuleViolation(
            _("办件当前状态为“%(s)s”，不能作不予受理。") % {"s": case.get_status_display()}
        )
    step = acceptance_step(case)
    if step is None:
        raise RuleViolation(_("办件没有待办的受理环节。"))
    require_post(user, step.post, when)
    workflow = engine.load(case.workflow_state)
    engine.cancel(workflow)
    case.workflow_state = engine.dump(workflow)
    case.status = CaseStatus.NOT_ACCEPTED
    case.refusal_reason = reason.strip()
    case.finished_at = when
    case.save()
    step.state = StepState.CANCELLED
    step.opinion = reason.strip()
    step.completed_by = user
    step.person_id = _person_id(user)
    step.completed_at = when
    payload = events.case_refused(step, user=user, person_id=step.person_id, reason=reason.strip())
    event = record(user, events.REFUSED, case, payload, at=when)
    step.event_index = event.index
    step.save()
    return case


# ---- steps (APR-3, APR-4, APR-6) --------------------------------------------------------------


@transaction.atomic
def do_claim_step(step: CaseStep, *, actor: User, at: datetime | None = None) -> CaseStep:
    """Claim a ready step: only a holder of its post; records `approvals.step.claimed`."""
    when = _when(at)
    user = actor
    _lock(step.case)
    step = CaseStep.objects.select_related("case__item", "post__unit").get(pk=step.pk)
    if step.state == StepState.CLAIMED:
        raise RuleViolation(
            _("该环节已由他人认领。") if step.claimed_by_id != user.pk else _("您已认领该环节。")
        )
    if step.state != StepState.READY:
        raise RuleViolation(_("该环节已办结或已取消，不能认领。"))
    require_post(user, step.post, when)
    step.state = StepState.CLAIMED
    step.claimed_by = user
    step.claimed_at = when
    step.save(update_fields=["state", "claimed_by", "claimed_at"])
    payload = events.step_claimed(step, user=user, person_id=_person_id(user))
    record(user, events.STEP_CLAIMED, step, payload, at=when)
    return step


def _next_certificate(case: Case, when: datetime) -> str:
    return next_number(f"cert-{case.item.code}"[:20], case.item.code.upper(), when)


# the Case columns a step completion may change (saved alone: the row is locked and fresh)
COMPLETION_FIELDS = [
    "workflow_state",
    "status",
    "finished_at",
    "result",
    "result_reason",
    "result_at",
    "certificate_no",
    "delivered_at",
]

STEP_COMPLETION_FIELDS = [
    "state",
    "claimed_by",
    "claimed_at",
    "completed_by",
    "person",
    "opinion",
    "attachment",
    "attachment_sha256",
    "completed_at",
    "event_index",
]


@transaction.atomic
def do_complete_step(
    step: CaseStep,
    opinion: str,
    *,
    actor: User | str,
    decision: str = "",
    reason: str = "",
    certificate_no: str = "",
    attachment=None,
    at: datetime | None = None,
    source: str = "",
    history: ImportedHistory | None = None,
) -> CaseStep:
    """Complete a step with an opinion (APR-3). Only a holder of the step's post; a step done
    is never done twice; a suspended case waits. On a 审批/决定 step `decision` is
    "approve" or "deny" (deny needs a reason) and sets the result; a 送达 step delivers.
    Parallel branches (并联审批) become ready together and join in the engine (APR-4).

    Records one event: `approvals.case.result` (decision steps), `approvals.case.delivered`
    (送达) or `approvals.step.completed` (every other step).

    `history`: an imported completion — by the named person, flagged `holds_post: false` when
    they did not hold the post; an empty opinion is kept as it was; and an imported case that
    was never formally accepted may pass its 受理 step here (no receipt, no promised deadline:
    its result is then flagged `accepted: false`)."""
    when = _when(at)
    user = _acting_user(actor, history)
    # why: two reads, in SQL built once (locking.py: the ORM's compilation was a fifth of the
    # transition): the case under its lock, then the step and the case's other open rows
    # (sync_steps needs them), each row saying whether the user is appointed to its post that
    # day (no query of its own; the step's post is loaded only if `require_post` must decide,
    # with its error message)
    case = locking.lock_case_for_step(step.case_id)
    person_id = _acting_person_id(actor, history)
    rows = locking.step_and_open_steps(step.pk, case.pk, person_id, timezone.localdate(when))
    step = next((r for r in rows if r.pk == step.pk), None)
    if step is None:
        raise CaseStep.DoesNotExist("CaseStep matching query does not exist.")
    others_open = [r for r in rows if r.pk != step.pk]
    step.case = case
    if step.state == StepState.DONE:
        raise RuleViolation(
            _("该环节已于 %(t)s 办结，不能重复办理。")
            % {"t": f"{timezone.localtime(step.completed_at):%Y-%m-%d %H:%M}"}
        )
    if step.state == StepState.CANCELLED:
        raise RuleViolation(_("该环节已取消，不能办理。"))
    unaccepted = (
        history is not None and step.kind == ACCEPT_KIND and case.status == CaseStatus.SUBMITTED
    )
    if step.kind == ACCEPT_KIND and not unaccepted:
        raise RuleViolation(_("受理环节请通过“受理/不予受理”办理。"))
    if case.status == CaseStatus.SUSPENDED:
        raise RuleViolation(
            _("办件正在中止计时（%(r)s），恢复后才能继续办理。")
            % {
                "r": case.suspensions.filter(ended_at__isnull=True)
                .values_list("reason", flat=True)
                .first()
            }
        )
    if case.status != CaseStatus.RUNNING and not unaccepted:
        raise RuleViolation(
            _("办件当前状态为“%(s)s”，不能办理。") % {"s": case.get_status_display()}
        )
    if (
        history is None
        and step.state == StepState.CLAIMED
        and step.claimed_by_id != getattr(user, "pk", None)
    ):
        raise NotPermitted(_("该环节已由他人认领，只能由认领人办理。"))
    holds = bool(getattr(step, "appointed", False))
    if not holds and history is None:
        require_post(user, step.post, when)
        holds = True
    checked = check_upload(attachment, field="attachment") if attachment is not None else None
    opinion = (opinion or "").strip()
    if not opinion and step.kind != DELIVERY_KIND and history is None:
        raise InvalidInput(_("请填写办理意见。"), field="opinion")
    is_decision = step.kind in DECISION_KINDS
    if is_decision:
        if decision not in ("approve", "deny"):
            raise InvalidInput(_("请选择准予许可或不予许可。"), field="decision")
        if decision == "deny" and not (reason or opinion):
            raise InvalidInput(_("不予许可必须说明理由。"), field="reason")
    workflow = engine.load(case.workflow_state)
    if engine.find_ready(workflow, step.task_id) is None:
        raise RuleViolation(_("流程中该环节不处于待办状态。"))
    engine.run_task(workflow, step.task_id, {**case.data, "decision": decision or None})
    step.state = StepState.DONE
    step.claimed_by = step.claimed_by or user
    step.claimed_at = step.claimed_at or when
    step.completed_by = user
    step.person_id = person_id
    step.opinion = opinion
    step.completed_at = when
    if attachment is not None:
        step.attachment.save(getattr(attachment, "name", "attachment"), attachment, save=False)
        step.attachment_sha256 = checked.sha256
    if unaccepted:
        case.status = CaseStatus.RUNNING
    # why holds_post always: the APR-3 rule then needs no query of its own
    done = {"user": user, "person_id": person_id, "holds_post": holds, "opinion": opinion}
    build = events.step_done
    action = events.STEP_COMPLETED
    if is_decision:
        action = events.RESULT
        build = events.case_result
        case.result = CaseResult.APPROVED if decision == "approve" else CaseResult.DENIED
        case.result_reason = (reason or opinion).strip() if decision == "deny" else ""
        case.result_at = when
        if decision == "approve":
            case.certificate_no = certificate_no.strip() or _next_certificate(case, when)
    elif step.kind == DELIVERY_KIND:
        action = events.DELIVERED
        build = events.case_delivered
        case.delivered_at = when
    payload = build(step, **done)
    if checked is not None:
        payload["attachment_sha256"] = checked.sha256
    if source:
        payload["source"] = source
    _marked(payload, history)
    case.workflow_state = engine.dump(workflow)
    if workflow.is_completed():
        case.status = CaseStatus.FINISHED
        case.finished_at = when
        if case.deadline_id:
            deadlines.close_deadline(case.deadline, when)
        if case.due:
            payload["on_time"] = timezone.localdate(when) <= case.due
    case.save(update_fields=COMPLETION_FIELDS)
    sync_steps(case, workflow, when, others_open)
    event = record(IMPORT_ACTOR if history else actor, action, step, payload, at=when)
    step.event_index = event.index
    # why: once, with the event index (the rules never read this row's state); only the
    # columns a completion sets
    step.save(update_fields=STEP_COMPLETION_FIELDS)
    return step


# ---- the clock: 补正 and special procedures (APR-2) ------------------------------------------


def _may_pause(user, case: Case, when: datetime) -> bool:
    if roles.WINDOW in role_names(user):
        return True
    person = person_of(user)
    if person is None:
        return False
    held = set(posts_held(person, timezone.localdate(when)).values_list("pk", flat=True))
    return case.steps.filter(
        state__in=(StepState.READY, StepState.CLAIMED), post_id__in=held
    ).exists()


@transaction.atomic
def do_suspend_case(
    case: Case,
    kind: str,
    reason: str,
    demanded: list | None = None,
    *,
    actor: User | str,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Suspension:
    """Stop the clock (APR-2): 补正 (request for supplementary materials — only materials of
    the item's catalog that the applicant does not already have on record, CAT-5) or a
    special procedure (听证, 检验检测, 专家评审) with a stated reason. Step and case deadlines
    are pushed by the pause. Records `approvals.case.suspended`. `history`: an imported pause
    (who paused is not checked; a 补正 the source kept without its list of materials is
    imported with none)."""
    when = _when(at)
    user = _acting_user(actor, history)
    case = _lock(case)
    if kind not in SuspensionKind.values:
        raise InvalidInput(_("中止类型无效。"), field="kind")
    if not (reason or "").strip():
        raise InvalidInput(_("中止计时必须说明理由。"), field="reason")
    if case.status != CaseStatus.RUNNING:
        raise RuleViolation(
            _("只有办理中的办件才能中止计时（当前：%(s)s）。") % {"s": case.get_status_display()}
        )
    if history is None and not _may_pause(user, case, when):
        raise NotPermitted(_("只有当前环节岗位的办理人或窗口人员才能中止计时。"))
    materials = validate_demanded(case, demanded or [])
    if kind == SuspensionKind.SUPPLEMENT and not materials and history is None:
        raise InvalidInput(_("补正须列明需补正的材料。"), field="demanded")
    pause = Suspension.objects.create(
        case=case,
        kind=kind,
        reason=reason.strip(),
        started_at=when,
        started_by=_label(actor, history),
    )
    pause.demanded.set(materials)
    case.materials.filter(material__in=materials).update(status=MaterialStatus.DEMANDED)
    if case.deadline_id:
        deadlines.suspend_deadline(case.deadline, when)
    case.status = CaseStatus.SUSPENDED
    _refresh_deadlines(case)
    case.save()
    payload = events.case_suspended(
        pause, user=user, person_id=_acting_person_id(actor, history), materials=materials
    )
    record(
        IMPORT_ACTOR if history else actor,
        events.SUSPENDED,
        case,
        _marked(payload, history),
        at=when,
    )
    return pause


def validate_demanded(case: Case, demanded: list) -> list[Material]:
    """CAT-5: what the platform may demand — the item's catalog materials only, never one an
    earlier step or the records already hold (附件12 第三步 一、二). Accepts ids or names."""
    catalog = {m.pk: m for m in case.item.materials.all()}
    by_name = {m.name: m for m in catalog.values()}
    held = {
        cm.material_id
        for cm in case.materials.all()
        if cm.status in (MaterialStatus.REUSED, MaterialStatus.NOT_NEEDED)
    }
    out = []
    for d in demanded:
        m = by_name.get(d) if isinstance(d, str) and not str(d).isdigit() else catalog.get(int(d))
        if m is None:
            raise RuleViolation(
                _("不得要求申请人提交申报材料目录以外的材料：%(m)s。") % {"m": d}, field="demanded"
            )
        if m.reuse != MaterialReuse.NONE or m.pk in held:
            raise RuleViolation(
                _("“%(m)s”已由前一环节或已入库证照取得，不得再要求提交。") % {"m": m.name},
                field="demanded",
            )
        out.append(m)
    return out


@transaction.atomic
def do_resume_case(
    case: Case,
    note: str = "",
    files: dict | None = None,
    *,
    actor: User | str,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Suspension:
    """Restart the clock (APR-2). After 补正 the demanded materials must be supplied — by the
    applicant on the portal (actor = the string "applicant:<number>", files required) or at the
    window (a window user confirms receipt); a special procedure is ended by a holder of an open
    step's post. Records `approvals.case.resumed`. `history`: an imported resumption (who
    resumed is not checked)."""
    when = _when(at)
    case = _lock(case)
    pause = case.suspensions.filter(ended_at__isnull=True).first()
    if case.status != CaseStatus.SUSPENDED or pause is None:
        raise RuleViolation(_("办件没有中止计时，无需恢复。"))
    is_applicant = history is None and isinstance(actor, str) and actor.startswith("applicant:")
    files = files or {}
    demanded = list(pause.demanded.all())
    if is_applicant:
        if pause.kind != SuspensionKind.SUPPLEMENT:
            raise NotPermitted(_("特别程序的中止由承办单位结束，申请人无需操作。"))
        missing = [m.name for m in demanded if not files.get(m.pk)]
        if missing:
            raise InvalidInput(
                _("请上传需补正的材料：%(m)s。未作任何更改。") % {"m": "、".join(missing)},
                field="materials",
            )
    elif history is None and not _may_pause(actor, case, when):
        raise NotPermitted(_("只有当前环节岗位的办理人或窗口人员才能恢复计时。"))
    checked = {
        m.pk: check_upload(files[m.pk], field=f"material-{m.pk}", label=m.name)
        for m in demanded
        if files.get(m.pk)
    }
    if when < pause.started_at:
        raise InvalidInput(_("恢复时间不能早于中止时间。"), field="at")
    for m in demanded:
        cm = case.materials.get(material=m)
        cm.status = MaterialStatus.PROVIDED
        if files.get(m.pk):
            cm.file.save(getattr(files[m.pk], "name", m.name) or m.name, files[m.pk], save=False)
            cm.sha256, cm.size = checked[m.pk].sha256, checked[m.pk].size
        cm.save()
    pause.ended_at = when
    pause.ended_by = _label(actor, history)
    pause.resume_note = (note or "").strip()
    pause.save()
    if case.deadline_id:
        deadlines.resume_deadline(case.deadline, when)
    case.status = CaseStatus.RUNNING
    _refresh_deadlines(case)
    case.save()
    payload = events.case_resumed(
        pause,
        supplied=demanded,
        by_applicant=is_applicant,
        material_sha256={str(k): c.sha256 for k, c in sorted(checked.items())},
    )
    record(
        IMPORT_ACTOR if history else actor, events.RESUMED, case, _marked(payload, history), at=when
    )
    return pause


# ---- results, fees, withdrawal (APR-8) ---------------------------------------------------------


@transaction.atomic
def do_withdraw_case(
    case: Case,
    reason: str = "",
    *,
    actor: User | str,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Case:
    """The applicant withdraws (portal with the query code — `actor` "applicant:<number>" —
    or at the window). Records `approvals.case.withdrawn`."""
    when = _when(at)
    case = _lock(case)
    if not case.is_open:
        raise RuleViolation(_("办件已结束，不能撤回。"))
    workflow = engine.load(case.workflow_state)
    engine.cancel(workflow)
    case.workflow_state = engine.dump(workflow)
    pause = case.suspensions.filter(ended_at__isnull=True).first()
    if pause:
        pause.ended_at = when
        pause.ended_by = _label(actor, history)
        pause.resume_note = _("申请人撤回")
        pause.save()
    case.steps.filter(state__in=(StepState.READY, StepState.CLAIMED)).update(
        state=StepState.CANCELLED
    )
    case.status = CaseStatus.WITHDRAWN
    case.result = CaseResult.WITHDRAWN
    case.result_reason = (reason or "").strip()
    case.result_at = when
    case.finished_at = when
    if case.deadline_id:
        deadlines.close_deadline(case.deadline, when)
    case.save()
    payload = events.case_withdrawn(case, reason=case.result_reason)
    record(
        IMPORT_ACTOR if history else actor,
        events.WITHDRAWN,
        case,
        _marked(payload, history),
        at=when,
    )
    return case


@transaction.atomic
def do_charge_fee(
    case: Case,
    fee: Fee | None,
    amount,
    *,
    actor: User | str,
    at: datetime | None = None,
    name: str = "",
    history: ImportedHistory | None = None,
) -> Charge:
    """Charge a fee at the one window, only as the fee catalog allows (APR-8, 附件11 三(二)):
    the fee must be a catalog row of this item and the amount its standard. Records
    `approvals.fee.charged`.

    `history`: an imported charge, recorded as it happened — with no catalog fee (`fee` None,
    its `name` as the source gave it), another item's fee or another amount, on a case not
    accepted, twice — and flagged `in_catalog: false` unless it was the catalog's fee of this
    item at its standard."""
    when = _when(at)
    case = _lock(case)
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInput(_("金额无效。"), field="amount") from None
    if history is not None:
        return _charge(case, fee, value, when, actor, history, name=name)
    user = actor
    if fee is None:
        raise InvalidInput(_("请选择收费目录中的收费项目。"), field="fee")
    if roles.WINDOW not in role_names(user):
        raise NotPermitted(_("收费只能在政务服务中心窗口统一收取（须窗口受理人员）。"))
    if case.accepted_at is None or case.status in (CaseStatus.NOT_ACCEPTED, CaseStatus.WITHDRAWN):
        raise RuleViolation(_("未受理或已撤回的办件不能收费。"))
    if fee.item_id != case.item_id:
        raise RuleViolation(
            _("“%(f)s”不是本事项收费目录中的收费项目，不得收取。") % {"f": fee.name}, field="fee"
        )
    if value != fee.amount:
        raise RuleViolation(
            _("收费金额 %(a)s 元与收费目录标准 %(s)s 不符，不得收取。")
            % {"a": value, "s": fee.standard},
            field="amount",
        )
    if case.charges.filter(fee=fee).exists():
        raise RuleViolation(_("本件已收取“%(f)s”，不得重复收费。") % {"f": fee.name}, field="fee")
    return _charge(case, fee, value, when, actor, None)


def _charge(case, fee, value, when, actor, history, name: str = "") -> Charge:
    charge = Charge.objects.create(
        case=case,
        fee=fee,
        fee_name=name or (fee.name if fee else ""),
        amount=value,
        charged_at=when,
        charged_by=_label(actor, history),
    )
    in_catalog = bool(fee and fee.item_id == case.item_id and fee.amount == value)
    user = history.by if history else actor
    payload = events.fee_charged(
        charge, user=user, person_id=_acting_person_id(actor, history), in_catalog=in_catalog
    )
    event = record(
        IMPORT_ACTOR if history else actor,
        events.FEE_CHARGED,
        charge,
        _marked(payload, history),
        at=when,
    )
    charge.event_index = event.index
    charge.save(update_fields=["event_index"])
    return charge


# ---- consultation (APR-7) -------------------------------------------------------------------


@transaction.atomic
def do_ask_question(
    item: ApprovalItem,
    asker_name: str,
    question: str,
    contact: str = "",
    may_publish: bool = False,
    *,
    actor: str = "applicant:consultation",
    at: datetime | None = None,
) -> Consultation:
    """A question about an item from the public (APR-7); the asker's name and contact stay in
    the table, the event names only the item. Records `approvals.consultation.asked`."""
    when = _when(at)
    if not (question or "").strip():
        raise InvalidInput(_("请填写咨询内容。"), field="question")
    if not (asker_name or "").strip():
        raise InvalidInput(_("请填写称呼。"), field="asker_name")
    question = check_text(
        question, field="question", max_length=LONG_TEXT_MAX, label=_("咨询内容"), multiline=True
    )
    asker_name = check_text(asker_name, field="asker_name", max_length=60, label=_("称呼"))
    contact = check_text(contact, field="contact", max_length=60, label=_("联系方式"))
    c = Consultation.objects.create(
        item=item,
        asker_name=asker_name,
        asker_contact=contact,
        question=question,
        may_publish=bool(may_publish),
        asked_at=when,
    )
    record(actor, events.CONSULTATION_ASKED, c, events.consultation_asked(c), at=when)
    return c


@transaction.atomic
def do_answer_question(
    consultation: Consultation, answer: str, *, actor: User, at: datetime | None = None
) -> Consultation:
    """The item's unit answers (APR-7): a person holding a post in that unit. Records
    `approvals.consultation.answered`."""
    when = _when(at)
    user = actor
    if not (answer or "").strip():
        raise InvalidInput(_("请填写答复内容。"), field="answer")
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.answer:
        raise RuleViolation(_("该咨询已答复。"))
    person = person_of(user)
    post = (
        posts_held(person, timezone.localdate(when))
        .filter(unit_id=consultation.item.unit_id)
        .first()
        if person
        else None
    )
    if post is None:
        raise NotPermitted(_("只有事项实施机关的工作人员才能答复。"))
    consultation.answer = answer.strip()
    consultation.answered_at = when
    consultation.answered_by = user
    consultation.answered_post = post
    consultation.save()
    payload = events.consultation_answered(consultation, post=post)
    record(user, events.CONSULTATION_ANSWERED, consultation, payload, at=when)
    return consultation


# ---- machine tokens (department systems) -----------------------------------------------------


@transaction.atomic
def do_issue_api_token(
    unit: Unit, name: str, *, actor: User | str, at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A token for a department's own system; shown once, stored hashed. Records
    `approvals.token.issued`."""
    when = _when(at)
    raw = "wq_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        unit=unit, name=name.strip() or unit.name, token_hash=_token_hash(raw)
    )
    record(actor, events.TOKEN_ISSUED, token, events.token_issued(token), at=when)
    return token, raw


# ---- whoever approves supervises (APR-10, 附件11 二(四)) ----------------------------------


def inspection_population(unit: Unit, kind: str, period_start, period_end) -> list[int]:
    """The cases an inspection samples from, as sorted ids: for an after-the-fact audit the
    unit's cases finished (or refused) in the period; for an in-process inspection its cases
    submitted in the period and still open."""
    from .models import InspectionKind

    cases = Case.objects.filter(unit=unit)
    if kind == InspectionKind.AFTER_AUDIT:
        cases = cases.filter(finished_at__date__gte=period_start, finished_at__date__lte=period_end)
    else:
        cases = cases.filter(
            submitted_at__date__gte=period_start,
            submitted_at__date__lte=period_end,
            status__in=OPEN_STATUSES,
        )
    return sorted(cases.values_list("pk", flat=True))


def draw_sample(seed: str, population: list[int], size: int) -> list[int]:
    """The sample a seed draws: anyone holding the event (seed, population) can redraw it."""
    import random

    rng = random.Random(int(seed, 16))
    return sorted(rng.sample(population, min(size, len(population))))


@transaction.atomic
def do_open_approval_inspection(
    unit: Unit,
    kind: str,
    period_start,
    period_end,
    sample_size: int,
    *,
    actor,
    at: datetime | None = None,
):
    """The approving unit opens an inspection of its own cases (谁审批、谁监管, 附件11 二(四))
    and draws its sample. The seed is the log's root before the draw, chained with the unit
    and the period, so nobody could pick the cases; the event carries the seed, a digest of
    the population and the sample, so anyone can redraw it (draw_sample)."""
    from wuquan.ledger.selectors import tree_head

    from .models import ApprovalInspection, InspectionKind

    when = _when(at)
    if kind not in InspectionKind.values:
        raise InvalidInput(_("未知的检查类别。"), field="kind")
    if period_end < period_start:
        raise InvalidInput(_("截止日期不能早于起始日期。"), field="period_end")
    if not 1 <= int(sample_size) <= 500:
        raise InvalidInput(_("抽查件数须在 1 到 500 之间。"), field="sample_size")
    person = person_of(actor)
    if (
        person is None
        or not posts_held(person, timezone.localdate(when)).filter(unit=unit).exists()
    ):
        raise NotPermitted(_("只有%(u)s的工作人员可以开展本单位审批监管检查。") % {"u": unit.name})
    population = inspection_population(unit, kind, period_start, period_end)
    size, root = tree_head()
    seed = hashlib.sha256(
        f"{root.hex()}|{size}|{unit.code}|{kind}|{period_start}|{period_end}".encode()
    ).hexdigest()
    sample = draw_sample(seed, population, int(sample_size))
    population_sha256 = hashlib.sha256(",".join(map(str, population)).encode()).hexdigest()
    inspection = ApprovalInspection.objects.create(
        unit=unit,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        sample_size=int(sample_size),
        population_size=len(population),
        population_sha256=population_sha256,
        seed=seed,
        sample=sample,
        opened_at=when,
        opened_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor,
        "approvals.inspection.opened",
        inspection,
        {
            "unit": unit.code,
            "kind": kind,
            "period": [period_start.isoformat(), period_end.isoformat()],
            "tree_size": size,
            "seed": seed,
            "population": population,
            "population_sha256": population_sha256,
            "sample": sample,
        },
        at=when,
    )
    return inspection


@transaction.atomic
def do_record_inspection_finding(
    inspection,
    case: Case,
    outcome: str,
    *,
    actor,
    note: str = "",
    rectify_by=None,
    at: datetime | None = None,
):
    """A finding on one sampled case; a problem needs a description and a rectification date."""
    from .models import FindingOutcome, InspectionFinding

    when = _when(at)
    if inspection.closed_at is not None:
        raise RuleViolation(_("检查已完成，不能再登记。"))
    if case.pk not in inspection.sample:
        raise InvalidInput(_("该办件不在本次抽查样本中。"), field="case")
    if outcome not in FindingOutcome.values:
        raise InvalidInput(_("请选择检查结论。"), field="outcome")
    note = (note or "").strip()
    if outcome == FindingOutcome.PROBLEM and (not note or rectify_by is None):
        raise InvalidInput(_("发现问题须写明问题并规定整改期限。"), field="note")
    if InspectionFinding.objects.filter(inspection=inspection, case=case).exists():
        raise RuleViolation(_("该办件已登记检查结论。"))
    finding = InspectionFinding.objects.create(
        inspection=inspection,
        case=case,
        outcome=outcome,
        note=note,
        rectify_by=rectify_by,
        recorded_at=when,
    )
    record(
        actor,
        "approvals.inspection.finding",
        inspection,
        {
            "case": case.pk,
            "outcome": outcome,
            "note_sha256": hashlib.sha256(note.encode("utf-8")).hexdigest() if note else "",
            "rectify_by": rectify_by.isoformat() if rectify_by else None,
        },
        at=when,
    )
    return finding


@transaction.atomic
def do_rectify_finding(finding, *, actor, at: datetime | None = None):
    when = _when(at)
    if finding.outcome != "problem" or finding.rectified_at is not None:
        raise RuleViolation(_("该检查发现无需整改或已整改。"))
    finding.rectified_at = when
    finding.save(update_fields=["rectified_at"])
    record(
        actor,
        "approvals.inspection.rectified",
        finding.inspection,
        {"case": finding.case_id},
        at=when,
    )
    return finding


@transaction.atomic
def do_close_approval_inspection(inspection, *, actor, at: datetime | None = None):
    """Close an inspection once every sampled case has a finding."""
    when = _when(at)
    done = set(inspection.findings.values_list("case_id", flat=True))
    missing = [pk for pk in inspection.sample if pk not in done]
    if missing:
        raise RuleViolation(
            _("尚有 %(n)d 件抽查办件未登记检查结论。") % {"n": len(missing)}, field="findings"
        )
    inspection.closed_at = when
    inspection.save(update_fields=["closed_at"])
    record(
        actor,
        "approvals.inspection.closed",
        inspection,
        {
            "findings": len(done),
            "problems": inspection.findings.filter(outcome="problem").count(),
        },
        at=when,
    )
    return inspection

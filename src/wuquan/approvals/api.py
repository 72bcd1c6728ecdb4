"""Approvals API (`/api/v1/approvals/…`): submit, query status with the query code, list a
unit's cases (staff session or machine token), record a step from a department's own system
(machine token in the `X-Wuquan-Token` header). Thin: services do the work; domain errors
become 4xx JSON in common/api.py."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.security import APIKeyHeader, django_auth

from wuquan.catalog.models import ApprovalItem
from wuquan.common.exceptions import NotFound, NotPermitted
from wuquan.common.inputs import (
    Code,
    IdNumber,
    LongText,
    Name,
    OptionalCode,
    Phone,
    ShortText,
    line,
)
from wuquan.common.schemas import ERRORS_400_422, ErrorOut
from wuquan.org.models import Unit
from wuquan.org.selectors import can_see_unit

from . import access, selectors, services
from .models import Case, CaseStep

prefix = "/approvals"
router = Router(tags=["approvals"])


class TokenAuth(APIKeyHeader):
    param_name = "X-Wuquan-Token"

    def authenticate(self, request, key):
        unit = selectors.token_unit(key)
        if unit is not None:
            request.token_unit = unit
            return unit
        return None


token_auth = TokenAuth()


class SubmitIn(Schema):
    # why: lengths and characters checked here, at the edge (issue 13 finding 6); the
    # service checks the identity number and phone formats (issue 12 finding 4)
    item: Code
    applicant_name: Name
    applicant_id_number: IdNumber = ""
    applicant_phone: Phone = ""
    title: ShortText = ""
    data: dict[OptionalCode, ShortText | int | float | bool | None] = Field(
        default_factory=dict, max_length=100
    )


class SubmitOut(Schema):
    application_no: str
    query_code: str


class StepOut(Schema):
    name: str
    kind: str
    post: str
    state: str
    started_at: datetime
    completed_at: datetime | None
    deadline: date | None
    provisional: bool


class StatusOut(Schema):
    application_no: str
    receipt_no: str | None
    item: str
    status: str
    due: date | None
    provisional: bool
    result: str
    certificate_no: str
    steps: list[StepOut]


class StatusIn(Schema):
    number: Code
    code: Code


class CaseRow(Schema):
    id: int
    application_no: str
    receipt_no: str | None
    item: str
    status: str
    submitted_at: datetime
    due: date | None
    result: str


class StepIn(Schema):
    username: Code
    opinion: LongText
    decision: OptionalCode = ""
    reason: LongText = ""
    certificate_no: line(60) = ""  # Case.certificate_no is varchar(60)


class StepDone(Schema):
    step_id: int
    state: str
    event_index: int | None
    case_status: str


@router.post(
    "/applications",
    response={201: SubmitOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut, **ERRORS_400_422},
    summary="网上申请（材料文件请走门户表单）",
)
def submit(request, body: SubmitIn):
    """Submit an application for an item whose materials are all on record (reuse flags) or
    that is registered without files; the window then checks materials (CAT-5)."""
    item = get_object_or_404(ApprovalItem, code=body.item)
    sub = services.do_submit_application(
        item,
        applicant_name=body.applicant_name,
        applicant_id_number=body.applicant_id_number,
        applicant_phone=body.applicant_phone,
        title=body.title,
        data=body.data,
        materials_later=True,
    )
    return Status(201, {"application_no": sub.case.application_no, "query_code": sub.query_code})


@router.post(
    "/status",
    response={200: StatusOut, 404: ErrorOut, 429: ErrorOut, **ERRORS_400_422},
    summary="凭编号和查询码查询办件",
)
def status(request, body: StatusIn):
    """POST so the query code stays out of URLs and logs (APR-9)."""
    case = access.lookup(request, body.number, body.code)  # wrong codes throttled per address
    return {
        "application_no": case.application_no,
        "receipt_no": case.receipt_no,
        "item": case.item.name,
        "status": case.status,
        "due": case.due,
        "provisional": case.provisional,
        "result": case.result,
        "certificate_no": case.certificate_no,
        "steps": [
            {
                "name": s["name"],
                "kind": "",
                "post": s["post"],
                "state": s["state"],
                "started_at": s["started_at"],
                "completed_at": s["completed_at"],
                "deadline": s["deadline"],
                "provisional": s["provisional"],
            }
            for s in selectors.public_steps(case)
        ],
    }


@router.get(
    "/units/{code}/cases",
    response={200: list[CaseRow], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, **ERRORS_400_422},
    auth=[django_auth, token_auth],
    summary="单位的办件（工作人员登录或接口令牌）",
)
def unit_cases(request, code: str, status: str = "", limit: int = 100):
    unit = get_object_or_404(Unit, code=code)
    token_unit = getattr(request, "token_unit", None)
    if token_unit is not None:
        if token_unit.pk != unit.pk:
            raise NotPermitted("接口令牌只能查询本单位的办件。")
    elif not can_see_unit(request.user, unit):
        raise NotPermitted("您无权查看该单位的办件。")
    qs = Case.objects.filter(unit=unit).select_related("item").order_by("-submitted_at")
    if status:
        qs = qs.filter(status=status)
    return [
        {
            "id": c.pk,
            "application_no": c.application_no,
            "receipt_no": c.receipt_no,
            "item": c.item.code,
            "status": c.status,
            "submitted_at": c.submitted_at,
            "due": c.due,
            "result": c.result,
        }
        for c in qs[: max(1, min(limit, 500))]
    ]


@router.post(
    "/steps/{step_id}/complete",
    response={
        200: StepDone,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        **ERRORS_400_422,
    },
    auth=token_auth,
    summary="部门业务系统回写环节办理结果（接口令牌）",
)
def complete_step(request, step_id: int, body: StepIn):
    """A department's own system records a step done by one of its staff: the token's unit
    must be the step's unit, and the named user must hold the step's post (APR-3)."""
    step = CaseStep.objects.filter(pk=step_id).select_related("case").first()
    # why: another unit's step answers like a missing one, so ids cannot be probed (finding 10)
    if step is None or step.unit_id != request.token_unit.pk:
        raise NotFound("没有该环节。")
    user = get_user_model().objects.filter(username=body.username).first()
    if user is None:
        raise NotFound("没有该用户。")
    step = services.do_complete_step(
        step,
        body.opinion,
        actor=user,
        decision=body.decision,
        reason=body.reason,
        certificate_no=body.certificate_no,
        source=f"api:{request.token_unit.code}",
    )
    step.case.refresh_from_db()
    return {
        "step_id": step.pk,
        "state": step.state,
        "event_index": step.event_index,
        "case_status": step.case.status,
    }

"""Unit finance API (FIN-1..4): a unit's reimbursements of a period and one reimbursement with
its chain, for staff who may see the unit. Thin over selectors; amounts in integer fen."""

from datetime import date

from ninja import Router, Schema
from ninja.security import django_auth

from wuquan.common.exceptions import InvalidInput, NotFound

from . import selectors

router = Router(tags=["单位财务内控 unitfinance"])
prefix = "/unitfinance"


class SignatureOut(Schema):
    step: str
    person_id: int
    post_id: int | None
    at: str


class ReimbursementOut(Schema):
    id: int
    number: str
    unit: str
    spending_class: str
    amount: int
    occurred_on: str
    status: str
    paid_on: str | None
    imported: bool
    attachments: list[str]
    signatures: list[SignatureOut]


def _out(r) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "unit": r.unit.code,
        "spending_class": r.spending_class,
        "amount": r.amount,
        "occurred_on": r.occurred_on.isoformat(),
        "status": r.status,
        "paid_on": r.paid_on.isoformat() if r.paid_on else None,
        "imported": r.imported,
        "attachments": [a.sha256 for a in r.attachments.all()],
        "signatures": [
            {"step": s.step, "person_id": s.person_id, "post_id": s.post_id, "at": s.at.isoformat()}
            for s in selectors.current_signatures(r)
        ],
    }


@router.get(
    "/reimbursements",
    response=list[ReimbursementOut],
    auth=django_auth,
    summary="报销单（本人可见单位，按期间）",
)
def reimbursements(request, start: date, end: date, unit: str = ""):
    if not (date(2000, 1, 1) <= start <= end <= date(2100, 12, 31)):
        raise InvalidInput("期间不正确", field="start")
    qs = selectors.reimbursements_visible_to(request.user).filter(occurred_on__range=(start, end))
    if unit:
        qs = qs.filter(unit__code=unit)
    return [_out(r) for r in qs.prefetch_related("attachments")[:1000]]


@router.get(
    "/reimbursements/{pk}", response=ReimbursementOut, auth=django_auth, summary="报销单及签字链"
)
def reimbursement(request, pk: int):
    r = (
        selectors.reimbursements_visible_to(request.user).filter(pk=pk).first()
        if 0 < pk < 2**31
        else None
    )
    if r is None:
        raise NotFound("没有该报销单")
    return _out(r)

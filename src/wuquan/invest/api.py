"""Investment platform API (`/api/v1/invest/…`, FIN-18): what a signed-in user's graded access
opens, and nothing else — the same `selectors.project_access` as the pages. A project or fund
the user may not see answers 404 (its existence is not confirmed)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router
from ninja.security import django_auth

from wuquan.common.exceptions import NotFound

from . import selectors
from .models import FieldGroup, Project, SpecialFund

prefix = "/invest"
router = Router(tags=["invest"], auth=django_auth)


def _project(p: Project, access) -> dict:
    out = {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "status": p.status,
        "progress_percent": p.progress_percent,
        "owner": p.owner.code,
        "construction_unit": p.construction_unit.code,
        "fields": sorted(access),
    }
    if FieldGroup.APPROVALS in access:
        out["approvals"] = [
            {
                "kind": a.kind,
                "doc_no": a.doc_no,
                "authority": a.authority.code,
                "approved_on": a.approved_on.isoformat(),
                "amount_fen": a.amount_fen,
                "file_sha256": a.file_sha256,
            }
            for a in p.approvals.select_related("authority")
        ]
    if FieldGroup.ESTIMATES in access:
        out["estimates"] = [
            {"stage": e.stage, "version": e.version, "amount_fen": e.amount_fen}
            for e in p.estimates.order_by("stage", "version")
        ]
    if FieldGroup.CONTRACTS in access:
        out["contracts"] = [
            {"contract": c.pk, "tender": c.tender_id, "amount_fen": c.amount_fen}
            for c in selectors.contracts_of(p)
        ]
    if FieldGroup.MONEY in access:
        rate = selectors.project_rate(p)
        out["money"] = {
            "allocated_fen": rate.allocated_fen,
            "disbursed_fen": rate.disbursed_fen,
            "payment_rate": rate.percent,
            "disbursements": [
                {
                    "id": d.pk,
                    "amount_fen": d.amount_fen,
                    "paid_on": d.paid_on.isoformat(),
                    "certificate": d.certificate_id,
                }
                for d in p.disbursements.all()
            ],
        }
    if FieldGroup.DUTIES in access:
        out["duties"] = [
            {"role": d.role, "unit": d.unit.code, "assigned_on": d.assigned_on.isoformat()}
            for d in p.duties.select_related("unit")
        ]
    if FieldGroup.INSPECTIONS in access:
        out["inspections"] = [
            {
                "id": i.pk,
                "inspector": i.inspector,
                "kind": i.kind,
                "inspected_on": i.inspected_on.isoformat(),
            }
            for i in p.inspections.all()
        ]
    return out


@router.get("/projects", summary="Projects the user's graded access opens (FIN-18)")
def projects(request):
    rows = []
    for p in selectors.projects_visible_to(request.user).order_by("code")[:500]:
        access = selectors.project_access(request.user, p)
        if access:
            rows.append(_project(p, access))
    return {"projects": rows}


@router.get("/projects/{pk}", summary="One project, the field groups the user may see")
def project(request, pk: int):
    p = (
        Project.objects.select_related("owner", "construction_unit").filter(pk=pk).first()
        if 0 < pk < 2**31
        else None
    )
    access = selectors.project_access(request.user, p) if p else frozenset()
    if not access:
        raise NotFound(_("没有该项目，或您无权查看。"))
    return _project(p, access)


@router.get("/funds/{pk}", summary="One special fund, the field groups the user may see")
def fund(request, pk: int):
    f = SpecialFund.objects.filter(pk=pk).first() if 0 < pk < 2**31 else None
    access = selectors.fund_access(request.user, f) if f else frozenset()
    if not access:
        raise NotFound(_("没有该专项资金，或您无权查看。"))
    rate = selectors.fund_rate(f)
    out = {"id": f.pk, "code": f.code, "name": f.name, "fields": sorted(access)}
    if FieldGroup.MONEY in access:
        out["money"] = {
            "amount_fen": f.amount_fen,
            "allocated_fen": rate.allocated_fen,
            "disbursed_fen": rate.disbursed_fen,
            "payment_rate": rate.percent,
        }
    return out

"""OC4IDS 0.9.4 project packages of the public projects (FIN-16, 附件6 三(三) 第二步 公开),
validated offline against the project's own copy of the schemas (schema/SOURCE.md).

Each project's contracting processes are procurement's tenders (`project_ref`), identified by
their OCDS ocid, with a link to every OCDS release procurement published for them and the
payments on their contracts as transactions. What the law withholds stays out: a project not
public, an approval marked 依法不予公开, inspections and problems (internal supervision), and
any private person (parties are organisations: units by code, firms by 统一社会信用代码).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from wuquan.procurement import ocds
from wuquan.procurement.models import OCDS_METHOD, Payment, Release, TenderStatus

from .models import ApprovalKind, EstimateStage, Project, ProjectStatus, Sector
from .selectors import contracts_of, estimates_in_force, tenders_of

SCHEMA_DIR = Path(__file__).parent / "schema" / "oc4ids-0__9__4"
BASE = "https://standard.open-contracting.org/infrastructure/schema/0__9__4/"
PACKAGE_URL = BASE + "project-package-schema.json"
PROJECT_URL = BASE + "project-schema.json"
SH = ZoneInfo("Asia/Shanghai")
CODE_SCHEME = "CN-TZXMDM"  # 全国投资项目在线审批监管平台项目代码 (no org-id.guide entry: ours)

SECTORS = {
    Sector.TRANSPORT: ["transport", "transport.road"],
    Sector.WATER: ["waterAndWaste"],
    Sector.EDUCATION: ["education"],
    Sector.HEALTH: ["health"],
    Sector.AGRICULTURE: ["economy"],
    Sector.URBAN: ["socialHousing"],
    Sector.GOVERNANCE: ["governance"],
}
DOCUMENT_TYPES = {
    ApprovalKind.FEASIBILITY: "feasibilityStudy",
    ApprovalKind.DESIGN: "budgetApproval",
    ApprovalKind.REAPPROVAL: "budgetAmendmentApproval",
    ApprovalKind.EIA: "environmentalImpact",
    ApprovalKind.LAND_PREREVIEW: "landAndSettlementImpact",
    ApprovalKind.LAND: "landAndSettlementImpact",
    ApprovalKind.TENDERING: "procurementPlan",
    ApprovalKind.PROPOSAL: "projectScope",
    ApprovalKind.PLANNING: "projectPlan",
    ApprovalKind.ENERGY: "needsAssessment",
    ApprovalKind.CONSTRUCTION: "projectPlan",
}


def prefix() -> str:
    """The district's OC4IDS project-id prefix (setting `WUQUAN_OC4IDS_PREFIX`); the default is
    a placeholder until the district registers one with the Open Contracting Partnership."""
    return getattr(settings, "WUQUAN_OC4IDS_PREFIX", "oc4ids-wuquan")


def _load(name: str) -> dict:
    with open(SCHEMA_DIR / name, encoding="utf-8") as f:
        return json.load(f)


@cache
def registry() -> Registry:
    return Registry().with_resources(
        (url, Resource.from_contents(_load(name), default_specification=DRAFT4))
        for url, name in (
            (PACKAGE_URL, "project-package-schema.json"),
            (PROJECT_URL, "project-schema.json"),
        )
    )


@cache
def _validator() -> Draft4Validator:
    return Draft4Validator(
        registry()[PACKAGE_URL].contents, registry=registry(), format_checker=FormatChecker()
    )


def errors(package: dict) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in _validator().iter_errors(package)
    ]


def _iso_day(d: date) -> str:
    return ocds.iso(datetime.combine(d, time(0), SH))


def _unit(unit, role: str) -> dict:
    return {
        "id": f"{ocds.UNIT_SCHEME}-{unit.code}",
        "name": unit.name,
        "identifier": {"scheme": ocds.UNIT_SCHEME, "id": unit.code},
        "roles": [role],
    }


def _process(tender, base_url: str) -> dict:
    the_ocid = ocds.ocid_for(tender.pk)
    summary: dict = {
        "ocid": the_ocid,
        "title": tender.title,
        "status": "closed"
        if tender.status in (TenderStatus.CANCELLED, TenderStatus.UNSUCCESSFUL)
        else ("active" if tender.status == TenderStatus.COMPLETE else "pre-award"),
        "tender": {"procurementMethod": OCDS_METHOD[tender.method]},
    }
    contract = tender.contracts.order_by("id").first()
    if contract is not None:
        summary["contractValue"] = ocds.amount(contract.original_amount_fen)
        if contract.amount_fen != contract.original_amount_fen:
            summary["finalValue"] = ocds.amount(contract.amount_fen)
        supplier = contract.award.supplier
        summary["suppliers"] = [{"id": f"{ocds.ORG_SCHEME}-{supplier.uscc}", "name": supplier.name}]
        payments = Payment.objects.filter(contract__tender=tender).order_by("paid_at", "id")
        if payments:
            summary["transactions"] = [
                {
                    "id": f"payment-{p.pk}",
                    "date": ocds.iso(p.paid_at),
                    "value": ocds.amount(p.amount_fen),
                }
                for p in payments
            ]
    process = {"id": the_ocid, "summary": summary}
    releases = list(Release.objects.filter(tender=tender).order_by("date", "id"))
    if releases:
        url = f"{base_url.rstrip('/')}/gk/procurement/{tender.pk}/ocds.json"
        process["releases"] = [
            {"id": r.release_id, "tag": [r.tag], "date": ocds.iso(r.date), "url": url}
            for r in releases
        ]
    return process


def project(p: Project, base_url: str, updated: datetime) -> dict:
    """One OC4IDS project (public particulars only)."""
    out: dict = {
        "id": f"{prefix()}-{p.code}",
        "updated": ocds.iso(updated),
        "language": "zh",
        "identifiers": [{"id": p.code, "scheme": CODE_SCHEME}],
        "title": p.name,
        "status": p.status,
        "sector": SECTORS.get(p.sector, ["governance"]),
        "locations": [{"id": "1", "description": p.location}],
        "publicAuthority": {"id": f"{ocds.UNIT_SCHEME}-{p.owner.code}", "name": p.owner.name},
    }
    parties = {p.owner.code: _unit(p.owner, "publicAuthority")}
    construction = _unit(p.construction_unit, "administrativeEntity")
    if p.construction_unit.code in parties:
        parties[p.construction_unit.code]["roles"].append("administrativeEntity")
    else:
        parties[p.construction_unit.code] = construction
    approvals = [a for a in p.approvals.select_related("authority") if not a.withheld]
    for a in approvals:
        party = parties.setdefault(a.authority.code, _unit(a.authority, "reviewBody"))
        if "reviewBody" not in party["roles"]:
            party["roles"].append("reviewBody")
    in_force = estimates_in_force(p)
    budget = in_force.get(EstimateStage.BUDGET_ESTIMATE) or in_force.get(EstimateStage.ESTIMATE)
    if budget is not None:
        out["budget"] = {"amount": ocds.amount(budget.amount_fen)}
        if budget.approval_id and not budget.approval.withheld:
            out["budget"]["approvalDate"] = _iso_day(budget.approval.approved_on)
    if approvals:
        out["documents"] = [
            {
                "id": f"approval-{a.pk}",
                "documentType": DOCUMENT_TYPES[a.kind],
                "title": f"{ApprovalKind(a.kind).label} {a.doc_no}",
                "datePublished": _iso_day(a.approved_on),
            }
            for a in approvals
        ]
    processes = [_process(t, base_url) for t in tenders_of(p).order_by("id")]
    for c in contracts_of(p).select_related("award__supplier"):
        s = c.award.supplier
        key = f"firm:{s.uscc}"
        parties.setdefault(
            key,
            {
                "id": f"{ocds.ORG_SCHEME}-{s.uscc}",
                "name": s.name,
                "identifier": {"scheme": ocds.ORG_SCHEME, "id": s.uscc},
                "roles": ["supplier"],
            },
        )
    allocations = list(
        p.allocations.select_related("fund__managing_unit").order_by("allocated_on", "id")
    )
    for a in allocations:
        payer = a.fund.managing_unit
        party = parties.setdefault(payer.code, _unit(payer, "funder"))
        if "funder" not in party["roles"]:
            party["roles"].append("funder")
    if allocations:
        out["transactions"] = [
            {
                "id": f"allocation-{a.pk}",
                "date": _iso_day(a.allocated_on),
                "value": ocds.amount(a.amount_fen),
                "payer": {
                    "id": f"{ocds.UNIT_SCHEME}-{a.fund.managing_unit.code}",
                    "name": a.fund.managing_unit.name,
                },
                "payee": {
                    "id": f"{ocds.UNIT_SCHEME}-{p.construction_unit.code}",
                    "name": p.construction_unit.name,
                },
            }
            for a in allocations
        ]
    if processes:
        out["contractingProcesses"] = processes
    out["parties"] = list(parties.values())
    if p.status == ProjectStatus.COMPLETION:
        final = in_force.get(EstimateStage.FINAL)
        if final is not None:
            out["completion"] = {
                "endDate": _iso_day(final.recorded_on),
                "finalValue": ocds.amount(final.amount_fen),
            }
    return out


def package(projects, base_url: str, uri: str, published: datetime | None = None) -> dict:
    published = published or datetime.now(UTC)
    return {
        "uri": uri,
        "version": "0.9",
        "publishedDate": ocds.iso(published),
        "publisher": ocds.publisher(),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "projects": [project(p, base_url, published) for p in projects],
    }

"""Event names of the investment app and their payload builders (FIN-16..18, SUP-7): ids,
codes, enums, amounts and digests; the free text of inspections (findings, problems,
rectification), and the numbers, codes and legacy references a clerk types freely, enter the
leaf only as salted commitments (`SENSITIVE`)."""

from __future__ import annotations

import hashlib

PROJECT_REGISTERED = "invest.project.registered"
PROJECT_STATUS = "invest.project.status_changed"
FUND_CREATED = "invest.fund.created"
APPROVAL_RECORDED = "invest.approval.recorded"
ESTIMATE_RECORDED = "invest.estimate.recorded"
DUTY_ASSIGNED = "invest.duty.assigned"
DUTY_REVOKED = "invest.duty.revoked"
ALLOCATED = "invest.fund.allocated"
CERTIFIED = "invest.progress.certified"
DISBURSED = "invest.fund.disbursed"
INSPECTION_FILED = "invest.inspection.filed"
PROBLEM_REPORTED = "invest.problem.reported"
PROBLEM_RECTIFIED = "invest.problem.rectified"
ACCESS_GRANTED = "invest.access.granted"
ACCESS_REVOKED = "invest.access.revoked"

SENSITIVE: dict[str, tuple[str, ...]] = {
    "invest.inspection.*": ("summary",),
    "invest.problem.*": ("description", "rectification"),
    # what a clerk types freely into a number or a code (the PII crawl planted an ID number, a
    # phone and a name in each): an approval's or an allocation's 文号, a progress
    # certificate's number, a fund's code (the fund's id stays in clear), the legacy reference
    # of imported history. No rule or exporter reads them from the log (they read the models).
    APPROVAL_RECORDED: ("doc_no",),
    ALLOCATED: ("doc_no",),
    CERTIFIED: ("number",),
    FUND_CREATED: ("code",),
    DUTY_ASSIGNED: ("source_ref",),
    DISBURSED: ("source_ref",),
}


def digest(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.strip().encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _import_marker(source_ref: str) -> dict:
    return {"source": "import", "source_ref": source_ref} if source_ref else {}


def project_payload(project) -> dict:
    return {
        "project": project.pk,
        "code": project.code,
        "owner": project.owner.code,
        "construction_unit": project.construction_unit.code,
        "sector": project.sector,
        "status": project.status,
        "is_public": project.is_public,
        "funding": [
            {"level": f.level, "amount_fen": f.amount_fen, "fund": f.fund_id}
            for f in project.funding.all()
        ],
        "name_sha256": digest(project.name),
    }


def fund_payload(fund) -> dict:
    return {
        "fund": fund.pk,
        "code": fund.code,
        "level": fund.level,
        "sector": fund.sector,
        "deadline": fund.deadline.isoformat(),
        "amount_fen": fund.amount_fen,
        "sources": fund.sources,
        "managing_unit": fund.managing_unit.code,
    }


def approval_payload(approval) -> dict:
    return {
        "project": approval.project_id,
        "approval": approval.pk,
        "kind": approval.kind,
        "doc_no": approval.doc_no,
        "authority": approval.authority.code,
        "approved_on": approval.approved_on.isoformat(),
        "amount_fen": approval.amount_fen,
        "file_sha256": approval.file_sha256,
        "withheld": approval.withheld,
    }


def estimate_payload(estimate) -> dict:
    return {
        "project": estimate.project_id,
        "estimate": estimate.pk,
        "stage": estimate.stage,
        "version": estimate.version,
        "amount_fen": estimate.amount_fen,
        "approval": estimate.approval_id,
        "recorded_on": estimate.recorded_on.isoformat(),
    }


def duty_payload(duty, *, combined_with: list[str]) -> dict:
    return {
        "duty": duty.pk,
        "project": duty.project_id,
        "fund": duty.fund_id,
        "role": duty.role,
        "unit": duty.unit.code,
        "person_id": duty.person_id,
        "assigned_on": duty.assigned_on.isoformat(),
        "combined_with": combined_with,
        **_import_marker(duty.source_ref),
    }


def allocation_payload(allocation, *, within_purpose: bool, within_deadline: bool) -> dict:
    return {
        "allocation": allocation.pk,
        "fund": allocation.fund_id,
        "project": allocation.project_id,
        "amount_fen": allocation.amount_fen,
        "doc_no": allocation.doc_no,
        "allocated_on": allocation.allocated_on.isoformat(),
        "within_purpose": within_purpose,
        "within_deadline": within_deadline,
    }


def certificate_payload(cert) -> dict:
    return {
        "certificate": cert.pk,
        "project": cert.project_id,
        "contract": cert.contract_id,
        "number": cert.number,
        "percent": cert.percent,
        "certified_fen": cert.certified_fen,
        "certified_on": cert.certified_on.isoformat(),
        "certifier": cert.certifier.code,
        "file_sha256": cert.file_sha256,
    }


def disbursement_payload(d, *, within_purpose: bool, within_deadline: bool) -> dict:
    return {
        "disbursement": d.pk,
        "allocation": d.allocation_id,
        "fund": d.fund_id,
        "project": d.project_id,
        "contract": d.contract_id,
        "certificate": d.certificate_id,
        "payment": d.payment_id,
        "amount_fen": d.amount_fen,
        "paid_on": d.paid_on.isoformat(),
        "within_purpose": within_purpose,
        "within_deadline": within_deadline,
        **_import_marker(d.source_ref),
    }


def inspection_payload(inspection) -> dict:
    return {
        "inspection": inspection.pk,
        "project": inspection.project_id,
        "fund": inspection.fund_id,
        "unit": inspection.unit.code,
        "inspector": inspection.inspector,
        "kind": inspection.kind,
        "inspected_on": inspection.inspected_on.isoformat(),
        "file_sha256": inspection.file_sha256,
        "round": inspection.round_id,
        "summary": inspection.summary,
    }


def problem_payload(problem) -> dict:
    return {
        "problem": problem.pk,
        "inspection": problem.inspection_id,
        "deadline": problem.deadline.isoformat(),
        "description": problem.description,
    }


def rectified_payload(problem) -> dict:
    return {
        "problem": problem.pk,
        "deadline": problem.deadline.isoformat(),
        "rectified_on": problem.rectified_on.isoformat(),
        "on_time": problem.rectified_on <= problem.deadline,
        "rectification": problem.rectification,
    }


def grant_payload(grant) -> dict:
    return {
        "grant": grant.pk,
        "unit": grant.unit.code,
        "scope": grant.scope,
        "scope_unit": grant.scope_unit.code if grant.scope_unit_id else None,
        "project": grant.project_id,
        "fund": grant.fund_id,
        "fields": grant.fields,
    }

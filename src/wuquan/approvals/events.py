"""The approvals events: action names and their payload builders (docs/events.md).

Every path that records an approvals event — the live services, `wuquan import` (which goes
through those same services) and the API — builds its payload here, so a supervision rule reads
the same keys whichever way the event came in. Ids, codes, enums, amounts and dates only, plus
the texts the rules read today (a reason, an opinion: see docs/events.md).
"""

from __future__ import annotations

from typing import Any

SUBMITTED = "approvals.case.submitted"
ACCEPTED = "approvals.case.accepted"
REFUSED = "approvals.case.refused"
SUSPENDED = "approvals.case.suspended"
RESUMED = "approvals.case.resumed"
WITHDRAWN = "approvals.case.withdrawn"
RESULT = "approvals.case.result"
DELIVERED = "approvals.case.delivered"
STEP_CLAIMED = "approvals.step.claimed"
STEP_COMPLETED = "approvals.step.completed"
FEE_CHARGED = "approvals.fee.charged"
CONSULTATION_ASKED = "approvals.consultation.asked"
CONSULTATION_ANSWERED = "approvals.consultation.answered"
TOKEN_ISSUED = "approvals.token.issued"

# the actions that finish a step (the rules on step completions subscribe to these)
STEP_DONE = (STEP_COMPLETED, RESULT, DELIVERED)

# the keys an import adds to every payload (and nothing else differs: tests/approvals/
# test_approvals_one_path.py compares live and imported payloads without them)
IMPORT_MARKER_KEYS = ("source", "source_ref")


def import_marker(source_ref: str) -> dict[str, str]:
    return {"source": "import", "source_ref": source_ref}


def _username(user) -> str | None:
    """A user's username; a string (an imported `by`) as it is."""
    if isinstance(user, str):
        return user or None
    return user.get_username() if user is not None and hasattr(user, "get_username") else None


def case_payload(case) -> dict[str, Any]:
    """What every case event carries: the case, its item and unit, its flow version."""
    return {
        "case_id": case.pk,
        "application_no": case.application_no,
        "receipt_no": case.receipt_no,
        "item_id": case.item_id,
        "item_code": case.item.code,
        "item_area": case.item.area,
        "case_unit_id": case.unit_id,
        "flow_version_id": case.flow_id,
    }


def step_payload(step, *, user, person_id: int | None) -> dict[str, Any]:
    """A step event: the case's keys and the step, its post and unit, who acted."""
    return {
        **case_payload(step.case),
        "step_id": step.pk,
        "task": step.step_id,
        "step_name": step.name,
        "step_kind": step.kind,
        "post_id": step.post_id,
        "unit_id": step.unit_id,
        "user": _username(user),
        "person_id": person_id,
        "deadline": step.deadline.isoformat() if step.deadline else None,
    }


def case_submitted(
    case, *, channel: str, materials: dict, data: dict, material_sha256: dict
) -> dict[str, Any]:
    return {
        **case_payload(case),
        "channel": channel,
        "materials": materials,
        "data": data,
        "material_sha256": material_sha256,
    }


def case_accepted(step, *, user, person_id, holds_post: bool, materials: dict) -> dict[str, Any]:
    case = step.case
    return {
        **step_payload(step, user=user, person_id=person_id),
        "receipt_no": case.receipt_no,
        "due": case.due.isoformat() if case.due else None,
        "provisional": case.provisional,
        "promised_days": case.promised_days,
        "materials": materials,
        "holds_post": holds_post,
    }


def case_refused(step, *, user, person_id, reason: str) -> dict[str, Any]:
    return {**step_payload(step, user=user, person_id=person_id), "reason": reason}


def step_claimed(step, *, user, person_id) -> dict[str, Any]:
    return step_payload(step, user=user, person_id=person_id)


def step_done(step, *, user, person_id, holds_post: bool, opinion: str) -> dict[str, Any]:
    """`approvals.step.completed` (and the base of `…case.result` / `…case.delivered`)."""
    return {
        **step_payload(step, user=user, person_id=person_id),
        "holds_post": holds_post,
        "opinion": opinion[:500],
    }


def case_result(step, **done) -> dict[str, Any]:
    case = step.case
    return {
        **step_done(step, **done),
        "result": case.result,
        "reason": case.result_reason,
        "certificate_no": case.certificate_no,
        "accepted": case.accepted_at is not None,
    }


def case_delivered(step, **done) -> dict[str, Any]:
    case = step.case
    return {**step_done(step, **done), "result": case.result, "certificate_no": case.certificate_no}


def case_suspended(pause, *, user, person_id, materials) -> dict[str, Any]:
    return {
        **case_payload(pause.case),
        "suspension_id": pause.pk,
        "kind": pause.kind,
        "reason": pause.reason,
        "materials_demanded": [m.pk for m in materials],
        "materials_demanded_names": [m.name for m in materials],
        "user": _username(user),
        "person_id": person_id,
    }


def case_resumed(pause, *, supplied, by_applicant: bool, material_sha256: dict) -> dict[str, Any]:
    case = pause.case
    return {
        **case_payload(case),
        "suspension_id": pause.pk,
        "kind": pause.kind,
        "materials_supplied": [m.pk for m in supplied],
        "material_sha256": material_sha256,
        "due": case.due.isoformat() if case.due else None,
        "by_applicant": by_applicant,
    }


def case_withdrawn(case, *, reason: str) -> dict[str, Any]:
    return {**case_payload(case), "reason": reason}


def fee_charged(charge, *, user, person_id, in_catalog: bool) -> dict[str, Any]:
    fee = charge.fee
    return {
        **case_payload(charge.case),
        "fee_id": fee.pk if fee else None,
        "fee_code": fee.code if fee else None,
        "fee_name": charge.fee_name,
        "amount": str(charge.amount),
        "catalog_amount": str(fee.amount) if fee else None,
        "in_catalog": in_catalog,
        "user": _username(user),
        "person_id": person_id,
    }


def consultation_asked(consultation) -> dict[str, Any]:
    return {"item_id": consultation.item_id, "may_publish": consultation.may_publish}


def consultation_answered(consultation, *, post) -> dict[str, Any]:
    return {
        "item_id": consultation.item_id,
        "post_id": post.pk,
        "unit_id": post.unit_id,
        "published": consultation.published,
    }


def token_issued(token) -> dict[str, Any]:
    return {"unit_id": token.unit_id, "name": token.name}


# Payload fields that hold personal data or free text: they enter the permanent leaf
# only as salted commitments (wuquan.ledger.commitments; issue 13, finding 4).
SENSITIVE: dict[str, tuple[str, ...]] = {
    # opinions (审查/审批意见), refusal, suspension, withdrawal and result reasons
    "approvals.*": ("opinion", "reason"),
    # a token is named after the system or the person it is issued to
    "approvals.token.issued": ("name",),
}

"""Event names and payload builders of personnel (listed in docs/personnel.md).

Payloads hold ids, enums, dates, counts and SHA-256 digests only: names of relatives, ID
numbers, reasons, objections and findings stay in personnel's tables (PUB-9)."""

from __future__ import annotations

import hashlib
import json
from datetime import date

SELECTION_OPENED = "personnel.selection.opened"
SELECTION_REFUSED = "personnel.selection.refused"
STEP_RECORDED = "personnel.step.recorded"
NOMINATION_SIGNED = "personnel.nomination.signed"
DECISION_REQUESTED = "personnel.decision.requested"
NOTICE_PUBLISHED = "personnel.notice.published"
OBJECTION_RECEIVED = "personnel.objection.received"
OBJECTION_HANDLED = "personnel.objection.handled"
REVIEW_SUBMITTED = "personnel.review.submitted"
REVIEW_DECIDED = "personnel.review.decided"
SELECTION_STOPPED = "personnel.selection.stopped"
DOSSIER_ARCHIVED = "personnel.dossier.archived"
SELECTION_IMPORTED = "personnel.selection.imported"
REPORT_FILED = "personnel.report.filed"
CHECK_OPENED = "personnel.check.opened"
CHECK_CONCLUDED = "personnel.check.concluded"
ROUND_OPENED = "personnel.spotcheck.opened"
ROUND_DRAWN = "personnel.spotcheck.drawn"
WORK_REPORTED = "personnel.work.reported"
INDEX_REBUILT = "personnel.index.rebuilt"
ESTABLISHMENT_SET = "personnel.establishment.set"
POST_PROFILE_SET = "personnel.post_profile.set"


def digest(obj) -> str:
    """SHA-256 of the canonical JSON of `obj` (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def selection_opened(*, selection, holders: int, quota: int | None) -> dict:
    return {
        "unit": selection.unit_id,
        "post": selection.post_id,
        "establishment": selection.establishment_id,
        "holders": holders,
        "quota": quota,
        "review": selection.review_status,
    }


def selection_refused(*, post, rule: str, holders: int, quota: int | None) -> dict:
    return {"post": post.pk, "rule": rule, "holders": holders, "quota": quota}


def step_recorded(*, record, extra: dict | None = None) -> dict:
    return {
        "step": record.step,
        "on": _d(record.on),
        "digest": digest(
            {
                "participants": record.participants,
                "documents": record.documents,
                "outcome": record.outcome,
            }
        ),
        **(extra or {}),
    }


def nomination_signed(*, nomination) -> dict:
    return {
        "kind": nomination.kind,
        "nominee": nomination.nominee_id,
        "nominator": nomination.nominator_id,
        "signed_on": _d(nomination.signed_on),
        "digest": nomination.digest,
    }


def objection_received(*, objection) -> dict:
    return {
        "objection": objection.pk,
        "received_on": _d(objection.received_on),
        "channel": objection.channel,
        "digest": digest({"content": objection.content}),
    }


def objection_handled(*, objection) -> dict:
    return {
        "objection": objection.pk,
        "handled_on": _d(objection.handled_on),
        "affects_appointment": objection.affects_appointment,
        "digest": digest({"finding": objection.finding}),
    }


def review_decided(*, review) -> dict:
    return {
        "review": review.pk,
        "approved": review.approved,
        "dossier": review.dossier_digest,
        "digest": digest({"reasons": review.reasons}),
    }


def report_filed(*, report) -> dict:
    return {
        "person": report.person_id,
        "year": report.year,
        "digest": report.digest,
        "attachment": report.attachment_digest or None,
        "relatives": report.relatives.count(),
        "firms": report.firms.count(),
    }


def check_concluded(*, check) -> dict:
    return {
        "check": check.pk,
        "person": check.person_id,
        "year": check.year,
        "reason": check.reason,
        "finding": check.finding,
        "outcome": check.outcome,
        "checked_on": _d(check.checked_on),
        "digest": digest({"details": check.details}),
    }

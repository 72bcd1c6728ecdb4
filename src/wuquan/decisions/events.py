"""The decisions events: action names as constants, one keyword-only payload builder per event
and the sensitivity of payload fields (docs/events.md). Every path that records a decisions
event — the live services, `wuquan import` (through those same services, decision 0010) and
the API — builds its payload here."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import timezone

BALLOT_ENTERED = "decisions.ballot.entered"
BALLOT_VOTED = "decisions.ballot.voted"
CATALOG_ADDED = "decisions.catalog.added"
EXECUTION_REPORTED = "decisions.execution.reported"
ITEM_DEFERRED = "decisions.item.deferred"
ITEM_FILED = "decisions.item.filed"
ITEM_OPENED = "decisions.item.opened"
ITEM_PROPOSED = "decisions.item.proposed"
ITEM_PUBLISHED = "decisions.item.published"
ITEM_SCHEDULED = "decisions.item.scheduled"
MATERIALS_SENT = "decisions.materials.sent"
MEETING_ATTENDANCE = "decisions.meeting.attendance"
MEETING_CLOSED = "decisions.meeting.closed"
MEETING_CREATED = "decisions.meeting.created"
RECONSIDERATION_DECIDED = "decisions.reconsideration.decided"
RECONSIDERATION_OPENED = "decisions.reconsideration.opened"
REFUSED = "decisions.refused"
STATEMENT_MADE = "decisions.statement.made"
VILLAGE_CREATED = "decisions.village.created"
VILLAGE_OBJECTION = "decisions.village.objection"
VILLAGE_STEP = "decisions.village.step"
VILLAGE_VOIDED = "decisions.village.voided"
VOTE_CAST = "decisions.vote.cast"
VOTE_CLOSED = "decisions.vote.closed"
VOTE_STARTED = "decisions.vote.started"

PRE_DECISION_CLASSIFIED = "decisions.item.pre_decision_classified"
PRE_DECISION_STEP = "decisions.item.pre_decision_step"
# imported history that breached a rule a live call would have refused (services.ImportedHistory)
BREACH_RECORDED = "decisions.breach.recorded"

# the keys an import adds to every payload (and nothing else differs: tests/decisions/
# test_decisions_exchange.py compares live and imported payloads without them)
IMPORT_MARKER_KEYS = ("source", "source_ref")


def import_marker(source_ref: str) -> dict[str, str]:
    return {"source": "import", "source_ref": source_ref}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# ---- payload builders: one per event, keyword-only, used by every path that emits it ------
# Ids, codes, enums, counts and dates; the texts listed in SENSITIVE enter the leaf only as
# salted commitments. No member's name: members are person ids.


def catalog_added(entry) -> dict[str, Any]:
    threshold = entry.amount_threshold
    return {
        "unit": entry.unit.code,
        "kind": entry.kind,
        "title": entry.title,
        "amount_threshold": str(threshold) if threshold is not None else None,
    }


def meeting_created(meeting, *, body) -> dict[str, Any]:
    """`body`: [(person, is_head)] as the meeting was called."""
    return {
        "unit": meeting.unit.code,
        "title": meeting.title,
        "date": meeting.date.isoformat(),
        "members": [p.pk for p, _h in body],
        "head": [p.pk for p, h in body if h],
    }


def item_proposed(item) -> dict[str, Any]:
    return {
        "unit": item.unit.code,
        "title": item.title,
        "kind": item.kind,
        "vote_mode": item.vote_mode,
        "subject": [item.subject_type, item.subject_id],
    }


def item_scheduled(item) -> dict[str, Any]:
    return {"meeting": item.meeting_id, "seq": item.seq}


def materials_sent(item, *, deliveries, at) -> dict[str, Any]:
    return {
        "members": [d.member.person_id for d in deliveries],
        "at": timezone.localtime(at).isoformat(),
    }


def meeting_attendance(meeting, *, known: set, present: set) -> dict[str, Any]:
    return {"expected": len(known), "present": sorted(present), "absent": sorted(known - present)}


def item_opened(item, *, present: int, expected: int) -> dict[str, Any]:
    return {"meeting": item.meeting_id, "present": present, "expected": expected}


def statement_made(statement) -> dict[str, Any]:
    member = statement.member
    return {
        "member": member.person_id,
        "is_head": member.is_head,
        "seq": statement.seq,
        "text": statement.text,
    }


def vote_started(item) -> dict[str, Any]:
    return {"mode": item.vote_mode}


def vote_cast(vote) -> dict[str, Any]:
    """A named (open) vote: who and the choice — 记名表决 is public by design."""
    return {"member": vote.member.person_id, "choice": vote.choice}


def ballot_voted(item, *, member) -> dict[str, Any]:
    """A secret vote: only that the member voted (DEC-5)."""
    return {"member": member.person_id}


def ballot_entered(item) -> dict[str, Any]:
    """A paper secret ballot keyed in: nothing about it (DEC-5)."""
    return {}


def vote_closed(item) -> dict[str, Any]:
    return {
        "mode": item.vote_mode,
        "yes": item.yes_count,
        "no": item.no_count,
        "abstain": item.abstain_count,
        "expected": item.expected_count,
        "present": item.present_count,
        "passed": item.passed,
        "result": item.result_text,
    }


def reconsideration_opened(original, *, new_item, meeting) -> dict[str, Any]:
    return {
        "new_item": new_item.pk,
        "meeting": meeting.pk,
        "head_consent": new_item.head_consent,
        "reason": new_item.materials,
    }


def reconsideration_decided(original, *, by_item) -> dict[str, Any]:
    return {"by_item": by_item.pk, "passed": by_item.passed}


def item_deferred(item) -> dict[str, Any]:
    return {"reason": item.deferred_reason}


def meeting_closed(meeting) -> dict[str, Any]:
    return {}


def item_filed(item) -> dict[str, Any]:
    return {"with": item.filed_with.code}


def item_published(item) -> dict[str, Any]:
    return {"summary": item.public_summary, "result": item.result_text}


def execution_reported(report) -> dict[str, Any]:
    return {"text": report.text, "on": report.reported_on.isoformat(), "public": report.public}


def pre_decision_classified(profile) -> dict[str, Any]:
    return {"major_investment": profile.major_investment, "affects_public": profile.affects_public}


def pre_decision_step(step) -> dict[str, Any]:
    """The summary stays in the table; the log holds its digest (DEC-8)."""
    return {
        "kind": step.kind,
        "held_on": step.held_on.isoformat(),
        "summary_sha256": hashlib.sha256(step.summary.encode("utf-8")).hexdigest(),
        "document_sha256": step.document_sha256,
    }


def refused(rule, *, message, details: dict) -> dict[str, Any]:
    """`decisions.refused` (a guard refused) and `decisions.breach.recorded` (imported history
    breached it): the rule, its clause and severity, the message shown, the guard's details."""
    return {
        "rule": rule.code,
        "rule_name": str(rule.name),
        "clause": rule.clause,
        "severity": rule.severity,
        "message": str(message),
        **details,
    }


def village_created(matter) -> dict[str, Any]:
    return {
        "village": matter.village.code,
        "title": matter.title,
        "is_major": matter.is_major,
        "notice_days": matter.notice_days,
    }


def village_step(rec) -> dict[str, Any]:
    from .models import VillageStep

    return {
        "step": rec.step,
        "name": str(VillageStep(rec.step).label),
        "date": rec.date.isoformat(),
        "participants": rec.participants,
        "minutes": rec.minutes,
        "attachments": rec.attachments,
        "assembly_kind": rec.assembly_kind,
        "eligible": rec.eligible_count,
        "attended": rec.attended_count,
        "yes": rec.yes_count,
        "no": rec.no_count,
        "abstain": rec.abstain_count,
        "passed": rec.passed,
        "result": rec.result_text,
    }


def village_voided(matter, rule, *, details: dict) -> dict[str, Any]:
    return {
        "rule": rule.code,
        "rule_name": str(rule.name),
        "clause": rule.clause,
        "severity": rule.severity,
        "reason": matter.void_reason,
        **details,
    }


def village_objection(objection) -> dict[str, Any]:
    return {"step": objection.step, "text": objection.text}


# Payload fields that hold personal data or free text: they enter the permanent leaf
# only as salted commitments (wuquan.ledger.commitments; issue 13, finding 4). Titles,
# statements, reasons, summaries and minutes are free text; a refusal's message names the
# members concerned; a village step's participants are private villagers.
SENSITIVE: dict[str, tuple[str, ...]] = {
    "decisions.*": (
        "title",
        "summary",
        "text",
        "reason",
        "minutes",
        "participants",
        "message",
        "head_consent",
    ),
    "decisions.village.step": ("attachments",),
    "decisions.village.objection": ("text",),
    # the method a clerk typed for a decision outside a meeting, quoted by the refusal (PII crawl)
    "decisions.refused": ("method",),
}

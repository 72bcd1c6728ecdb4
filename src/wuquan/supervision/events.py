"""The events the supervision engine records, and their payloads (SUP-1, SUP-2).

Used by every path that emits them: the inline raise, the set-based sweep and the incremental
sweep, one alarm at a time or 10^4 in one append (engine._raise_many)."""

from __future__ import annotations

from datetime import datetime

ALARM_RAISED = "supervision.alarm.raised"
CONDITION_CLEARED = "supervision.alarm.condition_cleared"
CONDITION_RETURNED = "supervision.alarm.condition_returned"
ALARM_CLOSED = "supervision.alarm.closed"
# the engine's own bookkeeping: these change no rule's breaches, so an incremental sweep does
# not look again at the subjects they name
BOOKKEEPING = (ALARM_RAISED, CONDITION_CLEARED, CONDITION_RETURNED)


def raised_payload(rule, finding, eff, at: datetime, indices: list[int]) -> dict:
    """`supervision.alarm.raised`: ids, codes, thresholds and inputs only (no free text)."""
    return {
        "rule": rule.code,
        "rule_version": rule.version,
        "setting_version": eff.setting_version,
        "severity": rule.severity,
        "thresholds": eff.thresholds,
        "inputs": finding.inputs,
        "subject": [finding.subject_type, str(finding.subject_id)],
        "unit": finding.unit_id,
        "post": finding.post_id,
        "events": indices,
        "key": finding.key,
        "as_of": at.isoformat(),
    }


def condition_payload(rule, as_of: datetime) -> dict:
    """`condition_cleared` / `condition_returned`."""
    return {"rule": rule.code, "as_of": as_of.isoformat()}


# Payload fields that hold personal data or free text: they enter the permanent leaf
# only as salted commitments (wuquan.ledger.commitments; issue 13, finding 4).
SENSITIVE: dict[str, tuple[str, ...]] = {
    # the commission's notes and reasons, an alarm's inputs (they copy reasons and opinions
    # from the events that raised it), uploaded file names, titles
    "supervision.*": ("note", "reason", "inputs", "title", "evidence", "attachment", "message"),
    # the receipt number a citizen types on the complaint form: anything of 4–40 letters and
    # digits passes, an ID number or a mobile too (the PII crawl planted one)
    "supervision.complaint.filed": ("receipt_no",),
}

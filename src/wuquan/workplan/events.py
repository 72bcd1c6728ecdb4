"""Sensitivity of this app's event payloads (issue 13, finding 4): the payload fields that
hold personal data or free text and so enter the permanent leaf only as salted commitments
(wuquan.ledger.commitments). Keys are actions or fnmatch patterns; values are dotted payload
paths. (The action constants and payload builders of the issue "one path for every write"
are added to this module by that work.)"""

# the free-text and personal fields of a task (names of the responsible people, texts);
# dates, status and units stay readable in the leaf
_TEXT = (
    "responsible_leader",
    "responsible_person",
    "quality_requirement",
    "plan_title",
    "progress_note",
    "requirement",
    "attachment",
)

SENSITIVE: dict[str, tuple[str, ...]] = {
    "workplan.task.created": _TEXT,
    "workplan.task.changed": tuple(f"changed.{f}" for f in _TEXT),
}

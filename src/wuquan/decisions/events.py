"""The decisions events: action names as constants (docs/events.md), used by the services and the
rules alike. Payload builders and the sensitivity of payload fields join them here."""

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


# Payload fields that hold personal data or free text: they enter the permanent leaf
# only as salted commitments (wuquan.ledger.commitments; issue 13, finding 4).
SENSITIVE: dict[str, tuple[str, ...]] = {
    "decisions.*": ("title", "summary", "text", "reason", "minutes", "participants"),
    "decisions.village.step": ("attachments",),
    "decisions.village.objection": ("text",),
}

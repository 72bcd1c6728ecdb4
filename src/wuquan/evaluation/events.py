"""The evaluation events: action names as constants (docs/events.md), used by the services and the
rules alike. Payload builders and the sensitivity of payload fields join them here."""

BALLOT_CAST = "evaluation.ballot.cast"
CODES_ISSUED = "evaluation.codes.issued"
COMMITMENT = "evaluation.commitment"
CREATED = "evaluation.created"
FLAG_RESIGN_OR_RECALL = "evaluation.flag.resign_or_recall"
PAPER_COUNTED = "evaluation.paper.counted"
PAPER_ENTERED = "evaluation.paper.entered"
PAPER_MISMATCH = "evaluation.paper.mismatch"
PAPER_REKEY = "evaluation.paper.rekey"
PUBLISHED = "evaluation.published"
QUESTION = "evaluation.question"
QUESTION_ANSWERED = "evaluation.question.answered"
RECALL_FLAGGED = "evaluation.recall.flagged"
RECALL_PETITION = "evaluation.recall.petition"
REPORT = "evaluation.report"
SUBJECT_ADDED = "evaluation.subject.added"
VOTING_CLOSED = "evaluation.voting.closed"
VOTING_OPENED = "evaluation.voting.opened"


# Payload fields that hold personal data or free text: they enter the permanent leaf
# only as salted commitments (wuquan.ledger.commitments; issue 13, finding 4).
SENSITIVE: dict[str, tuple[str, ...]] = {
    "evaluation.*": ("title", "text", "asker", "answer", "basis"),
}

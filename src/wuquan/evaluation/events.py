"""Sensitivity of this app's event payloads (issue 13, finding 4): the payload fields that
hold personal data or free text and so enter the permanent leaf only as salted commitments
(wuquan.ledger.commitments). Keys are actions or fnmatch patterns; values are dotted payload
paths. (The action constants and payload builders of the issue "one path for every write"
are added to this module by that work.)"""

SENSITIVE: dict[str, tuple[str, ...]] = {
    "evaluation.*": ("title", "text", "asker", "answer", "basis"),
}


# Payload fields that hold personal data or free text: they enter the permanent leaf
# only as salted commitments (wuquan.ledger.commitments; issue 13, finding 4).
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

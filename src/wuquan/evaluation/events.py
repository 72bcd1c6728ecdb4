"""The evaluation events: action names as constants, one keyword-only payload builder per event
and the sensitivity of payload fields (docs/events.md). Every path that records an evaluation
event — the live services, `wuquan import` (through those same services, decision 0010) and
the API — builds its payload here. No payload links a voter or a code to a choice (EVA-1)."""

from __future__ import annotations

from typing import Any

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


# the keys an import adds to every payload (tests/evaluation/test_evaluation_exchange.py
# compares live and imported payloads without them)
IMPORT_MARKER_KEYS = ("source", "source_ref")

EVA3_RULE = "EVA-3-two-unqualified-years"
EVA4_RULE = "EVA-4-recall-threshold"


def import_marker(source_ref: str) -> dict[str, str]:
    return {"source": "import", "source_ref": source_ref}


# ---- payload builders: one per event, used by every path that emits it --------------------
# Ids, codes, enums, counts and dates; subjects are person ids. The texts in SENSITIVE (a
# title, a commitment, a report, a question, who asked it, the answer) enter the leaf only as
# salted commitments.


def created(evaluation) -> dict[str, Any]:
    return {
        "unit": evaluation.unit.code,
        "year": evaluation.year,
        "title": evaluation.title,
        "kind": evaluation.kind,
        "scale": list(evaluation.scale),
        "eligible_voters": evaluation.eligible_voters,
    }


def subject_added(subject) -> dict[str, Any]:
    return {"person": subject.person_id, "role": subject.role_title}


def commitment(subject) -> dict[str, Any]:
    return {"on": subject.commitment_on.isoformat(), "text": subject.commitment}


def report(subject) -> dict[str, Any]:
    return {"on": subject.report_on.isoformat(), "text": subject.report}


def question(q) -> dict[str, Any]:
    return {"asker": q.asker, "text": q.text, "answer": q.answer}


def question_answered(q) -> dict[str, Any]:
    return {"question": q.pk, "answer": q.answer}


def voting_opened(evaluation) -> dict[str, Any]:
    return {}


def codes_issued(evaluation, *, count: int) -> dict[str, Any]:
    return {"count": count}


def ballot_cast(evaluation, *, channel: str) -> dict[str, Any]:
    """Only that a ballot was cast, and how: never the code, never a grade (EVA-1)."""
    return {"channel": channel}


def paper_batch(sheet, *, ballots: int) -> dict[str, Any]:
    """`…paper.entered` / `…paper.counted` / `…paper.mismatch` (the services add `counts`,
    `differences` — ballot positions and subject ids, no grades)."""
    return {"sheet": sheet.sheet_no, "ballots": ballots}


def paper_rekey(sheet, *, diff: dict) -> dict[str, Any]:
    return {
        "sheet": sheet.sheet_no,
        "discarded_clerks": [c.get_username() for c in diff["clerks"] if c is not None],
        "counts": diff["counts"],
        "differences": [[r["ballot"], r["subject"].pk] for r in diff["rows"]],
    }


def voting_closed(evaluation, *, ballots: int, results: dict) -> dict[str, Any]:
    """`results`: {person id: {"counts": {grade: n}, "rating": grade}}."""
    return {"ballots": ballots, "results": results}


def flag_resign_or_recall(flag, *, evaluation) -> dict[str, Any]:
    return {
        "flag": flag.pk,
        "unit": evaluation.unit.code,
        "years": [evaluation.year - 1, evaluation.year],
        "rule": EVA3_RULE,
    }


def published(evaluation) -> dict[str, Any]:
    return {"results": {s.person_id: s.rating for s in evaluation.subjects.order_by("id")}}


def recall_petition(petition) -> dict[str, Any]:
    return {
        "unit": petition.unit.code,
        "person": petition.person_id,
        "basis": petition.basis,
        "signatures": petition.signatures,
        "eligible_total": petition.eligible_total,
        "reaches_threshold": petition.reaches_threshold,
    }


def recall_flagged(petition) -> dict[str, Any]:
    return {"petition": petition.pk, "rule": EVA4_RULE}


# Payload fields that hold personal data or free text: they enter the permanent leaf
# only as salted commitments (wuquan.ledger.commitments; issue 13, finding 4). `asker` is a
# villager or representative by name; the texts are free text no rule reads.
SENSITIVE: dict[str, tuple[str, ...]] = {
    # `role`: the subject's role title is typed free text (PII crawl)
    "evaluation.*": ("title", "text", "asker", "answer", "role"),
}

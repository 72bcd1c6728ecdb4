"""Writes of democratic evaluation (EVA-1..4, PUB-10): cycle, codes, ballots, paper double entry,
count, flags. Each service writes one event; no event or row links a voter or code to a choice."""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput
from wuquan.common.sealing import BallotBox
from wuquan.ledger import record
from wuquan.org.models import Person, Unit

from . import events
from .models import (
    DEFAULT_SCALE,
    Ballot,
    Evaluation,
    EvaluationStatus,
    Flag,
    FlagKind,
    PaperEntry,
    PaperSheet,
    PetitionBasis,
    Question,
    RecallPetition,
    SealedBallot,
    SheetStatus,
    Subject,
    VoterCode,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@dataclass(frozen=True)
class ImportedHistory:
    """An evaluation's history from a legacy system replayed through these services (`wuquan
    import`, docs/exchange-format.md; decision 0010) — the ONE way a service here accepts what
    a live call refuses. Passed as `history=`, it changes only this: a batch of paper ballots
    the source has already counted is counted from its one entry (the source's count is the
    agreed one; the payload says `double_entry: false`), and every payload carries the import
    marker (`source: "import"`, `source_ref`)."""

    source_ref: str


def _marked(payload: dict, history: ImportedHistory | None) -> dict:
    if history is not None:
        payload.update(events.import_marker(history.source_ref))
    return payload


def _today(at: datetime | None) -> date:
    return timezone.localdate(at) if at else timezone.localdate()


def _text(value, field, label):
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("请填写%s。") % label, field=field)
    return value


def _status(evaluation: Evaluation, *allowed: str) -> None:
    if evaluation.status not in allowed:
        raise InvalidInput(_("测评当前为“%s”，不能进行此操作。") % evaluation.get_status_display())


def _random_uuid() -> uuid.UUID:
    return uuid.UUID(bytes=secrets.token_bytes(16), version=4)


def code_hash(evaluation: Evaluation, code: str) -> str:
    key = f"{settings.SECRET_KEY}:evaluation:{evaluation.pk}".encode()
    return hmac.new(key, code.strip().upper().encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def do_create_evaluation(
    unit: Unit,
    year: int,
    title: str,
    kind: str,
    eligible_voters: int,
    scale: list[str] | None = None,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Evaluation:
    scale = list(scale or DEFAULT_SCALE)
    if len(scale) < 2 or len(set(scale)) != len(scale):
        raise InvalidInput(_("测评等次至少两个且不能重复，最后一个为“不称职”档。"), field="scale")
    if eligible_voters < 1:
        raise InvalidInput(_("参评人数须大于 0。"), field="eligible_voters")
    evaluation = Evaluation.objects.create(
        unit=unit,
        year=year,
        title=_text(title, "title", _("名称")),
        kind=kind,
        scale=scale,
        eligible_voters=eligible_voters,
        source_ref=history.source_ref if history is not None else "",
    )
    payload = events.created(evaluation)
    record(actor, events.CREATED, evaluation, _marked(payload, history), at=at)
    return evaluation


@transaction.atomic
def do_add_subject(
    evaluation: Evaluation,
    person: Person,
    role_title: str,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Subject:
    """Put a person before the evaluation (idempotent: no event when already a subject)."""
    _status(evaluation, EvaluationStatus.DRAFT)
    subject, created = Subject.objects.get_or_create(
        evaluation=evaluation,
        person=person,
        defaults={"role_title": _text(role_title, "role_title", _("职务"))},
    )
    if created:
        payload = events.subject_added(subject)
        record(actor, events.SUBJECT_ADDED, evaluation, _marked(payload, history), at=at)
    return subject


@transaction.atomic
def do_record_commitment(
    subject: Subject,
    text: str,
    on: date,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Subject:
    """年初公开承诺: 《职务履行和廉洁从政承诺书》 (EVA-2, 附件15 二(三)2)."""
    subject.commitment, subject.commitment_on = _text(text, "text", _("承诺内容")), on
    subject.save(update_fields=["commitment", "commitment_on"])
    payload = events.commitment(subject)
    record(actor, events.COMMITMENT, subject, _marked(payload, history), at=at)
    return subject


@transaction.atomic
def do_record_report(
    subject: Subject,
    text: str,
    on: date,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Subject:
    """年末述职述廉 (EVA-2)."""
    subject.report, subject.report_on = _text(text, "text", _("述职述廉内容")), on
    subject.save(update_fields=["report", "report_on"])
    record(actor, events.REPORT, subject, _marked(events.report(subject), history), at=at)
    return subject


@transaction.atomic
def do_ask_question(
    subject: Subject,
    asker: str,
    text: str,
    answer: str = "",
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Question:
    """询问和质询, and the answer given at the meeting (EVA-2)."""
    q = Question.objects.create(
        subject=subject,
        asker=_text(asker, "asker", _("提问人")),
        text=_text(text, "text", _("问题")),
        answer=(answer or "").strip(),
    )
    record(actor, events.QUESTION, subject, _marked(events.question(q), history), at=at)
    return q


@transaction.atomic
def do_answer_question(
    question: Question,
    answer: str,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Question:
    question.answer = _text(answer, "answer", _("答复"))
    question.save(update_fields=["answer"])
    payload = events.question_answered(question)
    record(actor, events.QUESTION_ANSWERED, question.subject, _marked(payload, history), at=at)
    return question


@transaction.atomic
def do_open_voting(
    evaluation: Evaluation,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Evaluation:
    _status(evaluation, EvaluationStatus.DRAFT)
    if not evaluation.subjects.exists():
        raise InvalidInput(_("请先添加被测评人。"))
    evaluation.status = EvaluationStatus.VOTING
    evaluation.save(update_fields=["status"])
    payload = events.voting_opened(evaluation)
    record(actor, events.VOTING_OPENED, evaluation, _marked(payload, history), at=at)
    return evaluation


@transaction.atomic
def do_issue_codes(
    evaluation: Evaluation,
    count: int,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> list[str]:
    """One-time voter codes, returned once in clear and stored only as keyed hashes (EVA-1)."""
    _status(evaluation, EvaluationStatus.DRAFT, EvaluationStatus.VOTING)
    if (
        count < 1
        or evaluation.codes.count() + paper_ballots_keyed(evaluation) + count
        > evaluation.eligible_voters
    ):
        raise InvalidInput(
            _("投票码与纸质票合计不能超过参评人数 %d。") % evaluation.eligible_voters, field="count"
        )
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _i in range(10)) for _n in range(count)]
    VoterCode.objects.bulk_create(
        [
            VoterCode(id=_random_uuid(), evaluation=evaluation, code_hash=code_hash(evaluation, c))
            for c in codes
        ]
    )
    payload = events.codes_issued(evaluation, count=count)
    record(actor, events.CODES_ISSUED, evaluation, _marked(payload, history), at=at)
    return codes


def _grades(evaluation: Evaluation, grades: dict) -> dict[int, str]:
    subjects = set(evaluation.subjects.values_list("pk", flat=True))
    clean = {int(k): v for k, v in grades.items()}
    if set(clean) != subjects:
        raise InvalidInput(_("请对每位被测评人选择一个等次。"), field="grades")
    if any(v not in evaluation.scale for v in clean.values()):
        raise InvalidInput(_("无效的测评等次。"), field="grades")
    return clean


def _box(evaluation: Evaluation) -> BallotBox:
    return BallotBox("evaluation", evaluation.pk)


def _add_ballots(evaluation: Evaluation, grades: dict[int, str]) -> None:
    """EVA-1 无记名: while voting is open a ballot exists only sealed under the evaluation's
    key (kept outside the database, destroyed at the count: common/sealing.py)."""
    sealed = _box(evaluation).seal({str(sid): g for sid, g in sorted(grades.items())})
    SealedBallot.objects.create(id=_random_uuid(), evaluation=evaluation, sealed=sealed)


@transaction.atomic
def do_cast_online(
    evaluation: Evaluation,
    code: str,
    grades: dict,
    *,
    actor="voter",
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> None:
    """An online ballot: the code is checked and marked used, the grades stored with no link to
    it. The event says only that a ballot was cast (EVA-1, EVA-2 无记名). The actor is the
    anonymous "voter" (never the person): kept keyword-only like every other service's."""
    _status(evaluation, EvaluationStatus.VOTING)
    grades = _grades(evaluation, grades)
    updated = VoterCode.objects.filter(
        evaluation=evaluation, code_hash=code_hash(evaluation, code or ""), used=False
    ).update(used=True)
    if updated != 1:
        raise InvalidInput(_("投票码无效或已使用。"), field="code")
    _add_ballots(evaluation, grades)
    payload = events.ballot_cast(evaluation, channel="online")
    record(actor, events.BALLOT_CAST, evaluation, _marked(payload, history), at=at)


def paper_ballots_keyed(evaluation: Evaluation) -> int:
    """Paper ballots the batches hold so far (the larger of the two entries of each batch)."""
    sizes: dict[int, int] = {}
    for sheet_id, grades in PaperEntry.objects.filter(sheet__evaluation=evaluation).values_list(
        "sheet_id", "grades"
    ):
        sizes[sheet_id] = max(sizes.get(sheet_id, 0), len(batch_ballots(grades)))
    return sum(sizes.values())


def batch_ballots(grades) -> list[dict]:
    # why: an entry holds a list of ballots (a batch); a bare dict is a batch of one.
    return [grades] if isinstance(grades, dict) else list(grades)


def batch_differences(sheet: PaperSheet) -> dict:
    """What differs between the two clerks' entries of a batch (EVA-1 cross-check): the ballot
    counts and, ballot by ballot, each subject whose grade differs."""
    entries = list(sheet.entries.select_related("clerk").order_by("id"))
    if len(entries) != 2:
        return {"clerks": [e.clerk for e in entries], "counts": [], "rows": []}
    a, b = (batch_ballots(e.grades) for e in entries)
    subjects = {s.pk: s for s in sheet.evaluation.subjects.select_related("person")}
    rows = []
    for i in range(min(len(a), len(b))):
        for sid, subject in subjects.items():
            ga, gb = a[i].get(str(sid)), b[i].get(str(sid))
            if ga != gb:
                rows.append({"ballot": i + 1, "subject": subject, "a": ga, "b": gb})
    return {"clerks": [e.clerk for e in entries], "counts": [len(a), len(b)], "rows": rows}


@transaction.atomic
def do_enter_paper_batch(
    evaluation: Evaluation,
    batch_no: str,
    ballots: list[dict],
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> PaperSheet:
    """Key in a batch of paper ballots (一批纸质票). Two different clerks key each batch; it is
    counted only when both entries agree ballot by ballot, else it is marked as a mismatch
    with the differing positions recorded (no grades in the event) (EVA-1). `actor` is the
    clerk (a user: the two entries must be by two different clerks). Under `history` the
    batch the source already counted is counted from its one entry."""
    clerk = actor
    _status(evaluation, EvaluationStatus.VOTING)
    batch_no = _text(batch_no, "sheet_no", _("批号"))
    if not ballots:
        raise InvalidInput(_("请至少录入一张选票。"), field="grades")
    ballots = [_grades(evaluation, g) for g in ballots]
    sheet = (
        PaperSheet.objects.select_for_update()
        .filter(evaluation=evaluation, sheet_no=batch_no)
        .first()
    )
    if sheet is not None and sheet.status != SheetStatus.PENDING:
        raise InvalidInput(
            _("批号 %(n)s 已%(s)s。") % {"n": batch_no, "s": sheet.get_status_display()},
            field="sheet_no",
        )
    if sheet is not None and history is not None:
        raise InvalidInput(_("批号 %s 重复。") % batch_no, field="sheet_no")
    if sheet is not None and sheet.entries.filter(clerk=clerk).exists():
        raise InvalidInput(
            _("您已录入过批号 %s，须由另一名录入员复核录入。") % batch_no, field="sheet_no"
        )
    keyed = [] if sheet is None else [len(batch_ballots(e.grades)) for e in sheet.entries.all()]
    already = max(keyed, default=0)
    extra = max(0, len(ballots) - already)
    total = evaluation.codes.count() + paper_ballots_keyed(evaluation) + extra
    if total > evaluation.eligible_voters:
        raise InvalidInput(
            _("投票码与纸质票合计不能超过参评人数 %d。") % evaluation.eligible_voters,
            field="sheet_no",
        )
    if sheet is None:
        sheet = PaperSheet.objects.create(evaluation=evaluation, sheet_no=batch_no)
    PaperEntry.objects.create(
        sheet=sheet,
        clerk=clerk if history is None else None,
        grades=[{str(k): v for k, v in g.items()} for g in ballots],
    )
    payload = events.paper_batch(sheet, ballots=len(ballots))
    if history is not None:
        sheet.status = SheetStatus.COUNTED
        sheet.save(update_fields=["status"])
        for g in ballots:
            _add_ballots(evaluation, g)
        payload["double_entry"] = False
        record(actor, events.PAPER_COUNTED, evaluation, _marked(payload, history), at=at)
        return sheet
    if sheet.entries.count() == 2:
        diff = batch_differences(sheet)
        if not diff["rows"] and diff["counts"][0] == diff["counts"][1]:
            sheet.status = SheetStatus.COUNTED
            for g in ballots:
                _add_ballots(evaluation, g)
            action = events.PAPER_COUNTED
        else:
            sheet.status = SheetStatus.MISMATCH
            action = events.PAPER_MISMATCH
            payload["counts"] = diff["counts"]
            payload["differences"] = [[r["ballot"], r["subject"].pk] for r in diff["rows"]]
        sheet.save(update_fields=["status"])
    else:
        action = events.PAPER_ENTERED
    record(clerk, action, evaluation, payload, at=at)
    return sheet


def do_enter_paper_sheet(
    evaluation: Evaluation, sheet_no: str, grades: dict, *, actor, at: datetime | None = None
) -> PaperSheet:
    """Key in one paper ballot: a batch of one (EVA-1)."""
    return do_enter_paper_batch(evaluation, sheet_no, [grades], actor=actor, at=at)


@transaction.atomic
def do_rekey_paper_batch(sheet: PaperSheet, *, actor, at: datetime | None = None) -> PaperSheet:
    """Resolve a mismatch by re-keying: both entries are discarded and the batch waits for two
    fresh entries. The event keeps who keyed it and where they differed (EVA-1)."""
    sheet = PaperSheet.objects.select_for_update().get(pk=sheet.pk)
    _status(sheet.evaluation, EvaluationStatus.VOTING)
    if sheet.status != SheetStatus.MISMATCH:
        raise InvalidInput(_("只有录入不一致的批次需要重新录入。"), field="sheet_no")
    diff = batch_differences(sheet)
    sheet.entries.all().delete()
    sheet.status = SheetStatus.PENDING
    sheet.save(update_fields=["status"])
    payload = events.paper_rekey(sheet, diff=diff)
    record(actor, events.PAPER_REKEY, sheet.evaluation, payload, at=at)
    return sheet


def rate(evaluation: Evaluation, counts: dict[str, int]) -> tuple[str, str]:
    """不称职 when its votes exceed the configured share (default 1/3) of ballots; otherwise the
    grade with most votes, ties going to the lower grade."""
    total = sum(counts.values())
    if total == 0:
        return "", _("无有效票")
    bad = counts.get(evaluation.unqualified_grade, 0)
    n, d = evaluation.unqualified_num, evaluation.unqualified_den
    if bad * d > total * n:
        return evaluation.unqualified_grade, _(
            "“%(g)s” %(b)d 票，超过有效票 %(t)d 的 %(n)d/%(d)d"
        ) % {"g": evaluation.unqualified_grade, "b": bad, "t": total, "n": n, "d": d}
    best = max(reversed(evaluation.scale), key=lambda g: counts.get(g, 0))
    return best, _("有效票 %(t)d，“%(g)s” %(c)d 票最多") % {
        "t": total,
        "g": best,
        "c": counts.get(best, 0),
    }


@transaction.atomic
def do_close_voting(
    evaluation: Evaluation,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Evaluation:
    """Count: reshuffle the box, tally, rate, flag two unqualified years in a row (EVA-3)."""
    _status(evaluation, EvaluationStatus.VOTING)
    open_batches = evaluation.sheets.exclude(status=SheetStatus.COUNTED).count()
    if open_batches:
        raise InvalidInput(
            _("尚有 %d 批纸质票未经两人录入一致，请先完成录入或重新录入后再结束测评。")
            % open_batches
        )
    box = _box(evaluation)
    opened = box.open_all(list(evaluation.sealed_ballots.values_list("sealed", flat=True)))
    rows = [(int(sid), grade) for ballot in opened for sid, grade in ballot.items()]
    random.SystemRandom().shuffle(rows)
    evaluation.sealed_ballots.all().delete()
    Ballot.objects.bulk_create(
        [Ballot(id=_random_uuid(), evaluation=evaluation, subject_id=s, grade=g) for s, g in rows]
    )
    box.destroy_on_commit()
    results = {}
    for subject in evaluation.subjects.select_related("person"):
        counts = {g: 0 for g in evaluation.scale}
        for sid, grade in rows:
            if sid == subject.pk:
                counts[grade] += 1
        subject.counts = counts
        subject.rating, subject.rating_text = rate(evaluation, counts)
        subject.save(update_fields=["counts", "rating", "rating_text"])
        results[subject.person_id] = {"counts": counts, "rating": subject.rating}
    evaluation.status = EvaluationStatus.CLOSED
    evaluation.save(update_fields=["status"])
    payload = events.voting_closed(evaluation, ballots=len(rows), results=results)
    record(actor, events.VOTING_CLOSED, evaluation, _marked(payload, history), at=at)
    for subject in evaluation.subjects.all():
        if subject.rating == evaluation.unqualified_grade:
            _check_two_years(actor, evaluation, subject, at, history)
    return evaluation


def _check_two_years(actor, evaluation: Evaluation, subject: Subject, at, history) -> None:
    """连续两年评议为不合格: 责令辞职, 不辞职的启动罢免 (EVA-3, 附件15 二(三)3)."""
    previous = Subject.objects.filter(
        person=subject.person,
        evaluation__unit=evaluation.unit,
        evaluation__kind=evaluation.kind,
        evaluation__year=evaluation.year - 1,
        evaluation__status__in=[EvaluationStatus.CLOSED, EvaluationStatus.PUBLISHED],
    ).first()
    if previous and previous.rating == previous.evaluation.unqualified_grade:
        flag = Flag.objects.create(
            person=subject.person,
            unit=evaluation.unit,
            kind=FlagKind.RESIGN_OR_RECALL,
            reason=_("%(a)d、%(b)d 年连续两年测评为“%(g)s”")
            % {"a": evaluation.year - 1, "b": evaluation.year, "g": subject.rating},
            raised_on=_today(at),
        )
        payload = events.flag_resign_or_recall(flag, evaluation=evaluation)
        record(
            actor, events.FLAG_RESIGN_OR_RECALL, subject.person, _marked(payload, history), at=at
        )


@transaction.atomic
def do_publish_results(
    evaluation: Evaluation,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Evaluation:
    """结果公示 (EVA-2, PUB-10)."""
    _status(evaluation, EvaluationStatus.CLOSED)
    evaluation.status, evaluation.published_at = EvaluationStatus.PUBLISHED, at or timezone.now()
    evaluation.save(update_fields=["status", "published_at"])
    payload = events.published(evaluation)
    record(
        actor, events.PUBLISHED, evaluation, _marked(payload, history), at=evaluation.published_at
    )
    return evaluation


def petition_reaches_threshold(basis: str, signatures: int, eligible_total: int) -> bool:
    """五分之一以上有选举权的村民 or 三分之一以上的村民代表 (EVA-4, 附件15 二(四)2(6))."""
    if basis == PetitionBasis.VOTERS:
        return 5 * signatures >= eligible_total
    if basis == PetitionBasis.REPRESENTATIVES:
        return 3 * signatures >= eligible_total
    raise InvalidInput(_("无效的联名类别。"), field="basis")


@transaction.atomic
def do_file_recall_petition(
    unit: Unit,
    person: Person,
    basis: str,
    signatures: int,
    eligible_total: int,
    on: date | None = None,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> RecallPetition:
    if eligible_total < 1 or signatures < 0 or signatures > eligible_total:
        raise InvalidInput(_("联名人数须在 0 与总数之间。"), field="signatures")
    reaches = petition_reaches_threshold(basis, signatures, eligible_total)
    on = on or _today(at)
    petition = RecallPetition.objects.create(
        unit=unit,
        person=person,
        basis=basis,
        signatures=signatures,
        eligible_total=eligible_total,
        filed_on=on,
        reaches_threshold=reaches,
    )
    payload = events.recall_petition(petition)
    record(actor, events.RECALL_PETITION, petition, _marked(payload, history), at=at)
    if reaches:
        Flag.objects.create(
            person=person,
            unit=unit,
            kind=FlagKind.RECALL_PETITION,
            reason=_("罢免联名 %(s)d / %(t)d") % {"s": signatures, "t": eligible_total},
            raised_on=on,
        )
        payload = events.recall_flagged(petition)
        record(actor, events.RECALL_FLAGGED, person, _marked(payload, history), at=at)
    return petition

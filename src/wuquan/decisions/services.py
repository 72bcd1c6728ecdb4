"""Writes of the decisions app: the 三重一大 catalog, meetings, agenda, statements, votes,
reconsideration, filing, publication (DEC-1..9, DEC-11). Each service writes one event.

Guarded services (`@guarded`) refuse a rule breach with RuleViolation and record the refusal
("decisions.refused") after their own work has rolled back; see rules.py.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.common.sealing import BallotBox
from wuquan.ledger import record
from wuquan.ledger.services import describe_subject
from wuquan.org.models import Person, Unit
from wuquan.workdays.calendar import last_working_day_before

from . import events, rules, voting
from .models import (
    AgendaItem,
    CatalogEntry,
    Choice,
    ExecutionReport,
    ItemStatus,
    MaterialDelivery,
    MatterKind,
    Meeting,
    MeetingMember,
    MeetingStatus,
    OpenVote,
    SealedBallot,
    SecretBallot,
    Statement,
    VoteMarker,
    VoteMode,
)
from .selectors import body_for, decision_for

# 附件3 第三: appointments are decided by 无记名票决; other matters by a named vote.
VOTE_MODE_BY_KIND = {kind: VoteMode.OPEN for kind in MatterKind.values}
VOTE_MODE_BY_KIND[MatterKind.APPOINTMENT] = VoteMode.SECRET


@dataclass(frozen=True)
class ImportedHistory:
    """A meeting's history from a legacy system replayed through these services (`wuquan
    import`, docs/exchange-format.md; decision 0010) — the ONE way a service here accepts what
    a live call refuses. Passed as `history=`, it changes only this: a breach a guard would
    refuse (no quorum, materials late, the head not speaking last, a step missing before the
    decision) is not refused — it happened — but recorded as `decisions.breach.recorded` with
    the rule's code, so the same supervision rule raises the same alarm; and every payload
    carries the import marker (`source: "import"`, `source_ref`)."""

    source_ref: str


def _marked(payload: dict, history: ImportedHistory | None) -> dict:
    if history is not None:
        payload.update(events.import_marker(history.source_ref))
    return payload


def _breach(exc: RuleViolation, history: ImportedHistory | None, actor, at) -> None:
    """Live: refuse (the guard records the refusal). Imported history: record the breach."""
    if history is None:
        raise exc
    rules.record_breach(actor, exc, at=at, marker=events.import_marker(history.source_ref))


def _kind(kind: str) -> str:
    if kind not in MatterKind.values:
        raise InvalidInput(_("未知的事项类别：%s") % kind, field="kind")
    return kind


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("请填写%s。") % label, field=field)
    return value


# ------------------------------------------------------------------------------ catalog (DEC-1)


@transaction.atomic
def ensure_catalog_entry(
    unit: Unit,
    kind: str,
    title: str,
    description: str = "",
    amount_threshold=None,
    *,
    actor,
    at: datetime | None = None,
) -> CatalogEntry:
    """Add a line to the unit's 三重一大 catalog (idempotent by unit, kind, title) (DEC-1)."""
    entry, created = CatalogEntry.objects.get_or_create(
        unit=unit,
        kind=_kind(kind),
        title=_text(title, "title", _("事项名称")),
        defaults={"description": description, "amount_threshold": amount_threshold},
    )
    if created:
        record(actor, events.CATALOG_ADDED, entry, events.catalog_added(entry), at=at)
    return entry


# ------------------------------------------------------------------------------ meetings, agenda


@transaction.atomic
def do_create_meeting(
    unit: Unit,
    title: str,
    on: date,
    location: str = "",
    members: list[Person] | None = None,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Meeting:
    """A leadership meeting with its body (应到会人员): by default the holders of the unit's head
    and deputy posts on the meeting day; the head flag comes from org.Post.is_head."""
    title = _text(title, "title", _("会议名称"))
    if not isinstance(on, date):
        raise InvalidInput(_("请填写会议日期。"), field="date")
    body = body_for(unit, on)
    if members is not None:
        heads = {p.pk for p, is_head in body if is_head}
        body = [(p, p.pk in heads) for p in members]
    if not body:
        raise InvalidInput(_("该单位没有领导班子成员，无法组织会议。"), field="members")
    meeting = Meeting.objects.create(
        unit=unit,
        title=title,
        date=on,
        location=location,
        source_ref=history.source_ref if history is not None else "",
    )
    for person, is_head in body:
        MeetingMember.objects.create(meeting=meeting, person=person, is_head=is_head)
    payload = events.meeting_created(meeting, body=body)
    record(actor, events.MEETING_CREATED, meeting, _marked(payload, history), at=at)
    return meeting


@transaction.atomic
def do_propose_item(
    unit: Unit,
    title: str,
    kind: str,
    materials: str = "",
    subject=None,
    catalog_entry: CatalogEntry | None = None,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> AgendaItem:
    """A matter waiting for a meeting (待上会). `subject` links another app's object."""
    subject_type, subject_id = describe_subject(subject)
    item = AgendaItem.objects.create(
        unit=unit,
        title=_text(title, "title", _("议题名称")),
        kind=_kind(kind),
        materials=materials,
        subject_type=subject_type,
        subject_id=subject_id,
        catalog_entry=catalog_entry,
        vote_mode=VOTE_MODE_BY_KIND[kind],
    )
    record(actor, events.ITEM_PROPOSED, item, _marked(events.item_proposed(item), history), at=at)
    return item


def require_decision(
    subject,
    unit: Unit,
    kind: str,
    title: str,
    materials: str = "",
    *,
    actor,
    at: datetime | None = None,
) -> AgendaItem:
    """Another app's object needs a collective decision: return the item that carries it,
    proposing one if none exists yet (DEC-2). Pair with `assert_decided` before acting."""
    subject_type, subject_id = describe_subject(subject)
    existing = (
        AgendaItem.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .exclude(status=ItemStatus.DEFERRED)
        .order_by("-id")
        .first()
    )
    return existing or do_propose_item(
        unit, title, kind, materials, subject=subject, actor=actor, at=at
    )


@transaction.atomic
def do_schedule_item(
    item: AgendaItem,
    meeting: Meeting,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> AgendaItem:
    if item.status not in (ItemStatus.PROPOSED, ItemStatus.DEFERRED):
        raise InvalidInput(_("该议题已列入会议，不能重复安排。"))
    if meeting.status == MeetingStatus.CLOSED:
        raise InvalidInput(_("会议已结束。"))
    if item.unit_id != meeting.unit_id:
        raise InvalidInput(_("议题与会议不属于同一单位。"))
    item.meeting = meeting
    item.seq = meeting.items.count() + 1
    item.status = ItemStatus.SCHEDULED
    item.save(update_fields=["meeting", "seq", "status"])
    payload = events.item_scheduled(item)
    record(actor, events.ITEM_SCHEDULED, item, _marked(payload, history), at=at)
    return item


def do_add_agenda_item(
    meeting: Meeting,
    title: str,
    kind: str,
    materials: str = "",
    subject=None,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> AgendaItem:
    """Propose an item and put it on the meeting's agenda at once: two events, one for each
    act (待上会, then 列入议程), as when they are done apart."""
    with transaction.atomic():
        item = do_propose_item(
            meeting.unit, title, kind, materials, subject, actor=actor, at=at, history=history
        )
        return do_schedule_item(item, meeting, actor=actor, at=at, history=history)


@transaction.atomic
def do_send_materials(
    item: AgendaItem,
    members: list[MeetingMember] | None = None,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> list[MaterialDelivery]:
    """Record that the item's agenda and materials reached members at `at` (DEC-3)."""
    if item.meeting_id is None or item.status != ItemStatus.SCHEDULED:
        raise InvalidInput(_("只能为已列入议程、尚未开始讨论的议题送达材料。"))
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise InvalidInput(_("送达时间须带时区。"), field="at")
    members = members if members is not None else list(item.meeting.members.all())
    done = []
    for member in members:
        if member.meeting_id != item.meeting_id:
            raise InvalidInput(_("%s 不是本次会议成员。") % member.person, field="members")
        delivery, created = MaterialDelivery.objects.get_or_create(
            item=item, member=member, defaults={"delivered_at": at}
        )
        if created:
            done.append(delivery)
    payload = events.materials_sent(item, deliveries=done, at=at)
    record(actor, events.MATERIALS_SENT, item, _marked(payload, history), at=at)
    return done


@transaction.atomic
def do_record_attendance(
    meeting: Meeting,
    present_person_ids,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Meeting:
    """Sign-in: who of the body is present (到会). Opens the meeting (held) — on or after the
    day it was called for: a meeting dated ahead was held and closed today without a word
    (issue 12, finding 10)."""
    if meeting.status == MeetingStatus.CLOSED:
        raise InvalidInput(_("会议已结束。"))
    today = timezone.localdate(at) if at else timezone.localdate()
    if meeting.date and meeting.date > today:
        raise RuleViolation(
            _("会议定于 %(d)s 召开，不能提前签到召开；如需提前，请先更改会议日期并重新送达材料。")
            % {"d": meeting.date.isoformat()},
            field="date",
        )
    present = {int(pk) for pk in present_person_ids}
    known = set(meeting.members.values_list("person_id", flat=True))
    if not present <= known:
        raise InvalidInput(_("签到人员须是本次会议应到成员。"), field="present")
    for member in meeting.members.all():
        member.present = member.person_id in present
        member.save(update_fields=["present"])
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status"])
    payload = events.meeting_attendance(meeting, known=known, present=present)
    record(actor, events.MEETING_ATTENDANCE, meeting, _marked(payload, history), at=at)
    return meeting


def materials_deadline(meeting: Meeting) -> date:
    """Materials must arrive by the end (24:00 local) of the last working day before the
    meeting's date: 至少提前1个工作日送达 (附件8 二5)."""
    return last_working_day_before(meeting.date)


@rules.guarded
def do_open_item(
    item: AgendaItem,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> AgendaItem:
    """Open an item for discussion at a held meeting with quorum, materials on time (DEC-2, DEC-3)."""
    meeting = item.meeting
    if meeting is None or item.status != ItemStatus.SCHEDULED:
        raise InvalidInput(_("只能开启已列入议程的议题。"))
    if meeting.status != MeetingStatus.HELD:
        raise InvalidInput(_("会议尚未签到召开。"))
    try:
        assert_pre_decision_steps(item)
    except RuleViolation as exc:
        _breach(exc, history, actor, at)
    expected, present = meeting.expected_count, meeting.present_count
    if not voting.has_quorum(present, expected):
        exc = rules.violation(
            rules.QUORUM,
            _("到会 %(p)d 人，未超过应到 %(e)d 人的半数，不能讨论决定。")
            % {"p": present, "e": expected},
            item,
            expected=expected,
            present=present,
        )
        _breach(exc, history, actor, at)
    if item.kind != MatterKind.APPOINTMENT:
        deadline = materials_deadline(meeting)
        late = []
        for member in meeting.members.all():
            delivery = MaterialDelivery.objects.filter(item=item, member=member).first()
            if delivery is None or timezone.localdate(delivery.delivered_at) > deadline:
                late.append(member)
        if late:
            names = "、".join(str(m.person) for m in late)
            exc = rules.violation(
                rules.MATERIALS_LATE,
                _(
                    "议题材料须在 %(d)s（会议前最后一个工作日）24 时前送达每位与会人员；未按时送达：%(n)s"
                )
                % {"d": deadline.isoformat(), "n": names},
                item,
                deadline=deadline.isoformat(),
                late=[m.person_id for m in late],
            )
            _breach(exc, history, actor, at)
    item.status = ItemStatus.OPEN
    item.save(update_fields=["status"])
    payload = events.item_opened(item, present=present, expected=expected)
    record(actor, events.ITEM_OPENED, item, _marked(payload, history), at=at)
    return item


def _member(item: AgendaItem, member: MeetingMember) -> MeetingMember:
    if member.meeting_id != item.meeting_id:
        raise InvalidInput(_("%s 不是本次会议成员。") % member.person, field="member")
    if not member.present:
        raise InvalidInput(_("%s 未到会。") % member.person, field="member")
    return member


@rules.guarded
def do_make_statement(
    item: AgendaItem,
    member: MeetingMember,
    text: str,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Statement:
    """Record a member's statement in order; the head speaks only after every other present
    member, and no one after the head (末位表态, DEC-4)."""
    if item.status != ItemStatus.OPEN:
        raise InvalidInput(_("议题不在讨论阶段。"))
    text = _text(text, "text", _("发言要点"))
    member = _member(item, member)
    if item.statements.filter(member=member).exists():
        raise InvalidInput(_("%s 已发言。") % member.person, field="member")
    spoken = set(item.statements.values_list("member_id", flat=True))
    head_spoke = item.statements.filter(member__is_head=True).exists()
    if member.is_head:
        waiting = item.meeting.members.filter(present=True, is_head=False).exclude(pk__in=spoken)
        if waiting.exists():
            names = "、".join(str(m.person) for m in waiting)
            exc = rules.violation(
                rules.HEAD_SPEAKS_LAST,
                _("主要负责人须末位表态：%s 尚未发言。") % names,
                item,
                member=member.person_id,
                waiting=[m.person_id for m in waiting],
            )
            _breach(exc, history, actor, at)
    elif head_spoke:
        exc = rules.violation(
            rules.HEAD_SPEAKS_LAST,
            _("主要负责人已末位表态，讨论已结束。"),
            item,
            member=member.person_id,
        )
        _breach(exc, history, actor, at)
    statement = Statement.objects.create(item=item, member=member, seq=len(spoken) + 1, text=text)
    payload = events.statement_made(statement)
    record(actor, events.STATEMENT_MADE, item, _marked(payload, history), at=at)
    return statement


@rules.guarded
def do_start_vote(
    item: AgendaItem,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> AgendaItem:
    """After the discussion, with the head's closing statement, the item goes to the vote."""
    if item.status != ItemStatus.OPEN:
        raise InvalidInput(_("议题不在讨论阶段。"))
    head = item.meeting.members.filter(is_head=True, present=True).first()
    if head is not None and not item.statements.filter(member=head).exists():
        exc = rules.violation(
            rules.HEAD_SPEAKS_LAST, _("主要负责人尚未末位表态，不能付诸表决。"), item
        )
        _breach(exc, history, actor, at)
    item.status = ItemStatus.VOTING
    item.save(update_fields=["status"])
    record(actor, events.VOTE_STARTED, item, _marked(events.vote_started(item), history), at=at)
    return item


def _choice(choice: str) -> str:
    if choice not in Choice.values:
        raise InvalidInput(_("无效的表决意见。"), field="choice")
    return choice


@transaction.atomic
def do_cast_vote(
    item: AgendaItem,
    member: MeetingMember,
    choice: str,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> None:
    """One member's vote. Open: the named choice is recorded. Secret (appointments, 附件3 第三):
    a marker that the member voted and, separately, a ballot holding only the choice."""
    if item.status != ItemStatus.VOTING:
        raise InvalidInput(_("议题不在表决阶段。"))
    member, choice = _member(item, member), _choice(choice)
    if item.vote_mode == VoteMode.OPEN:
        if OpenVote.objects.filter(item=item, member=member).exists():
            raise InvalidInput(_("%s 已表决。") % member.person, field="member")
        vote = OpenVote.objects.create(item=item, member=member, choice=choice)
        record(actor, events.VOTE_CAST, item, _marked(events.vote_cast(vote), history), at=at)
        return
    _mark(actor, item, member, at, history)
    _seal(item, choice)


def _box(item: AgendaItem) -> BallotBox:
    return BallotBox("decisions-item", item.pk)


def _seal(item: AgendaItem, choice: str) -> None:
    """DEC-5: while the vote is open a ballot exists only sealed under the vote's key."""
    SealedBallot.objects.create(id=_random_uuid(), item=item, sealed=_box(item).seal(choice))


def _random_uuid():
    import uuid

    return uuid.UUID(bytes=secrets.token_bytes(16), version=4)


def _mark(actor, item: AgendaItem, member: MeetingMember, at, history) -> None:
    if VoteMarker.objects.filter(item=item, member=member).exists():
        raise InvalidInput(_("%s 已投票。") % member.person, field="member")
    VoteMarker.objects.create(item=item, member=member)
    payload = events.ballot_voted(item, member=member)
    record(actor, events.BALLOT_VOTED, item, _marked(payload, history), at=at)


@transaction.atomic
def do_mark_voted(
    item: AgendaItem, member: MeetingMember, *, actor, at: datetime | None = None
) -> None:
    """Paper secret ballot: the clerk ticks that a member put a ballot in the box."""
    if item.status != ItemStatus.VOTING or item.vote_mode != VoteMode.SECRET:
        raise InvalidInput(_("议题不在无记名投票阶段。"))
    _mark(actor, item, _member(item, member), at, None)


@transaction.atomic
def do_enter_paper_ballot(
    item: AgendaItem, choice: str, *, actor, at: datetime | None = None
) -> None:
    """Paper secret ballot: key in one ballot from the box — a choice with no voter."""
    if item.status != ItemStatus.VOTING or item.vote_mode != VoteMode.SECRET:
        raise InvalidInput(_("议题不在无记名投票阶段。"))
    choice = _choice(choice)
    if item.sealed_ballots.count() >= item.vote_markers.count():
        raise InvalidInput(_("录入的选票不能多于已投票人数。"))
    _seal(item, choice)
    record(actor, events.BALLOT_ENTERED, item, events.ballot_entered(item), at=at)


def _open_box(item: AgendaItem) -> list[str]:
    """The count (DEC-5): open the sealed ballots, write them in clear in random order with
    fresh random keys (rows that never existed while the vote was open), drop the sealed
    rows and destroy the vote's key once this commits."""
    box = _box(item)
    choices = box.open_all(list(item.sealed_ballots.values_list("sealed", flat=True)))
    random.SystemRandom().shuffle(choices)
    item.sealed_ballots.all().delete()
    SecretBallot.objects.bulk_create(
        [SecretBallot(id=_random_uuid(), item=item, choice=c) for c in choices]
    )
    box.destroy_on_commit()
    return choices


@transaction.atomic
def do_close_vote(
    item: AgendaItem,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> AgendaItem:
    """Close the vote and record the result, final from now on (DEC-5, DEC-6). Passed only when
    yes votes exceed half of 应到会人数 (附件8 二7)."""
    if item.status != ItemStatus.VOTING:
        raise InvalidInput(_("议题不在表决阶段。"))
    if item.vote_mode == VoteMode.SECRET:
        if item.sealed_ballots.count() != item.vote_markers.count():
            raise InvalidInput(
                _("还有选票未录入：已投票 %(m)d 人，已录入 %(b)d 张。")
                % {"m": item.vote_markers.count(), "b": item.sealed_ballots.count()}
            )
        choices = _open_box(item)
    else:
        choices = list(item.open_votes.values_list("choice", flat=True))
    meeting = item.meeting
    expected, present = meeting.expected_count, meeting.present_count
    yes, no = choices.count(Choice.YES), choices.count(Choice.NO)
    abstain = choices.count(Choice.ABSTAIN)
    item.passed = voting.passes(yes, expected)
    item.yes_count, item.no_count, item.abstain_count = yes, no, abstain
    item.expected_count, item.present_count = expected, present
    item.result_text = voting.outcome_text(yes, expected)
    item.decided_at = at or timezone.now()
    item.status = ItemStatus.DECIDED
    item.save()
    payload = events.vote_closed(item)
    record(actor, events.VOTE_CLOSED, item, _marked(payload, history), at=item.decided_at)
    if item.reconsiders_id:
        original = item.reconsiders
        original.superseded_by = item
        original.save(update_fields=["superseded_by"])
        payload = events.reconsideration_decided(original, by_item=item)
        record(
            actor,
            events.RECONSIDERATION_DECIDED,
            original,
            _marked(payload, history),
            at=item.decided_at,
        )
    return item


@transaction.atomic
def do_defer_item(
    item: AgendaItem,
    reason: str,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> AgendaItem:
    """意见不够集中、讨论不够成熟的，暂缓作出决定 (DEC-11, 附件8 二7)."""
    if item.status not in (ItemStatus.SCHEDULED, ItemStatus.OPEN):
        raise InvalidInput(_("只有待讨论或讨论中的议题可以暂缓。"))
    item.deferred_reason = _text(reason, "reason", _("暂缓理由"))
    item.status = ItemStatus.DEFERRED
    item.save(update_fields=["deferred_reason", "status"])
    record(actor, events.ITEM_DEFERRED, item, _marked(events.item_deferred(item), history), at=at)
    return item


@rules.guarded
def do_change_result(
    item: AgendaItem, passed: bool, reason: str = "", *, actor, at: datetime | None = None
) -> None:
    """There is no way to edit a recorded result (DEC-6): this refuses and records the attempt.
    Use `do_open_reconsideration` at a later meeting."""
    raise rules.violation(
        rules.RESULT_FINAL,
        _("票决结果不得更改；如需改变，须经班长同意后在班子会议上复议。"),
        item,
        attempted=bool(passed),
        reason=reason,
    )


@rules.guarded
def do_record_decision_outside_meeting(
    item: AgendaItem, method: str, *, actor, at: datetime | None = None
) -> None:
    """传阅、会签、个别征求意见 cannot replace the meeting (DEC-2, 附件8 一1): always refused."""
    raise rules.violation(
        rules.OUTSIDE_MEETING,
        _("“三重一大”事项须以领导班子会议形式集体讨论决定，不得以%s代替。") % method,
        item,
        method=method,
    )


@rules.guarded
def do_open_reconsideration(
    original: AgendaItem,
    meeting: Meeting,
    head_consent: str,
    reason: str,
    *,
    actor,
    at: datetime | None = None,
) -> AgendaItem:
    """复议: with the head's (班长) consent, at a later meeting of the same unit (DEC-6, 附件8 二8)."""
    if original.status != ItemStatus.DECIDED:
        raise InvalidInput(_("只有已表决的议题可以复议。"))
    if original.superseded_by_id:
        raise InvalidInput(_("该议题已经复议。"))
    reason = _text(reason, "reason", _("复议理由"))
    if not (head_consent or "").strip():
        raise rules.violation(rules.RESULT_FINAL, _("复议须经班长（主要负责人）同意。"), original)
    if meeting.unit_id != original.unit_id or meeting.date <= original.meeting.date:
        raise InvalidInput(_("复议须在本单位此后召开的班子会议上进行。"), field="meeting")
    item = AgendaItem.objects.create(
        unit=original.unit,
        title=_("【复议】%s") % original.title,
        kind=original.kind,
        materials=reason,
        subject_type=original.subject_type,
        subject_id=original.subject_id,
        vote_mode=original.vote_mode,
        reconsiders=original,
        head_consent=head_consent.strip(),
    )
    payload = events.reconsideration_opened(original, new_item=item, meeting=meeting)
    record(actor, events.RECONSIDERATION_OPENED, original, payload, at=at)
    return do_schedule_item(item, meeting, actor=actor, at=at)


@transaction.atomic
def do_close_meeting(
    meeting: Meeting,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> Meeting:
    if meeting.items.filter(status__in=[ItemStatus.OPEN, ItemStatus.VOTING]).exists():
        raise InvalidInput(_("还有议题在讨论或表决中。"))
    meeting.status = MeetingStatus.CLOSED
    meeting.save(update_fields=["status"])
    payload = events.meeting_closed(meeting)
    record(actor, events.MEETING_CLOSED, meeting, _marked(payload, history), at=at)
    return meeting


# ------------------------------------------------------------------------ after the decision


def _decided(item: AgendaItem) -> AgendaItem:
    if item.status != ItemStatus.DECIDED:
        raise InvalidInput(_("议题尚未表决，结果不能公开或备案。"))
    return item


@transaction.atomic
def do_file_with_superior(
    item: AgendaItem,
    superior: Unit | None = None,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> AgendaItem:
    """备案 with the level above (DEC-7, 附件2 二(二)4)."""
    _decided(item)
    if item.filed_at:
        raise InvalidInput(_("已备案。"))
    superior = superior or item.unit.parent
    if superior is None:
        raise InvalidInput(_("本单位没有上级单位，请指定备案单位。"), field="superior")
    item.filed_with, item.filed_at = superior, at or timezone.now()
    item.save(update_fields=["filed_with", "filed_at"])
    payload = events.item_filed(item)
    record(actor, events.ITEM_FILED, item, _marked(payload, history), at=item.filed_at)
    return item


@transaction.atomic
def do_publish(
    item: AgendaItem,
    summary: str,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> AgendaItem:
    """Publish what may be published (DEC-9, PUB-5): the summary the unit approved and the tally."""
    _decided(item)
    if item.published_at:
        raise InvalidInput(_("已公开。"))
    item.public_summary = _text(summary, "summary", _("公开内容"))
    item.published_at = at or timezone.now()
    item.save(update_fields=["public_summary", "published_at"])
    payload = events.item_published(item)
    record(actor, events.ITEM_PUBLISHED, item, _marked(payload, history), at=item.published_at)
    return item


@transaction.atomic
def do_report_execution(
    item: AgendaItem,
    text: str,
    on: date | None = None,
    public: bool = True,
    *,
    actor,
    at: datetime | None = None,
    history: ImportedHistory | None = None,
) -> ExecutionReport:
    """通报重大决策的执行情况 (DEC-9, 附件8 三11)."""
    _decided(item)
    report = ExecutionReport.objects.create(
        item=item,
        text=_text(text, "text", _("执行情况")),
        reported_on=on or (timezone.localdate(at) if at else timezone.localdate()),
        public=public,
    )
    payload = events.execution_reported(report)
    record(actor, events.EXECUTION_REPORTED, item, _marked(payload, history), at=at)
    return report


@rules.guarded
def _assert_decided(subject, *, actor, at: datetime | None = None) -> AgendaItem:
    found = decision_for(subject)
    if found is None:
        subject_type, subject_id = describe_subject(subject)
        raise rules.violation(
            rules.NO_DECISION,
            _("该事项属“三重一大”，须先经领导班子会议集体决策并通过。"),
            (subject_type, subject_id),
        )
    return found


def assert_decided(subject, *, actor=None, at: datetime | None = None) -> AgendaItem:
    """For other apps (finance, projects): raise RuleViolation — and record the refusal — when
    `subject` has no standing collective decision (DEC-2). Call it outside your own
    transaction.atomic() so the refusal record survives. Returns the decision otherwise."""
    return _assert_decided(subject, actor=actor, at=at)


# ---- before the decision (DEC-8, 附件8 一2) ----------------------------------------------


def missing_pre_decision_steps(item: AgendaItem) -> list[str]:
    """The steps of 附件8 一2 a classified item still lacks (none for an unclassified one):
    a study for every item; an expert review for a major investment or works project; a
    public notice or a hearing for a matter touching the public's interests."""
    from .models import PreDecisionKind, PreDecisionProfile

    profile = PreDecisionProfile.objects.filter(item=item).first()
    if profile is None:
        return []
    held = set(item.pre_steps.values_list("kind", flat=True))
    missing = []
    if PreDecisionKind.STUDY not in held:
        missing.append(str(PreDecisionKind.STUDY.label))
    if profile.major_investment and PreDecisionKind.EXPERT_REVIEW not in held:
        missing.append(str(PreDecisionKind.EXPERT_REVIEW.label))
    if profile.affects_public and not held & {
        PreDecisionKind.HEARING,
        PreDecisionKind.PUBLIC_NOTICE,
    }:
        missing.append(_("社会公示或社会听证"))
    return missing


def assert_pre_decision_steps(item: AgendaItem) -> None:
    missing = missing_pre_decision_steps(item)
    if missing:
        raise rules.violation(
            rules.BEFORE_DECISION,
            _("议题“%(t)s”决策前尚缺：%(m)s（附件8 一2）。")
            % {"t": item.title, "m": "、".join(missing)},
            item,
            missing=missing,
        )


@transaction.atomic
def do_classify_item(
    item: AgendaItem,
    *,
    major_investment: bool,
    affects_public: bool,
    actor,
    at: datetime | None = None,
):
    """Say what the item must go through before it is decided (DEC-8); set before the item
    is opened, and never loosened once a step is recorded."""
    from .models import PreDecisionProfile

    when = at or timezone.now()
    if item.status not in (ItemStatus.PROPOSED, ItemStatus.SCHEDULED):
        raise InvalidInput(_("议题已开始讨论，不能再调整决策前程序要求。"))
    profile = PreDecisionProfile.objects.filter(item=item).first()
    if profile is not None and (
        (profile.major_investment and not major_investment)
        or (profile.affects_public and not affects_public)
    ):
        raise RuleViolation(_("决策前程序要求只能增加，不能减少。"))
    profile, _created = PreDecisionProfile.objects.update_or_create(
        item=item,
        defaults={
            "major_investment": major_investment,
            "affects_public": affects_public,
            "classified_at": when,
        },
    )
    payload = events.pre_decision_classified(profile)
    record(actor, events.PRE_DECISION_CLASSIFIED, item, payload, at=when)
    return profile


@transaction.atomic
def do_record_pre_decision_step(
    item: AgendaItem,
    kind: str,
    held_on: date,
    summary: str,
    *,
    actor,
    document_sha256: str = "",
    at: datetime | None = None,
):
    """Record a study, an expert review, a hearing or a public notice held before the item is
    decided (DEC-8). The summary stays in the table; the log holds its digest."""
    from .models import PreDecisionKind, PreDecisionStep

    when = at or timezone.now()
    if kind not in PreDecisionKind.values:
        raise InvalidInput(_("未知的决策前程序。"), field="kind")
    summary = _text(summary, "summary", _("结论摘要"))
    if document_sha256 and not (
        len(document_sha256) == 64 and all(c in "0123456789abcdef" for c in document_sha256)
    ):
        raise InvalidInput(_("材料摘要须为 64 位十六进制 SHA-256。"), field="document_sha256")
    if held_on > timezone.localdate(when):
        raise InvalidInput(_("不能登记尚未举行的程序。"), field="held_on")
    step = PreDecisionStep.objects.create(
        item=item,
        kind=kind,
        held_on=held_on,
        summary=summary,
        document_sha256=document_sha256,
        recorded_at=when,
    )
    record(actor, events.PRE_DECISION_STEP, item, events.pre_decision_step(step), at=when)
    return step

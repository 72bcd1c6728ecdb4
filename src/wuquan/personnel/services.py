"""Writes of personnel: selections from 动议 to 任职 (PER-1, PER-2, PER-4), personal-matters
reports and spot checks (PER-3), the selection-work report (PER-7) and the conflict-of-interest
index (see index.py). Each service records one event (events.py); refusals raise a domain
error and write nothing, except an over-quota refusal, which is itself recorded (PER-5).

The steps run as a fixed state machine (docs/decisions/0070-personnel-fixed-state-machine.md).
"""

from __future__ import annotations

import hashlib
import inspect
import math
import secrets
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.common.identity import is_valid_ric
from wuquan.ledger import record
from wuquan.org.models import Appointment, Person, Post, Unit
from wuquan.org.selectors import add_years
from wuquan.workdays.calendar import add_working_days

from . import events
from .access import is_org_department
from .models import (
    CadreProfile,
    CheckReason,
    Establishment,
    Finding,
    MaritalStatus,
    Nomination,
    NominationKind,
    Objection,
    Outcome,
    PersonalReport,
    PostProfile,
    Relation,
    ReportedFirm,
    ReportedRelative,
    Review,
    ReviewStatus,
    Selection,
    SelectionStatus,
    SpotCheck,
    SpotCheckRound,
    Step,
    StepRecord,
    WorkReport,
)
from .selectors import (
    dossier_digest,
    establishment_for,
    latest_report,
    quota_use,
)

# 《党政领导干部选拔任用工作条例》(2014) 第四十一条: 公示期不少于五个工作日 (checked against
# the Xinhua text republished at news.hebei.com.cn, 2014-01-16; the 2019 revision keeps the
# five working days but renumbers the articles — the new number is not confirmed here).
NOTICE_WORKING_DAYS = 5
# 同条例 第四十二条: 提拔担任非选举产生的领导职务的，试用期为一年.
PROBATION_YEARS = 1


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _text(value, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("请填写%s。") % label, field=field)
    return value


def _date(value, field: str, label: str) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError as exc:
        raise InvalidInput(_("请填写正确的%s。") % label, field=field) from exc


def call_with_time(fn, *args, actor, at, **kwargs):
    """Call another app's service with `actor=` and, where it already takes one, `at=`
    (org's services are being made keyword-only with `at` by another engineer)."""
    params = inspect.signature(fn).parameters
    if "at" in params:
        kwargs["at"] = at
    return fn(*args, actor=actor, **kwargs)


# ------------------------------------------------------------------ set-up: quotas and posts


@transaction.atomic
def do_set_establishment(
    unit: Unit,
    title: str,
    quota: int,
    posts: list[Post],
    *,
    actor,
    basis: str = "",
    at: datetime | None = None,
) -> Establishment:
    """核定职数 for a group of posts of one unit (idempotent by unit and title)."""
    title = _text(title, "title", _("职数名称"))
    if not isinstance(quota, int) or quota < 1:
        raise InvalidInput(_("核定职数须为正整数。"), field="quota")
    if any(p.unit_id != unit.pk for p in posts):
        raise InvalidInput(_("职数只能覆盖本单位的岗位。"), field="posts")
    est, _created = Establishment.objects.update_or_create(
        unit=unit, title=title, defaults={"quota": quota, "basis": basis}
    )
    est.posts.set(posts)
    record(
        actor,
        events.ESTABLISHMENT_SET,
        est,
        {"unit": unit.pk, "quota": quota, "posts": sorted(p.pk for p in posts)},
        at=at,
    )
    return est


@transaction.atomic
def do_set_post_profile(post: Post, *, actor, at: datetime | None = None, **fields) -> PostProfile:
    """Rank, establishment kind, 任前审核, 裸官限入 and 试用期 of a post."""
    profile, _created = PostProfile.objects.update_or_create(post=post, defaults=fields)
    record(
        actor,
        events.POST_PROFILE_SET,
        profile,
        {
            "post": post.pk,
            "rank": profile.rank,
            "staffing_kind": profile.staffing_kind,
            "district_reviewed": profile.district_reviewed,
            "restricted": profile.restricted,
            "probation": profile.probation,
        },
        at=at,
    )
    return profile


@transaction.atomic
def do_set_cadre_profile(
    person: Person, staffing_kind: str, *, actor, at: datetime | None = None
) -> CadreProfile:
    profile, _created = CadreProfile.objects.update_or_create(
        person=person, defaults={"staffing_kind": staffing_kind}
    )
    record(
        actor,
        "personnel.cadre_profile.set",
        profile,
        {"person": person.pk, "staffing_kind": staffing_kind},
        at=at,
    )
    return profile


# ------------------------------------------------------------------ the selection (PER-1)


def _step_record(
    selection, step, on, participants, documents, outcome, at, *, chronological=True
) -> StepRecord:
    on = _date(on, "on", _("日期"))
    last = selection.steps.order_by("-on").values_list("on", flat=True).first()
    if chronological and last is not None and on < last:
        raise InvalidInput(
            _("日期不能早于上一环节（%s）。") % last.isoformat(), field="on", code="PER-1-dates"
        )
    return StepRecord.objects.create(
        selection=selection,
        step=step,
        on=on,
        participants=_text(participants, "participants", _("参加人员")),
        documents=(documents or "").strip(),
        outcome=_text(outcome, "outcome", _("结果")),
        recorded_at=at,
    )


def _log_step(actor, selection, rec: StepRecord, at, extra=None) -> None:
    event = record(
        actor,
        events.STEP_RECORDED,
        selection,
        events.step_recorded(record=rec, extra=extra),
        at=at,
    )
    rec.event_index = event.index
    rec.save(update_fields=["event_index"])


def do_open_selection(
    post: Post,
    title: str,
    *,
    actor,
    on: date,
    participants: str,
    outcome: str,
    documents: str = "",
    at: datetime | None = None,
) -> Selection:
    """动议: open a selection for a post. The post's 职数 is checked first: a selection that
    would take the establishment over its quota (current holders + selections under way + 1)
    is refused and the refusal recorded (PER-5 超职数配备; 公务员法 第一百零六条(一) 不按照
    编制限额、职数…晋升的，责令纠正或者宣布无效)."""
    at = _now(at)
    establishment = establishment_for(post)
    if establishment is None:
        raise InvalidInput(_("该岗位尚未核定职数，请先核定职数再动议。"), field="post")
    holders, pending = quota_use(establishment, _date(on, "on", _("日期")))
    if holders + pending + 1 > establishment.quota:
        with transaction.atomic():
            record(
                actor,
                events.SELECTION_REFUSED,
                ("org.post", post.pk),
                events.selection_refused(
                    post=post,
                    rule="PER-5-over-quota",
                    holders=holders + pending,
                    quota=establishment.quota,
                ),
                at=at,
            )
        raise RuleViolation(
            _(
                "超职数配备：%(title)s 核定 %(quota)d 名，现有在职 %(holders)d 名、"
                "在选 %(pending)d 名，不能再动议选拔。"
            )
            % {
                "title": establishment.title,
                "quota": establishment.quota,
                "holders": holders,
                "pending": pending,
            },
            field="post",
            code="PER-5-over-quota",
        )
    with transaction.atomic():
        profile = PostProfile.objects.filter(post=post).first()
        selection = Selection.objects.create(
            unit=post.unit,
            post=post,
            establishment=establishment,
            title=_text(title, "title", _("名称")),
            opened_at=at,
            review_status=ReviewStatus.PENDING
            if profile and profile.district_reviewed
            else ReviewStatus.NOT_NEEDED,
        )
        rec = _step_record(selection, Step.MOTION, on, participants, documents, outcome, at)
        _log_step(
            actor,
            selection,
            rec,
            at,
            events.selection_opened(
                selection=selection, holders=holders, quota=establishment.quota
            ),
        )
        return selection


def _lock(selection: Selection) -> Selection:
    return Selection.objects.select_for_update().get(pk=selection.pk)


def _expect(selection: Selection, step: int) -> None:
    """Refuse a step out of the order of the 条例 (PER-1)."""
    if selection.status in (SelectionStatus.STOPPED, SelectionStatus.APPOINTED):
        raise RuleViolation(_("该选拔已%s。") % selection.get_status_display())
    nxt = selection.next_step
    if nxt != step:
        raise RuleViolation(
            _("不得跳过或颠倒选拔任用环节：下一环节应为“%(next)s”，不能办理“%(this)s”。")
            % {
                "next": Step(nxt).label if nxt else _("（已完成）"),
                "this": Step(step).label,
            },
            field="step",
            code="PER-1-step-order",
        )


@transaction.atomic
def do_nominate(
    selection: Selection,
    nominee: Person,
    *,
    nominator: Person,
    kind: str,
    reason: str,
    signature: str,
    signed_on: date,
    actor,
    at: datetime | None = None,
) -> Nomination:
    """实名推荐 (PER-2, 附件3 第三): the nominator is a known person who signs (their name, as
    on file) and gives a reason; anonymous nominations are not taken."""
    at = _now(at)
    selection = _lock(selection)
    _expect(selection, Step.RECOMMENDATION)
    if kind not in NominationKind.values:
        raise InvalidInput(_("请选择推荐方式。"), field="kind")
    reason = _text(reason, "reason", _("推荐理由"))
    signature = _text(signature, "signature", _("推荐人签名"))
    if signature != nominator.name:
        raise InvalidInput(_("签名须为推荐人本人姓名（实名推荐）。"), field="signature")
    if kind == NominationKind.SELF and nominee.pk != nominator.pk:
        raise InvalidInput(_("个人自荐的推荐人须为本人。"), field="kind")
    signed_on = _date(signed_on, "signed_on", _("签名日期"))
    nomination = Nomination.objects.create(
        selection=selection,
        kind=kind,
        nominee=nominee,
        nominator=nominator,
        reason=reason,
        signature=signature,
        signed_on=signed_on,
        digest=events.digest(
            {
                "selection": selection.pk,
                "nominee": nominee.pk,
                "nominator": nominator.pk,
                "reason": reason,
                "signature": signature,
                "signed_on": signed_on.isoformat(),
            }
        ),
    )
    record(
        actor,
        events.NOMINATION_SIGNED,
        selection,
        events.nomination_signed(nomination=nomination),
        at=at,
    )
    return nomination


@transaction.atomic
def do_record_recommendation(
    selection: Selection,
    *,
    actor,
    on: date,
    participants: str,
    outcome: str,
    documents: str = "",
    at: datetime | None = None,
) -> StepRecord:
    """民主推荐 closed: needs at least one real-name nomination (PER-2)."""
    at = _now(at)
    selection = _lock(selection)
    _expect(selection, Step.RECOMMENDATION)
    count = selection.nominations.count()
    if not count:
        raise RuleViolation(
            _("民主推荐须有实名推荐记录（推荐人、签名、理由）。"),
            field="nominations",
            code="PER-2-real-name",
        )
    rec = _step_record(selection, Step.RECOMMENDATION, on, participants, documents, outcome, at)
    _log_step(actor, selection, rec, at, {"nominations": count})
    return rec


@transaction.atomic
def do_shortlist(
    selection: Selection,
    candidate: Person,
    *,
    actor,
    on: date,
    participants: str,
    outcome: str,
    documents: str = "",
    at: datetime | None = None,
) -> StepRecord:
    """确定考察对象: the candidate must have been nominated; their personal-matters report is
    put up for a check at once — candidates for promotion are always checked (附件7 二(三))."""
    at = _now(at)
    selection = _lock(selection)
    _expect(selection, Step.SHORTLIST)
    if not selection.nominations.filter(nominee=candidate).exists():
        raise RuleViolation(
            _("考察对象须从民主推荐（实名推荐）的人选中确定。"),
            field="candidate",
            code="PER-2-real-name",
        )
    selection.candidate = candidate
    selection.save(update_fields=["candidate"])
    day = _date(on, "on", _("日期"))
    SpotCheck.objects.create(
        person=candidate,
        year=day.year,
        reason=CheckReason.CANDIDATE,
        selection=selection,
        report=latest_report(candidate),
        opened_at=at,
    )
    rec = _step_record(selection, Step.SHORTLIST, on, participants, documents, outcome, at)
    _log_step(actor, selection, rec, at, {"candidate": candidate.pk, "check": "candidate"})
    return rec


@transaction.atomic
def do_record_inspection(
    selection: Selection,
    *,
    actor,
    on: date,
    participants: str,
    outcome: str,
    documents: str = "",
    at: datetime | None = None,
) -> StepRecord:
    """考察 (talks, records) closed: the candidate's personal-matters check must be concluded,
    and a check that found concealment with 取消提拔资格 stops the selection here."""
    at = _now(at)
    selection = _lock(selection)
    _expect(selection, Step.INSPECTION)
    check = selection.checks.filter(reason=CheckReason.CANDIDATE).first()
    if check is None or not check.done:
        raise RuleViolation(
            _("考察对象的个人有关事项报告尚未查核完毕，不能结束考察。"),
            field="check",
            code="PER-3-candidate-check",
        )
    if check.outcome == Outcome.DISQUALIFY:
        raise RuleViolation(
            _("个人有关事项查核结论为取消提拔资格，不能继续。"),
            field="check",
            code="PER-3-candidate-check",
        )
    rec = _step_record(selection, Step.INSPECTION, on, participants, documents, outcome, at)
    _log_step(actor, selection, rec, at, {"check": check.pk, "finding": check.finding})
    return rec


def deciding_unit(selection: Selection) -> Unit:
    """The unit whose leadership meeting (党委/党组会议) decides: the post's unit."""
    return selection.unit


@transaction.atomic
def do_request_decision(selection: Selection, meeting=None, *, actor, at: datetime | None = None):
    """Put the appointment on the agenda of the deciding unit's leadership as a 三重一大
    appointment item (decided by 无记名票决, 附件3 第三); scheduled on `meeting` when given."""
    from wuquan.decisions import services as decisions
    from wuquan.decisions.models import ItemStatus, MatterKind

    at = _now(at)
    selection = _lock(selection)
    _expect(selection, Step.DECISION)
    if selection.candidate_id is None:
        raise RuleViolation(_("尚未确定考察对象。"))
    item = decisions.require_decision(
        selection,
        deciding_unit(selection),
        MatterKind.APPOINTMENT,
        _("干部任免：%(post)s 拟任人选") % {"post": selection.post},
        _("选拔任用全程记实材料（文书档案摘要 %s）") % dossier_digest(selection)[:12],
        actor=actor,
    )
    if meeting is not None and item.status in (ItemStatus.PROPOSED, ItemStatus.DEFERRED):
        decisions.do_schedule_item(item, meeting, actor=actor)
    selection.decision_item = item
    selection.save(update_fields=["decision_item"])
    record(
        actor,
        events.DECISION_REQUESTED,
        selection,
        {"item": item.pk, "meeting": meeting.pk if meeting else None},
        at=at,
    )
    return item


@transaction.atomic
def do_record_decision(
    selection: Selection, *, actor, documents: str = "", at: datetime | None = None
) -> StepRecord:
    """讨论决定: taken from `decisions` — a standing, passed decision of a meeting by secret
    ballot. A selection whose decision is missing or failed cannot proceed (DEC-2)."""
    from wuquan.decisions.models import AgendaItem, ItemStatus, VoteMode
    from wuquan.decisions.selectors import decision_for

    at = _now(at)
    selection = _lock(selection)
    _expect(selection, Step.DECISION)
    item = decision_for(selection)
    if item is None:
        failed = AgendaItem.objects.filter(
            subject_type="personnel.selection",
            subject_id=str(selection.pk),
            status=ItemStatus.DECIDED,
            passed=False,
        ).exists()
        raise RuleViolation(
            _("讨论决定未通过，不能继续。")
            if failed
            else _("尚未经领导班子会议无记名票决，不能进入任前公示。"),
            field="decision",
            code="PER-1-decision",
        )
    if item.vote_mode != VoteMode.SECRET:
        raise RuleViolation(_("干部任免须无记名票决（附件3 第三）。"), code="PER-1-decision")
    members = item.meeting.members.select_related("person").filter(present=True)
    rec = _step_record(
        selection,
        Step.DECISION,
        item.meeting.date,
        "、".join(m.person.name for m in members) or _("（见会议记录）"),
        documents or item.meeting.title,
        item.result_text,
        at,
    )
    selection.decision_item = item
    selection.save(update_fields=["decision_item"])
    _log_step(
        actor,
        selection,
        rec,
        at,
        {
            "item": item.pk,
            "meeting": item.meeting_id,
            "yes": item.yes_count,
            "expected": item.expected_count,
        },
    )
    return rec


@transaction.atomic
def do_publish_notice(
    selection: Selection, start: date, *, actor, at: datetime | None = None
) -> Selection:
    """任前公示 on the portal for at least five working days (条例 第四十一条)."""
    at = _now(at)
    selection = _lock(selection)
    _expect(selection, Step.NOTICE)
    if selection.status == SelectionStatus.NOTICE:
        raise InvalidInput(_("已在公示中。"))
    start = _date(start, "start", _("公示开始日期"))
    decided = selection.steps.filter(step=Step.DECISION).values_list("on", flat=True).first()
    if decided and start < decided:
        raise InvalidInput(
            _("任前公示应在讨论决定（%s）之后。") % decided.isoformat(), field="start"
        )
    selection.notice_start = start
    selection.notice_end = add_working_days(start, NOTICE_WORKING_DAYS)
    selection.status = SelectionStatus.NOTICE
    selection.save(update_fields=["notice_start", "notice_end", "status"])
    record(
        actor,
        events.NOTICE_PUBLISHED,
        selection,
        {
            "start": start.isoformat(),
            "end": selection.notice_end.isoformat(),
            "working_days": NOTICE_WORKING_DAYS,
            "candidate": selection.candidate_id,
        },
        at=at,
    )
    return selection


def _tracking_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _i in range(10))


@transaction.atomic
def do_file_objection(
    selection: Selection,
    content: str,
    *,
    contact: str = "",
    channel: str = "portal",
    actor="public",
    at: datetime | None = None,
) -> Objection:
    """A reaction to a public notice, received while the notice runs."""
    at = _now(at)
    selection = _lock(selection)
    today = timezone.localtime(at).date()
    if (
        selection.status != SelectionStatus.NOTICE
        or selection.notice_start is None
        or not (selection.notice_start <= today <= selection.notice_end)
    ):
        raise InvalidInput(_("该公示不在公示期内。"))
    content = _text(content, "content", _("反映内容"))
    if len(content) > 2000:
        raise InvalidInput(_("反映内容请在 2000 字以内。"), field="content")
    objection = Objection.objects.create(
        selection=selection,
        received_on=today,
        channel=channel,
        content=content,
        contact=(contact or "").strip()[:60],
        tracking_code=_tracking_code(),
    )
    record(
        actor,
        events.OBJECTION_RECEIVED,
        selection,
        events.objection_received(objection=objection),
        at=at,
    )
    return objection


@transaction.atomic
def do_handle_objection(
    objection: Objection,
    finding: str,
    affects_appointment: bool,
    *,
    actor,
    on: date | None = None,
    at: datetime | None = None,
) -> Objection:
    at = _now(at)
    if objection.handled_on:
        raise InvalidInput(_("该反映已办结。"))
    objection.finding = _text(finding, "finding", _("核查情况"))
    objection.affects_appointment = bool(affects_appointment)
    objection.handled_on = on or timezone.localtime(at).date()
    objection.save(update_fields=["finding", "affects_appointment", "handled_on"])
    record(
        actor,
        events.OBJECTION_HANDLED,
        objection.selection,
        events.objection_handled(objection=objection),
        at=at,
    )
    return objection


@transaction.atomic
def do_close_notice(
    selection: Selection,
    *,
    actor,
    on: date,
    participants: str,
    outcome: str = "",
    at: datetime | None = None,
) -> StepRecord:
    """End of 任前公示: not before five working days have passed, every objection handled,
    none that affects the appointment (公示结果不影响任职的，办理任职手续)."""
    at = _now(at)
    selection = _lock(selection)
    _expect(selection, Step.NOTICE)
    if selection.status != SelectionStatus.NOTICE:
        raise RuleViolation(_("尚未发布任前公示。"), code="PER-1-notice")
    on = _date(on, "on", _("日期"))
    today = timezone.localtime(at).date()
    if on > today:
        raise InvalidInput(_("日期不能晚于今天。"), field="on")
    if on < selection.notice_end:
        raise RuleViolation(
            _("公示期不少于五个工作日，%s 期满后方可结束。") % selection.notice_end.isoformat(),
            field="on",
            code="PER-1-notice",
        )
    objections = list(selection.objections.all())
    open_ = [o for o in objections if not o.handled_on]
    if open_:
        raise RuleViolation(
            _("还有 %d 件公示期反映未办结。") % len(open_), field="objections", code="PER-1-notice"
        )
    if any(o.affects_appointment for o in objections):
        raise RuleViolation(
            _("公示期反映经核查影响任职，不能办理任职。"), field="objections", code="PER-1-notice"
        )
    outcome = outcome or _("公示期满，收到反映 %d 件，均已核查办结，不影响任职。") % len(objections)
    rec = _step_record(
        selection,
        Step.NOTICE,
        on,
        participants,
        f"{selection.notice_start.isoformat()} — {selection.notice_end.isoformat()}",
        outcome,
        at,
    )
    selection.status = SelectionStatus.OPEN
    selection.save(update_fields=["status"])
    _log_step(actor, selection, rec, at, {"objections": len(objections)})
    return rec


# ------------------------------------------------------------------ 任前审核 (PER-4)


@transaction.atomic
def do_submit_review(selection: Selection, *, actor, at: datetime | None = None) -> Review:
    """Send the whole record to the organisation department (district-reviewed posts)."""
    at = _now(at)
    selection = _lock(selection)
    if selection.review_status not in (ReviewStatus.PENDING, ReviewStatus.SENT_BACK):
        raise InvalidInput(_("该选拔无需或已报送任前审核。"))
    if Step.INSPECTION not in selection.done_steps:
        raise RuleViolation(_("考察结束后方可报送任前审核。"), code="PER-4-review")
    digest = dossier_digest(selection)
    review = Review.objects.create(selection=selection, submitted_at=at, dossier_digest=digest)
    selection.review_status = ReviewStatus.SUBMITTED
    selection.save(update_fields=["review_status"])
    record(
        actor, events.REVIEW_SUBMITTED, selection, {"review": review.pk, "dossier": digest}, at=at
    )
    return review


@transaction.atomic
def do_decide_review(
    selection: Selection,
    approved: bool,
    reasons: str = "",
    *,
    actor,
    at: datetime | None = None,
) -> Review:
    """The organisation department approves or sends back with reasons (PER-4)."""
    at = _now(at)
    if not is_org_department(actor):
        raise NotPermitted(_("任前审核由区委组织部办理。"))
    selection = _lock(selection)
    review = selection.reviews.filter(decided_at__isnull=True).order_by("-id").first()
    if selection.review_status != ReviewStatus.SUBMITTED or review is None:
        raise InvalidInput(_("没有待审核的报送。"))
    reasons = (reasons or "").strip()
    if not approved and not reasons:
        raise InvalidInput(_("退回须说明理由。"), field="reasons")
    review.approved, review.reasons, review.decided_at = bool(approved), reasons, at
    review.save(update_fields=["approved", "reasons", "decided_at"])
    selection.review_status = ReviewStatus.APPROVED if approved else ReviewStatus.SENT_BACK
    selection.save(update_fields=["review_status"])
    record(actor, events.REVIEW_DECIDED, selection, events.review_decided(review=review), at=at)
    return review


# ------------------------------------------------------------------ 任职


def _is_promotion(person: Person, post: Post, on: date) -> bool:
    """Whether taking `post` raises the person's rank (试用期 applies to promotions only)."""
    target = PostProfile.objects.filter(post=post).values_list("rank", flat=True).first()
    if target is None:
        return True
    held = (
        PostProfile.objects.filter(
            Q(post__appointments__end__isnull=True) | Q(post__appointments__end__gte=on),
            post__appointments__person=person,
            post__appointments__start__lte=on,
        )
        .values_list("rank", flat=True)
        .order_by("-rank")
        .first()
    )
    return held is None or target > held


@transaction.atomic
def do_appoint_candidate(
    selection: Selection,
    start: date,
    *,
    actor,
    participants: str,
    documents: str = "",
    at: datetime | None = None,
) -> Appointment:
    """任职: the appointment in org (through org's service), with a one-year probation on a
    promotion where the post has one (条例 第四十二条). Refused while a district review is not
    approved (PER-4), when the decision no longer stands, and for a 裸官 on a restricted
    post (PER-3; 《配偶已移居国（境）外的国家工作人员任职岗位管理办法》, 2014 — article not
    confirmed here)."""
    from wuquan.decisions.selectors import decision_for
    from wuquan.org.services import do_appoint

    at = _now(at)
    selection = _lock(selection)
    _expect(selection, Step.APPOINTMENT)
    start = _date(start, "start", _("任职日期"))
    if selection.review_status not in (ReviewStatus.NOT_NEEDED, ReviewStatus.APPROVED):
        raise RuleViolation(
            _("该岗位须经区委组织部任前审核通过后方可任职（当前：%s）。")
            % selection.get_review_status_display(),
            code="PER-4-review",
        )
    if decision_for(selection) is None:
        raise RuleViolation(_("讨论决定已不成立（复议或撤销），不能任职。"), code="PER-1-decision")
    person = selection.candidate
    profile = PostProfile.objects.filter(post=selection.post).first()
    if profile and profile.restricted:
        report = latest_report(person)
        if report is not None and report.is_naked_official:
            raise RuleViolation(
                _("配偶已移居国（境）外（或无配偶、子女均已移居）的人员不得任该限入岗位。"),
                field="candidate",
                code="PER-3-restricted-post",
            )
    promotion = _is_promotion(person, selection.post, start)
    appointment = call_with_time(do_appoint, person, selection.post, start, actor=actor, at=at)
    selection.appointment = appointment
    selection.status = SelectionStatus.APPOINTED
    if profile is None or profile.probation:
        selection.probation_until = (
            add_years(start, PROBATION_YEARS) - timedelta(days=1) if promotion else None
        )
    selection.save(update_fields=["appointment", "status", "probation_until"])
    rec = _step_record(
        selection,
        Step.APPOINTMENT,
        start,
        participants,
        documents,
        _("任职，试用期至 %s") % selection.probation_until.isoformat()
        if selection.probation_until
        else _("任职"),
        at,
    )
    _log_step(
        actor,
        selection,
        rec,
        at,
        {
            "appointment": appointment.pk,
            "person": person.pk,
            "post": selection.post_id,
            "probation_until": selection.probation_until.isoformat()
            if selection.probation_until
            else None,
        },
    )
    return appointment


@transaction.atomic
def do_archive_dossier(selection: Selection, *, actor, at: datetime | None = None) -> Selection:
    """归入干部选拔任用文书档案: the dossier's digest goes into the log (附件7 二(五))."""
    at = _now(at)
    selection = _lock(selection)
    if selection.status not in (SelectionStatus.APPOINTED, SelectionStatus.STOPPED):
        raise InvalidInput(_("选拔结束后方可归档。"))
    selection.dossier_digest = dossier_digest(selection)
    selection.archived_at = at
    selection.save(update_fields=["dossier_digest", "archived_at"])
    record(
        actor,
        events.DOSSIER_ARCHIVED,
        selection,
        {"digest": selection.dossier_digest, "steps": selection.done_steps},
        at=at,
    )
    return selection


@transaction.atomic
def do_stop_selection(
    selection: Selection, reason: str, *, actor, at: datetime | None = None
) -> Selection:
    at = _now(at)
    selection = _lock(selection)
    if selection.status in (SelectionStatus.APPOINTED, SelectionStatus.STOPPED):
        raise InvalidInput(_("该选拔已结束。"))
    selection.stopped_reason = _text(reason, "reason", _("终止原因"))
    selection.status = SelectionStatus.STOPPED
    selection.save(update_fields=["stopped_reason", "status"])
    record(
        actor,
        events.SELECTION_STOPPED,
        selection,
        {"digest": events.digest({"reason": selection.stopped_reason})},
        at=at,
    )
    return selection


@transaction.atomic
def do_import_selection(
    post: Post,
    title: str,
    steps: list[dict],
    *,
    actor,
    candidate: Person | None = None,
    at: datetime | None = None,
) -> Selection:
    """History from a legacy system, taken as it was (no order check): the PER-1 sweep
    raises an alarm on an imported selection whose steps skip or reverse the 条例's order."""
    at = _now(at)
    selection = Selection.objects.create(
        unit=post.unit,
        post=post,
        establishment=establishment_for(post),
        title=_text(title, "title", _("名称")),
        opened_at=at,
        status=SelectionStatus.IMPORTED,
        candidate=candidate,
    )
    seq = []
    for i, row in enumerate(steps):
        step = int(row["step"])
        if step not in Step.values:
            raise InvalidInput(_("第 %d 行：未知的环节。") % (i + 1), field="steps")
        rec = _step_record(
            selection,
            step,
            row["on"],
            row.get("participants") or "-",
            row.get("documents", ""),
            row.get("outcome") or "-",
            at + timedelta(microseconds=i),
            chronological=False,
        )
        seq.append([rec.step, rec.on.isoformat()])
    record(actor, events.SELECTION_IMPORTED, selection, {"post": post.pk, "steps": seq}, at=at)
    return selection


# ------------------------------------------------------------ personal-matters reports (PER-3)

USCC_CHARS = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


def is_uscc_shape(value: str) -> bool:
    """统一社会信用代码: 18 characters of GB 32100-2015's alphabet (shape only here)."""
    return isinstance(value, str) and len(value) == 18 and set(value) <= USCC_CHARS


def _file_digest(attachment) -> str:
    if not attachment:
        return ""
    h = hashlib.sha256()
    for chunk in attachment.chunks():
        h.update(chunk)
    attachment.seek(0)
    return h.hexdigest()


@transaction.atomic
def do_file_report(
    person: Person,
    year: int,
    *,
    actor,
    submitted_on: date,
    marital_status: str,
    spouse_emigrated: bool = False,
    children_count: int = 0,
    children_emigrated: int = 0,
    houses: list | None = None,
    investments: list | None = None,
    relatives: list[dict] | None = None,
    firms: list[dict] | None = None,
    attachment=None,
    at: datetime | None = None,
) -> PersonalReport:
    """领导干部个人有关事项报告 for one year (PER-3). `relatives`: dicts with relation, name,
    id_number (optional), abroad; `firms`: dicts with name, uscc, role and `relative` (the
    index into `relatives`, or None for the cadre's own)."""
    at = _now(at)
    if marital_status not in MaritalStatus.values:
        raise InvalidInput(_("请选择婚姻状况。"), field="marital_status")
    if children_emigrated > children_count:
        raise InvalidInput(
            _("移居国（境）外子女人数不能多于子女人数。"), field="children_emigrated"
        )
    if PersonalReport.objects.filter(person=person, year=year).exists():
        raise InvalidInput(_("%d 年度已报告；如需更正，请办理补充报告。") % year, field="year")
    relatives, firms = list(relatives or []), list(firms or [])
    for i, rel in enumerate(relatives):
        if rel.get("relation") not in Relation.values:
            raise InvalidInput(_("第 %d 位亲属：请选择关系。") % (i + 1), field="relatives")
        _text(rel.get("name"), "relatives", _("亲属姓名"))
        idn = (rel.get("id_number") or "").strip().upper()
        if idn and not is_valid_ric(idn):
            raise InvalidInput(_("第 %d 位亲属：身份证号不正确。") % (i + 1), field="relatives")
    for i, firm in enumerate(firms):
        _text(firm.get("name"), "firms", _("企业名称"))
        if not is_uscc_shape((firm.get("uscc") or "").strip().upper()):
            raise InvalidInput(_("第 %d 家企业：统一社会信用代码不正确。") % (i + 1), field="firms")
        ref = firm.get("relative")
        if ref is not None and not (0 <= int(ref) < len(relatives)):
            raise InvalidInput(_("第 %d 家企业：关联亲属不存在。") % (i + 1), field="firms")
    body = {
        "person": person.pk,
        "year": year,
        "marital_status": marital_status,
        "spouse_emigrated": bool(spouse_emigrated),
        "children": [children_count, children_emigrated],
        "houses": houses or [],
        "investments": investments or [],
        "relatives": relatives,
        "firms": firms,
    }
    report = PersonalReport.objects.create(
        person=person,
        year=year,
        submitted_on=_date(submitted_on, "submitted_on", _("报告日期")),
        marital_status=marital_status,
        spouse_emigrated=bool(spouse_emigrated),
        children_count=children_count,
        children_emigrated=children_emigrated,
        houses=houses or [],
        investments=investments or [],
        attachment_digest=_file_digest(attachment),
        digest=events.digest(body),
    )
    if attachment:
        report.attachment = attachment
        report.save(update_fields=["attachment"])
    made = []
    for rel in relatives:
        made.append(
            ReportedRelative.objects.create(
                report=report,
                relation=rel["relation"],
                name=rel["name"].strip(),
                id_number=(rel.get("id_number") or "").strip().upper(),
                abroad=bool(rel.get("abroad")),
            )
        )
    for firm in firms:
        ref = firm.get("relative")
        ReportedFirm.objects.create(
            report=report,
            relative=made[int(ref)] if ref is not None else None,
            name=firm["name"].strip(),
            uscc=firm["uscc"].strip().upper(),
            role=(firm.get("role") or "").strip(),
        )
    record(actor, events.REPORT_FILED, report, events.report_filed(report=report), at=at)
    return report


@transaction.atomic
def do_conclude_check(
    check: SpotCheck,
    finding: str,
    outcome: str,
    details: str = "",
    *,
    actor,
    on: date | None = None,
    at: datetime | None = None,
) -> SpotCheck:
    """查核结果: 如实报告 / 漏报 / 瞒报 and what follows (PER-3)."""
    at = _now(at)
    if not is_org_department(actor):
        raise NotPermitted(_("个人有关事项查核由组织部门办理。"))
    if check.done:
        raise InvalidInput(_("该查核已有结论。"))
    if finding not in Finding.values:
        raise InvalidInput(_("请选择查核结果。"), field="finding")
    if outcome not in Outcome.values:
        raise InvalidInput(_("请选择处理方式。"), field="outcome")
    if finding != Finding.CONSISTENT and not (details or "").strip():
        raise InvalidInput(_("漏报、瞒报须写明查核情况。"), field="details")
    if finding != Finding.CONSISTENT and outcome == Outcome.NONE:
        raise InvalidInput(_("漏报、瞒报须有处理意见。"), field="outcome")
    check.finding, check.outcome, check.details = finding, outcome, (details or "").strip()
    check.checked_on = on or timezone.localtime(at).date()
    if check.report_id is None:
        check.report = (
            PersonalReport.objects.filter(person=check.person, year__lte=check.year)
            .order_by("-year")
            .first()
        )
    check.save(update_fields=["finding", "outcome", "details", "checked_on", "report"])
    record(actor, events.CHECK_CONCLUDED, check.person, events.check_concluded(check=check), at=at)
    return check


@transaction.atomic
def do_open_round(
    year: int, rate_permille: int, *, actor, at: datetime | None = None
) -> SpotCheckRound:
    """Fix the population (every reporter of `year` who is not already checked as a candidate)
    and the rate, in the log, before the seed exists (docs/decisions/0072)."""
    at = _now(at)
    if not (1 <= rate_permille <= 1000):
        raise InvalidInput(_("抽查比例须在 1‰ 至 1000‰ 之间。"), field="rate_permille")
    if SpotCheckRound.objects.filter(year=year).exists():
        raise InvalidInput(_("%d 年度已启动随机抽查。") % year, field="year")
    candidates = set(
        SpotCheck.objects.filter(year=year, reason=CheckReason.CANDIDATE).values_list(
            "person_id", flat=True
        )
    )
    population = sorted(
        set(PersonalReport.objects.filter(year=year).values_list("person_id", flat=True))
        - candidates
    )
    if not population:
        raise InvalidInput(_("%d 年度没有可抽查的报告。") % year, field="year")
    rnd = SpotCheckRound.objects.create(
        year=year, rate_permille=rate_permille, population=population, opened_at=at
    )
    record(
        actor,
        events.ROUND_OPENED,
        rnd,
        {"year": year, "rate_permille": rate_permille, "population": population},
        at=at,
    )
    return rnd


def draw_order(
    seed_root_hex: str, year: int, population: list[int], rate_permille: int
) -> list[int]:
    """Who is drawn: the ceil(rate × N) reporters with the smallest SHA-256(seed ‖ year ‖ id).
    Pure: anyone with the log recomputes it (tests/personnel/test_spot_checks.py)."""
    k = math.ceil(len(population) * rate_permille / 1000)
    seed = bytes.fromhex(seed_root_hex)

    def ticket(pid: int) -> bytes:
        return hashlib.sha256(seed + f"|{year}|{pid}".encode()).digest()

    return sorted(sorted(population, key=ticket)[:k])


@transaction.atomic
def do_draw_round(rnd: SpotCheckRound, *, actor, at: datetime | None = None) -> SpotCheckRound:
    """Draw with the seed: the root of the first signed checkpoint that covers the round's
    opening event (signed on the ledger's schedule, not by whoever opened the round)."""
    from wuquan.ledger.models import Checkpoint, Event

    at = _now(at)
    rnd = SpotCheckRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.drawn_at:
        raise InvalidInput(_("该年度已抽取。"))
    opened = (
        Event.objects.filter(
            action=events.ROUND_OPENED,
            subject_type="personnel.spotcheckround",
            subject_id=str(rnd.pk),
        )
        .order_by("index")
        .first()
    )
    cp = Checkpoint.objects.filter(size__gt=opened.index).order_by("size").first()
    if cp is None:
        raise InvalidInput(_("尚无覆盖启动记录的签名检查点，请在下一个检查点生成后抽取。"))
    rnd.seed_size, rnd.seed_root = cp.size, bytes(cp.root_hash).hex()
    rnd.drawn = draw_order(rnd.seed_root, rnd.year, rnd.population, rnd.rate_permille)
    rnd.drawn_at = at
    rnd.save(update_fields=["seed_size", "seed_root", "drawn", "drawn_at"])
    for pid in rnd.drawn:
        SpotCheck.objects.create(
            person_id=pid,
            year=rnd.year,
            reason=CheckReason.RANDOM,
            round=rnd,
            report=PersonalReport.objects.filter(person_id=pid, year=rnd.year).first(),
            opened_at=at,
        )
    record(
        actor,
        events.ROUND_DRAWN,
        rnd,
        {
            "opened_event": opened.index,
            "seed_size": rnd.seed_size,
            "seed_root": rnd.seed_root,
            "drawn": rnd.drawn,
        },
        at=at,
    )
    return rnd


# ------------------------------------------------------------ 一报告两评议 (PER-7)


@transaction.atomic
def do_report_selection_work(
    unit: Unit,
    year: int,
    text: str,
    *,
    actor,
    reported_on: date,
    eligible_voters: int,
    publish: bool = True,
    at: datetime | None = None,
) -> WorkReport:
    """The yearly report on a unit's selection work, and the evaluation it is rated on: the
    work itself (as the unit head, who answers for it) and every cadre newly appointed
    through a selection that year, on the evaluation app's anonymous ballots (PER-7)."""
    from wuquan.evaluation import services as evaluation
    from wuquan.evaluation.models import EvaluationKind
    from wuquan.org.selectors import holders_of

    at = _now(at)
    text = _text(text, "text", _("工作报告"))
    if WorkReport.objects.filter(unit=unit, year=year).exists():
        raise InvalidInput(_("%d 年度已报告。") % year, field="year")
    head_post = unit.posts.filter(is_head=True).first()
    head = holders_of(head_post, reported_on).first() if head_post else None
    if head is None:
        raise InvalidInput(_("该单位没有在任主要负责人，无法评议选人用人工作。"), field="unit")
    ev = evaluation.do_create_evaluation(
        unit,
        year,
        _("%(year)d 年度选人用人工作“一报告两评议”") % {"year": year},
        EvaluationKind.LEADERSHIP,
        eligible_voters,
        ["好", "较好", "一般", "差"],
        actor=actor,
    )
    evaluation.do_add_subject(ev, head, str(_("选人用人工作总体评价（主要负责人）")), actor=actor)
    appointed = (
        Selection.objects.filter(
            unit=unit, status=SelectionStatus.APPOINTED, appointment__start__year=year
        )
        .select_related("candidate", "post")
        .order_by("id")
    )
    for sel in appointed:
        evaluation.do_add_subject(
            ev, sel.candidate, str(_("新提拔：%s") % sel.post.name), actor=actor
        )
    report = WorkReport.objects.create(
        unit=unit,
        year=year,
        text=text,
        reported_on=_date(reported_on, "reported_on", _("报告日期")),
        digest=events.digest({"unit": unit.pk, "year": year, "text": text}),
        evaluation=ev,
        publish=publish,
    )
    record(
        actor,
        events.WORK_REPORTED,
        report,
        {
            "unit": unit.pk,
            "year": year,
            "digest": report.digest,
            "evaluation": ev.pk,
            "appointed": [s.candidate_id for s in appointed],
        },
        at=at,
    )
    return report

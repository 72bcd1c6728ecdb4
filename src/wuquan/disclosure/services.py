"""Writes of the portal: the key-area catalog (PUB-4), village affairs bulletins and their
review chain (PUB-6), spokespersons (PUB-12), and public questions and suggestions with their
answers (PUB-11). Each service records one event (see events.py for the payloads).

Actors are staff accounts (`django.contrib.auth` users); what a step needs is a post the
account's person holds on the day of the step (org.selectors.posts_held), never a role alone.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common import ratelimit
from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.ledger import record
from wuquan.org.models import Person, Post, Unit, UnitKind
from wuquan.org.selectors import person_of, posts_held
from wuquan.workdays.calendar import add_working_days

from . import events, sources
from .models import (
    Bulletin,
    BulletinKind,
    BulletinStatus,
    BulletinStep,
    Inquiry,
    InquiryKind,
    InquiryStatus,
    KeyAreaEntry,
    KeyAreaItem,
    Spokesperson,
    WithholdGround,
)

# Posts (org.Post.code) that act in a bulletin's chain, 附件13 三(二)(三). The village posts
# are those org.demo creates for every village; the township posts are the township's
# 民政科, 农经站 and 纪委 (乡镇纪委书记 or a member).
SUPERVISION_POSTS = ("supervision-chair", "supervision-member")
VILLAGE_HEAD_POSTS = ("secretary",)
CIVIL_AFFAIRS_POSTS = ("civil-affairs",)
AGRI_ECONOMICS_POSTS = ("agri-economics",)
DISCIPLINE_POSTS = ("discipline",)

# The chain, in order: status before → (status after, the posts that may take the step, where)
CHAIN = {
    BulletinStatus.DRAFT: (BulletinStatus.AGREED, VILLAGE_HEAD_POSTS, "village"),
    BulletinStatus.AGREED: (BulletinStatus.CIVIL_AFFAIRS, CIVIL_AFFAIRS_POSTS, "township"),
    BulletinStatus.CIVIL_AFFAIRS: (
        BulletinStatus.AGRI_ECONOMICS,
        AGRI_ECONOMICS_POSTS,
        "township",
    ),
    BulletinStatus.AGRI_ECONOMICS: (BulletinStatus.FILED, DISCIPLINE_POSTS, "township"),
}

TEXT_MAX = 5000
INQUIRY_MIN, INQUIRY_MAX = 5, 1000
MOBILE = re.compile(r"\A1[3-9][0-9]{9}\Z")
DEFAULT_RATE = 5  # public questions per IP per hour, as for complaints (SUP-9)


def _when(at: datetime | None) -> datetime:
    when = at or timezone.now()
    if timezone.is_naive(when):
        raise ValueError("a timezone-aware time is needed")
    return when


def _post_for(user, unit: Unit, codes: tuple[str, ...], on: date) -> Post:
    """The post among `codes` of `unit` that the user's person holds on `on`, or NotPermitted."""
    person = person_of(user)
    post = posts_held(person, on).filter(unit=unit, code__in=codes).first() if person else None
    if post is None:
        names = "、".join(
            Post.objects.filter(unit=unit, code__in=codes).values_list("name", flat=True)
        ) or "、".join(codes)
        raise NotPermitted(
            _("此环节须由%(unit)s的%(posts)s办理。") % {"unit": unit.name, "posts": names}
        )
    return post


def _township_of(village: Unit) -> Unit:
    if village.parent is None:
        raise InvalidInput(_("该村未设上级乡镇（街道）。"))
    return village.parent


def _text(value: str, field_name: str, label: str, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise InvalidInput(_("%(f)s含有不允许的字符。") % {"f": label}, field=field_name)
    if required and not value:
        raise InvalidInput(_("请填写%(f)s。") % {"f": label}, field=field_name)
    if len(value) > TEXT_MAX:
        raise InvalidInput(
            _("%(f)s不能超过 %(n)d 字。") % {"f": label, "n": TEXT_MAX}, field=field_name
        )
    return value


# ---- key-area catalog (PUB-4) ----------------------------------------------------------


@transaction.atomic
def do_save_key_area_entry(entry: KeyAreaEntry, *, actor, at: datetime | None = None):
    """Add or change a line of 《重点领域事项公开目录》 (附件4 三(一) 第一步)."""
    entry.title = _text(entry.title, "title", _("公开事项"), required=True)
    entry.content = _text(entry.content, "content", _("公开内容"), required=True)
    entry.method = _text(entry.method, "method", _("公开方式"), required=True)
    if not entry.time_limit_working_days:
        raise InvalidInput(_("请填写公开时限。"), field="time_limit_working_days")
    entry.save()
    record(
        actor,
        events.KEY_AREA_ENTRY_SAVED,
        entry,
        events.key_area_entry_saved(entry=entry),
        at=_when(at),
    )
    return entry


@transaction.atomic
def do_register_key_area_item(
    entry: KeyAreaEntry, title: str, formed_on: date, *, actor, at: datetime | None = None
) -> KeyAreaItem:
    """Register a piece of information under a catalog entry: it is public by default and
    due `entry.time_limit_working_days` working days after it was formed or changed
    (政府信息公开条例 第二十六条: 20 个工作日, unless a law sets another period)."""
    when = _when(at)
    title = _text(title, "title", _("信息名称"), required=True)
    due = add_working_days(formed_on, entry.time_limit_working_days)
    item = KeyAreaItem.objects.create(
        entry=entry, title=title, formed_on=formed_on, due=due, created_at=when
    )
    record(
        actor,
        events.KEY_AREA_ITEM_REGISTERED,
        item,
        events.key_area_item_registered(item=item),
        at=when,
    )
    return item


@transaction.atomic
def do_publish_key_area_item(
    item: KeyAreaItem, public_text: str, *, actor, link: str = "", at: datetime | None = None
) -> KeyAreaItem:
    when = _when(at)
    item = KeyAreaItem.objects.select_for_update().get(pk=item.pk)
    if item.published_at or item.withheld_ground:
        raise RuleViolation(_("该信息已公开或已决定不予公开。"))
    item.public_text = _text(public_text, "public_text", _("公开正文"), required=True)
    item.link = _text(link, "link", _("链接"))[:300]
    item.published_at = when
    item.save(update_fields=["public_text", "link", "published_at"])
    record(
        actor,
        events.KEY_AREA_ITEM_PUBLISHED,
        item,
        events.key_area_item_published(item=item),
        at=when,
    )
    return item


@transaction.atomic
def do_withhold_key_area_item(
    item: KeyAreaItem, ground: str, note: str, *, actor, at: datetime | None = None
) -> KeyAreaItem:
    """ "公开是要求、不公开是例外" (附件4 二(一)): withholding needs one of the three grounds and
    a stated reason; it is recorded like a publication."""
    when = _when(at)
    if ground not in WithholdGround.values:
        raise InvalidInput(
            _("不予公开须说明理由：国家秘密、商业秘密或个人隐私。"), field="withheld_ground"
        )
    item = KeyAreaItem.objects.select_for_update().get(pk=item.pk)
    if item.published_at or item.withheld_ground:
        raise RuleViolation(_("该信息已公开或已决定不予公开。"))
    item.withheld_ground = ground
    item.withheld_note = _text(note, "withheld_note", _("不予公开说明"), required=True)
    item.withheld_at = when
    item.save(update_fields=["withheld_ground", "withheld_note", "withheld_at"])
    record(
        actor,
        events.KEY_AREA_ITEM_WITHHELD,
        item,
        events.key_area_item_withheld(item=item),
        at=when,
    )
    return item


# ---- village affairs bulletins (PUB-6) -------------------------------------------------


@dataclass(frozen=True)
class BulletinContent:
    """What a bulletin says (附件13 三(四)): party, village and finance affairs, the collective
    economy, other matters, the quarter-end cash and deposit balances, and the announced
    meeting (三(三)3)."""

    title: str
    party_affairs: str = ""
    village_affairs: str = ""
    finance_affairs: str = ""
    economy: str = ""
    other_matters: str = ""
    cash_balance_fen: int | None = None
    deposit_balance_fen: int | None = None
    meeting_at: datetime | None = None
    meeting_place: str = ""
    extra: dict = field(default_factory=dict)


SECTIONS = {
    "title": _("标题"),
    "party_affairs": _("党务公开"),
    "village_affairs": _("村务公开"),
    "finance_affairs": _("财务公开"),
    "economy": _("集体经济发展情况"),
    "other_matters": _("其他重要事项"),
    "meeting_place": _("发布会地点"),
}


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, end


def publication_deadline(year: int, quarter: int) -> date:
    """The day by which the bulletin on (year, quarter) must be published: the 15th of the
    first month of the next quarter (附件13 三(一)1 "每季度第一个月15日前"), a calendar date, not a
    working day. The 15th itself counts as in time, as "…日前" deadlines are read in Chinese
    administrative practice (e.g. 每月15日前申报); the setting `day_of_month` can move it."""
    _start, end = quarter_bounds(year, quarter)
    return end.replace(day=15)


def _apply_content(bulletin: Bulletin, content: BulletinContent) -> None:
    for name, label in SECTIONS.items():
        setattr(
            bulletin, name, _text(getattr(content, name), name, label, required=name == "title")
        )
    for name in ("cash_balance_fen", "deposit_balance_fen"):
        value = getattr(content, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise InvalidInput(_("余额须以分为单位的整数。"), field=name)
        setattr(bulletin, name, value)
    bulletin.meeting_at = content.meeting_at


def finance_from_books(village: Unit, year: int, quarter: int) -> dict | None:
    """The finance part from the 三资 books, when an app provides it (sources.bulletin_finance):
    every income and expense line of the quarter and the quarter-end cash and deposit balance."""
    start, end = quarter_bounds(year, quarter)
    return sources.bulletin_finance(village, start, end)


@transaction.atomic
def do_draft_bulletin(
    village: Unit,
    content: BulletinContent,
    *,
    actor,
    kind: str = BulletinKind.REGULAR,
    year: int | None = None,
    quarter: int | None = None,
    at: datetime | None = None,
) -> Bulletin:
    """The village supervision committee drafts the bulletin (附件13 三(三)1–2)."""
    when = _when(at)
    if village.kind not in (UnitKind.VILLAGE, UnitKind.COMMUNITY):
        raise InvalidInput(_("村务公开简报只能由村（社区）发布。"), field="village")
    post = _post_for(actor, village, SUPERVISION_POSTS, timezone.localdate(when))
    if kind not in BulletinKind.values:
        raise InvalidInput(_("未知的简报类别。"), field="kind")
    today = timezone.localdate(when)
    year = year or today.year
    if kind == BulletinKind.REGULAR:
        if quarter not in (1, 2, 3, 4):
            raise InvalidInput(_("定期简报须注明所报告的季度。"), field="quarter")
        if quarter_bounds(year, quarter)[0] > today:
            raise InvalidInput(_("不能为尚未开始的季度起草简报。"), field="quarter")
        if Bulletin.objects.filter(village=village, kind=kind, year=year, quarter=quarter).exists():
            raise RuleViolation(
                _("%(v)s %(y)d 年第 %(q)d 季度的定期简报已存在。")
                % {"v": village.name, "y": year, "q": quarter},
                field="quarter",
            )
    else:
        quarter = None
    bulletin = Bulletin(village=village, kind=kind, year=year, quarter=quarter, drafted_at=when)
    _apply_content(bulletin, content)
    bulletin.save()
    person = person_of(actor)
    step = BulletinStep.objects.create(
        bulletin=bulletin, step=BulletinStatus.DRAFT, person=person, post=post, at=when
    )
    event = record(
        actor,
        events.BULLETIN_DRAFTED,
        bulletin,
        events.bulletin_drafted(bulletin=bulletin),
        at=when,
    )
    step.event_index = event.index
    step.save(update_fields=["event_index"])
    return bulletin


@transaction.atomic
def do_revise_bulletin(
    bulletin: Bulletin, content: BulletinContent, *, actor, at: datetime | None = None
) -> Bulletin:
    """A returned bulletin is revised by the supervision committee and starts the chain again."""
    when = _when(at)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status != BulletinStatus.RETURNED:
        raise RuleViolation(_("只有退回的简报可以修改。"))
    post = _post_for(actor, bulletin.village, SUPERVISION_POSTS, timezone.localdate(when))
    _apply_content(bulletin, content)
    bulletin.status = BulletinStatus.DRAFT
    bulletin.save()
    step = BulletinStep.objects.create(
        bulletin=bulletin, step=BulletinStatus.DRAFT, person=person_of(actor), post=post, at=when
    )
    event = record(actor, events.BULLETIN_STEP, bulletin, events.bulletin_step(step=step), at=when)
    step.event_index = event.index
    step.save(update_fields=["event_index"])
    return bulletin


@transaction.atomic
def do_review_bulletin(
    bulletin: Bulletin,
    *,
    actor,
    approved: bool = True,
    opinion: str = "",
    at: datetime | None = None,
) -> Bulletin:
    """Take the bulletin's next step in the chain of 附件13 三(三)1–3: the three committees
    agree (recorded by the party secretary) → 乡镇民政科 reviews → 农经站 reviews → 乡镇纪委
    审定、备案. Each step needs the post that takes it; a step may send it back with a reason."""
    when = _when(at)
    bulletin = Bulletin.objects.select_for_update().select_related("village").get(pk=bulletin.pk)
    if bulletin.status not in CHAIN:
        raise RuleViolation(
            _("简报当前状态为“%(s)s”，没有待办的审核环节。") % {"s": bulletin.get_status_display()}
        )
    after, codes, where = CHAIN[bulletin.status]
    unit = bulletin.village if where == "village" else _township_of(bulletin.village)
    post = _post_for(actor, unit, codes, timezone.localdate(when))
    opinion = _text(opinion, "opinion", _("意见"), required=not approved)
    step = BulletinStep.objects.create(
        bulletin=bulletin,
        step=after if approved else BulletinStatus.RETURNED,
        person=person_of(actor),
        post=post,
        approved=approved,
        opinion=opinion,
        at=when,
    )
    bulletin.status = after if approved else BulletinStatus.RETURNED
    bulletin.save(update_fields=["status"])
    event = record(actor, events.BULLETIN_STEP, bulletin, events.bulletin_step(step=step), at=when)
    step.event_index = event.index
    step.save(update_fields=["event_index"])
    return bulletin


def published_content(bulletin: Bulletin) -> dict:
    """The public content of a bulletin, as snapshotted into the log when it is published."""
    return {
        "village": bulletin.village.code,
        "kind": bulletin.kind,
        "year": bulletin.year,
        "quarter": bulletin.quarter,
        **{name: getattr(bulletin, name) for name in SECTIONS},
        "cash_balance_fen": bulletin.cash_balance_fen,
        "deposit_balance_fen": bulletin.deposit_balance_fen,
        "meeting_at": bulletin.meeting_at.isoformat() if bulletin.meeting_at else None,
    }


@transaction.atomic
def do_publish_bulletin(bulletin: Bulletin, *, actor, at: datetime | None = None) -> Bulletin:
    """乡镇纪委 uploads the filed bulletin to the portal (附件13 三(三)3). Its content is
    snapshotted into the log (the canonical JSON's SHA-256 in the event), so a later change
    to the published text shows."""
    when = _when(at)
    bulletin = Bulletin.objects.select_for_update().select_related("village").get(pk=bulletin.pk)
    if bulletin.status != BulletinStatus.FILED:
        raise RuleViolation(_("简报须经乡镇纪委审定备案后才能公开。"))
    post = _post_for(
        actor, _township_of(bulletin.village), DISCIPLINE_POSTS, timezone.localdate(when)
    )
    bulletin.content_sha256 = events.canonical_digest(published_content(bulletin))
    bulletin.status = BulletinStatus.PUBLISHED
    bulletin.published_at = when
    step = BulletinStep.objects.create(
        bulletin=bulletin,
        step=BulletinStatus.PUBLISHED,
        person=person_of(actor),
        post=post,
        at=when,
    )
    event = record(
        actor,
        events.BULLETIN_PUBLISHED,
        bulletin,
        events.bulletin_published(bulletin=bulletin),
        at=when,
    )
    bulletin.published_event = event.index
    bulletin.save(update_fields=["content_sha256", "status", "published_at", "published_event"])
    step.event_index = event.index
    step.save(update_fields=["event_index"])
    return bulletin


# ---- spokespersons (PUB-12) ------------------------------------------------------------


@transaction.atomic
def do_appoint_spokesperson(
    village: Unit, person: Person, *, actor, start: date | None = None, at: datetime | None = None
) -> Spokesperson:
    """The chair of the village supervision committee serves as spokesperson, or a member when
    the chair cannot (附件13 三(二)); the previous spokesperson's term ends the day before."""
    when = _when(at)
    start = start or timezone.localdate(when)
    post = posts_held(person, start).filter(unit=village, code__in=SUPERVISION_POSTS).first()
    if post is None:
        raise RuleViolation(_("村务公开发言人由村务监督委员会主任或委员担任。"), field="person")
    Spokesperson.objects.filter(village=village, end__isnull=True).update(
        end=start - timedelta(days=1)
    )
    spokesperson = Spokesperson.objects.create(
        village=village, person=person, post=post, start=start
    )
    record(
        actor,
        events.SPOKESPERSON_APPOINTED,
        spokesperson,
        events.spokesperson_appointed(spokesperson=spokesperson),
        at=when,
    )
    return spokesperson


# ---- questions and suggestions (PUB-11, PUB-12) ----------------------------------------


@dataclass(frozen=True)
class InquiryInput:
    target: str
    text: str
    asker_name: str = ""
    asker_contact: str = ""
    publish_consent: bool = True
    honeypot: str = ""


def new_tracking_code() -> str:
    """16 characters from an unambiguous alphabet (~80 bits), as for complaints."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def tracking_digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def validate_inquiry(data: InquiryInput) -> tuple[InquiryInput, sources.Target]:
    """Refuse spam and bad input with a clear message beside the field (nothing is written)."""
    if data.honeypot:
        raise InvalidInput(_("提交未通过校验。"))
    target = sources.resolve_target(data.target)
    if target is None:
        raise InvalidInput(_("所涉公开内容不存在。"), field="target")
    text = (data.text or "").strip()
    if "\x00" in text or "\x00" in data.asker_name or "\x00" in data.asker_contact:
        raise InvalidInput(_("内容含有不允许的字符。"), field="text")
    if len(text) < INQUIRY_MIN:
        raise InvalidInput(
            _("请把问题或建议写清楚（至少 %(n)d 字）。") % {"n": INQUIRY_MIN}, field="text"
        )
    if len(text) > INQUIRY_MAX:
        raise InvalidInput(_("内容不能超过 %(n)d 字。") % {"n": INQUIRY_MAX}, field="text")
    if text.count("http") > 2:
        raise InvalidInput(_("内容含有过多链接。"), field="text")
    name = data.asker_name.strip()
    if len(name) > 50:
        raise InvalidInput(_("姓名不能超过 50 字。"), field="asker_name")
    contact = re.sub(r"[\s-]", "", data.asker_contact)
    if contact and not MOBILE.match(contact):
        raise InvalidInput(_("请填写 11 位手机号码，或留空。"), field="asker_contact")
    clean = InquiryInput(
        target=target.key,
        text=text,
        asker_name=name,
        asker_contact=contact,
        publish_consent=bool(data.publish_consent),
    )
    return clean, target


def do_submit_inquiry(
    data: InquiryInput, *, ip: str = "", at: datetime | None = None, count_rate: bool = True
) -> tuple[Inquiry, str]:
    """A member of the public asks a question or leaves a suggestion beside a disclosure
    (PUB-11) or asks a village's spokesperson (PUB-12). Returns the inquiry and its tracking
    code (shown once; only its digest is kept). Rate limit, then validation, then one write."""
    when = _when(at)
    if count_rate:
        # why common/ratelimit: the shared cache (database or Redis), one count for every
        # worker and restart, atomic slots (issue 13 finding 8)
        ratelimit.require(
            "inquiry",
            ip or "unknown",
            limit=int(getattr(settings, "WUQUAN_INQUIRY_RATE_PER_HOUR", DEFAULT_RATE)),
            seconds=3600,
            now=when.timestamp(),
            message=_("提交过于频繁，请一小时后再试。"),
        )
    clean, target = validate_inquiry(data)
    code = new_tracking_code()
    with transaction.atomic():
        inquiry = Inquiry.objects.create(
            kind=InquiryKind.QUESTION if target.kind == "spokesperson" else InquiryKind.SUGGESTION,
            target=target.key,
            target_title=target.title[:200],
            owner=target.owner,
            text=clean.text,
            asker_name=clean.asker_name,
            asker_contact=clean.asker_contact,
            publish_consent=clean.publish_consent,
            tracking_digest=tracking_digest(code),
            asked_at=when,
        )
        record(
            "public",
            events.INQUIRY_RECEIVED,
            inquiry,
            events.inquiry_received(inquiry=inquiry),
            at=when,
        )
    return inquiry, code


def can_answer(user, inquiry: Inquiry, on: date) -> bool:
    """Who answers: for a question to a spokesperson, the village's current spokesperson; for
    a suggestion, anyone holding a post in the owning unit."""
    person = person_of(user)
    if person is None:
        return False
    if inquiry.kind == InquiryKind.QUESTION:
        from .selectors import spokesperson_of

        current = spokesperson_of(inquiry.owner, on)
        return current is not None and current.person_id == person.pk
    return posts_held(person, on).filter(unit=inquiry.owner).exists()


@transaction.atomic
def do_answer_inquiry(
    inquiry: Inquiry, answer: str, *, actor, at: datetime | None = None
) -> Inquiry:
    """Answer a question or suggestion; it is published with its answer unless the asker
    declined (附件13 三(一)3; 附件15 二(二)2)."""
    when = _when(at)
    inquiry = Inquiry.objects.select_for_update().select_related("owner").get(pk=inquiry.pk)
    if inquiry.status != InquiryStatus.OPEN:
        raise RuleViolation(_("该问题已经答复。"))
    if not can_answer(actor, inquiry, timezone.localdate(when)):
        if inquiry.kind == InquiryKind.QUESTION:
            raise NotPermitted(_("村务咨询由本村的村务公开发言人答复。"))
        raise NotPermitted(_("只有%(u)s的工作人员可以答复。") % {"u": inquiry.owner.name})
    inquiry.answer = _text(answer, "answer", _("答复"), required=True)
    inquiry.answered_by = person_of(actor)
    inquiry.answered_at = when
    inquiry.status = InquiryStatus.ANSWERED
    inquiry.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    record(
        actor, events.INQUIRY_ANSWERED, inquiry, events.inquiry_answered(inquiry=inquiry), at=when
    )
    return inquiry


# ---- the yearly assessment of spokespersons (PUB-12, 附件13 四4) -----------------------


@transaction.atomic
def do_open_spokesperson_assessment(
    township: Unit, year: int, eligible_voters: int, *, actor, at: datetime | None = None
):
    """乡镇纪委 assesses the township's village spokespersons once a year, "年终结合'勤廉双述'
    民主评议村干部进行评议，结果向全体村民公布" (附件13 四4): an evaluation on the evaluation
    app's anonymous ballots (EVA-1), one subject per village spokesperson in office at the
    year's end, each with the year's figures (questions received, answered, mean days to
    answer) recorded as the report voters read before they rate."""
    from wuquan.evaluation import services as evaluation
    from wuquan.evaluation.models import EvaluationKind

    from .selectors import spokesperson_of, spokesperson_year_figures

    when = _when(at)
    _post_for(actor, township, DISCIPLINE_POSTS, timezone.localdate(when))
    year_end = date(year, 12, 31)
    pairs = [
        (village, spokesperson_of(village, year_end))
        for village in township.children.filter(kind=UnitKind.VILLAGE).order_by("sort", "pk")
    ]
    pairs = [(v, s) for v, s in pairs if s is not None]
    if not pairs:
        raise RuleViolation(_("本乡镇没有在任的村务公开发言人。"))
    ev = evaluation.do_create_evaluation(
        township,
        year,
        _("%(t)s %(y)d 年度村务公开发言人考核") % {"t": township.name, "y": year},
        EvaluationKind.VILLAGE_CADRES,
        eligible_voters,
        actor=actor,
    )
    for village, spokesperson in pairs:
        figures = spokesperson_year_figures(village, year)
        subject = evaluation.do_add_subject(
            ev, spokesperson.person, str(_("村务公开发言人（%s）") % village.name), actor=actor
        )
        mean = figures["mean_days_to_answer"]
        evaluation.do_record_report(
            subject,
            _(
                "%(y)d 年收到村民咨询 %(r)d 件，答复 %(a)d 件，平均 %(d)s 天答复；"
                "本年发布村务公开简报 %(b)d 期。"
            )
            % {
                "y": year,
                "r": figures["received"],
                "a": figures["answered"],
                "d": "—" if mean is None else mean,
                "b": Bulletin.objects.filter(
                    village=village, status=BulletinStatus.PUBLISHED, published_at__year=year
                ).count(),
            },
            timezone.localdate(when),
            actor=actor,
        )
    return ev

"""Supervision rules over the portal's own records (PUB-4, PUB-6, PUB-11, PUB-12).

Thresholds are district settings (versioned by the supervision engine); where the seed gives
no number the default says so.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.rules import (
    DAILY,
    SEVERITY_WARNING,
    SEVERITY_YELLOW,
    BreachSet,
    Finding,
    Rule,
    subject_text,
)
from wuquan.workdays.calendar import last_working_day_before

# ---- PUB-4: an item of the key-area catalog past its time limit, neither published nor
# withheld on a ground ------------------------------------------------------------------


def _key_items_overdue(as_of: datetime, thresholds: dict):
    from .models import KeyAreaItem

    return (
        KeyAreaItem.objects.filter(due__lt=timezone.localdate(as_of), created_at__lte=as_of)
        .filter(Q(published_at__isnull=True) | Q(published_at__gt=as_of))
        .filter(Q(withheld_at__isnull=True) | Q(withheld_at__gt=as_of))
        .order_by()
        .annotate(sweep_subject=subject_text(), sweep_key=subject_text("due"))
    )


def _key_item_findings(as_of: datetime, thresholds: dict, subject_ids=None):
    items = _key_items_overdue(as_of, thresholds).select_related("entry__publisher")
    if subject_ids is not None:
        items = items.filter(pk__in=[int(i) for i in subject_ids])
    for item in items:
        entry = item.entry
        yield Finding(
            subject_type="disclosure.keyareaitem",
            subject_id=str(item.pk),
            message=_("%(u)s 未在 %(d)s 前公开“%(t)s”（%(e)s，时限 %(n)d 个工作日）")
            % {
                "u": entry.publisher.name,
                "d": item.due,
                "t": item.title,
                "e": entry.get_area_display(),
                "n": entry.time_limit_working_days,
            },
            inputs={
                "entry": entry.pk,
                "formed_on": item.formed_on.isoformat(),
                "due": item.due.isoformat(),
                "time_limit_working_days": entry.time_limit_working_days,
                "as_of_date": timezone.localdate(as_of).isoformat(),
            },
            unit_id=entry.publisher_id,
            key=item.sweep_key,
        )


KEY_ITEMS_OVERDUE = BreachSet("disclosure.keyareaitem", _key_items_overdue, _key_item_findings)

KEY_AREA_UNPUBLISHED = Rule(
    code="PUB-4-unpublished-past-limit",
    name="重点领域信息逾期未公开",
    clause="附件4 二(一)、三(一)；政府信息公开条例（2019修订）第二十六条",
    severity=SEVERITY_YELLOW,
    breaches=KEY_ITEMS_OVERDUE,
    clock=DAILY,
)


# ---- PUB-6: a village's quarterly bulletin not published by the 15th of the next quarter's
# first month ----------------------------------------------------------------------------


def _quarters(first: tuple[int, int], last: tuple[int, int]):
    year, quarter = first
    while (year, quarter) <= last:
        yield year, quarter
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def _parse_quarter(text: str) -> tuple[int, int]:
    year, _sep, quarter = str(text).partition("-")
    return int(year), int(quarter)


def bulletins_late(as_of: datetime, thresholds: dict):
    """Each village and each reported quarter from `from_quarter` on whose deadline — the
    `day_of_month` (15) of the first month of the next quarter, a calendar date (附件13 三(一)1)
    — has passed at `as_of` without a published regular bulletin by that day."""
    from wuquan.org.models import Unit, UnitKind

    from .models import Bulletin, BulletinKind, BulletinStatus
    from .services import quarter_bounds

    today = timezone.localdate(as_of)
    day = int(thresholds.get("day_of_month", 15))
    first = _parse_quarter(thresholds.get("from_quarter", "2026-1"))
    current = (today.year, (today.month - 1) // 3 + 1)
    quarters = [
        (year, quarter)
        for year, quarter in _quarters(first, current)
        if quarter_bounds(year, quarter)[1].replace(day=day) < today
    ]
    if not quarters:
        return
    published = {
        (b.village_id, b.year, b.quarter): b
        for b in Bulletin.objects.filter(
            kind=BulletinKind.REGULAR,
            status=BulletinStatus.PUBLISHED,
            published_at__lte=as_of,
            year__gte=first[0],
        )
    }
    for village in Unit.objects.filter(kind=UnitKind.VILLAGE).order_by("pk"):
        for year, quarter in quarters:
            deadline = quarter_bounds(year, quarter)[1].replace(day=day)
            bulletin = published.get((village.pk, year, quarter))
            if bulletin is not None and timezone.localdate(bulletin.published_at) <= deadline:
                continue
            yield Finding(
                subject_type="org.unit",
                subject_id=str(village.pk),
                message=_("%(v)s 未在 %(d)s 前发布 %(y)d 年第 %(q)d 季度村务公开简报%(late)s")
                % {
                    "v": village.name,
                    "d": deadline,
                    "y": year,
                    "q": quarter,
                    "late": (
                        _("（%(p)s 才公开）") % {"p": timezone.localdate(bulletin.published_at)}
                        if bulletin is not None
                        else ""
                    ),
                },
                inputs={
                    "village": village.code,
                    "quarter": f"{year}-Q{quarter}",
                    "deadline": deadline.isoformat(),
                    "published_on": (
                        timezone.localdate(bulletin.published_at).isoformat()
                        if bulletin is not None
                        else None
                    ),
                    "as_of_date": today.isoformat(),
                },
                unit_id=village.pk,
                key=f"quarter:{year}-{quarter}",
            )


BULLETIN_LATE = Rule(
    code="PUB-6-bulletin-late",
    name="村务公开简报逾期未发布",
    clause="附件13 三(一)1、三(三)",
    severity=SEVERITY_YELLOW,
    # from_quarter: the first reported quarter the district checks (when it started the
    # platform); day_of_month: 附件13 三(一)1 "每季度第一个月15日前".
    thresholds={"from_quarter": "2026-1", "day_of_month": 15},
    sweep=bulletins_late,
    clock=DAILY,
)


# ---- PUB-11 / PUB-12: questions and suggestions left unanswered ------------------------


def _unanswered(kind: str):
    def query(as_of: datetime, thresholds: dict):
        from .models import Inquiry

        cutoff = timezone.localdate(as_of)
        for _i in range(int(thresholds.get("answer_working_days", 5))):
            cutoff = last_working_day_before(cutoff)
        return (
            Inquiry.objects.filter(kind=kind, asked_at__date__lt=cutoff, asked_at__lte=as_of)
            .filter(Q(answered_at__isnull=True) | Q(answered_at__gt=as_of))
            .order_by()
            .annotate(sweep_subject=subject_text(), sweep_key=subject_text("kind"))
        )

    def findings(as_of: datetime, thresholds: dict, subject_ids=None):
        inquiries = query(as_of, thresholds).select_related("owner")
        if subject_ids is not None:
            inquiries = inquiries.filter(pk__in=[int(i) for i in subject_ids])
        days = int(thresholds.get("answer_working_days", 5))
        for inquiry in inquiries:
            yield Finding(
                subject_type="disclosure.inquiry",
                subject_id=str(inquiry.pk),
                message=_("%(u)s 对“%(t)s”的群众%(k)s超过 %(n)d 个工作日未答复")
                % {
                    "u": inquiry.owner.name,
                    "t": inquiry.target_title,
                    "k": inquiry.get_kind_display(),
                    "n": days,
                },
                inputs={
                    "target": inquiry.target,
                    "asked_on": timezone.localdate(inquiry.asked_at).isoformat(),
                    "answer_working_days": days,
                    "as_of_date": timezone.localdate(as_of).isoformat(),
                },
                unit_id=inquiry.owner_id,
                key=inquiry.sweep_key,
            )

    return BreachSet("disclosure.inquiry", query, findings)


SUGGESTION_UNANSWERED = Rule(
    code="PUB-11-suggestion-unanswered",
    name="公开内容旁的意见建议逾期未答复",
    clause="附件15 二(二)2（五个统一：公开）",
    severity=SEVERITY_WARNING,
    # why 10: the seed sets no period; 10 working days is this district's default setting
    thresholds={"answer_working_days": 10},
    breaches=_unanswered("suggestion"),
    clock=DAILY,
)

QUESTION_UNANSWERED = Rule(
    code="PUB-12-question-unanswered",
    name="村务公开发言人逾期未答复村民咨询",
    clause="附件13 三(一)3",
    severity=SEVERITY_WARNING,
    # why 5: 附件13 asks for answers "随时…如实、耐心" but sets no period; 5 working days is
    # this district's default setting
    thresholds={"answer_working_days": 5},
    breaches=_unanswered("question"),
    clock=DAILY,
)

RULES = [KEY_AREA_UNPUBLISHED, BULLETIN_LATE, SUGGESTION_UNANSWERED, QUESTION_UNANSWERED]

"""Reads of the unit finance controls (FIN-1..4): who holds which step's post, the limits in
force, the unit's 三重一大 amount threshold, whether a decision stands, the period figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from wuquan.decisions.models import AgendaItem, CatalogEntry, ItemStatus, MatterKind
from wuquan.org.models import Appointment, Area, Post, Unit

from .models import (
    CASHIER_POSTS,
    REQUIRED_ATTACHMENTS,
    REVIEWER_POSTS,
    STEPS,
    AttachmentKind,
    BudgetFigure,
    ClassLimit,
    FinanceReport,
    Reimbursement,
    SpendingClass,
    StaffDisclosure,
    Status,
    Step,
)

# The district default of the 三重一大 large-sum threshold, used when the unit's 三重一大 catalog
# (decisions.CatalogEntry, kind 大额度资金使用) sets none. 附件3 第二 四 says only "大额的需要
# 经过领导班子会议集体审定" and gives no number: 50 000 元 is this platform's default.
DEFAULT_LARGE_SUM_FEN = 5_000_000

# Days after a quarter (half-year) ends by which the report (the disclosure) is due. The seed
# (附件3 第二 五) says only 每个季度 / 每半年 and sets no deadline: 30 days is the district
# default of this platform, versioned through the supervision engine's rule thresholds.
DEFAULT_REPORT_DAYS = 30
DEFAULT_DISCLOSURE_DAYS = 30


def today() -> date:
    return timezone.localdate()


def yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def daxie(fen: int) -> str:
    """大写金额 for the printed 报销单 (cn2an), from integer fen."""
    import cn2an

    return cn2an.an2cn(f"{fen // 100}.{fen % 100:02d}", "rmb")


# ---- posts ------------------------------------------------------------------------------------


def finance_posts(unit: Unit):
    """The unit's deputy posts in charge of finance (分管财务; 附件3 第二 一)."""
    return [p for p in Post.objects.filter(unit=unit, is_deputy=True) if Area.FINANCE in p.areas]


def step_posts(r: Reimbursement, step: str) -> list[Post]:
    """The posts whose holder may sign `step` of `r`."""
    if step == Step.REVIEWER:
        return list(Post.objects.filter(unit_id=r.unit_id, code__in=REVIEWER_POSTS))
    if step == Step.RESPONSIBLE:
        return [r.responsible_post]
    if step == Step.FINANCE:
        return finance_posts(r.unit)
    if step == "cashier":
        return list(Post.objects.filter(unit_id=r.unit_id, code__in=CASHIER_POSTS))
    return []


def held(user, posts, on: date):
    """(person, post) by which `user` holds one of `posts` on `on`, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not posts:
        return None
    a = (
        Appointment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=on),
            person__user=user,
            post__in=posts,
            start__lte=on,
        )
        .select_related("person", "post")
        .first()
    )
    return (a.person, a.post) if a else None


def person_held(person, posts, on: date) -> bool:
    return Appointment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=on), person=person, post__in=posts, start__lte=on
    ).exists()


def unit_post_of(user, unit: Unit, on: date):
    """(person, post) by which `user` holds any post of `unit` on `on`, or None."""
    return held(user, list(Post.objects.filter(unit=unit)), on)


def responsible_choices(unit: Unit) -> list[Post]:
    """Deputy posts that may be a reimbursement's 分管领导: not those in charge of finance (the
    finance deputy signs the last step, and no one signs twice)."""
    finance = {p.pk for p in finance_posts(unit)}
    return [p for p in Post.objects.filter(unit=unit, is_deputy=True) if p.pk not in finance]


# ---- the chain -------------------------------------------------------------------------------


def current_signatures(r: Reimbursement):
    return r.signatures.filter(round=r.round).select_related("person", "post").order_by("seq")


def next_step(r: Reimbursement) -> str | None:
    if r.status != Status.SIGNING:
        return None
    done = list(current_signatures(r).values_list("step", flat=True))
    return STEPS[len(done)] if len(done) < len(STEPS) else None


def missing_attachments(r: Reimbursement) -> list[str]:
    have = set(r.attachments.values_list("kind", flat=True))
    return [k for k in REQUIRED_ATTACHMENTS[r.spending_class] if k not in have]


def invoice_total(r: Reimbursement) -> int:
    return (
        r.attachments.filter(kind=AttachmentKind.INVOICE).aggregate(s=Sum("invoice_amount"))["s"]
        or 0
    )


# ---- limits and the large-sum threshold (FIN-3) ----------------------------------------------


def class_limit(unit_id: int, spending_class: str, on: date) -> ClassLimit | None:
    rows = ClassLimit.objects.filter(
        Q(unit_id=unit_id) | Q(unit__isnull=True), spending_class=spending_class, valid_from__lte=on
    ).order_by("-valid_from", "-pk")
    own = next((x for x in rows if x.unit_id == unit_id), None)
    return own or next((x for x in rows if x.unit_id is None), None)


def limits_in_force(unit: Unit, on: date) -> list[tuple[str, ClassLimit | None]]:
    return [(c, class_limit(unit.pk, c, on)) for c in SpendingClass.values]


def year_spent(unit_id: int, spending_class: str, year: int, *, exclude=None, paid_only=False):
    qs = Reimbursement.objects.filter(
        unit_id=unit_id, spending_class=spending_class, occurred_on__year=year
    )
    qs = (
        qs.filter(status=Status.PAID)
        if paid_only
        else qs.filter(status__in=[Status.SIGNING, Status.APPROVED, Status.PAID])
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.aggregate(s=Sum("amount"))["s"] or 0


def large_sum_threshold(unit_id: int) -> int:
    """The unit's 三重一大 amount (fen): the lowest 大额度资金使用 line of its catalog, else
    DEFAULT_LARGE_SUM_FEN."""
    values = CatalogEntry.objects.filter(
        unit_id=unit_id, kind=MatterKind.LARGE_SUM, amount_threshold__isnull=False
    ).values_list("amount_threshold", flat=True)
    fen = [int(v * 100) for v in values]
    return min(fen) if fen else DEFAULT_LARGE_SUM_FEN


def decision_stands(item: AgendaItem | None, unit_id: int) -> bool:
    """A decision of the unit's leadership meeting, passed and not superseded (DEC-2, DEC-6):
    the same test as decisions.selectors.decision_for, on a chosen item."""
    return bool(
        item is not None
        and item.unit_id == unit_id
        and item.status == ItemStatus.DECIDED
        and item.passed is True
        and item.superseded_by_id is None
        and item.meeting_id is not None
    )


def decisions_for_unit(unit: Unit):
    return AgendaItem.objects.filter(unit=unit).select_related("meeting").order_by("-id")


# ---- periods (FIN-4) -------------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - timedelta(1)
    return start, end


def half_bounds(year: int, half: int) -> tuple[date, date]:
    return (
        (date(year, 1, 1), date(year, 6, 30))
        if half == 1
        else (date(year, 7, 1), date(year, 12, 31))
    )


@dataclass
class FigureRow:
    spending_class: str
    label: str
    budget: int
    period: int
    to_date: int

    @property
    def rate(self) -> str:
        return f"{self.to_date * 100 / self.budget:.1f}%" if self.budget else "—"


def period_figures(unit: Unit, start: date, end: date) -> dict:
    """Per class: the year's entered budget, paid in the period, paid from 1 January to the
    period's end; and totals. Plain ints (fen) so the result is frozen as JSON."""
    year = start.year
    budgets = dict(
        BudgetFigure.objects.filter(unit=unit, year=year).values_list("spending_class", "amount")
    )
    paid = Reimbursement.objects.filter(unit=unit, status=Status.PAID)
    in_period = dict(
        paid.filter(occurred_on__range=(start, end))
        .values_list("spending_class")
        .annotate(s=Sum("amount"))
    )
    to_date = dict(
        paid.filter(occurred_on__range=(date(year, 1, 1), end))
        .values_list("spending_class")
        .annotate(s=Sum("amount"))
    )
    rows = []
    for c in SpendingClass:
        b, p, t = budgets.get(c.value, 0), in_period.get(c.value, 0), to_date.get(c.value, 0)
        if b or p or t:
            rows.append({"class": c.value, "budget": b, "period": p, "to_date": t})
    count = paid.filter(occurred_on__range=(start, end)).count()
    return {
        "unit_id": unit.pk,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "rows": rows,
        "budget": sum(r["budget"] for r in rows),
        "period": sum(r["period"] for r in rows),
        "to_date": sum(r["to_date"] for r in rows),
        "count": count,
    }


def figure_rows(figures: dict) -> list[FigureRow]:
    return [
        FigureRow(
            r["class"], str(SpendingClass(r["class"]).label), r["budget"], r["period"], r["to_date"]
        )
        for r in figures.get("rows", [])
    ]


# ---- visibility -------------------------------------------------------------------------------


def reimbursements_visible_to(user):
    from wuquan.org.selectors import scope

    return scope(Reimbursement.objects.select_related("unit", "claimant", "responsible_post"), user)


def units_visible_to(user):
    from wuquan.org.selectors import units_visible_to as visible

    return visible(user)


def staff_units(user) -> list[int]:
    """The units whose staff disclosures `user` may read: those where they hold a post, and
    those in their scope (supervisors)."""
    from wuquan.org.selectors import person_of, posts_held

    own = set(posts_held(person_of(user)).values_list("unit_id", flat=True))
    return sorted(own | set(units_visible_to(user).values_list("pk", flat=True)))


def disclosures_for(user):
    return StaffDisclosure.objects.filter(unit_id__in=staff_units(user)).select_related("unit")


def reports_for(user):
    return FinanceReport.objects.filter(
        unit_id__in=units_visible_to(user).values("pk")
    ).select_related("unit")


def finance_units(year: int):
    """Units keeping their finance controls here in `year`: those that entered a budget."""
    return Unit.objects.filter(
        pk__in=BudgetFigure.objects.filter(year=year).values("unit_id")
    ).order_by("pk")

"""What the 三资 books publish, offered to the portal by the convention of
`disclosure/sources.py`: each published month for the search and the feeds (PUB-7), and the
finance part of a village's quarterly bulletin (附件13 三(四)3: "本季度每笔收入和支出及季末现金
存款余额", PUB-6)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from wuquan.common.publication import PublicItem

from .models import AccountRole, Book, Disclosure
from .selectors import posted_lines, role_balance, yuan


def _month_items(*, unit_ids=None, since=None, until=None, q=""):
    """The published months (PUB-7)."""
    months = Disclosure.objects.select_related("book__unit")
    if unit_ids is not None:
        months = months.filter(book__unit_id__in=unit_ids)
    if since is not None:
        months = months.filter(published_at__gte=since)
    if until is not None:
        months = months.filter(published_at__lt=until)
    if q:
        months = months.filter(Q(book__name__icontains=q) | Q(book__unit__name__icontains=q))
    for d in months:
        yield PublicItem(
            kind="finance",
            kind_label=_("财务逐笔公开"),
            title=_("%(b)s %(y)d年%(m)d月财务公开") % {"b": d.book.name, "y": d.year, "m": d.month},
            unit_code=d.book.unit.code,
            unit_name=d.book.unit.name,
            published_at=d.published_at,
            url=reverse("collective-public:month", args=[d.book_id, d.year, d.month]),
            summary=_("%(n)d 笔收支") % {"n": len(d.content.get("lines", []))},
            key=f"collective.month:{d.pk}",
        )


def bulletin_finance(village, start, end) -> dict | None:
    """Every income and expense line of the quarter [start, end) in the village's own books,
    and the quarter-end cash (库存现金) and deposit (银行存款) balances, in fen."""
    book = Book.objects.filter(unit=village).order_by("code").first()
    if book is None:
        return None
    last = end - timedelta(days=1)
    lines = (
        posted_lines(book)
        .filter(
            date__gte=start,
            date__lte=last,
            account__role__in=(AccountRole.INCOME, AccountRole.EXPENSE),
            voucher__is_closing=False,
        )
        .select_related("account", "voucher")
        .order_by("date", "voucher__number", "pk")
    )
    income = [ln for ln in lines if ln.account.role == AccountRole.INCOME]
    expense = [ln for ln in lines if ln.account.role == AccountRole.EXPENSE]
    cash = role_balance(book, AccountRole.CASH, last)
    deposit = role_balance(book, AccountRole.BANK, last)

    def row(ln):
        return f"{ln.date:%m-%d} {ln.summary or ln.voucher.summary} {yuan(ln.amount)} 元"

    summary = _("本季度收入 %(i)d 笔、支出 %(e)d 笔；季末现金 %(c)s 元，存款 %(d)s 元。") % {
        "i": len(income),
        "e": len(expense),
        "c": yuan(cash),
        "d": yuan(deposit),
    }
    text = "\n".join(
        [summary, _("收入：")]
        + [row(ln) for ln in income]
        + [_("支出：")]
        + [row(ln) for ln in expense]
    )
    return {
        "summary": summary,
        "text": text[:4800],  # a bulletin section holds 5,000 characters
        "income": len(income),
        "expense": len(expense),
        "cash_fen": cash,
        "deposit_fen": deposit,
    }


# ==== 惠农补贴“一卡通” lists (PUB-8) =============================================================


def _benefit_publications():
    from .models import BenefitPublication

    return BenefitPublication.objects.filter(taken_down_at__isnull=True).select_related(
        "programme__book__unit"
    )


def _benefit(ident: str):
    from wuquan.common.publication import Target

    if not ident.isdigit() or not (0 < int(ident) < 2**31):
        return None
    pub = _benefit_publications().filter(pk=int(ident)).first()
    if pub is None:
        return None
    return Target(
        key=f"benefit:{pub.pk}",
        kind="benefit",
        title=_("%(u)s %(n)s 发放名单公示")
        % {"u": pub.programme.book.unit.name, "n": pub.content.get("name", "")},
        owner=pub.programme.book.unit,
        url=reverse("collective-public:benefit", args=[pub.pk]),
    )


TARGETS = {"benefit": _benefit}


def public_items(*, unit_ids=None, since=None, until=None, q=""):
    """The published months (above) and the benefit lists still online (PUB-7, PUB-8)."""
    yield from _month_items(unit_ids=unit_ids, since=since, until=until, q=q)
    pubs = _benefit_publications()
    if unit_ids is not None:
        pubs = pubs.filter(programme__book__unit_id__in=unit_ids)
    if since is not None:
        pubs = pubs.filter(published_at__gte=since)
    if until is not None:
        pubs = pubs.filter(published_at__lt=until)
    if q:
        pubs = pubs.filter(
            Q(programme__name__icontains=q) | Q(programme__book__unit__name__icontains=q)
        )
    for pub in pubs:
        yield PublicItem(
            kind="benefit",
            kind_label=_("惠农补贴发放公示"),
            title=_("%(u)s %(n)s 发放名单公示")
            % {"u": pub.programme.book.unit.name, "n": pub.content.get("name", "")},
            unit_code=pub.programme.book.unit.code,
            unit_name=pub.programme.book.unit.name,
            published_at=pub.published_at,
            url=reverse("collective-public:benefit", args=[pub.pk]),
            summary=_("%(n)d 人，合计 %(t)s 元")
            % {"n": len(pub.content.get("rows", [])), "t": yuan(pub.content.get("total", 0))},
            key=f"benefit:{pub.pk}",
        )

"""Reads of the collective books: balances, 科目余额表, ledgers, reports, budgets, limits,
reconciliation and the disclosure content (FIN-7, FIN-11, FIN-13, PUB-7). Balances are
debit-positive integers in fen: Σ debit amounts − Σ credit amounts over posted lines."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Sum, When
from django.db.models.functions import Coalesce

from wuquan.org.selectors import can_see_unit

from .models import (
    Account,
    AccountRole,
    Book,
    BudgetLine,
    Category,
    Line,
    PaymentRequest,
    Period,
    PeriodStatus,
    RequestStatus,
    Setting,
    Side,
    Voucher,
    VoucherStatus,
)

# Defaults of the dated limits (collective.Setting overrides them per book and date). They are
# the supervision rules' default thresholds as well (rules.py reads them from here).
DEFAULT_LIMITS = {
    # 库存现金限额: 《现金管理暂行条例》第十一条 lets the bank set it at 3–5 days' needs; the
    # number itself is a township's choice — 5,000 yuan is ours, not a law's.
    "cash_limit": 500_000,
    # receipts deposited within N days (FIN-13 坐收坐支); 《现金管理暂行条例》第十一条 says
    # "当日送存" for cash over the limit; we allow 3 days for villages far from a bank (ours).
    "deposit_days": 3,
    # cash payments only below this (《现金管理暂行条例》第五条 sets 结算起点 1,000 yuan).
    "cash_payment_limit": 100_000,
    # the month's disclosure published by this day of the next month (ours; 附件15 gives none).
    "disclosure_day": 10,
    # the village's 三重一大 threshold (DEC-10): payments at or above it need a six-step matter.
    # 附件15 二(一) leaves the amount to each village; 50,000 yuan is the demo's.
    "major_payment": 5_000_000,
}


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def limit(book: Book, key: str, on: date, thresholds: dict | None = None) -> int:
    """The dated limit `key` for `book` on day `on`: the book's own setting, else the
    all-books setting, else the rule's thresholds, else DEFAULT_LIMITS."""
    rows = Setting.objects.filter(
        Q(book=book) | Q(book__isnull=True), key=key, valid_from__lte=on
    ).order_by("-valid_from", "-pk")
    own = next((s for s in rows if s.book_id == book.pk), None)
    if own is not None:
        return own.value
    general = next((s for s in rows if s.book_id is None), None)
    if general is not None:
        return general.value
    return (thresholds or DEFAULT_LIMITS).get(key, DEFAULT_LIMITS[key])


def posted_lines(book: Book | None = None):
    qs = Line.objects.filter(voucher__status=VoucherStatus.POSTED)
    return qs.filter(book=book) if book is not None else qs


def signed_amount():
    """SQL for the debit-positive amount of a line."""
    return Case(
        When(side=Side.DEBIT, then=F("amount")),
        default=-F("amount"),
        output_field=IntegerField(),
    )


def balances(
    book: Book,
    *,
    upto: date | None = None,
    since: date | None = None,
    exclude_closing: bool = False,
) -> dict[int, int]:
    """{account_id: debit-positive balance} of posted lines dated in [since, upto]."""
    qs = posted_lines(book)
    if upto is not None:
        qs = qs.filter(date__lte=upto)
    if since is not None:
        qs = qs.filter(date__gte=since)
    if exclude_closing:
        qs = qs.filter(voucher__is_closing=False)
    rows = qs.values("account_id").annotate(b=Sum(signed_amount())).order_by()
    return {r["account_id"]: r["b"] or 0 for r in rows}


def role_balance(book: Book, role: str, upto: date) -> int:
    ids = list(Account.objects.filter(role=role).values_list("pk", flat=True))
    return sum(v for k, v in balances(book, upto=upto).items() if k in ids)


@dataclass
class TrialRow:
    account: Account
    opening: int = 0
    debit: int = 0
    credit: int = 0

    @property
    def closing(self) -> int:
        return self.opening + self.debit - self.credit


@dataclass
class TrialBalance:
    rows: list[TrialRow] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        t = {
            "opening_debit": 0,
            "opening_credit": 0,
            "debit": 0,
            "credit": 0,
            "closing_debit": 0,
            "closing_credit": 0,
        }
        for r in self.rows:
            t["debit"] += r.debit
            t["credit"] += r.credit
            t["opening_debit" if r.opening >= 0 else "opening_credit"] += abs(r.opening)
            t["closing_debit" if r.closing >= 0 else "closing_credit"] += abs(r.closing)
        return t

    @property
    def balanced(self) -> bool:
        t = self.totals
        return (
            t["debit"] == t["credit"]
            and t["opening_debit"] == t["opening_credit"]
            and t["closing_debit"] == t["closing_credit"]
        )


@cache  # built from the models' metadata, the same for the life of the process
def _trial_sql() -> tuple[str, tuple[str, ...]]:
    """The 科目余额表 aggregate as one plain GROUP BY joined to the chart (bench/trial_balance.py:
    the ORM's compilation of three filtered sums cost 20–40× the query itself, for the most
    read report of the books). Table and column names come from the models."""
    line, voucher, account = Line._meta, Voucher._meta, Account._meta
    fields = [f.column for f in account.concrete_fields]
    cols = ", ".join(f'a."{c}"' for c in fields)
    sql = (
        f"SELECT {cols}, "
        "SUM(CASE WHEN l.date < %s THEN CASE WHEN l.side = %s THEN l.amount ELSE -l.amount END "
        "ELSE 0 END), "
        "SUM(CASE WHEN l.date >= %s AND l.side = %s THEN l.amount ELSE 0 END), "
        "SUM(CASE WHEN l.date >= %s AND l.side = %s THEN l.amount ELSE 0 END) "
        f'FROM "{line.db_table}" l '
        f'JOIN "{voucher.db_table}" v ON v."id" = l."voucher_id" '
        f'JOIN "{account.db_table}" a ON a."id" = l."account_id" '
        "WHERE v.status = %s AND l.book_id = %s AND l.date <= %s "
        # grouped by the chart's key alone: its other columns depend on it (SQLite and
        # PostgreSQL both accept that); grouping by every column made the query sort wide rows
        'GROUP BY a."id" ORDER BY a."code"'
    )
    return sql, tuple(f.attname for f in account.concrete_fields)


def trial_balance(book: Book, year: int, month: int, to_month: int | None = None) -> TrialBalance:
    """科目余额表 of months [month, to_month] of `year`: opening, debit and credit movements
    (red amounts net out on their own side), closing, per first-level account with lines."""
    start = date(year, month, 1)
    end = month_end(year, to_month or month)
    sql, names = _trial_sql()
    d, c = Side.DEBIT.value, Side.CREDIT.value
    params = [start, d, start, d, start, c, VoucherStatus.POSTED.value, book.pk, end]
    out, n = TrialBalance(), len(names)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for row in cur.fetchall():
            account = Account.from_db(connection.alias, names, row[:n])
            opening, debit, credit = (int(v or 0) for v in row[n:])
            out.rows.append(TrialRow(account, opening, debit, credit))
    return out


def ledger_lines(book: Book, account: Account, year: int, month: int | None = None):
    """明细账/日记账: the posted lines of one account with a running balance."""
    start = date(year, month or 1, 1)
    end = month_end(year, month or 12)
    opening = balances(book, upto=date.fromordinal(start.toordinal() - 1)).get(account.pk, 0)
    rows = []
    running = opening
    qs = (
        posted_lines(book)
        .filter(account=account, date__gte=start, date__lte=end)
        .select_related("voucher")
        .order_by("date", "voucher__number", "pk")
    )
    for ln in qs:
        running += ln.amount if ln.side == Side.DEBIT else -ln.amount
        rows.append((ln, running))
    return opening, rows


def general_ledger(book: Book, year: int):
    """总账: per account and month, debit, credit and balance."""
    from django.db.models.functions import ExtractMonth

    rows = (
        posted_lines(book)
        .filter(date__year=year)
        .annotate(m=ExtractMonth("date"))
        .values("account_id", "m")
        .annotate(
            debit=Coalesce(Sum(F("amount"), filter=Q(side=Side.DEBIT)), 0),
            credit=Coalesce(Sum(F("amount"), filter=Q(side=Side.CREDIT)), 0),
        )
        .order_by("account_id", "m")
    )
    opening = balances(book, upto=date(year - 1, 12, 31))
    accounts = {a.pk: a for a in Account.objects.all()}
    out: dict[int, dict] = {}
    for r in rows:
        entry = out.setdefault(
            r["account_id"],
            {
                "account": accounts[r["account_id"]],
                "opening": opening.get(r["account_id"], 0),
                "months": [],
            },
        )
        entry["months"].append((r["m"], r["debit"], r["credit"]))
    result = []
    for entry in sorted(out.values(), key=lambda e: e["account"].code):
        bal = entry["opening"]
        months = []
        for m, d, c in entry["months"]:
            bal += d - c
            months.append((m, d, c, bal))
        entry["months"] = months
        result.append(entry)
    return result


def balance_sheet(book: Book, year: int, month: int = 12) -> list[tuple[str, Account, int, int]]:
    """资产负债表: (category, account, year-start, period-end) with each account on its normal
    side (asset and cost debit-positive, liability and equity credit-positive). P&L accounts
    not yet closed into 本年收益 count in 本年收益 so the sheet balances before year-end close."""
    start = balances(book, upto=date(year - 1, 12, 31))
    end = balances(book, upto=month_end(year, month))
    accounts = list(Account.objects.all())
    current = next((a for a in accounts if a.role == AccountRole.CURRENT_INCOME), None)
    out = []
    pl_start = sum(start.get(a.pk, 0) for a in accounts if a.category == Category.PL)
    pl_end = sum(end.get(a.pk, 0) for a in accounts if a.category == Category.PL)
    for a in accounts:
        if a.category == Category.PL:
            continue
        s, e = start.get(a.pk, 0), end.get(a.pk, 0)
        if current is not None and a.pk == current.pk:
            s, e = s + pl_start, e + pl_end
        sign = 1 if a.category in (Category.ASSET, Category.COST) else -1
        if s or e:
            out.append((a.category, a, sign * s, sign * e))
    return out


def balance_sheets(books, year: int, month: int = 12) -> dict[int, list]:
    """资产负债表 of many books at once (district and township views): one GROUP BY over the
    lines of all of them, then the same shaping as `balance_sheet`."""
    start_day, end_day = date(year - 1, 12, 31), month_end(year, month)
    rows = (
        Line.objects.filter(voucher__status=VoucherStatus.POSTED, book__in=books, date__lte=end_day)
        .values("book_id", "account_id")
        .annotate(
            s=Coalesce(Sum(signed_amount(), filter=Q(date__lte=start_day)), 0),
            e=Coalesce(Sum(signed_amount()), 0),
        )
        .order_by()
    )
    accounts = {a.pk: a for a in Account.objects.all()}
    current = next((a for a in accounts.values() if a.role == AccountRole.CURRENT_INCOME), None)
    per_book: dict[int, dict[int, list[int]]] = defaultdict(dict)
    for r in rows:
        per_book[r["book_id"]][r["account_id"]] = [r["s"], r["e"]]
    out = {}
    for book_id, bal in per_book.items():
        pl = [0, 0]
        for acct_id, (s, e) in bal.items():
            if accounts[acct_id].category == Category.PL:
                pl[0] += s
                pl[1] += e
        sheet = []
        for acct_id in sorted(bal, key=lambda i: accounts[i].code):
            a = accounts[acct_id]
            if a.category == Category.PL:
                continue
            s, e = bal[acct_id]
            if current is not None and acct_id == current.pk:
                s, e = s + pl[0], e + pl[1]
            sign = 1 if a.category in (Category.ASSET, Category.COST) else -1
            if s or e:
                sheet.append((a.category, a, sign * s, sign * e))
        out[book_id] = sheet
    return out


def balance_sheet_totals(rows) -> dict[str, tuple[int, int]]:
    """Per category (year-start, period-end); contra accounts (累计折旧) count negative."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cat, _a, s, e in rows:
        totals[cat][0] += s
        totals[cat][1] += e
    return {k: (v[0], v[1]) for k, v in totals.items()}


def income_statement(book: Book, year: int, month: int = 12) -> list[tuple[Account, int]]:
    """收益及收益分配表 (part 1): each income/expense account's year-to-date amount on its
    normal side, before the year-end closing vouchers."""
    moves = balances(
        book, since=date(year, 1, 1), upto=month_end(year, month), exclude_closing=True
    )
    out = []
    for a in Account.objects.filter(category=Category.PL):
        v = moves.get(a.pk, 0)
        if v:
            out.append((a, v if a.normal_side == Side.DEBIT else -v))
    return out


def net_income(rows) -> int:
    return sum(v if a.role == AccountRole.INCOME else -v for a, v in rows)


# ---- budgets ---------------------------------------------------------------------------------


def budget_line_for(book: Book, year: int, account: Account, project: str = ""):
    return (
        BudgetLine.objects.filter(
            budget__book=book, budget__year=year, account=account, project=project
        )
        .select_related("budget")
        .first()
    )


def budget_remaining(
    book: Book, year: int, account: Account, project: str = "", exclude_request: int | None = None
) -> int | None:
    """What is left of the budget line (approved + adjustments − spent − committed), or None
    when there is no budget line for the account and project (FIN-11)."""
    line = budget_line_for(book, year, account, project)
    if line is None:
        return None
    approved = line.amount + (line.adjustments.aggregate(s=Sum("delta"))["s"] or 0)
    spent = (
        posted_lines(book)
        .filter(account=account, project=project, date__year=year, voucher__is_closing=False)
        .aggregate(s=Sum(signed_amount()))["s"]
        or 0
    )
    pending = PaymentRequest.objects.filter(
        book=book,
        account=account,
        project=project,
        date__year=year,
        status=RequestStatus.SIGNING,
    )
    if exclude_request:
        pending = pending.exclude(pk=exclude_request)
    committed = pending.aggregate(s=Sum("amount"))["s"] or 0
    return approved - spent - committed


# ---- periods ---------------------------------------------------------------------------------


def period_status(book: Book, year: int, month: int) -> str:
    p = Period.objects.filter(book=book, year=year, month=month).first()
    return p.status if p else PeriodStatus.OPEN


def drafts_in(book: Book, year: int, month: int) -> int:
    return Voucher.objects.filter(
        book=book, year=year, month=month, status=VoucherStatus.DRAFT
    ).count()


# ---- who may do what (FIN-12) ----------------------------------------------------------------


def post_held(user, unit, code: str, on: date):
    """The (person, post) by which `user` holds post `code` in `unit` on `on`, or None
    (one query: the appointment, its person and its post)."""
    from wuquan.org.models import Appointment

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    appointment = (
        Appointment.objects.filter(
            Q(end__isnull=True) | Q(end__gte=on),
            person__user=user,
            post__unit=unit,
            post__code=code,
            start__lte=on,
        )
        .select_related("person", "post")
        .first()
    )
    return (appointment.person, appointment.post) if appointment else None


def books_visible_to(user):
    """Books the user may read: those of units in the user's scope (village, its township's
    centre and supervision group, the district bureau and the commission see all below them)."""
    from wuquan.org.selectors import units_visible_to

    units = units_visible_to(user)
    return Book.objects.filter(Q(unit__in=units) | Q(centre__in=units)).select_related(
        "unit", "centre"
    )


def can_read_book(user, book: Book) -> bool:
    return can_see_unit(user, book.unit) or can_see_unit(user, book.centre)


# ---- disclosure ------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """A private person's name on the portal: the surname and ＊ (张＊, 欧阳＊＊)."""
    name = (name or "").strip()
    if not name:
        return ""
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "＊" * max(1, len(name) - keep)


def disclosure_content(book: Book, year: int, month: int) -> dict:
    """What PUB-7 publishes for a month: every posted line except opening/closing entries,
    with the counterparty masked where a person, plus the month's totals by account."""
    start, end = date(year, month, 1), month_end(year, month)
    lines = (
        posted_lines(book)
        .filter(date__gte=start, date__lte=end, voucher__is_opening=False)
        .select_related("voucher", "account")
        .order_by("date", "voucher__number", "pk")
    )
    out = []
    for ln in lines:
        out.append(
            {
                "date": ln.date.isoformat(),
                "voucher": ln.voucher.number,
                "summary": ln.summary or ln.voucher.summary,
                "account": f"{ln.account.code} {ln.account.name}",
                "side": ln.side,
                "amount": ln.amount,
                "counterparty": mask_name(ln.counterparty)
                if ln.counterparty_is_person
                else ln.counterparty,
            }
        )
    content = {"book": book.code, "year": year, "month": month, "lines": out}
    # part 2 (FIN-9): the month's contracts and their schedules; the key only when there are
    # any, so that months published before part 2 keep their hash
    contracts = contract_disclosure(book, year, month)
    if contracts:
        content["contracts"] = contracts
    return content


def disclosure_matches(disclosure) -> bool:
    """Do the books still say what was published? (PUB-7: a later change shows.)"""
    from .events import digest

    current = digest(disclosure_content(disclosure.book, disclosure.year, disclosure.month))
    return current == disclosure.sha256


# ---- bank reconciliation (FIN-13) -----------------------------------------------------------


def reconciliation(statement):
    """Match the statement's lines to the bank account's posted lines of the month by amount
    and date (±3 days): (matched pairs, book lines not on the statement, statement lines not
    in the books), and the two closing balances."""
    book = statement.book
    bank_ids = list(Account.objects.filter(role=AccountRole.BANK).values_list("pk", flat=True))
    start, end = (
        date(statement.year, statement.month, 1),
        month_end(statement.year, statement.month),
    )
    book_lines = list(
        posted_lines(book)
        .filter(account_id__in=bank_ids, date__gte=start, date__lte=end)
        .select_related("voucher")
        .order_by("date", "pk")
    )
    free = {ln.pk: ln for ln in book_lines}
    matched, bank_only = [], []
    for sl in statement.lines.order_by("date", "pk"):
        hit = None
        for ln in free.values():
            signed = ln.amount if ln.side == Side.DEBIT else -ln.amount
            if signed == sl.amount and abs((ln.date - sl.date).days) <= 3:
                hit = ln
                break
        if hit is None:
            bank_only.append(sl)
        else:
            matched.append((sl, hit))
            del free[hit.pk]
    book_balance = role_balance(book, AccountRole.BANK, end)
    return {
        "matched": matched,
        "book_only": list(free.values()),
        "bank_only": bank_only,
        "book_balance": book_balance,
        "bank_balance": statement.closing_balance,
        "agrees": book_balance == statement.closing_balance,
    }


def yuan(fen: int | None) -> str:
    """Fen as yuan text with two decimals, integer arithmetic only."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def daxie(fen: int) -> str:
    """大写金额 for printed vouchers, by cn2an (kept library), from integer fen."""
    import cn2an

    sign = "负" if fen < 0 else ""
    fen = abs(fen)
    text = cn2an.an2cn(f"{fen // 100}.{fen % 100:02d}", "rmb")
    return sign + text


# ==== 惠农补贴“一卡通” and community funds (FIN-15, PUB-8) ======================================


def benefit_key(value: str) -> str:
    """Keyed digest (HMAC-SHA256 under a key derived from the instance secret) of a resident ID
    or card number: what the log and the duplicate checks use, never the number itself."""
    import hashlib
    import hmac

    from django.conf import settings

    secret = hmac.new(
        settings.SECRET_KEY.encode(), b"wuquan.collective.benefit", hashlib.sha256
    ).digest()
    text = (value or "").strip().upper()
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def mask_card(value: str) -> str:
    """Public form of a bank card number: only the last four digits (**** 1234)."""
    digits = "".join(c for c in str(value or "") if c.isdigit())
    return "**** " + digits[-4:] if len(digits) >= 4 else "****"


def fund_ledgers(book: Book, year: int, month: int) -> list[dict]:
    """FIN-15 (附件14 二(二) 专款专用、分帐核算): the book's one bank account split into a ledger
    per fund source (the `fund` dimension of the lines; "" = the collective's own money) for
    one month: opening, in, out, closing, and the lines."""
    start, end = date(year, month, 1), month_end(year, month)
    bank_ids = list(Account.objects.filter(role=AccountRole.BANK).values_list("pk", flat=True))
    qs = posted_lines(book).filter(account_id__in=bank_ids, date__lte=end)
    opening = {
        r["fund"]: r["b"] or 0
        for r in qs.filter(date__lt=start)
        .values("fund")
        .annotate(b=Sum(signed_amount()))
        .order_by()
    }
    month_lines = list(
        qs.filter(date__gte=start)
        .select_related("voucher")
        .order_by("date", "voucher__number", "pk")
    )
    funds = sorted(set(opening) | {ln.fund for ln in month_lines})
    out = []
    for fund in funds:
        lines = [ln for ln in month_lines if ln.fund == fund]
        inflow = sum(ln.amount for ln in lines if ln.side == Side.DEBIT)
        outflow = sum(ln.amount for ln in lines if ln.side == Side.CREDIT)
        o = opening.get(fund, 0)
        out.append(
            {
                "fund": fund,
                "opening": o,
                "in": inflow,
                "out": outflow,
                "closing": o + inflow - outflow,
                "lines": lines,
            }
        )
    return out


def benefit_public_rows(programme) -> list[dict]:
    """What the portal shows of a programme's list (PUB-8, PUB-9): surname only, ID and card
    masked by the one masking function of `common.identity` (card: last four digits)."""
    from wuquan.common.identity import mask_name as mask_person
    from wuquan.common.identity import mask_ric

    return [
        {
            "seq": r.seq,
            "name": mask_person(r.name),
            "id": mask_ric(r.id_number),
            "card": mask_card(r.card_number),
            "quantity": str(r.quantity),
            "amount": r.amount,
        }
        for r in programme.recipients.order_by("seq")
    ]


def latest_publication(programme):
    return programme.publications.order_by("-published_at", "-pk").first()


def subsidy_parties(as_of: date):
    """Source rows for personnel's conflict index (personnel/index.py, decision 0071): every
    recipient on a published list by `as_of`, role "subsidy", so that a cadre's relative on a
    subsidy list of the cadre's unit is matched (FIN-15; decision 0071). Wired by collective/parties.py."""
    from .models import BenefitRecipient

    rows = (
        BenefitRecipient.objects.filter(programme__publications__published_at__date__lte=as_of)
        .select_related("programme__book")
        .distinct()
        .order_by("pk")
    )
    from wuquan.common.identity import mask_name as mask_person

    for r in rows:
        first = (
            r.programme.publications.filter(published_at__date__lte=as_of)
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        yield {
            "id_number": r.id_number,
            "party_kind": "person",
            "role": "subsidy",
            "source": "collective",
            "source_type": "collective.benefitrecipient",
            "source_id": str(r.pk),
            "unit_id": r.programme.book.unit_id,
            "official_id": None,
            "relation": "",
            "label": f"{r.programme.name} {mask_person(r.name)} {yuan(r.amount)} 元",
            "on": first.date() if first else None,
        }


# ==== part 2 (issue 15): registers, contracts, tiered tenders, FIN-14 =========================

DEFAULT_LIMITS.update(
    {
        # a disposal, lease or contracting-out of an asset at or above this needs a valid
        # six-step matter (附件15 二(二)2 集体决策; the amount is each village's — ours)
        "asset_deal_matter": 5_000_000,
        # … and at or above this goes through the township's 农村产权流转交易 market (the
        # amount is a province's or a county's choice; 200,000 yuan is ours, not verified)
        "asset_deal_exchange": 20_000_000,
        # 备案 with the 三资 centre within N days of signing (附件15 二(二)2 gives no number; ours)
        "filing_days": 10,
        # warn this many days before a contract ends (ours)
        "contract_expiry_days": 60,
        # an instalment not collected this many days after it fell due is overdue (ours)
        "rent_grace_days": 30,
        # a new lease/发包 of the same asset at a yearly rent more than N % below the previous
        # one is flagged (ours)
        "rent_drop_percent": 20,
        # 民法典 第七百零五条: 租赁期限不得超过二十年 (confirmed with the search tool)
        "lease_max_years": 20,
    }
)

# the register's accounts and their contra accounts (reconciliation, FIN-7)
REGISTER_ACCOUNTS = {
    "1301": "1302",
    "1305": "",
    "1401": "1402",
    "1132": "1133",
    "1131": "",
    "1134": "",
}


def register_totals(book: Book, upto: date | None = None) -> list[dict]:
    """Register totals against the balances of their accounts (固定资产/累计折旧/无形资产/
    生物资产…): one row per account with a register value or a balance; `difference` ≠ 0 is
    the FIN-7 alarm. Contra accounts (累计折旧, 累计摊销) compare to the register's
    depreciation, credit-positive."""
    from .models import Asset, AssetStatus

    live = Asset.objects.filter(book=book).exclude(status=AssetStatus.DISPOSED)
    by_account = {
        r["account__code"]: r
        for r in live.exclude(account__isnull=True)
        .values("account__code")
        .annotate(v=Sum("original_value"), d=Sum("depreciation"))
        .order_by()
    }
    codes = set(REGISTER_ACCOUNTS) | {c for c in REGISTER_ACCOUNTS.values() if c}
    accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
    bal = balances(book, upto=upto)
    rows = []
    for code, contra in REGISTER_ACCOUNTS.items():
        if code not in accounts:
            continue
        reg = by_account.get(code, {})
        value = reg.get("v") or 0
        rows.append(
            {
                "account": accounts[code],
                "register": value,
                "books": bal.get(accounts[code].pk, 0),
            }
        )
        if contra and contra in accounts:
            rows.append(
                {
                    "account": accounts[contra],
                    "register": reg.get("d") or 0,
                    "books": -bal.get(accounts[contra].pk, 0),
                }
            )
    for r in rows:
        r["difference"] = r["register"] - r["books"]
    return [r for r in rows if r["register"] or r["books"]]


def has_register(book: Book) -> bool:
    from .models import InventoryBatch, InventoryStatus

    return InventoryBatch.objects.filter(book=book, status=InventoryStatus.CONFIRMED).exists()


REGISTER_COLUMNS = [
    "编号",
    "名称",
    "类别",
    "种类",
    "数量",
    "面积（亩）",
    "坐落",
    "四至",
    "原值（元）",
    "累计折旧（元）",
    "所在科目",
    "状态",
]


def register_rows(book: Book) -> list[list]:
    """The register as rows of REGISTER_COLUMNS (Excel export; the same columns import)."""
    from .models import Asset

    out = []
    for a in Asset.objects.filter(book=book).select_related("account"):
        out.append(
            [
                a.code,
                a.name,
                a.get_asset_class_display(),
                a.kind,
                a.quantity,
                str(a.area_mu),
                a.location,
                a.boundaries,
                yuan(a.original_value).replace(",", ""),
                yuan(a.depreciation).replace(",", ""),
                a.account.code if a.account_id else "",
                a.get_status_display(),
            ]
        )
    return out


def other_collective(book: Book, name: str):
    """The other village or community a counterparty names (by its unit's name or its books'
    name), or None (FIN-14)."""
    from wuquan.org.models import Unit, UnitKind

    name = (name or "").strip()
    if not name:
        return None
    unit = (
        Unit.objects.filter(kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY), name=name)
        .exclude(pk=book.unit_id)
        .first()
    )
    if unit is None:
        other = Book.objects.filter(name=name).exclude(unit_id=book.unit_id).first()
        unit = other.unit if other else None
    return unit


def transfer_approval(book: Book, other, amount: int, on: date):
    """The township approval covering a movement of `amount` from `book` to `other` on `on`."""
    from .models import TownshipApproval

    return (
        TownshipApproval.objects.filter(
            book=book, other=other, valid_from__lte=on, valid_until__gte=on, amount__gte=amount
        )
        .order_by("-approved_at")
        .first()
    )


def contract_disclosure(book: Book, year: int, month: int) -> list[dict]:
    """The contracts recorded in the month, each with its schedule (PUB-7, FIN-9): the
    counterparty masked where a person; no ID number."""
    from .models import Contract

    start, end = date(year, month, 1), month_end(year, month)
    out = []
    for c in (
        Contract.objects.filter(book=book, recorded_on__gte=start, recorded_on__lte=end)
        .select_related("asset")
        .prefetch_related("schedule")
        .order_by("signed_on", "pk")
    ):
        out.append(
            {
                "number": c.number,
                "kind": c.get_kind_display(),
                "title": c.title,
                "counterparty": mask_name(c.counterparty)
                if c.counterparty_is_person
                else c.counterparty,
                "asset": c.asset.name if c.asset_id else "",
                "amount": c.amount,
                "start": c.start.isoformat(),
                "end": c.end.isoformat(),
                "schedule": [[s.due_on.isoformat(), s.amount] for s in c.schedule.all()],
            }
        )
    return out


def contracts_visible(book: Book):
    from .models import Contract

    return (
        Contract.objects.filter(book=book)
        .select_related("asset", "matter", "tender")
        .prefetch_related("schedule")
    )

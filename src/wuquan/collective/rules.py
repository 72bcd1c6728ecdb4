"""Supervision rules over the collective books (FIN-8, FIN-11, FIN-13, PUB-7, DEC-10).

Sweeps over state, each taking `as_of`. Limits are dated settings: `collective.Setting` per book
(or for all books) in force on the day judged, else the rule's `thresholds` (which the
district may version through the supervision engine's RuleSetting), never a number in code.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuquan.common.rules import DAILY, SEVERITY_RED, SEVERITY_YELLOW, Finding, Rule

REQUEST = "collective.paymentrequest"
VOUCHER = "collective.voucher"
BOOK = "collective.book"
STATEMENT = "collective.bankstatement"
DISCLOSURE = "collective.disclosure"


def _day(as_of: datetime) -> date:
    return timezone.localdate(as_of) if timezone.is_aware(as_of) else as_of.date()


def _limit(book, key, on, thresholds):
    from .selectors import limit

    return limit(book, key, on, thresholds)


def _booked_requests(as_of):
    from .models import PaymentRequest, RequestStatus

    return (
        PaymentRequest.objects.filter(status=RequestStatus.BOOKED, date__lte=_day(as_of))
        .select_related("book", "account", "matter", "exception_matter")
        .order_by("book_id", "date", "pk")
    )


# ---- FIN-11 budget first ---------------------------------------------------------------------


def budget_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A booked payment with no budget line, or taking its line past the approved amount
    (with adjustments decided by then), without a valid exception decision."""
    from wuquan.decisions.selectors import village_matter_is_valid

    from .models import BudgetLine

    spent: dict[tuple, int] = defaultdict(int)
    lines = {
        (bl.budget.book_id, bl.budget.year, bl.account_id, bl.project): bl
        for bl in BudgetLine.objects.select_related("budget")
    }
    for req in _booked_requests(as_of):
        key = (req.book_id, req.date.year, req.account_id, req.project)
        spent[key] += req.amount
        bl = lines.get(key)
        if req.exception_matter and village_matter_is_valid(req.exception_matter):
            continue
        if bl is None:
            msg = _("%(b)s 支出“%(s)s”%(a)s 元无预算") % {
                "b": req.book.name,
                "s": req.summary,
                "a": _yuan(req.amount),
            }
        else:
            approved = bl.amount + (
                bl.adjustments.filter(at__lte=as_of).aggregate(s=Sum("delta"))["s"] or 0
            )
            if spent[key] <= approved:
                continue
            msg = _("%(b)s 支出“%(s)s”超出预算：累计 %(x)s 元，预算 %(p)s 元") % {
                "b": req.book.name,
                "s": req.summary,
                "x": _yuan(spent[key]),
                "p": _yuan(approved),
            }
        yield Finding(
            REQUEST,
            str(req.pk),
            str(msg),
            inputs={
                "amount": req.amount,
                "spent": spent[key],
                "budget_line": bl.pk if bl else None,
            },
            unit_id=req.book.unit_id,
        )


# ---- FIN-8 联签会审 --------------------------------------------------------------------------


def signature_problems(signatures) -> list[str]:
    """What is wrong with a booked request's signatures [(step, person_id)] in order."""
    from .models import Step

    steps = [s for s, _p in signatures]
    people = [p for _s, p in signatures]
    problems = []
    missing = [s for s in Step.values if s not in steps]
    if missing:
        problems.append("missing:" + ",".join(missing))
    if len(set(people)) != len(people):
        problems.append("same-person-twice")
    if len(set(steps)) != len(steps):
        problems.append("step-twice")
    pos = {s: steps.index(s) for s in steps}
    order = [
        (Step.HANDLER, Step.SUPERVISION),
        (Step.SUPERVISION, Step.HEAD),
        (Step.SUPERVISION, Step.SECRETARY),
        (Step.HEAD, Step.CENTRE),
        (Step.SECRETARY, Step.CENTRE),
    ]
    if any(a in pos and b in pos and pos[a] > pos[b] for a, b in order):
        problems.append("out-of-order")
    return problems


def signature_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    from .models import Signature

    sigs = defaultdict(list)
    for s in Signature.objects.filter(request__status="booked").order_by("request_id", "seq"):
        sigs[s.request_id].append((s.step, s.person_id))
    for req in _booked_requests(as_of):
        problems = signature_problems(sigs.get(req.pk, []))
        if problems:
            yield Finding(
                REQUEST,
                str(req.pk),
                str(
                    _("%(b)s 付款“%(s)s”未经完整、有序的联签会审即记账（%(p)s）")
                    % {"b": req.book.name, "s": req.summary, "p": "；".join(problems)}
                ),
                inputs={"problems": problems},
                unit_id=req.book.unit_id,
            )


# ---- FIN-13 cash and bank --------------------------------------------------------------------


def _cash_lines(as_of):
    from .models import Account, AccountRole, Line

    cash = Account.objects.filter(role=AccountRole.CASH).first()
    bank = Account.objects.filter(role=AccountRole.BANK).first()
    if cash is None:
        return None, None, []
    lines = (
        Line.objects.filter(voucher__status="posted", account=cash, date__lte=_day(as_of))
        .select_related("voucher", "book")
        .order_by("book_id", "date", "voucher__number", "pk")
    )
    return cash, bank, lines


def deposit_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """Cash received and not banked within N days (坐收坐支): each cash receipt, first in first
    out, must be covered by deposits (Dr bank / Cr cash) within the book's deposit_days."""
    from .models import Line

    cash, bank, lines = _cash_lines(as_of)
    if cash is None:
        return
    today = _day(as_of)
    deposit_vouchers = set(
        Line.objects.filter(account=bank, side="D", voucher__status="posted").values_list(
            "voucher_id", flat=True
        )
    )
    by_book = defaultdict(list)
    for ln in lines:
        by_book[ln.book].append(ln)
    for book, rows in by_book.items():
        queue: deque = deque()  # [line, remaining]
        for ln in rows:
            signed = ln.amount if ln.side == "D" else -ln.amount
            if ln.voucher.is_opening:
                continue
            if signed > 0:
                queue.append([ln, signed])
            elif ln.voucher_id in deposit_vouchers:
                left = -signed
                while left and queue:
                    head = queue[0]
                    days = _limit(book, "deposit_days", head[0].date, thresholds)
                    if ln.date > head[0].date + timedelta(days=days):
                        break  # deposited, but late: the receipt stays a finding
                    take = min(left, head[1])
                    head[1] -= take
                    left -= take
                    if head[1] == 0:
                        queue.popleft()
        for ln, remaining in queue:
            days = _limit(book, "deposit_days", ln.date, thresholds)
            if remaining > 0 and today > ln.date + timedelta(days=days):
                yield Finding(
                    VOUCHER,
                    str(ln.voucher_id),
                    str(
                        _("%(b)s %(d)s 收取现金 %(a)s 元未在 %(n)d 日内存入银行")
                        % {"b": book.name, "d": ln.date, "a": _yuan(remaining), "n": days}
                    ),
                    inputs={"date": ln.date.isoformat(), "undeposited": remaining, "days": days},
                    unit_id=book.unit_id,
                    key=f"line:{ln.pk}",
                )


def cash_limit_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """Cash on hand above the book's limit at the end of any day (库存现金限额)."""
    cash, _bank, lines = _cash_lines(as_of)
    if cash is None:
        return
    balance: dict = defaultdict(int)
    daily: dict = {}
    for ln in lines:
        balance[ln.book] += ln.amount if ln.side == "D" else -ln.amount
        daily[(ln.book, ln.date)] = balance[ln.book]
    flagged = set()
    for (book, on), bal in sorted(daily.items(), key=lambda kv: (kv[0][0].pk, kv[0][1])):
        lim = _limit(book, "cash_limit", on, thresholds)
        month = (book.pk, on.year, on.month)
        if bal > lim and month not in flagged:
            flagged.add(month)
            yield Finding(
                BOOK,
                str(book.pk),
                str(
                    _("%(b)s %(d)s 库存现金 %(c)s 元超过限额 %(l)s 元")
                    % {"b": book.name, "d": on, "c": _yuan(bal), "l": _yuan(lim)}
                ),
                inputs={"date": on.isoformat(), "cash": bal, "limit": lim},
                unit_id=book.unit_id,
                key=f"month:{on.year}-{on.month:02d}",
            )


def cash_payment_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A payment in cash at or above the cash-payment limit (not a deposit to the bank)."""
    from .models import Line

    cash, bank, lines = _cash_lines(as_of)
    if cash is None:
        return
    deposits = set(Line.objects.filter(account=bank, side="D").values_list("voucher_id", flat=True))
    for ln in lines:
        if ln.side != "C" or ln.amount <= 0 or ln.voucher_id in deposits:
            continue
        lim = _limit(ln.book, "cash_payment_limit", ln.date, thresholds)
        if ln.amount >= lim:
            yield Finding(
                VOUCHER,
                str(ln.voucher_id),
                str(
                    _("%(b)s %(d)s 现金支付 %(a)s 元，达到或超过现金支付限额 %(l)s 元")
                    % {"b": ln.book.name, "d": ln.date, "a": _yuan(ln.amount), "l": _yuan(lim)}
                ),
                inputs={"amount": ln.amount, "limit": lim},
                unit_id=ln.book.unit_id,
            )


def bank_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """The imported bank statement's closing balance ≠ account 银行存款 at month end
    (a 小金库 signal)."""
    from .models import AccountRole, BankStatement
    from .selectors import month_end, role_balance

    today = _day(as_of)
    for st in BankStatement.objects.select_related("book").order_by("book_id", "year", "month"):
        end = month_end(st.year, st.month)
        if end > today:
            continue
        bal = role_balance(st.book, AccountRole.BANK, end)
        if bal != st.closing_balance:
            yield Finding(
                STATEMENT,
                str(st.pk),
                str(
                    _("%(b)s %(y)d年%(m)d月 银行存款账面 %(x)s 元，对账单 %(s)s 元，不符")
                    % {
                        "b": st.book.name,
                        "y": st.year,
                        "m": st.month,
                        "x": _yuan(bal),
                        "s": _yuan(st.closing_balance),
                    }
                ),
                inputs={"book": bal, "statement": st.closing_balance},
                unit_id=st.book.unit_id,
            )


# ---- PUB-7 disclosure ------------------------------------------------------------------------


def disclosure_late_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A month with posted lines not published by the setting's day of the next month."""
    from .models import Book, Disclosure, Line

    today = _day(as_of)
    published = {(d.book_id, d.year, d.month): d for d in Disclosure.objects.all()}
    months = (
        Line.objects.filter(voucher__status="posted", voucher__is_opening=False)
        .values_list("book_id", "date__year", "date__month")
        .distinct()
    )
    books = {b.pk: b for b in Book.objects.all()}
    for book_id, y, m in sorted(set(months)):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        book = books[book_id]
        day = _limit(book, "disclosure_day", date(ny, nm, 1), thresholds)
        deadline = date(ny, nm, min(day, 28))
        d = published.get((book_id, y, m))
        on_time = d is not None and timezone.localdate(d.published_at) <= deadline
        if today > deadline and not on_time:
            yield Finding(
                BOOK,
                str(book_id),
                str(
                    _("%(b)s %(y)d年%(m)d月财务未在 %(d)s 前逐笔公开")
                    % {"b": book.name, "y": y, "m": m, "d": deadline}
                ),
                inputs={"deadline": deadline.isoformat(), "published": bool(d)},
                unit_id=book.unit_id,
                key=f"month:{y}-{m:02d}",
            )


def disclosure_changed_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """The books no longer say what was published (a posted line added to or reversed in a
    published month — or anything that bypassed the triggers)."""
    from .models import Disclosure
    from .selectors import disclosure_matches

    for d in Disclosure.objects.select_related("book").filter(published_at__lte=as_of):
        if not disclosure_matches(d):
            yield Finding(
                DISCLOSURE,
                str(d.pk),
                str(
                    _("%(b)s %(y)d年%(m)d月公开后账目发生变化")
                    % {"b": d.book.name, "y": d.year, "m": d.month}
                ),
                inputs={"published_sha256": d.sha256},
                unit_id=d.book.unit_id,
            )


# ---- DEC-10 ----------------------------------------------------------------------------------


def major_payment_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A payment at or above the village's 三重一大 threshold on no valid six-step matter."""
    from wuquan.decisions.selectors import village_matter_is_valid

    for req in _booked_requests(as_of):
        lim = _limit(req.book, "major_payment", req.date, thresholds)
        if req.amount >= lim and not (req.matter and village_matter_is_valid(req.matter)):
            yield Finding(
                REQUEST,
                str(req.pk),
                str(
                    _(
                        "%(b)s 付款“%(s)s”%(a)s 元达到“三重一大”标准 %(l)s 元，未经“六步工作法”有效决议"
                    )
                    % {
                        "b": req.book.name,
                        "s": req.summary,
                        "a": _yuan(req.amount),
                        "l": _yuan(lim),
                    }
                ),
                inputs={"amount": req.amount, "threshold": lim, "matter": req.matter_id},
                unit_id=req.book.unit_id,
            )


def _yuan(fen: int) -> str:
    from .selectors import yuan

    return yuan(fen)


def _defaults(*keys):
    from .selectors import DEFAULT_LIMITS

    return {k: DEFAULT_LIMITS[k] for k in keys}


BUDGET_FIRST = Rule(
    code="FIN-11-budget-first",
    name=_("支出无预算或超预算"),
    clause="附件15 二(二)2（先预算、后支出、再记账）",
    severity=SEVERITY_YELLOW,
    sweep=budget_breaches,
    clock=DAILY,
)
JOINT_SIGN_OFF = Rule(
    code="FIN-8-joint-sign-off",
    name=_("付款未经完整、有序的联签会审"),
    clause="附件15 二(二)2、二(四)2(4)",
    severity=SEVERITY_RED,
    sweep=signature_breaches,
    clock=DAILY,
)
DEPOSIT_LATE = Rule(
    code="FIN-13-deposit-late",
    name=_("收入现金未按时存入银行（坐收坐支）"),
    clause="附件15 二(二)2；《现金管理暂行条例》第十一条（超限额现金当日送存，本规则天数为本平台设定）",
    severity=SEVERITY_YELLOW,
    thresholds=_defaults("deposit_days"),
    sweep=deposit_breaches,
    clock=DAILY,
)
CASH_OVER_LIMIT = Rule(
    code="FIN-13-cash-over-limit",
    name=_("库存现金超过限额"),
    clause="附件15 二(二)2；《现金管理暂行条例》第十一条（限额由开户银行核定，本平台默认值未经核实）",
    severity=SEVERITY_YELLOW,
    thresholds=_defaults("cash_limit"),
    sweep=cash_limit_breaches,
    clock=DAILY,
)
CASH_PAYMENT = Rule(
    code="FIN-13-cash-payment-limit",
    name=_("超过限额以现金支付"),
    clause="附件15 二(二)2；《现金管理暂行条例》第五条（结算起点1000元，本平台按此设默认值，未经核实现行标准）",
    severity=SEVERITY_YELLOW,
    thresholds=_defaults("cash_payment_limit"),
    sweep=cash_payment_breaches,
    clock=DAILY,
)
BANK_MISMATCH = Rule(
    code="FIN-13-bank-mismatch",
    name=_("月末银行对账单与银行存款账不符（小金库信号）"),
    clause="附件15 二(二)2（不准设立小金库）",
    severity=SEVERITY_RED,
    sweep=bank_breaches,
    clock=DAILY,
)
DISCLOSURE_LATE = Rule(
    code="PUB-7-disclosure-late",
    name=_("月度财务未按期逐笔公开"),
    clause="附件14 二(三)；附件15 二(二)2（公开日为本平台设定，原文未给出）",
    severity=SEVERITY_YELLOW,
    thresholds=_defaults("disclosure_day"),
    sweep=disclosure_late_breaches,
    clock=DAILY,
)
DISCLOSURE_CHANGED = Rule(
    code="PUB-7-disclosure-changed",
    name=_("公开后账目被更改"),
    clause="附件14 二(三)；附件15 二(二)2",
    severity=SEVERITY_RED,
    sweep=disclosure_changed_breaches,
    clock=DAILY,
)
MAJOR_PAYMENT = Rule(
    code="DEC-10-major-payment-six-steps",
    name=_("达到“三重一大”标准的付款未经“六步工作法”"),
    clause="附件15 二(一)2–3（标准由各村确定，本平台默认值为演示设定）",
    severity=SEVERITY_RED,
    thresholds=_defaults("major_payment"),
    sweep=major_payment_breaches,
    clock=DAILY,
)

RULES: list[Rule] = [
    BUDGET_FIRST,
    JOINT_SIGN_OFF,
    DEPOSIT_LATE,
    CASH_OVER_LIMIT,
    CASH_PAYMENT,
    BANK_MISMATCH,
    DISCLOSURE_LATE,
    DISCLOSURE_CHANGED,
    MAJOR_PAYMENT,
]


def run_all(as_of: datetime) -> dict[str, list[Finding]]:
    """Every rule's findings as of `as_of`, with its default thresholds (tests, demo check)."""
    return {r.code: list(r.sweep(as_of, dict(r.thresholds))) for r in RULES}


# ==== 惠农补贴“一卡通” (FIN-15, PUB-8; 附件14 二(二), 附件16) =====================================
# Each sweep reads a fixed number of queries whatever the number of payments (bench/
# collective_sweep.py): the database selects the candidates, rows come back as bare tuples.

BENEFIT_BATCH = "collective.benefitbatch"
BENEFIT_PAYMENT = "collective.benefitpayment"
BENEFIT_PUBLICATION = "collective.benefitpublication"


def _paid(as_of):
    """The payments the bank returned as paid by the day of `as_of` (no rows fetched)."""
    from .models import BenefitPayment

    return BenefitPayment.objects.filter(status="paid", paid_on__lte=_day(as_of))


def _programmes(ids) -> dict:
    """programme id -> (book name, programme name, book's unit), one query."""
    from .models import BenefitProgramme

    return {
        pk: (book, name, unit)
        for pk, book, name, unit in BenefitProgramme.objects.filter(pk__in=list(ids)).values_list(
            "pk", "book__name", "name", "book__unit_id"
        )
    }


def _same_name(a: str, b: str) -> bool:
    return "".join((a or "").split()) == "".join((b or "").split())


def _batch_finding(batch, text) -> Finding:
    """A benefit batch's finding: `text` names the book (b), the programme (n) and the batch
    number (k)."""
    p = batch.programme
    return Finding(
        BENEFIT_BATCH,
        str(batch.pk),
        str(text % {"b": p.book.name, "n": p.name, "k": batch.number}),
        inputs={"batch": batch.pk, "date": batch.date.isoformat()},
        unit_id=p.book.unit_id,
    )


def benefit_cash_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A benefit paid in cash: 附件14 二(二) has 低保金等 paid by bank "一卡通" (so that the
    money reaches the recipient's own account, not a cadre's hand)."""
    from .models import BenefitBatch

    batches = (
        BenefitBatch.objects.filter(
            pay_method="cash", date__lte=_day(as_of), payments__status="paid"
        )
        .select_related("programme__book")
        .distinct()
    )
    for b in batches:
        yield _batch_finding(b, _("%(b)s “%(n)s”第 %(k)d 批以现金发放（应通过银行“一卡通”）"))


def benefit_card_owner_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """Paid to a card whose account name (户名, as the bank returned it) is not the
    recipient's (附件14 二(二) 一卡通; 附件14 二(十) 截留、冒领). The database returns only the
    payments whose 户名 differs from the name as written; whitespace is then ignored."""
    from django.db.models import F

    rows = [
        row
        for row in _paid(as_of)
        .exclude(holder_name="")
        .exclude(holder_name=F("recipient__name"))
        .order_by("pk")
        .values_list(
            "pk",
            "holder_name",
            "recipient__name",
            "recipient__seq",
            "card_last4",
            "batch__programme_id",
        )
        if not _same_name(row[1], row[2])
    ]
    programmes = _programmes({r[5] for r in rows})
    for pk, _holder, _name, seq, last4, programme_id in rows:
        book, name, unit = programmes[programme_id]
        yield Finding(
            BENEFIT_PAYMENT,
            str(pk),
            str(
                _("%(b)s “%(n)s”第 %(s)d 号补贴打入的银行卡（尾号 %(c)s）户名不是领取人本人")
                % {"b": book, "n": name, "s": seq, "c": last4}
            ),
            inputs={"payment": pk, "card_last4": last4},
            unit_id=unit,
        )


def benefit_shared_card_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """One card receiving the benefits of several recipients in the same books (附件14 二(十)
    冒领: a card collecting for others). The cards are found by one GROUP BY (book, card)
    counting distinct recipients; only their payments are read."""
    from django.db.models import Count

    from .models import Book

    book = "batch__programme__book_id"
    shared = list(
        _paid(as_of)
        .values_list(book, "card_key")
        .annotate(people=Count("recipient__id_key", distinct=True))
        .filter(people__gte=2)
        .order_by()
        .values_list(book, "card_key", "people")
    )
    if not shared:
        return
    people = {(b, k): n for b, k, n in shared}
    groups: dict[tuple, list] = defaultdict(list)
    for pk, book_id, card_key, last4 in (
        _paid(as_of)
        .filter(card_key__in={k for _b, k, _n in shared})
        .order_by("pk")
        .values_list("pk", book, "card_key", "card_last4")
    ):
        if (book_id, card_key) in people:
            groups[(book_id, card_key)].append((pk, last4))
    books = dict(
        (pk, (name, unit))
        for pk, name, unit in Book.objects.filter(pk__in=[b for b, _k in groups]).values_list(
            "pk", "name", "unit_id"
        )
    )
    for (book_id, card_key), pays in groups.items():
        first_pk, last4 = pays[0]
        name, unit = books[book_id]
        n = people[(book_id, card_key)]
        yield Finding(
            BENEFIT_PAYMENT,
            str(first_pk),
            str(
                _("%(b)s 同一张银行卡（尾号 %(c)s）领取了 %(n)d 人的补贴")
                % {"b": name, "c": last4, "n": n}
            ),
            inputs={"payments": [p for p, _l in pays], "people": n},
            unit_id=unit,
            key=card_key[:16],
        )


def _publications_in_force(pairs) -> dict[tuple, int | None]:
    """{(programme id, day): the publication in force that day (the newest published by its
    end), or None} for the given pairs, from one query over the publications (no content)."""
    from bisect import bisect_right

    from .models import BenefitPublication

    programmes = {p for p, _d in pairs}
    dated: dict[int, list[tuple]] = defaultdict(list)
    for pk, programme_id, published_at in (
        BenefitPublication.objects.filter(programme_id__in=list(programmes))
        .order_by("published_at", "pk")
        .values_list("pk", "programme_id", "published_at")
    ):
        dated[programme_id].append((timezone.localdate(published_at), pk))
    out = {}
    for programme_id, day in pairs:
        pubs = dated.get(programme_id, [])
        k = bisect_right([d for d, _pk in pubs], day)
        out[(programme_id, day)] = pubs[k - 1][1] if k else None
    return out


def benefit_off_list_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A payment to someone not on the list as published before it, or above the published
    amount (PUB-8; 附件16 二(一) 惠农资金发放情况公开). Batches with no publication at all are
    PUB-8-benefit-unpublished's.

    The list published is the publication's JSON (what the portal showed), so each
    publication in force is read once and the payments are compared with it as bare tuples:
    a fixed number of queries, whatever the number of payments."""
    from .models import BenefitPublication

    rows = list(
        _paid(as_of)
        .order_by("pk")
        .values_list("pk", "batch__programme_id", "paid_on", "recipient__seq", "amount")
    )
    in_force = _publications_in_force({(r[1], r[2]) for r in rows})
    published = {
        pk: {r["seq"]: r["amount"] for r in content["rows"]}
        for pk, content in BenefitPublication.objects.filter(
            pk__in=[p for p in set(in_force.values()) if p is not None]
        ).values_list("pk", "content")
    }
    hits = []
    for pk, programme_id, paid_on, seq, amount in rows:
        pub = in_force[(programme_id, paid_on)]
        if pub is None:
            continue
        listed = published[pub]
        if seq not in listed or amount > listed[seq]:
            hits.append((pk, programme_id, seq, amount, listed.get(seq)))
    programmes = _programmes({h[1] for h in hits})
    for pk, programme_id, seq, amount, shown in hits:
        book, name, unit = programmes[programme_id]
        why = (
            _("不在公示名单上")
            if shown is None
            else _("发放 %(a)s 元，超过公示的 %(p)s 元") % {"a": _yuan(amount), "p": _yuan(shown)}
        )
        yield Finding(
            BENEFIT_PAYMENT,
            str(pk),
            str(
                _("%(b)s “%(n)s”第 %(s)d 号领取人%(w)s")
                % {"b": book, "n": name, "s": seq, "w": why}
            ),
            inputs={"payment": pk, "amount": amount, "published": shown},
            unit_id=unit,
        )


def benefit_unpublished_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A batch paid with no list published on the portal before it (PUB-8; 附件16 三、四):
    one query (the batches with a paid payment and no publication dated by the batch's day)."""
    from django.db.models import Exists, OuterRef

    from .models import BenefitBatch, BenefitPublication

    published = BenefitPublication.objects.filter(
        programme=OuterRef("programme"), published_at__date__lte=OuterRef("date")
    )
    batches = (
        BenefitBatch.objects.filter(date__lte=_day(as_of), payments__status="paid")
        .filter(~Exists(published))
        .select_related("programme__book")
        .distinct()
        .order_by("programme_id", "number")
    )
    for b in batches:
        yield _batch_finding(b, _("%(b)s “%(n)s”第 %(k)d 批发放前名单未公示"))


def benefit_non_receipt_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A recipient reported on the portal that the payment did not arrive — an alarm for the
    commission to look into (附件14 二(十) 截留、挪用、侵占低保等资金; PUB-8)."""
    from .models import BenefitPayment, BenefitPaymentStatus

    rows = list(
        BenefitPayment.objects.filter(reported_missing_at__lte=as_of)
        .order_by("pk")
        .values_list(
            "pk",
            "batch__programme_id",
            "recipient__seq",
            "status",
            "amount",
            "reported_missing_at",
        )
    )
    programmes = _programmes({r[1] for r in rows})
    for pk, programme_id, seq, status, amount, reported in rows:
        book, name, unit = programmes[programme_id]
        yield Finding(
            BENEFIT_PAYMENT,
            str(pk),
            str(
                _("%(b)s “%(n)s”第 %(s)d 号领取人报告未收到补贴（银行回盘：%(st)s）")
                % {"b": book, "n": name, "s": seq, "st": BenefitPaymentStatus(status).label}
            ),
            inputs={"payment": pk, "status": status, "amount": amount},
            unit_id=unit,
            key=f"reported:{reported.isoformat()}",
        )


def benefit_takedown_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """The paper notice (通告) removed before three months, or the online list taken down
    before one year (附件16 四 公开时限; read in the seed, not confirmed by another source).
    The database returns only the publications taken down or removed by then (without their
    content); the local day of the taking down is compared here."""
    from django.db.models import F, Q

    from .models import BenefitPublication

    day = _day(as_of)
    rows = (
        BenefitPublication.objects.filter(
            Q(notice_removed_on__lte=day, notice_removed_on__lt=F("notice_until"))
            | Q(taken_down_at__lte=as_of)
        )
        .order_by("pk")
        .values_list(
            "pk",
            "programme_id",
            "notice_removed_on",
            "notice_until",
            "taken_down_at",
            "online_until",
        )
    )
    hits = []
    for pk, programme_id, removed, notice_until, taken_down, online_until in rows:
        problems = []
        if removed and removed <= day and removed < notice_until:
            problems.append(
                str(_("通告 %(r)s 撤下，未满三个月（应至 %(u)s）"))
                % {"r": removed, "u": notice_until}
            )
        if taken_down and taken_down <= as_of and _day(taken_down) < online_until:
            problems.append(
                str(_("网上公示 %(r)s 撤下，未满一年（应至 %(u)s）"))
                % {"r": _day(taken_down), "u": online_until}
            )
        if problems:
            hits.append((pk, programme_id, problems))
    programmes = _programmes({h[1] for h in hits})
    for pk, programme_id, problems in hits:
        book, name, unit = programmes[programme_id]
        yield Finding(
            BENEFIT_PUBLICATION,
            str(pk),
            str(_("%(b)s “%(n)s”公示名单") % {"b": book, "n": name}) + "；".join(problems),
            inputs={"publication": pk},
            unit_id=unit,
        )


BENEFIT_CASH = Rule(
    code="FIN-15-benefit-cash",
    name=_("补贴以现金发放，未通过“一卡通”"),
    clause="附件14 二(二)（低保金、廉租房补贴资金等实行银行“一卡通”发放）",
    severity=SEVERITY_YELLOW,
    sweep=benefit_cash_breaches,
    clock=DAILY,
)
BENEFIT_CARD_OWNER = Rule(
    code="FIN-15-benefit-card-not-own",
    name=_("补贴打入非领取人本人名下的银行卡"),
    clause="附件14 二(二)（一卡通发放）、二(十)（截留、冒领）",
    severity=SEVERITY_RED,
    sweep=benefit_card_owner_breaches,
    clock=DAILY,
)
BENEFIT_SHARED_CARD = Rule(
    code="FIN-15-benefit-shared-card",
    name=_("一张银行卡领取多人补贴"),
    clause="附件14 二(二)、二(十)",
    severity=SEVERITY_RED,
    sweep=benefit_shared_card_breaches,
    clock=DAILY,
)
BENEFIT_OFF_LIST = Rule(
    code="PUB-8-benefit-not-on-list",
    name=_("发放给公示名单以外的人或超过公示金额"),
    clause="附件16 二(一)（惠农资金发放情况公开）",
    severity=SEVERITY_RED,
    sweep=benefit_off_list_breaches,
    clock=DAILY,
)
BENEFIT_UNPUBLISHED = Rule(
    code="PUB-8-benefit-unpublished",
    name=_("补贴名单未经公示即发放"),
    clause="附件16 三、四（通告公示、网络公示）",
    severity=SEVERITY_YELLOW,
    sweep=benefit_unpublished_breaches,
    clock=DAILY,
)
BENEFIT_NON_RECEIPT = Rule(
    code="PUB-8-benefit-non-receipt",
    name=_("领取人报告未收到补贴"),
    clause="附件14 二(十)（查处截留、挪用、侵占低保等资金）",
    severity=SEVERITY_RED,
    sweep=benefit_non_receipt_breaches,
    clock=DAILY,
)
BENEFIT_TAKEDOWN = Rule(
    code="PUB-8-benefit-takedown-early",
    name=_("补贴公示未满规定期限即撤下"),
    clause="附件16 四（通告三个月、网络一年以上；仅见于附件16，未能以其他来源核实）",
    severity=SEVERITY_YELLOW,
    sweep=benefit_takedown_breaches,
    clock=DAILY,
)

RULES.extend(
    [
        BENEFIT_CASH,
        BENEFIT_CARD_OWNER,
        BENEFIT_SHARED_CARD,
        BENEFIT_OFF_LIST,
        BENEFIT_UNPUBLISHED,
        BENEFIT_NON_RECEIPT,
        BENEFIT_TAKEDOWN,
    ]
)


# ==== part 2 (issue 15): registers (FIN-7), contracts (FIN-9), tenders (FIN-10), FIN-14 ======
# Each sweep selects its candidates in one query (the benchmark bench/collective_sweep.py
# compares them with a bare count(*) of the same predicate); per-book dated limits are read
# once per book, never per row.

CONTRACT = "collective.contract"
ASSET = "collective.asset"


def _book_limits(key: str, on: date, thresholds: dict) -> dict:
    """{book_id: limit} for every book, from two queries (the settings in force on `on`, the
    book ids) — the same answer as selectors.limit() per book, never a query per row."""
    from .models import Book, Setting
    from .selectors import DEFAULT_LIMITS

    own, general = {}, None
    for s in Setting.objects.filter(key=key, valid_from__lte=on).order_by("valid_from", "pk"):
        if s.book_id is None:
            general = s.value
        else:
            own[s.book_id] = s.value
    fallback = general if general is not None else thresholds.get(key, DEFAULT_LIMITS[key])
    return {pk: own.get(pk, fallback) for pk in Book.objects.values_list("pk", flat=True)}


def _by_limit(limits: dict) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for book_id, value in limits.items():
        groups[value].append(book_id)
    return groups


def register_totals_all(as_of: datetime):
    """{book_id: [(account code, register, books)]} for every book with a confirmed register:
    two GROUP BYs (the register by book and account, the books' lines by book and account)."""
    from django.db.models import Sum

    from .models import Account, Asset, InventoryBatch, Line
    from .selectors import REGISTER_ACCOUNTS, signed_amount

    today = _day(as_of)
    ids = list(
        InventoryBatch.objects.filter(status="confirmed", confirmed_at__lte=as_of)
        .values_list("book_id", flat=True)
        .distinct()
    )
    codes = set(REGISTER_ACCOUNTS) | {c for c in REGISTER_ACCOUNTS.values() if c}
    accounts = {a.pk: a.code for a in Account.objects.filter(code__in=codes)}
    reg: dict = defaultdict(int)
    for r in (
        Asset.objects.filter(book_id__in=ids, account_id__in=list(accounts))
        .exclude(status="disposed")
        .values("book_id", "account_id")
        .annotate(v=Sum("original_value"), d=Sum("depreciation"))
        .order_by()
    ):
        code = accounts[r["account_id"]]
        reg[(r["book_id"], code)] += r["v"] or 0
        contra = REGISTER_ACCOUNTS.get(code)
        if contra:
            reg[(r["book_id"], contra)] += r["d"] or 0
    books: dict = defaultdict(int)
    for r in (
        Line.objects.filter(
            voucher__status="posted",
            book_id__in=ids,
            account_id__in=list(accounts),
            date__lte=today,
        )
        .values("book_id", "account_id")
        .annotate(b=Sum(signed_amount()))
        .order_by()
    ):
        code = accounts[r["account_id"]]
        contra = code in REGISTER_ACCOUNTS.values()
        books[(r["book_id"], code)] = -(r["b"] or 0) if contra else (r["b"] or 0)
    out = defaultdict(list)
    for key in sorted(set(reg) | set(books)):
        out[key[0]].append((key[1], reg.get(key, 0), books.get(key, 0)))
    return out


def register_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """FIN-7 (账账相符): a book with a confirmed register whose totals differ from the balances
    of their accounts (固定资产, 累计折旧, 无形资产, 生物资产…) — one finding per account."""
    from .models import Account, Book

    totals = register_totals_all(as_of)
    names = dict(Account.objects.values_list("code", "name"))
    for book in Book.objects.filter(pk__in=list(totals)):
        for code, register, books in totals[book.pk]:
            if register != books:
                yield Finding(
                    BOOK,
                    str(book.pk),
                    str(
                        _("%(b)s 资产台账“%(a)s”合计 %(r)s 元，账面 %(x)s 元，相差 %(d)s 元")
                        % {
                            "b": book.name,
                            "a": names.get(code, code),
                            "r": _yuan(register),
                            "x": _yuan(books),
                            "d": _yuan(register - books),
                        }
                    ),
                    inputs={"account": code, "register": register, "books": books},
                    unit_id=book.unit_id,
                    key=f"account:{code}",
                )


def _book_names() -> dict[int, tuple[str, int]]:
    from .models import Book

    return {
        pk: (name, unit) for pk, name, unit in Book.objects.values_list("pk", "name", "unit_id")
    }


def expiring_candidates(as_of: datetime, thresholds: dict):
    from django.db.models import Q

    from .models import Contract

    today = _day(as_of)
    cond = Q(pk__in=[])
    for days, books in _by_limit(_book_limits("contract_expiry_days", today, thresholds)).items():
        cond |= Q(book_id__in=books, end__lte=today + timedelta(days=days))
    return Contract.objects.filter(cond, status="active", end__gte=today)


def expiring_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """FIN-9: an active contract ending within N days (time to re-tender or renew on a new
    six-step matter rather than let it run on)."""
    names = _book_names()
    rows = expiring_candidates(as_of, thresholds).values_list(
        "pk", "book_id", "number", "title", "end"
    )
    for pk, book_id, number, title, end in rows:
        yield Finding(
            CONTRACT,
            str(pk),
            str(
                _("%(b)s 合同 %(n)s“%(t)s”将于 %(e)s 到期")
                % {"b": names[book_id][0], "n": number, "t": title, "e": end}
            ),
            inputs={"end": end.isoformat()},
            unit_id=names[book_id][1],
            key=f"end:{end.isoformat()}",
        )


def overdue_candidates(as_of: datetime, thresholds: dict):
    from django.db.models import Q

    from .models import INCOME_KINDS, ScheduleItem

    today = _day(as_of)
    cond = Q(pk__in=[])
    for days, books in _by_limit(_book_limits("rent_grace_days", today, thresholds)).items():
        cond |= Q(contract__book_id__in=books, due_on__lt=today - timedelta(days=days))
    return ScheduleItem.objects.filter(
        cond, contract__kind__in=INCOME_KINDS, settled_on__isnull=True
    )


def overdue_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """FIN-9: a rent or contracting fee not collected N days after it fell due."""
    names = _book_names()
    rows = overdue_candidates(as_of, thresholds).values_list(
        "contract_id", "contract__book_id", "contract__number", "due_on", "amount"
    )
    for contract_id, book_id, number, due_on, amount in rows:
        yield Finding(
            CONTRACT,
            str(contract_id),
            str(
                _("%(b)s 合同 %(n)s 应于 %(d)s 收取的 %(a)s 元逾期未收")
                % {"b": names[book_id][0], "n": number, "d": due_on, "a": _yuan(amount)}
            ),
            inputs={"due_on": due_on.isoformat(), "amount": amount},
            unit_id=names[book_id][1],
            key=f"due:{due_on.isoformat()}",
        )


def unfiled_candidates(as_of: datetime, thresholds: dict):
    from django.db.models import Q

    from .models import Contract

    today = _day(as_of)
    cond = Q(pk__in=[])
    for days, books in _by_limit(_book_limits("filing_days", today, thresholds)).items():
        cond |= Q(book_id__in=books, signed_on__lt=today - timedelta(days=days))
    return Contract.objects.filter(cond, status="active", filed_at__isnull=True)


def unfiled_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """FIN-9: an active contract not filed (备案) with the 三资 centre N days after signing."""
    names = _book_names()
    rows = unfiled_candidates(as_of, thresholds).values_list(
        "pk", "book_id", "number", "title", "signed_on"
    )
    for pk, book_id, number, title, signed_on in rows:
        yield Finding(
            CONTRACT,
            str(pk),
            str(
                _("%(b)s 合同 %(n)s“%(t)s”于 %(s)s 签订，未报三资代理服务中心备案")
                % {"b": names[book_id][0], "n": number, "t": title, "s": signed_on}
            ),
            inputs={"signed_on": signed_on.isoformat()},
            unit_id=names[book_id][1],
        )


def stale_lease_candidates(as_of: datetime, thresholds: dict):
    from django.db.models import Exists, OuterRef

    from .models import Asset, Contract

    today = _day(as_of)
    live = Contract.objects.filter(
        asset=OuterRef("pk"), status="active", start__lte=today, end__gte=today
    )
    expired = Contract.objects.filter(asset=OuterRef("pk"), end__lt=today)
    return Asset.objects.filter(Exists(expired), ~Exists(live), status__in=("leased", "contracted"))


def stale_lease_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """FIN-9/FIN-7 (账实相符): the asset's contract has ended but the register still shows it
    出租/发包 — the land may still be used without a contract or rent."""
    from .models import AssetStatus

    names = _book_names()
    rows = stale_lease_candidates(as_of, thresholds).values_list("pk", "book_id", "name", "status")
    for pk, book_id, name, status in rows:
        yield Finding(
            ASSET,
            str(pk),
            str(
                _("%(b)s 资产“%(n)s”合同已到期，台账仍为“%(s)s”")
                % {"b": names[book_id][0], "n": name, "s": AssetStatus(status).label}
            ),
            inputs={"status": status},
            unit_id=names[book_id][1],
        )


def _yearly(amount: int, start: date, end: date) -> int:
    days = (end - start).days + 1
    return amount * 365 // max(days, 1)


def rent_drop_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """FIN-9: a lease or 发包 of an asset at a yearly rent more than X % below the previous
    contract on the same asset (the last comparable) — a sign of a favour (优亲厚友). Only
    assets with two or more contracts are read (one GROUP BY), as bare tuples."""
    from django.db.models import Count

    from .models import INCOME_KINDS, Book, Contract

    today = _day(as_of)
    base = Contract.objects.filter(kind__in=INCOME_KINDS, asset__isnull=False, signed_on__lte=today)
    repeated = base.values("asset_id").annotate(n=Count("pk")).filter(n__gt=1).values("asset_id")
    rows = (
        base.filter(asset_id__in=repeated)
        .order_by("asset_id", "signed_on", "pk")
        .values_list("pk", "asset_id", "book_id", "number", "amount", "start", "end")
    )
    limits = _book_limits("rent_drop_percent", today, thresholds)
    names = None
    last: dict[int, tuple] = {}
    for row in rows:
        pk, asset_id, book_id, number, amount, start, end = row
        prev = last.get(asset_id)
        last[asset_id] = row
        if prev is None:
            continue
        pct = limits.get(book_id, thresholds.get("rent_drop_percent", 20))
        now, before = _yearly(amount, start, end), _yearly(prev[4], prev[5], prev[6])
        if now * 100 < before * (100 - pct):
            if names is None:
                names = {b.pk: (b.name, b.unit_id) for b in Book.objects.all()}
            yield Finding(
                CONTRACT,
                str(pk),
                str(
                    _(
                        "%(b)s 合同 %(n)s 年租金 %(x)s 元，比上一合同 %(p)s 的 %(y)s 元低 %(d)d%% 以上"
                    )
                    % {
                        "b": names[book_id][0],
                        "n": number,
                        "x": _yuan(now),
                        "p": prev[3],
                        "y": _yuan(before),
                        "d": pct,
                    }
                ),
                inputs={"yearly": now, "previous": before, "previous_contract": prev[0]},
                unit_id=names[book_id][1],
            )


def _village_limits(books, on: date) -> dict:
    """{book_id: village tendering limit in fen} from the procurement app's dated tier settings
    of each book's district (FIN-10); books whose district has none are left out. Three
    queries whatever the number of books."""
    from wuquan.org.models import Unit, UnitKind
    from wuquan.procurement.models import TierSetting

    units = {u[0]: u[1:] for u in Unit.objects.values_list("pk", "parent_id", "kind")}
    settings = {}
    for t in TierSetting.objects.filter(valid_from__lte=on).order_by("valid_from", "pk"):
        settings[t.district_id] = t.village_limit_fen

    def district(uid):
        top = uid
        while uid is not None:
            parent, kind = units.get(uid, (None, None))
            if kind == UnitKind.DISTRICT:
                return uid
            top, uid = uid, parent
        return top

    out = {}
    for book in books:
        d = district(book.unit_id)
        if d in settings:
            out[book.pk] = settings[d]
    return out


def _limit_groups(limits: dict) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for book_id, value in limits.items():
        groups[value].append(book_id)
    return groups


def tender_missing_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """FIN-10 (附件15 二(二)2: 按照不同金额档次，由区、乡、村分级进行招投标): a 工程/采购/服务
    contract above the village's own tendering limit with no tender (imported history — new
    ones are refused)."""
    from django.db.models import Q

    from .models import TENDER_KINDS, Book, Contract

    today = _day(as_of)
    limits = _village_limits(Book.objects.all(), today)
    cond = Q(pk__in=[])
    for lim, books in _limit_groups(limits).items():
        cond |= Q(book_id__in=books, amount__gt=lim)
    for c in Contract.objects.filter(
        cond, kind__in=TENDER_KINDS, tender__isnull=True, signed_on__lte=today
    ).select_related("book"):
        lim = limits[c.book_id]
        yield Finding(
            CONTRACT,
            str(c.pk),
            str(
                _("%(b)s 合同 %(n)s %(a)s 元超过村级自行招标上限 %(l)s 元，未经乡镇或区组织招标")
                % {"b": c.book.name, "n": c.number, "a": _yuan(c.amount), "l": _yuan(lim)}
            ),
            inputs={"amount": c.amount, "limit": lim},
            unit_id=c.book.unit_id,
        )


def split_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """FIN-10 拆分规避: the same village's contracts of one category (工程/采购/服务), each at or
    below the village tendering limit, summing above it within 12 months. One finding, on the
    contract that took the sum over the limit. Rows are read as bare tuples."""
    from django.db.models import Q

    from .models import TENDER_KINDS, Book, Contract, ContractKind

    today = _day(as_of)
    limits = _village_limits(Book.objects.all(), today)
    cond = Q(pk__in=[])
    for lim, books in _limit_groups(limits).items():
        cond |= Q(book_id__in=books, amount__lte=lim)
    window = timedelta(days=365)
    groups = defaultdict(list)
    for row in (
        Contract.objects.filter(cond, kind__in=TENDER_KINDS, signed_on__lte=today)
        .order_by("book_id", "kind", "signed_on", "pk")
        .values_list("pk", "book_id", "kind", "signed_on", "amount")
    ):
        groups[(row[1], row[2])].append(row)
    names = None
    for (book_id, kind), rows in groups.items():
        lim = limits[book_id]
        flagged_until = None
        lo, total = 0, 0
        for i, (pk, _b, _k, signed, amount) in enumerate(rows):
            total += amount
            while rows[lo][3] <= signed - window:
                total -= rows[lo][4]
                lo += 1
            count = i - lo + 1
            if total > lim and count > 1 and (flagged_until is None or signed > flagged_until):
                flagged_until = signed + window
                if names is None:
                    names = {b.pk: (b.name, b.unit_id) for b in Book.objects.all()}
                yield Finding(
                    CONTRACT,
                    str(pk),
                    str(
                        _(
                            "%(b)s 12个月内 %(k)s 类合同 %(m)d 份合计 %(t)s 元，超过村级招标上限 %(l)s 元而每份均低于上限（疑似拆分）"
                        )
                        % {
                            "b": names[book_id][0],
                            "k": ContractKind(kind).label,
                            "m": count,
                            "t": _yuan(total),
                            "l": _yuan(lim),
                        }
                    ),
                    inputs={
                        "contracts": [r[0] for r in rows[lo : i + 1]],
                        "total": total,
                        "limit": lim,
                    },
                    unit_id=names[book_id][1],
                )


def cross_village_candidates(as_of: datetime, thresholds: dict):
    """Posted lines moving money out to (Cr 现金/银行) or lending to (Dr 应收款/内部往来) a
    counterparty named like a village, a community or their books."""
    from django.db.models import Q

    from wuquan.org.models import Unit, UnitKind

    from .models import AccountRole, Book, Line

    names = set(
        Unit.objects.filter(kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY)).values_list(
            "name", flat=True
        )
    ) | set(Book.objects.values_list("name", flat=True))
    return Line.objects.filter(
        Q(account__role__in=(AccountRole.CASH, AccountRole.BANK), side="C")
        | Q(account__role__in=(AccountRole.RECEIVABLE, AccountRole.INTERNAL), side="D"),
        voucher__status="posted",
        counterparty__in=names,
        amount__gt=0,
        date__lte=_day(as_of),
    )


def cross_village_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """FIN-14 (附件15 二(二)3(1): 任何组织和个人不准平调、借贷、挪用各行政村“三资”): a voucher
    (imported or otherwise past the refusal) moving funds to another collective with no
    township approval covering it. One finding per voucher."""
    from wuquan.org.models import Unit, UnitKind

    from .models import Book, TownshipApproval

    units = {
        u.name: u for u in Unit.objects.filter(kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY))
    }
    by_book_name = {b.name: b.unit for b in Book.objects.select_related("unit")}
    approvals = defaultdict(list)
    for a in TownshipApproval.objects.all():
        approvals[(a.book_id, a.other_id)].append(a)
    seen = set()
    for ln in (
        cross_village_candidates(as_of, thresholds)
        .select_related("book", "voucher")
        .order_by("voucher_id", "pk")
    ):
        if ln.voucher_id in seen:
            continue  # one finding per voucher (its bank line and its 往来 line name the same)
        other = units.get(ln.counterparty) or by_book_name.get(ln.counterparty)
        if other is None or other.pk == ln.book.unit_id:
            continue
        if any(
            a.valid_from <= ln.date <= a.valid_until and a.amount >= ln.amount
            for a in approvals[(ln.book_id, other.pk)]
        ):
            continue
        seen.add(ln.voucher_id)
        yield Finding(
            VOUCHER,
            str(ln.voucher_id),
            str(
                _("%(b)s %(d)s 向%(o)s划转 %(a)s 元，未经乡镇批准")
                % {"b": ln.book.name, "d": ln.date, "o": other.name, "a": _yuan(ln.amount)}
            ),
            inputs={"other": other.code, "amount": ln.amount},
            unit_id=ln.book.unit_id,
        )


REGISTER_MISMATCH = Rule(
    code="FIN-7-register-mismatch",
    name=_("资产台账与账面余额不符"),
    clause="附件15 二(二)2（清查登记备案：保证账账相符、账实相符）；农经发〔2017〕11号（清产核资）",
    severity=SEVERITY_YELLOW,
    sweep=register_breaches,
    clock=DAILY,
)
CONTRACT_EXPIRING = Rule(
    code="FIN-9-contract-expiring",
    name=_("合同即将到期"),
    clause="附件15 二(二)2（村级经济合同管理制度；提前天数为本平台设定）",
    severity=SEVERITY_YELLOW,
    thresholds=_defaults("contract_expiry_days"),
    sweep=expiring_breaches,
    clock=DAILY,
)
RENT_OVERDUE = Rule(
    code="FIN-9-rent-overdue",
    name=_("合同租金（承包费）逾期未收"),
    clause="附件15 二(二)2（村级经济合同管理制度；宽限天数为本平台设定）",
    severity=SEVERITY_YELLOW,
    thresholds=_defaults("rent_grace_days"),
    sweep=overdue_breaches,
    clock=DAILY,
)
CONTRACT_UNFILED = Rule(
    code="FIN-9-contract-unfiled",
    name=_("合同履行中未报三资代理服务中心备案"),
    clause="附件15 二(二)2（签订正式、规范的合同，报“三资”代理服务中心备案；天数为本平台设定）",
    severity=SEVERITY_RED,
    thresholds=_defaults("filing_days"),
    sweep=unfiled_breaches,
    clock=DAILY,
)
STALE_LEASE = Rule(
    code="FIN-9-expired-still-leased",
    name=_("合同已到期，资产台账仍为出租或发包"),
    clause="附件15 二(二)2（及时到代理服务中心进行台账变更调整，保证账实相符）",
    severity=SEVERITY_YELLOW,
    sweep=stale_lease_breaches,
    clock=DAILY,
)
RENT_DROP = Rule(
    code="FIN-9-rent-below-comparable",
    name=_("租金明显低于上一可比合同"),
    clause="附件15 二(二)2（防止集体资产流失；比较幅度为本平台设定）",
    severity=SEVERITY_YELLOW,
    thresholds=_defaults("rent_drop_percent"),
    sweep=rent_drop_breaches,
    clock=DAILY,
)
TENDER_MISSING = Rule(
    code="FIN-10-tender-missing",
    name=_("超过村级招标上限的合同未经分级招标"),
    clause="附件15 二(二)2（按照不同金额档次，由区、乡、村分级进行招投标；档次为区的设定）",
    severity=SEVERITY_RED,
    sweep=tender_missing_breaches,
    clock=DAILY,
)
TENDER_SPLIT = Rule(
    code="FIN-10-split-purchase",
    name=_("疑似拆分合同规避分级招标"),
    clause="附件15 二(二)2（分级招投标，防止暗箱操作）",
    severity=SEVERITY_YELLOW,
    sweep=split_breaches,
    clock=DAILY,
)
CROSS_VILLAGE = Rule(
    code="FIN-14-cross-village",
    name=_("未经乡镇批准在村（社区）之间划转资金"),
    clause="附件15 二(二)3(1)（任何组织和个人不准平调、借贷、挪用各行政村“三资”）",
    severity=SEVERITY_RED,
    sweep=cross_village_breaches,
    clock=DAILY,
)

RULES += [
    REGISTER_MISMATCH,
    CONTRACT_EXPIRING,
    RENT_OVERDUE,
    CONTRACT_UNFILED,
    STALE_LEASE,
    RENT_DROP,
    TENDER_MISSING,
    TENDER_SPLIT,
    CROSS_VILLAGE,
]

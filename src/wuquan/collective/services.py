"""Writes of the collective books (FIN-2, FIN-7, FIN-8, FIN-11..13, FIN-15, PUB-7, PUB-11,
AUD-3). Each service checks, changes and calls `record()` once, in one transaction; a refusal
raises a domain error and writes nothing.

Who (FIN-12; 附件15 二(二)2 委托代理记账): the village 报账员 (post `accountant`) prepares;
the township 三资代理服务中心 accountant (post `sanzi-accountant` of the book's centre) books,
closes, imports statements and publishes; the others read.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.decisions.models import VillageMatter
from wuquan.decisions.selectors import village_matter_is_valid
from wuquan.ledger import record
from wuquan.ledger.services import canonical_json
from wuquan.org.models import Unit, UnitKind

from . import events, selectors
from .models import (
    STEP_POSTS,
    Account,
    AccountRole,
    ArchiveItem,
    ArchiveKind,
    Attachment,
    BankStatement,
    Book,
    BookKind,
    Budget,
    BudgetAdjustment,
    BudgetLine,
    Category,
    ClosingBalance,
    Disclosure,
    Line,
    PaymentRequest,
    PayMethod,
    Period,
    PeriodStatus,
    Question,
    QuestionKind,
    RequestStatus,
    Setting,
    Side,
    Signature,
    StatementLine,
    Step,
    SubAccount,
    Voucher,
    VoucherKind,
    VoucherStatus,
)

CENTRE_POST = STEP_POSTS[Step.CENTRE]
ACCOUNTANT_POST = STEP_POSTS[Step.HANDLER]
SIGNING_STEPS = [Step.SUPERVISION, Step.HEAD, Step.SECRETARY]

# 会计档案管理办法 (财政部 国家档案局令第79号, 2015) 附表一: 会计凭证、会计账簿 30 年;
# 月度、季度、半年度财务会计报告 10 年; 年度财务会计报告 永久; 银行对账单 10 年.
# Checked 2026-12-01 against the published text of 令第79号 (signed 2015-12-11, in force
# 2016-01-01): periods are 永久 or 定期 of 10 or 30 years, counted from the first day after the
# fiscal year ends (第十四条); the 附表 rows above are as published.
RETENTION_YEARS = {
    ArchiveKind.VOUCHERS: 30,
    ArchiveKind.BOOKS: 30,
    ArchiveKind.MONTHLY: 10,
    ArchiveKind.ANNUAL: None,
    ArchiveKind.STATEMENT: 10,
}


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _require_post(actor, unit: Unit, code: str, on: date, message: str):
    held = selectors.post_held(actor, unit, code, on)
    if held is None:
        raise NotPermitted(message)
    return held


def _require_centre(actor, book: Book, on: date):
    return _require_post(
        actor, book.centre, CENTRE_POST, on, _("只有本乡镇三资代理服务中心会计可以办理。")
    )


def _fen(value, field: str = "amount") -> int:
    """An amount in fen: an int (not bool, not float)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(_("金额须以“分”为单位的整数。"), field=field)
    return value


def parse_yuan(text, field: str = "amount") -> int:
    """'1,234.50' (yuan) → 123450 fen, exactly (Decimal, never float)."""
    try:
        value = Decimal(str(text).replace(",", "").strip())
    except InvalidOperation as exc:
        raise InvalidInput(_("请填写正确的金额。"), field=field) from exc
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput(_("金额最多两位小数。"), field=field)
    return int(value * 100)


def load_chart() -> int:
    """Load the 42 first-level accounts from data/chart_2023.csv (idempotent)."""
    from importlib.resources import files

    text = files("wuquan.collective").joinpath("data/chart_2023.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    n = 0
    for r in rows:
        Account.objects.update_or_create(
            code=r["code"],
            defaults={
                "name": r["name"],
                "category": r["category"],
                "normal_side": r["normal_side"],
                "role": r["role"],
                "has_counterparty": r["counterparty"] == "1",
                "has_project": r["project"] == "1",
                "has_fund": r["fund"] == "1",
                "old_codes": r["old_codes"],
                "confirmed": r["confirmed"] == "yes",
            },
        )
        n += 1
    return n


def account(code_or_account) -> Account:
    if isinstance(code_or_account, Account):
        return code_or_account
    found = Account.objects.filter(code=str(code_or_account)).first()
    if found is None:
        raise InvalidInput(_("没有科目 %s。") % code_or_account, field="account")
    return found


def account_by_role(role: str) -> Account:
    return Account.objects.get(role=role)


# ---- books -----------------------------------------------------------------------------------


@transaction.atomic
def do_create_book(
    unit: Unit, code: str, name: str, start_year: int, *, actor, at=None, kind: str = ""
) -> Book:
    """A set of books for a village, a community or a village group, kept by the township
    centre above it (the unit's parent township/street)."""
    if not Account.objects.exists():
        load_chart()
    kinds = {UnitKind.VILLAGE: BookKind.VILLAGE, UnitKind.COMMUNITY: BookKind.COMMUNITY}
    kind = kind or kinds.get(unit.kind, "")
    if kind not in BookKind.values:
        raise InvalidInput(_("账套只能为村、社区或村民小组设立。"), field="unit")
    centre = unit.parent
    if centre is None or centre.kind not in (UnitKind.TOWNSHIP, UnitKind.STREET):
        raise InvalidInput(_("该村（社区）没有上级乡镇（街道）代理记账。"), field="unit")
    _require_centre(actor, Book(unit=unit, centre=centre), date(start_year, 1, 1))
    if Book.objects.filter(code=code).exists():
        raise InvalidInput(_("账套编码已存在。"), field="code")
    book = Book.objects.create(
        unit=unit, centre=centre, code=code, name=name, kind=kind, start_year=start_year
    )
    record(
        actor,
        events.BOOK_OPENED,
        book,
        {"book": code, "unit": unit.code, "centre": centre.code, "kind": kind, "year": start_year},
        at=at,
    )
    return book


@transaction.atomic
def do_add_subaccount(book: Book, parent_code: str, suffix: str, name: str, *, actor, at=None):
    parent = account(parent_code)
    if not (len(suffix) == 2 and suffix.isdigit()):
        raise InvalidInput(_("明细科目编码为上级科目编码加两位数字。"), field="suffix")
    _require_centre(actor, book, timezone.localdate())
    sub = SubAccount.objects.create(
        book=book, account=parent, code=parent.code + suffix, name=name.strip()
    )
    record(actor, "collective.subaccount.added", sub, {"book": book.code, "code": sub.code}, at=at)
    return sub


# ---- vouchers --------------------------------------------------------------------------------


def _period_for_update(book: Book, on: date) -> Period:
    period, _created = Period.objects.get_or_create(book=book, year=on.year, month=on.month)
    return Period.objects.select_for_update().get(pk=period.pk)


def _take_number(book: Book, on: date) -> tuple[str, int]:
    """Lock the month's period row and take its next voucher number in one statement
    (UPDATE … RETURNING): (status, number). Rolled back with the posting if it fails, so
    numbers stay gapless."""
    from django.db import connection

    sql = (
        "UPDATE collective_period SET last_number = last_number + 1 "
        "WHERE book_id = %s AND year = %s AND month = %s RETURNING status, last_number"
    )
    for _attempt in range(2):
        with connection.cursor() as cur:
            cur.execute(sql, [book.pk, on.year, on.month])
            row = cur.fetchone()
        if row is not None:
            return row[0], row[1]
        Period.objects.get_or_create(book=book, year=on.year, month=on.month)
    raise RuntimeError("period row vanished")


def _accounts(specs) -> dict[str, Account]:
    codes = {str(s.get("account")) for s in specs if not isinstance(s.get("account"), Account)}
    found = {a.code: a for a in Account.objects.filter(code__in=codes)} if codes else {}
    for s in specs:
        if isinstance(s.get("account"), Account):
            found[s["account"].code] = s["account"]
    return found


def _clean_lines(specs, *, red: bool = False) -> list[dict]:
    lines = []
    chart = _accounts(specs)
    for i, spec in enumerate(specs):
        raw = spec.get("account")
        acct = raw if isinstance(raw, Account) else chart.get(str(raw))
        if acct is None:
            raise InvalidInput(
                _("第 %(n)d 行：没有科目 %(c)s。") % {"n": i + 1, "c": raw}, field="lines"
            )
        side = spec.get("side")
        if side not in Side.values:
            raise InvalidInput(_("第 %d 行：请选择借或贷。") % (i + 1), field="lines")
        amount = _fen(spec.get("amount"), "lines")
        if amount == 0 or (amount < 0 and not red):
            raise InvalidInput(_("第 %d 行：金额须大于零。") % (i + 1), field="lines")
        lines.append(
            {
                "account": acct,
                "side": side,
                "amount": amount,
                "summary": (spec.get("summary") or "").strip()[:200],
                "counterparty": (spec.get("counterparty") or "").strip()[:100],
                "counterparty_is_person": bool(spec.get("counterparty_is_person")),
                "project": (spec.get("project") or "").strip()[:40],
                "fund": (spec.get("fund") or "").strip()[:40],
            }
        )
    if len(lines) < 2:
        raise InvalidInput(_("凭证至少需要两行分录。"), field="lines")
    debit = sum(x["amount"] for x in lines if x["side"] == Side.DEBIT)
    credit = sum(x["amount"] for x in lines if x["side"] == Side.CREDIT)
    if debit != credit:
        raise InvalidInput(
            _("借贷不平衡：借方 %(d)s，贷方 %(c)s。")
            % {"d": selectors.yuan(debit), "c": selectors.yuan(credit)},
            field="lines",
        )
    return lines


def _attachments(files) -> list[tuple[str, bytes]]:
    out = []
    for f in files or []:
        if isinstance(f, tuple):
            name, content = f
        else:
            name, content = f.name, f.read()
        out.append((str(name)[:200], bytes(content)))
    return out


def _save_attachments(files, **owner) -> list[str]:
    shas = []
    for name, content in files:
        sha = hashlib.sha256(content).hexdigest()
        Attachment.objects.create(
            name=name, sha256=sha, size=len(content), content=content, **owner
        )
        shas.append(sha)
    return shas


def _create_voucher(
    book,
    kind,
    on,
    summary,
    lines,
    files,
    *,
    prepared_by,
    attachment_count=None,
    reverses=None,
    is_opening=False,
    is_closing=False,
) -> Voucher:
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput(_("请填写摘要。"), field="summary")
    if kind not in VoucherKind.values:
        raise InvalidInput(_("请选择凭证类别。"), field="kind")
    if not isinstance(on, date):
        raise InvalidInput(_("请填写日期。"), field="date")
    if on.year < book.start_year:
        raise InvalidInput(_("日期早于账套启用年度。"), field="date")
    voucher = Voucher.objects.create(
        book=book,
        kind=kind,
        date=on,
        year=on.year,
        month=on.month,
        summary=summary[:200],
        attachment_count=len(files) if attachment_count is None else attachment_count,
        reverses=reverses,
        is_opening=is_opening,
        is_closing=is_closing,
        prepared_by=str(prepared_by)[:150],
    )
    voucher._new_lines = Line.objects.bulk_create(
        [Line(voucher=voucher, book=book, date=on, **spec) for spec in lines]
    )
    voucher._shas = _save_attachments(files, voucher=voucher)
    return voucher


def _post(
    voucher: Voucher, *, actor, at, opening: bool = False, adjusting_ok: bool = True
) -> list[Line]:
    """Number and post `voucher`: the gapless number is taken under the period row's lock
    (the opening voucher is number 0); the database trigger re-checks the balance."""
    if opening:
        period = _period_for_update(voucher.book, voucher.date)
        status, number = period.status, 0
    else:
        status, number = _take_number(voucher.book, voucher.date)
    if status == PeriodStatus.CLOSED:
        raise RuleViolation(
            _("%(y)d年%(m)d月已结账，不能记账；请在开放期间以红字冲销更正。")
            % {"y": voucher.year, "m": voucher.month},
            field="date",
        )
    if status == PeriodStatus.ADJUSTING and not adjusting_ok:
        raise RuleViolation(_("该月处于结账调整期，只能录入调整分录。"), field="date")
    Voucher.objects.filter(pk=voucher.pk).update(
        number=number,
        status=VoucherStatus.POSTED,
        posted_by=events_actor(actor),
        posted_at=_now(at),
    )
    voucher.number, voucher.status = number, VoucherStatus.POSTED
    lines = getattr(voucher, "_new_lines", None)
    return lines if lines is not None else list(voucher.lines.select_related("account"))


def _payload(voucher: Voucher, lines) -> dict:
    return events.voucher_payload(voucher, lines, getattr(voucher, "_shas", None))


def events_actor(actor) -> str:
    from wuquan.ledger.services import describe_actor

    return describe_actor(actor)[:150]


@transaction.atomic
def do_post_voucher(
    book: Book,
    kind: str,
    on: date,
    summary: str,
    lines: list[dict],
    attachments=None,
    *,
    actor,
    at=None,
) -> Voucher:
    """The centre books a voucher directly (收款, 转账, or a 付款 already through 联签会审
    on paper): created, numbered and posted in one step."""
    _require_centre(actor, book, on)
    files = _attachments(attachments)
    clean = _clean_lines(lines)
    voucher = _create_voucher(
        book, kind, on, summary, clean, files, prepared_by=events_actor(actor)
    )
    posted = _post(voucher, actor=actor, at=at)
    record(actor, events.VOUCHER_POSTED, voucher, _payload(voucher, posted), at=at)
    return voucher


@transaction.atomic
def do_draft_voucher(
    book: Book,
    kind: str,
    on: date,
    summary: str,
    lines: list[dict],
    attachments=None,
    *,
    actor,
    at=None,
) -> Voucher:
    """The village 报账员 or the centre drafts a voucher; the centre posts it later."""
    if selectors.post_held(actor, book.unit, ACCOUNTANT_POST, on) is None:
        _require_centre(actor, book, on)
    files = _attachments(attachments)
    clean = _clean_lines(lines)
    voucher = _create_voucher(
        book, kind, on, summary, clean, files, prepared_by=events_actor(actor)
    )
    record(
        actor,
        events.VOUCHER_DRAFTED,
        voucher,
        events.voucher_payload(voucher, voucher.lines.all()),
        at=at,
    )
    return voucher


@transaction.atomic
def do_post_draft(voucher: Voucher, *, actor, at=None) -> Voucher:
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.status != VoucherStatus.DRAFT:
        raise InvalidInput(_("该凭证已记账。"))
    _require_centre(actor, voucher.book, voucher.date)
    posted = _post(voucher, actor=actor, at=at)
    record(actor, events.VOUCHER_POSTED, voucher, _payload(voucher, posted), at=at)
    return voucher


@transaction.atomic
def do_reverse_voucher(voucher: Voucher, on: date, *, actor, at=None, summary: str = "") -> Voucher:
    """红字冲销: a new voucher, dated `on` (in an open period), with the original's lines in
    red (negative amounts on the same sides), naming the original. The original is untouched."""
    voucher = Voucher.objects.get(pk=voucher.pk)
    if voucher.status != VoucherStatus.POSTED:
        raise InvalidInput(_("只能冲销已记账的凭证；草稿可直接修改。"))
    if voucher.reverses_id:
        raise InvalidInput(_("红字冲销凭证不能再被冲销。"))
    if Voucher.objects.filter(reverses=voucher).exists():
        raise InvalidInput(_("该凭证已被冲销。"))
    if on < voucher.date:
        raise InvalidInput(_("冲销日期不能早于原凭证日期。"), field="date")
    _require_centre(actor, voucher.book, on)
    specs = [
        {
            "account": ln.account,
            "side": ln.side,
            "amount": -ln.amount,
            "summary": ln.summary,
            "counterparty": ln.counterparty,
            "counterparty_is_person": ln.counterparty_is_person,
            "project": ln.project,
            "fund": ln.fund,
        }
        for ln in voucher.lines.select_related("account")
    ]
    clean = _clean_lines(specs, red=True)
    text = summary or _("冲销 %(y)d年%(m)d月 记%(n)s号凭证") % {
        "y": voucher.year,
        "m": voucher.month,
        "n": voucher.number,
    }
    new = _create_voucher(
        voucher.book,
        voucher.kind,
        on,
        text,
        clean,
        [],
        prepared_by=events_actor(actor),
        reverses=voucher,
    )
    posted = _post(new, actor=actor, at=at)
    record(actor, events.VOUCHER_POSTED, new, _payload(new, posted), at=at)
    return new


@transaction.atomic
def do_open_balances(book: Book, balances: dict[str, int], *, actor, at=None) -> Voucher:
    """期初余额: one opening voucher (number 0) on 1 January of the start year; balances are
    {account code: fen on the account's normal side}; they must balance."""
    if book.opened:
        raise InvalidInput(_("该账套已录入期初余额。"))
    on = date(book.start_year, 1, 1)
    _require_centre(actor, book, on)
    specs = []
    for code, value in balances.items():
        acct = account(code)
        value = _fen(value)
        if value == 0:
            continue
        side = (
            acct.normal_side
            if value > 0
            else (Side.CREDIT if acct.normal_side == Side.DEBIT else Side.DEBIT)
        )
        specs.append({"account": acct, "side": side, "amount": abs(value)})
    clean = _clean_lines(specs)
    voucher = _create_voucher(
        book,
        VoucherKind.TRANSFER,
        on,
        _("期初余额"),
        clean,
        [],
        prepared_by=events_actor(actor),
        is_opening=True,
    )
    posted = _post(voucher, actor=actor, at=at, opening=True)
    Book.objects.filter(pk=book.pk).update(opened=True)
    book.opened = True
    record(actor, events.VOUCHER_POSTED, voucher, _payload(voucher, posted), at=at)
    return voucher


def map_old_balances(rows) -> dict[str, int]:
    """财会〔2023〕20号 changeover: the old (财会〔2004〕12号) 科目余额表 at 2023-12-31 as rows
    (old code, debit fen, credit fen) → {new code: fen on its normal side}, by the chart's
    old_codes column. An old code with no new account is refused."""
    mapping = {}
    for acct in Account.objects.exclude(old_codes=""):
        for old in acct.old_codes.split(";"):
            mapping.setdefault(old.strip(), acct)
    out: dict[str, int] = {}
    for old, debit, credit in rows:
        acct = mapping.get(str(old).strip())
        if acct is None:
            raise InvalidInput(_("原科目 %s 没有对应的新科目。") % old, field="file")
        net = _fen(debit) - _fen(credit)
        out[acct.code] = out.get(acct.code, 0) + (net if acct.normal_side == Side.DEBIT else -net)
    return out


# ---- budgets (FIN-11) ------------------------------------------------------------------------


def _require_valid_matter(matter: VillageMatter | None, book: Book, field: str = "matter"):
    if matter is None:
        raise RuleViolation(
            _("须有村级“六步工作法”决议为依据。"), field=field, code="DEC-10-six-steps"
        )
    if matter.village_id != book.unit_id:
        raise InvalidInput(_("该决议不是本村（社区）的。"), field=field)
    if not village_matter_is_valid(matter):
        raise RuleViolation(
            _("“%(t)s”未经“六步工作法”有效决议（%(s)s），不能作为依据。")
            % {"t": matter.title, "s": matter.get_status_display()},
            field=field,
            code="DEC-10-six-steps",
        )


@transaction.atomic
def do_approve_budget(
    book: Book,
    year: int,
    lines: list[tuple[str, str, int]],
    matter: VillageMatter,
    *,
    actor,
    at=None,
) -> Budget:
    """年度预算 by account/project, resting on a valid six-step village matter."""
    _require_centre(actor, book, date(year, 1, 1))
    _require_valid_matter(matter, book)
    if Budget.objects.filter(book=book, year=year).exists():
        raise InvalidInput(_("该年度预算已批准；请以预算调整变更。"), field="year")
    if not lines:
        raise InvalidInput(_("预算至少一行。"), field="lines")
    budget = Budget.objects.create(book=book, year=year, matter=matter, approved_at=_now(at))
    for code, project, amount in lines:
        acct = account(code)
        if acct.role != AccountRole.EXPENSE and acct.category not in (
            Category.ASSET,
            Category.COST,
        ):
            raise InvalidInput(_("预算科目须为支出、成本或资产科目。"), field="lines")
        if _fen(amount) <= 0:
            raise InvalidInput(_("预算金额须大于零。"), field="lines")
        BudgetLine.objects.create(budget=budget, account=acct, project=project, amount=amount)
    record(
        actor,
        events.BUDGET_APPROVED,
        budget,
        events.budget_approved(book=book, year=year, matter=matter, lines=lines),
        at=at,
    )
    return budget


@transaction.atomic
def do_adjust_budget(line: BudgetLine, delta: int, matter: VillageMatter, *, actor, at=None):
    book = line.budget.book
    _require_centre(actor, book, date(line.budget.year, 1, 1))
    _require_valid_matter(matter, book)
    if _fen(delta) == 0:
        raise InvalidInput(_("调整金额不能为零。"), field="delta")
    if line.amount + sum(a.delta for a in line.adjustments.all()) + delta < 0:
        raise InvalidInput(_("调整后预算不能为负。"), field="delta")
    adj = BudgetAdjustment.objects.create(line=line, delta=delta, matter=matter, at=_now(at))
    record(
        actor,
        events.BUDGET_ADJUSTED,
        adj,
        {"book": book.code, "line": line.pk, "delta": delta, "matter": matter.pk},
        at=at,
    )
    return adj


def _budget_problem(req: PaymentRequest) -> str:
    remaining = selectors.budget_remaining(
        req.book, req.date.year, req.account, req.project, exclude_request=req.pk
    )
    if remaining is None:
        return _("“%(a)s%(p)s”没有预算。") % {
            "a": req.account.name,
            "p": f"·{req.project}" if req.project else "",
        }
    if req.amount > remaining:
        return _("超出预算：剩余 %(r)s 元，本次 %(x)s 元。") % {
            "r": selectors.yuan(remaining),
            "x": selectors.yuan(req.amount),
        }
    return ""


def _check_budget(req: PaymentRequest) -> None:
    """Refusal at sign-off (FIN-11) unless a valid exception decision covers it."""
    problem = _budget_problem(req)
    if problem and not (req.exception_matter and village_matter_is_valid(req.exception_matter)):
        raise RuleViolation(
            problem + _("须有超预算例外决议。"), field="amount", code="FIN-11-budget-first"
        )


def _check_major(req: PaymentRequest) -> None:
    threshold = selectors.limit(req.book, "major_payment", req.date)
    if req.amount >= threshold:
        _require_valid_matter(req.matter, req.book)


# ---- 联签会审 (FIN-8) ------------------------------------------------------------------------


@transaction.atomic
def do_create_request(
    book: Book,
    on: date,
    summary: str,
    amount: int,
    account_code: str,
    counterparty: str,
    *,
    actor,
    at=None,
    counterparty_is_person: bool = False,
    pay_method: str = PayMethod.BANK,
    project: str = "",
    matter: VillageMatter | None = None,
    exception_matter: VillageMatter | None = None,
    attachments=None,
) -> PaymentRequest:
    """The handler (经办人, the village 报账员) drafts and signs a 用款申请 (step 1). Budget is
    checked here as a WARNING only (FIN-11); the refusal comes at sign-off."""
    person, post = _require_post(
        actor, book.unit, ACCOUNTANT_POST, on, _("只有本村（社区）报账员可以提出用款申请。")
    )
    problems = {}
    summary = (summary or "").strip()
    counterparty = (counterparty or "").strip()
    if not summary:
        problems["summary"] = _("请填写摘要（用途）。")
    if not counterparty:
        problems["counterparty"] = _("请填写收款人。")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        problems["amount"] = _("金额须为大于零的整数（分）。")
    if pay_method not in PayMethod.values:
        problems["pay_method"] = _("请选择支付方式。")
    acct = Account.objects.filter(code=str(account_code)).first()
    if (
        acct is None
        or acct.role != AccountRole.EXPENSE
        and acct.category not in (Category.ASSET, Category.COST)
    ):
        problems["account"] = _("请选择支出科目。")
    if problems:
        field, message = next(iter(problems.items()))
        exc = InvalidInput(message, field=field)
        exc.problems = problems
        raise exc
    files = _attachments(attachments)
    req = PaymentRequest.objects.create(
        book=book,
        date=on,
        summary=summary[:200],
        amount=amount,
        account=acct,
        project=project.strip()[:40],
        counterparty=counterparty[:100],
        counterparty_is_person=counterparty_is_person,
        pay_method=pay_method,
        matter=matter,
        exception_matter=exception_matter,
        created_at=_now(at),
    )
    req.budget_warning = _budget_problem(req)
    if req.budget_warning:
        req.save(update_fields=["budget_warning"])
    _save_attachments(files, request=req)
    sig = Signature.objects.create(
        request=req, step=Step.HANDLER, person=person, post=post, at=_now(at), seq=1
    )
    record(
        actor,
        events.REQUEST_CREATED,
        req,
        events.request_created(request=req, signature=sig),
        at=at,
    )
    return req


def next_steps(req: PaymentRequest) -> list[str]:
    """The steps that may be signed now: supervision after the handler; head and secretary
    (either order) after supervision; the centre once all four have signed."""
    if req.status != RequestStatus.SIGNING:
        return []
    done = set(req.signatures.values_list("step", flat=True))
    if Step.SUPERVISION not in done:
        return [Step.SUPERVISION]
    both = [s for s in (Step.HEAD, Step.SECRETARY) if s not in done]
    return both or [Step.CENTRE]


def _lock_request(req: PaymentRequest) -> PaymentRequest:
    return (
        PaymentRequest.objects.select_for_update().select_related("book", "account").get(pk=req.pk)
    )


@transaction.atomic
def do_sign_request(req: PaymentRequest, step: str, *, actor, at=None) -> Signature:
    """One signature of the chain, by a holder of that step's post in the village, never by
    someone who already signed this request (附件15 二(二)2, 二(四)2(4))."""
    req = _lock_request(req)
    if step not in SIGNING_STEPS:
        raise InvalidInput(_("无效的签字环节。"), field="step")
    if step not in next_steps(req):
        raise RuleViolation(
            _("现在不能签“%(s)s”：应先完成 %(n)s。")
            % {
                "s": Step(step).label,
                "n": "、".join(str(Step(s).label) for s in next_steps(req)) or "—",
            },
            field="step",
            code="FIN-8-joint-sign-off",
        )
    on = timezone.localdate(_now(at))
    person, post = _require_post(
        actor,
        req.book.unit,
        STEP_POSTS[step],
        on,
        _("您不担任“%s”所需的岗位。") % Step(step).label,
    )
    if req.signatures.filter(person=person).exists():
        raise RuleViolation(
            _("同一人不能在同一报账单上签两次。"), field="step", code="FIN-8-joint-sign-off"
        )
    if (
        step in (Step.HEAD, Step.SECRETARY)
        and req.signatures.filter(step__in=(Step.HEAD, Step.SECRETARY)).exists()
    ):
        # why only at the second co-signature: that is the sign-off; the first co-signer
        # already saw the draft's warning, and booking checks again
        _check_budget(req)
        _check_major(req)
    sig = Signature.objects.create(
        request=req,
        step=step,
        person=person,
        post=post,
        at=_now(at),
        seq=req.signatures.count() + 1,
    )
    record(
        actor, events.REQUEST_SIGNED, req, events.request_signed(request=req, signature=sig), at=at
    )
    return sig


@transaction.atomic
def do_book_request(req: PaymentRequest, *, actor, at=None) -> Voucher:
    """The centre reviews and books the request: the posted 付款凭证 (Dr expense / Cr bank or
    cash) with the request's attachments. Re-checks budget, DEC-10 and the cash limit."""
    req = _lock_request(req)
    if next_steps(req) != [Step.CENTRE]:
        raise RuleViolation(_("联签未完成，不能记账。"), field="step", code="FIN-8-joint-sign-off")
    on = req.date
    person, post = _require_centre(actor, req.book, timezone.localdate(_now(at)))
    if req.signatures.filter(person=person).exists():
        raise RuleViolation(_("同一人不能在同一报账单上签两次。"), code="FIN-8-joint-sign-off")
    _check_budget(req)
    _check_major(req)
    if req.pay_method == PayMethod.CASH and req.amount >= selectors.limit(
        req.book, "cash_payment_limit", on
    ):
        raise RuleViolation(
            _("超过现金支付限额，须通过银行转账。"),
            field="pay_method",
            code="FIN-13-cash-payment-limit",
        )
    credit = account_by_role(
        AccountRole.CASH if req.pay_method == PayMethod.CASH else AccountRole.BANK
    )
    files = [(a.name, bytes(a.content)) for a in req.attachments.all()]
    specs = [
        {
            "account": req.account,
            "side": Side.DEBIT,
            "amount": req.amount,
            "counterparty": req.counterparty,
            "counterparty_is_person": req.counterparty_is_person,
            "project": req.project,
        },
        {
            "account": credit,
            "side": Side.CREDIT,
            "amount": req.amount,
            "counterparty": req.counterparty,
            "counterparty_is_person": req.counterparty_is_person,
        },
    ]
    clean = _clean_lines(specs)
    voucher = _create_voucher(
        req.book,
        VoucherKind.PAYMENT,
        on,
        req.summary,
        clean,
        files,
        prepared_by=events_actor(actor),
    )
    posted = _post(voucher, actor=actor, at=at, adjusting_ok=False)
    sig = Signature.objects.create(
        request=req,
        step=Step.CENTRE,
        person=person,
        post=post,
        at=_now(at),
        seq=req.signatures.count() + 1,
    )
    req.status, req.voucher = RequestStatus.BOOKED, voucher
    req.save(update_fields=["status", "voucher"])
    record(
        actor,
        events.REQUEST_BOOKED,
        req,
        events.request_booked(request=req, voucher=voucher, lines=posted, signature=sig),
        at=at,
    )
    return voucher


@transaction.atomic
def do_import_booked_request(
    book: Book,
    on: date,
    summary: str,
    amount: int,
    account_code: str,
    counterparty: str,
    signatures: list[tuple[str, object]],
    *,
    actor,
    at=None,
    pay_method: str = PayMethod.BANK,
    project: str = "",
    matter: VillageMatter | None = None,
    counterparty_is_person=False,
) -> PaymentRequest:
    """History from the old system (财会〔2023〕20号 changeover): a request already signed and
    booked on paper, imported as it was — signatures as given, in the given order — so that
    the FIN-8/FIN-11/DEC-10 rules can judge it. `signatures`: [(step, Person)]."""
    _require_centre(actor, book, on)
    acct = account(account_code)
    req = PaymentRequest.objects.create(
        book=book,
        date=on,
        summary=summary,
        amount=_fen(amount),
        account=acct,
        project=project,
        counterparty=counterparty,
        counterparty_is_person=counterparty_is_person,
        pay_method=pay_method,
        matter=matter,
        status=RequestStatus.BOOKED,
        imported=True,
        created_at=_now(at),
    )
    for seq, (step, person) in enumerate(signatures, start=1):
        Signature.objects.create(request=req, step=step, person=person, at=_now(at), seq=seq)
    credit = account_by_role(AccountRole.CASH if pay_method == PayMethod.CASH else AccountRole.BANK)
    clean = _clean_lines(
        [
            {
                "account": acct,
                "side": Side.DEBIT,
                "amount": amount,
                "project": project,
                "counterparty": counterparty,
                "counterparty_is_person": counterparty_is_person,
            },
            {
                "account": credit,
                "side": Side.CREDIT,
                "amount": amount,
                "counterparty": counterparty,
                "counterparty_is_person": counterparty_is_person,
            },
        ]
    )
    voucher = _create_voucher(
        book, VoucherKind.PAYMENT, on, summary, clean, [], prepared_by=events_actor(actor)
    )
    posted = _post(voucher, actor=actor, at=at)
    req.voucher = voucher
    req.save(update_fields=["voucher"])
    record(
        actor,
        events.VOUCHER_IMPORTED,
        req,
        {
            "request": req.pk,
            "signatures": [[s, p.pk] for s, p in signatures],
            **_payload(voucher, posted),
        },
        at=at,
    )
    return req


# ---- periods (open → adjusting → closed) -----------------------------------------------------


def closing_problems(book: Book, year: int, month: int) -> list[str]:
    """What stops a month from closing: drafts, bank ≠ statement, cash over the limit, an
    unbalanced trial balance."""
    end = selectors.month_end(year, month)
    problems = []
    drafts = selectors.drafts_in(book, year, month)
    if drafts:
        problems.append(_("还有 %d 张未记账的草稿凭证。") % drafts)
    statement = BankStatement.objects.filter(book=book, year=year, month=month).first()
    bank = selectors.role_balance(book, AccountRole.BANK, end)
    if statement is None:
        problems.append(_("未导入本月银行对账单。"))
    elif statement.closing_balance != bank:
        problems.append(
            _("银行存款账面余额 %(b)s 元与对账单余额 %(s)s 元不符。")
            % {"b": selectors.yuan(bank), "s": selectors.yuan(statement.closing_balance)}
        )
    cash = selectors.role_balance(book, AccountRole.CASH, end)
    cash_limit = selectors.limit(book, "cash_limit", end)
    if cash > cash_limit:
        problems.append(
            _("库存现金 %(c)s 元超过限额 %(l)s 元。")
            % {"c": selectors.yuan(cash), "l": selectors.yuan(cash_limit)}
        )
    if not selectors.trial_balance(book, year, month).balanced:
        problems.append(_("科目余额表不平衡。"))
    return problems


@transaction.atomic
def do_start_adjusting(book: Book, year: int, month: int, *, actor, at=None) -> Period:
    _require_centre(actor, book, selectors.month_end(year, month))
    period = _period_for_update(book, date(year, month, 1))
    if period.status != PeriodStatus.OPEN:
        raise InvalidInput(_("只有开放的期间可以进入调整期。"))
    period.status = PeriodStatus.ADJUSTING
    period.save(update_fields=["status"])
    record(
        actor,
        events.PERIOD_ADJUSTING,
        period,
        {"book": book.code, "year": year, "month": month},
        at=at,
    )
    return period


@transaction.atomic
def do_close_period(book: Book, year: int, month: int, *, actor, at=None) -> Period:
    """结账: refused while closing_problems() finds anything; writes the closing balances and
    records their canonical JSON's hash as one event."""
    _require_centre(actor, book, selectors.month_end(year, month))
    period = _period_for_update(book, date(year, month, 1))
    if period.status == PeriodStatus.CLOSED:
        raise InvalidInput(_("该月已结账。"))
    problems = closing_problems(book, year, month)
    if problems:
        raise RuleViolation(" ".join(problems), code="FIN-13-closing-checks")
    tb = selectors.trial_balance(book, year, month)
    ClosingBalance.objects.filter(period=period).delete()
    rows = []
    for r in tb.rows:
        debit, credit = (r.closing, 0) if r.closing >= 0 else (0, -r.closing)
        rows.append(ClosingBalance(period=period, account=r.account, debit=debit, credit=credit))
    ClosingBalance.objects.bulk_create(rows)
    body = sorted([r.account.code, r.opening, r.debit, r.credit, r.closing] for r in tb.rows)
    sha = hashlib.sha256(canonical_json(body).encode()).hexdigest()
    period.status, period.closed_at, period.closing_sha256 = PeriodStatus.CLOSED, _now(at), sha
    period.save(update_fields=["status", "closed_at", "closing_sha256"])
    record(
        actor,
        events.PERIOD_CLOSED,
        period,
        events.period_closed(period=period, balances_sha256=sha, totals=tb.totals),
        at=at,
    )
    return period


@transaction.atomic
def do_reopen_period(period: Period, matter: VillageMatter, *, actor, at=None) -> Period:
    """A closed month reopens (to adjusting) only on a recorded, valid decision."""
    period = Period.objects.select_for_update().select_related("book").get(pk=period.pk)
    _require_centre(actor, period.book, timezone.localdate(_now(at)))
    if period.status != PeriodStatus.CLOSED:
        raise InvalidInput(_("该月未结账。"))
    _require_valid_matter(matter, period.book)
    period.status = PeriodStatus.ADJUSTING
    period.save(update_fields=["status"])
    record(
        actor,
        events.PERIOD_REOPENED,
        period,
        {
            "book": period.book.code,
            "year": period.year,
            "month": period.month,
            "matter": matter.pk,
            "previous_sha256": period.closing_sha256,
        },
        at=at,
    )
    return period


@transaction.atomic
def do_close_year(book: Book, year: int, *, actor, at=None) -> Voucher | None:
    """年终结转: income and expense accounts into 本年收益 (one closing voucher dated 31 Dec),
    then 本年收益 into 收益分配 (未分配收益)."""
    on = date(year, 12, 31)
    _require_centre(actor, book, on)
    if Voucher.objects.filter(book=book, year=year, is_closing=True).exists():
        raise InvalidInput(_("该年度已结转。"))
    current = account_by_role(AccountRole.CURRENT_INCOME)
    distribution = account_by_role(AccountRole.DISTRIBUTION)
    moves = selectors.balances(book, since=date(year, 1, 1), upto=on)
    specs, net = [], 0
    for acct in Account.objects.filter(category=Category.PL):
        bal = moves.get(acct.pk, 0)
        if bal:
            specs.append(
                {
                    "account": acct,
                    "side": Side.CREDIT if bal > 0 else Side.DEBIT,
                    "amount": abs(bal),
                }
            )
            net += bal
    if not specs:
        return None
    # net: debit-positive sum of P&L; income (credit) makes it negative → credit 本年收益
    if net:
        specs.append(
            {"account": current, "side": Side.DEBIT if net > 0 else Side.CREDIT, "amount": abs(net)}
        )
        specs.append(
            {"account": current, "side": Side.CREDIT if net > 0 else Side.DEBIT, "amount": abs(net)}
        )
        specs.append(
            {
                "account": distribution,
                "side": Side.DEBIT if net > 0 else Side.CREDIT,
                "amount": abs(net),
            }
        )
    clean = _clean_lines(specs)
    voucher = _create_voucher(
        book,
        VoucherKind.TRANSFER,
        on,
        _("年终结转本年收益"),
        clean,
        [],
        prepared_by=events_actor(actor),
        is_closing=True,
    )
    posted = _post(voucher, actor=actor, at=at)
    record(
        actor, events.YEAR_CLOSED, voucher, {"net_income": -net, **_payload(voucher, posted)}, at=at
    )
    return voucher


# ---- bank statements (FIN-13) ----------------------------------------------------------------


def parse_statement(content: bytes, filename: str) -> tuple[list[tuple[date, int, str]], int]:
    """A bank statement file → ([(date, signed fen, 摘要)], closing balance in fen).
    Columns (first row a header): 日期, 摘要, 收入, 支出, 余额 (yuan). CSV (UTF-8) or .xlsx."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    if len(rows) < 2:
        raise InvalidInput(_("对账单没有数据行。"), field="file")
    out, closing = [], None
    for i, row in enumerate(rows[1:], start=2):
        if not row or all(c in (None, "") for c in row):
            continue
        try:
            raw = row[0]
            on = (
                raw.date()
                if isinstance(raw, datetime)
                else (raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip()))
            )
            inflow = parse_yuan(row[2] or 0, "file")
            outflow = parse_yuan(row[3] or 0, "file")
            closing = parse_yuan(row[4], "file")
        except (ValueError, IndexError, InvalidInput) as exc:
            raise InvalidInput(_("对账单第 %d 行格式不对。") % i, field="file") from exc
        out.append((on, inflow - outflow, str(row[1] or "")[:200]))
    if closing is None:
        raise InvalidInput(_("对账单没有余额。"), field="file")
    return out, closing


@transaction.atomic
def do_import_statement(
    book: Book,
    year: int,
    month: int,
    content: bytes,
    filename: str,
    *,
    actor,
    at=None,
    opening_balance: int | None = None,
) -> BankStatement:
    """Import the month's bank statement (replacing a previous import while the month is open)."""
    _require_centre(actor, book, selectors.month_end(year, month))
    if selectors.period_status(book, year, month) == PeriodStatus.CLOSED:
        raise InvalidInput(_("该月已结账。"))
    lines, closing = parse_statement(content, filename)
    start, end = date(year, month, 1), selectors.month_end(year, month)
    if any(not (start <= d <= end) for d, _a, _s in lines):
        raise InvalidInput(
            _("对账单中有不属于 %(y)d年%(m)d月 的行。") % {"y": year, "m": month}, field="file"
        )
    BankStatement.objects.filter(book=book, year=year, month=month).delete()
    sha = hashlib.sha256(content).hexdigest()
    st = BankStatement.objects.create(
        book=book, year=year, month=month, closing_balance=closing, sha256=sha, imported_at=_now(at)
    )
    StatementLine.objects.bulk_create(
        [StatementLine(statement=st, date=d, amount=a, summary=s) for d, a, s in lines]
    )
    rec = selectors.reconciliation(st)
    for sl, ln in rec["matched"]:
        StatementLine.objects.filter(pk=sl.pk).update(matched=ln)
    record(
        actor,
        events.STATEMENT_IMPORTED,
        st,
        {
            "book": book.code,
            "year": year,
            "month": month,
            "sha256": sha,
            "lines": len(lines),
            "closing_balance": closing,
            "book_balance": rec["book_balance"],
            "agrees": rec["agrees"],
        },
        at=at,
    )
    return st


def statement_csv(lines: list[tuple[date, int, str]], opening: int) -> bytes:
    """A statement file in the import format (demo and tests)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["日期", "摘要", "收入", "支出", "余额"])
    bal = opening
    for d, amount, text in lines:
        bal += amount
        w.writerow(
            [
                d.isoformat(),
                text,
                selectors.yuan(max(amount, 0)).replace(",", ""),
                selectors.yuan(max(-amount, 0)).replace(",", ""),
                selectors.yuan(bal).replace(",", ""),
            ]
        )
    if not lines:
        w.writerow(["", "", "", "", ""])
    return buf.getvalue().encode()


def statement_from_books(book: Book, year: int, month: int) -> tuple[bytes, str]:
    """The statement the bank would send if every bank line were genuine (demo, tests)."""
    bank = account_by_role(AccountRole.BANK)
    start, end = date(year, month, 1), selectors.month_end(year, month)
    opening = selectors.balances(book, upto=start - timedelta(days=1)).get(bank.pk, 0)
    rows = [
        (ln.date, ln.amount if ln.side == Side.DEBIT else -ln.amount, ln.voucher.summary)
        for ln in selectors.posted_lines(book)
        .filter(account=bank, date__gte=start, date__lte=end)
        .select_related("voucher")
        .order_by("date", "pk")
    ]
    if not rows:
        rows = [(start, 0, "无交易")]
    return statement_csv(rows, opening), f"{book.code}-{year}-{month:02d}.csv"


# ---- monthly disclosure (PUB-7) and questions (PUB-11) ---------------------------------------


@transaction.atomic
def do_publish_month(book: Book, year: int, month: int, *, actor, at=None) -> Disclosure:
    """Publish a closed month item by item; the published content's hash is one event."""
    _require_centre(actor, book, selectors.month_end(year, month))
    if selectors.period_status(book, year, month) != PeriodStatus.CLOSED:
        raise RuleViolation(_("该月结账后才能公开。"), code="PUB-7-monthly-disclosure")
    if Disclosure.objects.filter(book=book, year=year, month=month).exists():
        raise InvalidInput(_("该月已公开；公开后的内容不能更改。"))
    content = selectors.disclosure_content(book, year, month)
    d = Disclosure.objects.create(
        book=book,
        year=year,
        month=month,
        content=content,
        sha256=events.digest(content),
        published_at=_now(at),
    )
    ev = record(
        actor, events.DISCLOSURE_PUBLISHED, d, events.disclosure_published(disclosure=d), at=at
    )
    Disclosure.objects.filter(pk=d.pk).update(event_index=ev.index)
    return d


@transaction.atomic
def do_ask_question(disclosure: Disclosure, text: str, *, actor=None, at=None) -> Question:
    """A villager's question beside a published month (anonymous on the portal)."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写问题。"), field="text")
    if len(text) > 1000:
        raise InvalidInput(_("问题请不超过 1000 字。"), field="text")
    q = Question.objects.create(disclosure=disclosure, text=text, asked_at=_now(at))
    record(
        actor or "villager",
        events.QUESTION_ASKED,
        q,
        {"disclosure": disclosure.pk, "kind": q.kind, "text_sha256": events.digest(text)},
        at=at,
    )
    return q


@transaction.atomic
def do_object_to_disclosure(disclosure: Disclosure, text: str, *, actor, at=None) -> Question:
    """The 村务监督委员会 objects to a published month (附件15 二(四)2)."""
    _require_post(
        actor,
        disclosure.book.unit,
        STEP_POSTS[Step.SUPERVISION],
        timezone.localdate(_now(at)),
        _("只有村务监督委员会可以提出异议。"),
    )
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写异议。"), field="text")
    q = Question.objects.create(
        disclosure=disclosure, kind=QuestionKind.OBJECTION, text=text, asked_at=_now(at)
    )
    record(
        actor,
        events.QUESTION_ASKED,
        q,
        {"disclosure": disclosure.pk, "kind": q.kind, "text_sha256": events.digest(text)},
        at=at,
    )
    return q


@transaction.atomic
def do_answer_question(question: Question, text: str, *, actor, at=None) -> Question:
    """The village (secretary, director or 报账员) answers."""
    unit = question.disclosure.book.unit
    on = timezone.localdate(_now(at))
    if not any(
        selectors.post_held(actor, unit, c, on) for c in ("secretary", "director", "accountant")
    ):
        raise NotPermitted(_("只有本村（社区）干部可以答复。"))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写答复。"), field="answer")
    if question.answered_at:
        raise InvalidInput(_("已答复。"))
    question.answer, question.answered_at = text, _now(at)
    question.save(update_fields=["answer", "answered_at"])
    record(
        actor,
        events.QUESTION_ANSWERED,
        question,
        {"question": question.pk, "answer_sha256": events.digest(text)},
        at=at,
    )
    return question


# ---- archives (AUD-3) ------------------------------------------------------------------------


def retain_until(kind: str, year: int) -> date | None:
    years = RETENTION_YEARS[kind]
    # 会计档案管理办法 第十四条: the period runs from the first day after the fiscal year ends
    return None if years is None else date(year + years, 12, 31)


@transaction.atomic
def do_archive(
    book: Book,
    kind: str,
    year: int,
    title: str,
    content: bytes,
    *,
    actor,
    at=None,
    month: int | None = None,
) -> ArchiveItem:
    _require_centre(actor, book, date(year, month or 12, 1))
    if kind not in ArchiveKind.values:
        raise InvalidInput(_("请选择档案类别。"), field="kind")
    item = ArchiveItem.objects.create(
        book=book,
        kind=kind,
        year=year,
        month=month,
        title=title[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        archived_at=_now(at),
        retain_until=retain_until(kind, year),
    )
    record(
        actor,
        events.ARCHIVED,
        item,
        {
            "book": book.code,
            "kind": kind,
            "year": year,
            "month": month,
            "sha256": item.sha256,
            "retain_until": item.retain_until.isoformat() if item.retain_until else "permanent",
        },
        at=at,
    )
    return item


@transaction.atomic
def do_dispose_archive(item: ArchiveItem, on: date, *, actor, at=None) -> None:
    """销毁: only after the retention period; a permanent item never."""
    _require_centre(actor, item.book, on)
    if item.retain_until is None:
        raise RuleViolation(_("永久保管的档案不能销毁。"), code="AUD-3-retention")
    if on <= item.retain_until:
        raise RuleViolation(
            _("保管期限至 %s，期内不能销毁。") % item.retain_until, code="AUD-3-retention"
        )
    record(
        actor,
        events.ARCHIVE_DISPOSED,
        item,
        {"book": item.book.code, "kind": item.kind, "sha256": item.sha256},
        at=at,
    )
    item.delete()


# ---- settings --------------------------------------------------------------------------------


@transaction.atomic
def do_set_limit(
    book: Book | None, key: str, value: int, valid_from: date, basis: str, *, actor, at=None
) -> Setting:
    """A dated limit (cash limit, deposit days, …) for one book or all books."""
    if key not in selectors.DEFAULT_LIMITS:
        raise InvalidInput(_("未知参数。"), field="key")
    if _fen(value, "value") < 0:
        raise InvalidInput(_("数值不能为负。"), field="value")
    if book is not None:
        _require_centre(actor, book, valid_from)
    s = Setting.objects.create(
        book=book, key=key, value=value, valid_from=valid_from, basis=basis[:200]
    )
    record(
        actor,
        events.SETTING_CHANGED,
        s,
        {
            "book": book.code if book else None,
            "key": key,
            "value": value,
            "valid_from": valid_from.isoformat(),
            "basis_sha256": events.digest(basis),
        },
        at=at,
    )
    return s


# ==== 惠农补贴“一卡通” (FIN-15, PUB-8; 附件14 二(二), 附件16) ====================================
# programme → recipient list (Excel/CSV import, per-row errors) → published on the portal
# before payment → payment batch through the bank (pay file out, return file in, booked) →
# each recipient confirms receipt (or reports non-receipt) on the portal with ID + 查询码.

# 附件16 四 公开时限: "以通告的方式公示的要保持在三个月，通过网络公示要保持一年以上" (read in the
# seed; the search tool found no other copy to confirm it). The seed counts from the day the
# policy is issued; we count from the day the list is published, which is never earlier.
NOTICE_MONTHS = 3
ONLINE_YEARS = 1
RECIPIENT_COLUMNS = ["姓名", "身份证号", "银行卡号", "开户行", "数量", "金额（元）"]
PAY_COLUMNS = ["序号", "批次号", "户名", "身份证号", "银行卡号", "开户行", "金额（元）", "摘要"]
RETURN_COLUMNS = ["序号", "批次号", "户名", "银行卡号", "金额（元）", "结果", "说明", "日期"]
BENEFIT_POSTS = (ACCOUNTANT_POST,)


def _add_months(d: date, months: int) -> date:
    import calendar as _cal

    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    return date(y, m, min(d.day, _cal.monthrange(y, m)[1]))


def _require_benefit_staff(actor, book: Book, on: date):
    """The village 报账员 or the township centre's accountant."""
    held = selectors.post_held(actor, book.unit, ACCOUNTANT_POST, on)
    return held or _require_centre(actor, book, on)


def _problems(problems: dict):
    field, message = next(iter(problems.items()))
    exc = InvalidInput(message, field=field)
    exc.problems = problems
    return exc


@transaction.atomic
def do_create_programme(
    book: Book,
    code: str,
    name: str,
    kind: str,
    basis: str,
    year: int,
    fund: str,
    *,
    actor,
    at=None,
    measure: str = "人",
    rate: int = 0,
    account_code: str = "2302",
):
    """A benefit programme paid by bank card (一卡通) out of the book's one bank account under
    its own fund source (FIN-15: 专款专用、分帐核算)."""
    from django.utils.text import slugify

    from .models import BenefitKind, BenefitProgramme

    _require_benefit_staff(actor, book, timezone.localdate(_now(at)))
    problems = {}
    code = slugify((code or "").strip())
    name, basis, fund = (name or "").strip(), (basis or "").strip(), (fund or "").strip()
    if not code:
        problems["code"] = _("请填写项目编号（字母、数字或连字符）。")
    elif BenefitProgramme.objects.filter(book=book, code=code).exists():
        problems["code"] = _("项目编号已存在。")
    if not name:
        problems["name"] = _("请填写项目名称。")
    if kind not in BenefitKind.values:
        problems["kind"] = _("请选择补贴类别。")
    if not basis:
        problems["basis"] = _("请填写政策依据（文件名称和文号）。")
    if not fund:
        problems["fund"] = _("请填写资金来源（分帐核算的资金名称）。")
    if not isinstance(year, int) or not (2000 <= year <= 2100):
        problems["year"] = _("请填写年度。")
    if isinstance(rate, bool) or not isinstance(rate, int) or rate < 0:
        problems["rate"] = _("标准须为不小于零的金额。")
    acct = Account.objects.filter(code=str(account_code)).first()
    if acct is None or acct.category not in (Category.LIABILITY, Category.PL):
        problems["account"] = _("请选择负债或支出科目。")
    if problems:
        raise _problems(problems)
    programme = BenefitProgramme.objects.create(
        book=book,
        code=code,
        name=name[:100],
        kind=kind,
        basis=basis[:200],
        year=year,
        measure=(measure or "人").strip()[:10],
        rate=rate,
        fund=fund[:40],
        account=acct,
        created_at=_now(at),
    )
    record(
        actor,
        events.BENEFIT_PROGRAMME_CREATED,
        programme,
        events.benefit_programme(programme),
        at=at,
    )
    return programme


def _table(content: bytes, filename: str) -> list[list]:
    if (filename or "").lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            ws = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # why: any broken workbook is the clerk's file, not our error
            raise InvalidInput(_("无法读取该 Excel 文件。"), field="file") from exc
        return [["" if c is None else c for c in r] for r in ws.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="replace")
    return list(csv.reader(io.StringIO(text)))


def _cell(row, i) -> str:
    if i >= len(row) or row[i] is None:
        return ""
    value = row[i]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def clean_card(value) -> str:
    """A bank card number: 16–19 digits passing the Luhn check (python-stdnum `luhn`)."""
    from stdnum import luhn

    digits = "".join(str(value or "").split()).replace("-", "")
    if not (digits.isdigit() and 16 <= len(digits) <= 19):
        raise InvalidInput(_("银行卡号应为16至19位数字。"), field="card_number")
    try:
        ok = luhn.is_valid(digits)
    except Exception:  # why: never let a library error through
        ok = False
    if not ok:
        raise InvalidInput(_("银行卡号校验位不正确，请核对。"), field="card_number")
    return digits


def parse_recipients(programme, content: bytes, filename: str) -> tuple[list[dict], dict]:
    """The clerk's list (first row the header RECIPIENT_COLUMNS; .xlsx or UTF-8 CSV) →
    (clean rows, {row number: error}). Each ID validated (GB 11643 via `common.identity`),
    each card by Luhn, no ID or card twice (in the file or against the list already held)."""
    from decimal import ROUND_HALF_UP

    from wuquan.common.identity import is_valid_ric, normalise_id_number

    rows = _table(content, filename)
    if len(rows) < 2:
        raise InvalidInput(_("文件没有数据行（第一行为表头）。"), field="file")
    held = programme.recipients.all()
    seen_ids = {r.id_key: r.seq for r in held}
    seen_cards = {r.card_key: r.seq for r in held}
    clean, errors = [], {}
    for n, row in enumerate(rows[1:], start=2):
        if all(_cell(row, i) == "" for i in range(len(RECIPIENT_COLUMNS))):
            continue
        name = _cell(row, 0)
        id_number = normalise_id_number(_cell(row, 1))
        problem = ""
        if not name or len(name) > 50:
            problem = _("姓名未填写或过长。")
        elif not is_valid_ric(id_number):
            problem = _("身份证号不正确。")
        if not problem:
            try:
                card = clean_card(_cell(row, 2))
            except InvalidInput as exc:
                problem = exc.message
        if not problem:
            id_key, card_key = selectors.benefit_key(id_number), selectors.benefit_key(card)
            try:
                quantity = Decimal(_cell(row, 4) or "1")
                if quantity <= 0 or quantity != quantity.quantize(Decimal("0.01")):
                    raise InvalidOperation
            except InvalidOperation:
                problem = _("数量须为大于零的数，最多两位小数。")
        if not problem:
            try:
                given = parse_yuan(_cell(row, 5)) if _cell(row, 5) else None
            except InvalidInput as exc:
                given, problem = None, exc.message
        if not problem:
            computed = (
                int((Decimal(programme.rate) * quantity).quantize(Decimal(1), ROUND_HALF_UP))
                if programme.rate
                else None
            )
            amount = computed if computed is not None else given
            if amount is None or amount <= 0:
                problem = _("请填写金额（按人发放的项目每行一个金额）。")
            elif computed is not None and given is not None and given != computed:
                problem = _("金额与标准不符：应为 %s 元。") % selectors.yuan(computed)
            elif id_key in seen_ids:
                problem = _("该身份证号已在名单第 %d 行。") % seen_ids[id_key]
            elif card_key in seen_cards:
                problem = (
                    _("该银行卡已登记在名单第 %d 行（一卡只能对应一人）。") % seen_cards[card_key]
                )
        if problem:
            errors[n] = problem
            continue
        seen_ids[id_key] = seen_cards[card_key] = n
        clean.append(
            {
                "name": name,
                "id_number": id_number,
                "id_key": id_key,
                "card_number": card,
                "card_key": card_key,
                "bank": _cell(row, 3)[:60],
                "quantity": quantity,
                "amount": amount,
            }
        )
    return clean, errors


def _new_code() -> str:
    import secrets

    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a paper notice
    return "".join(secrets.choice(alphabet) for _i in range(6))


@transaction.atomic
def do_import_recipients(programme, content: bytes, filename: str, *, actor, at=None):
    """Import the recipient list (all rows or none; the per-row errors come back beside the
    file field as `problems`). Rows are appended after those already held."""
    from .models import BenefitProgramme, BenefitRecipient

    programme = BenefitProgramme.objects.select_for_update().get(pk=programme.pk)
    _require_benefit_staff(actor, programme.book, timezone.localdate(_now(at)))
    clean, errors = parse_recipients(programme, content, filename)
    if errors:
        exc = InvalidInput(
            _("名单有 %d 行不正确，未导入任何一行：") % len(errors)
            + "；".join(_("第 %(n)d 行：%(e)s") % {"n": n, "e": e} for n, e in errors.items()),
            field="file",
        )
        exc.row_errors = errors
        raise exc
    if not clean:
        raise InvalidInput(_("文件没有数据行（第一行为表头）。"), field="file")
    start = (programme.recipients.aggregate(m=models_max("seq"))["m"] or 0) + 1
    created = BenefitRecipient.objects.bulk_create(
        [
            BenefitRecipient(
                programme=programme, seq=start + i, code=_new_code(), added_at=_now(at), **row
            )
            for i, row in enumerate(clean)
        ]
    )
    record(
        actor,
        events.BENEFIT_LIST_IMPORTED,
        programme,
        events.benefit_list(programme, created, file_sha256=hashlib.sha256(content).hexdigest()),
        at=at,
    )
    return created


def models_max(field):
    from django.db.models import Max

    return Max(field)


def recipient_template() -> bytes:
    """The Excel template clerks fill in (header and one example row)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(RECIPIENT_COLUMNS)
    ws.append(
        ["张三（示例，请删除）", "220203199001011230", "6222021234567890128", "农商银行", 1, ""]
    )
    for col, width in zip("ABCDEF", (16, 22, 24, 16, 8, 12), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@transaction.atomic
def do_publish_list(programme, *, actor, at=None, notice_posted_on: date | None = None):
    """Publish the list on the portal before any payment (PUB-8; 附件16 四): masked rows, the
    total, the times it must stay up (通告 three months, online one year), its digest logged."""
    from .models import BenefitProgramme, BenefitPublication

    programme = BenefitProgramme.objects.select_for_update().get(pk=programme.pk)
    when = _now(at)
    today = timezone.localdate(when)
    _require_benefit_staff(actor, programme.book, today)
    rows = selectors.benefit_public_rows(programme)
    if not rows:
        raise InvalidInput(_("名单为空，不能公示。"), field="file")
    content = {
        "programme": programme.code,
        "name": programme.name,
        "kind": programme.kind,
        "basis": programme.basis,
        "fund": programme.fund,
        "measure": programme.measure,
        "rate": programme.rate,
        "rows": rows,
        "total": sum(r["amount"] for r in rows),
    }
    pub = BenefitPublication.objects.create(
        programme=programme,
        content=content,
        sha256=events.digest(content),
        published_at=when,
        notice_until=_add_months(notice_posted_on or today, NOTICE_MONTHS),
        online_until=_add_months(today, 12 * ONLINE_YEARS),
        notice_posted_on=notice_posted_on or today,
    )
    record(actor, events.BENEFIT_LIST_PUBLISHED, pub, events.benefit_published(pub), at=at)
    return pub


@transaction.atomic
def do_record_notice(
    publication, posted_on: date, removed_on: date | None = None, *, actor, at=None
):
    """The village records when the paper notice (通告) went up on the board and, later, when it
    came down; a removal before three months is recorded as it happened and flagged by the rule
    PUB-8-benefit-takedown-early."""
    from .models import BenefitPublication

    pub = BenefitPublication.objects.select_for_update().get(pk=publication.pk)
    _require_benefit_staff(actor, pub.programme.book, timezone.localdate(_now(at)))
    if removed_on is not None and removed_on < posted_on:
        raise InvalidInput(_("撤下日期不能早于张贴日期。"), field="removed_on")
    pub.notice_posted_on, pub.notice_removed_on = posted_on, removed_on
    pub.notice_until = _add_months(posted_on, NOTICE_MONTHS)
    pub.save(update_fields=["notice_posted_on", "notice_removed_on", "notice_until"])
    record(
        actor,
        events.BENEFIT_NOTICE_RECORDED,
        pub,
        {
            "publication": pub.pk,
            "posted_on": posted_on.isoformat(),
            "removed_on": removed_on.isoformat() if removed_on else None,
            "notice_until": pub.notice_until.isoformat(),
            "early": bool(removed_on and removed_on < pub.notice_until),
        },
        at=at,
    )
    return pub


@transaction.atomic
def do_expire_publications(
    as_of: datetime | None = None, *, actor="system:benefit-expiry", at=None
):
    """The expiry sweep (command `collective_expire_benefits`): takes down every publication
    whose online period (one year) has run out, one event each. Never one before."""
    from .models import BenefitPublication

    when = _now(as_of)
    today = timezone.localdate(when)
    due = list(
        BenefitPublication.objects.select_for_update().filter(
            taken_down_at__isnull=True, online_until__lt=today
        )
    )
    for pub in due:
        pub.taken_down_at, pub.taken_down_by = when, str(actor)[:150]
        pub.save(update_fields=["taken_down_at", "taken_down_by"])
        record(
            actor,
            events.BENEFIT_PUBLICATION_EXPIRED,
            pub,
            {
                "publication": pub.pk,
                "programme": pub.programme_id,
                "published_at": pub.published_at.isoformat(),
                "online_until": pub.online_until.isoformat(),
                "sha256": pub.sha256,
            },
            at=at or when,
        )
    return due


def do_take_down_publication(publication, *, actor, at=None):
    """A person may not take a list down before its year online (PUB-8; 附件16 四); the expiry
    sweep takes it down after. Always refused here, with the date it may go."""
    raise RuleViolation(
        _("网络公示须保持一年以上，%s 之后由系统自动撤下。") % publication.online_until,
        code="PUB-8-benefit-takedown-early",
    )


def _lock_programme(programme):
    from .models import BenefitProgramme

    return BenefitProgramme.objects.select_for_update().select_related("book").get(pk=programme.pk)


@transaction.atomic
def do_export_batch(programme, on: date, *, actor, at=None):
    """A payment batch through the bank: every recipient on the latest publication not yet
    paid (or whose last payment failed), at the published amount. Refused without a
    publication before payment (PUB-8) or when the list changed since it was published."""
    from .models import BenefitBatch, BenefitPayment, BenefitPaymentStatus

    programme = _lock_programme(programme)
    _require_centre(actor, programme.book, on)
    pub = selectors.latest_publication(programme)
    if pub is None or timezone.localdate(pub.published_at) > on:
        raise RuleViolation(
            _("名单须先在公开门户公示，才能发放。"),
            field="date",
            code="PUB-8-benefit-unpublished",
        )
    published = {r["seq"]: r["amount"] for r in pub.content["rows"]}
    recipients = list(programme.recipients.order_by("seq"))
    if {r.seq for r in recipients} != set(published) or any(
        published[r.seq] != r.amount for r in recipients
    ):
        raise RuleViolation(
            _("名单在公示后有变动，须重新公示后才能发放。"),
            field="date",
            code="PUB-8-benefit-not-published",
        )
    done = set(
        BenefitPayment.objects.filter(batch__programme=programme)
        .exclude(status=BenefitPaymentStatus.FAILED)
        .values_list("recipient_id", flat=True)
    )
    todo = [r for r in recipients if r.pk not in done]
    if not todo:
        raise InvalidInput(_("名单上的人员都已发放。"), field="date")
    number = (programme.batches.aggregate(m=models_max("number"))["m"] or 0) + 1
    batch = BenefitBatch.objects.create(
        programme=programme, number=number, date=on, publication=pub, created_at=_now(at)
    )
    payments = BenefitPayment.objects.bulk_create(
        [
            BenefitPayment(
                batch=batch,
                recipient=r,
                seq=i,
                amount=published[r.seq],
                card_key=r.card_key,
                card_last4=r.card_number[-4:],
            )
            for i, r in enumerate(todo, start=1)
        ]
    )
    content = batch_pay_file(batch)
    batch.pay_sha256 = hashlib.sha256(content).hexdigest()
    batch.save(update_fields=["pay_sha256"])
    record(
        actor,
        events.BENEFIT_BATCH_EXPORTED,
        batch,
        events.benefit_batch(batch, payments, file_sha256=batch.pay_sha256),
        at=at,
    )
    return batch


def batch_ref(batch) -> str:
    return f"{batch.programme.book.code}-{batch.programme.code}-{batch.number:02d}"


def batch_pay_file(batch) -> bytes:
    """The bank's pay file (代发文件), UTF-8 CSV with BOM, columns PAY_COLUMNS; amounts in yuan."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(PAY_COLUMNS)
    ref = batch_ref(batch)
    for p in batch.payments.select_related("recipient").order_by("seq"):
        r = p.recipient
        w.writerow(
            [
                p.seq,
                ref,
                r.name,
                r.id_number,
                r.card_number,
                r.bank,
                selectors.yuan(p.amount).replace(",", ""),
                batch.programme.name,
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def return_file_from_bank(batch, failures: dict[int, str] | None = None, holders=None) -> bytes:
    """The return file (回盘文件) the bank would send: every row 成功 except `failures`
    {seq: reason}; `holders` {seq: account name} where the card's name differs (demo, tests)."""
    failures, holders = failures or {}, holders or {}
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(RETURN_COLUMNS)
    ref = batch_ref(batch)
    for p in batch.payments.select_related("recipient").order_by("seq"):
        r = p.recipient
        w.writerow(
            [
                p.seq,
                ref,
                holders.get(p.seq, r.name),
                r.card_number,
                selectors.yuan(p.amount).replace(",", ""),
                "失败" if p.seq in failures else "成功",
                failures.get(p.seq, ""),
                batch.date.isoformat(),
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _book_benefit_voucher(programme, on, paid, *, actor, at, cash=False, summary=""):
    """Dr the programme's account / Cr bank (or cash), both under its fund source: one line
    pair per batch, the total of what was paid."""
    total = sum(p.amount for p in paid)
    if total <= 0:
        return None, []
    credit = account_by_role(AccountRole.CASH if cash else AccountRole.BANK)
    specs = [
        {
            "account": programme.account,
            "side": Side.DEBIT,
            "amount": total,
            "project": programme.code,
            "fund": programme.fund,
            "summary": programme.name,
        },
        {
            "account": credit,
            "side": Side.CREDIT,
            "amount": total,
            "fund": programme.fund,
            "summary": programme.name,
        },
    ]
    clean = _clean_lines(specs)
    voucher = _create_voucher(
        programme.book,
        VoucherKind.PAYMENT,
        on,
        summary or _("发放%(n)s（%(c)d 人）") % {"n": programme.name, "c": len(paid)},
        clean,
        [],
        prepared_by=events_actor(actor),
    )
    posted = _post(voucher, actor=actor, at=at)
    return voucher, posted


@transaction.atomic
def do_import_return(batch, content: bytes, filename: str, *, actor, at=None):
    """The bank's return file (RETURN_COLUMNS; CSV or .xlsx): per row 成功/失败 with the bank's
    reason and the account name (户名) the bank paid to; the successful total is booked as one
    posted 付款凭证 in the part-1 books. All rows must match the batch (seq, card, amount)."""
    from .models import BenefitBatch, BenefitBatchStatus, BenefitPaymentStatus

    batch = (
        BenefitBatch.objects.select_for_update().select_related("programme__book").get(pk=batch.pk)
    )
    programme = batch.programme
    _require_centre(actor, programme.book, batch.date)
    if batch.status != BenefitBatchStatus.EXPORTED:
        raise InvalidInput(_("该批次已导入回盘文件。"), field="file")
    rows = _table(content, filename)
    payments = {p.seq: p for p in batch.payments.select_related("recipient")}
    errors, results = {}, {}
    for n, row in enumerate(rows[1:], start=2):
        if all(_cell(row, i) == "" for i in range(len(RETURN_COLUMNS))):
            continue
        seq = _cell(row, 0)
        p = payments.get(int(seq)) if seq.isdigit() else None
        problem = ""
        if p is None:
            problem = _("序号不在本批次中。")
        elif _cell(row, 1) and _cell(row, 1) != batch_ref(batch):
            problem = _("批次号不符。")
        elif "".join(_cell(row, 3).split()) != p.recipient.card_number:
            problem = _("银行卡号与代发文件不符。")
        else:
            try:
                if parse_yuan(_cell(row, 4)) != p.amount:
                    problem = _("金额与代发文件不符。")
            except InvalidInput as exc:
                problem = exc.message
        result = _cell(row, 5)
        if not problem and result not in ("成功", "失败"):
            problem = _("结果应为“成功”或“失败”。")
        if not problem and p.seq in results:
            problem = _("序号重复。")
        if problem:
            errors[n] = problem
            continue
        results[p.seq] = (result == "成功", _cell(row, 2)[:50], _cell(row, 6)[:100])
    missing = sorted(set(payments) - set(results))
    if missing and not errors:
        errors[0] = _("回盘文件缺少序号：%s。") % "、".join(str(s) for s in missing)
    if errors:
        exc = InvalidInput(
            _("回盘文件有 %d 处不正确，未导入：") % len(errors)
            + "；".join(
                (_("第 %(n)d 行：%(e)s") % {"n": n, "e": e}) if n else e for n, e in errors.items()
            ),
            field="file",
        )
        exc.row_errors = errors
        raise exc
    paid = []
    for seq, p in payments.items():
        ok, holder, message = results[seq]
        p.status = BenefitPaymentStatus.PAID if ok else BenefitPaymentStatus.FAILED
        p.holder_name, p.bank_message = holder, message
        p.paid_on = batch.date if ok else None
        p.save(update_fields=["status", "holder_name", "bank_message", "paid_on"])
        if ok:
            paid.append(p)
    voucher, posted = _book_benefit_voucher(programme, batch.date, paid, actor=actor, at=at)
    batch.status, batch.voucher = BenefitBatchStatus.RETURNED, voucher
    batch.return_sha256 = hashlib.sha256(content).hexdigest()
    batch.save(update_fields=["status", "voucher", "return_sha256"])
    payload = events.benefit_batch(batch, list(payments.values()), file_sha256=batch.return_sha256)
    payload["paid"] = len(paid)
    payload["failed"] = len(payments) - len(paid)
    if voucher is not None:
        payload["voucher_lines"] = events.voucher_payload(voucher, posted)
    record(actor, events.BENEFIT_BATCH_RETURNED, batch, payload, at=at)
    return batch


@transaction.atomic
def do_import_paid_batch(
    programme,
    on: date,
    rows: list[dict],
    *,
    actor,
    at=None,
    pay_method: str = PayMethod.BANK,
):
    """History from the old system (or a paper ledger): a batch already paid, recorded as it
    was — cash or bank, the card and account name actually paid — so that the FIN-15/PUB-8
    rules judge it. `rows`: [{"recipient", "amount", "card_number", "holder_name"}]."""
    from .models import (
        BenefitBatch,
        BenefitBatchStatus,
        BenefitPayment,
        BenefitPaymentStatus,
    )

    programme = _lock_programme(programme)
    _require_centre(actor, programme.book, on)
    if pay_method not in PayMethod.values:
        raise InvalidInput(_("请选择支付方式。"), field="pay_method")
    number = (programme.batches.aggregate(m=models_max("number"))["m"] or 0) + 1
    pub = (
        programme.publications.filter(published_at__date__lte=on).order_by("-published_at").first()
    )
    batch = BenefitBatch.objects.create(
        programme=programme,
        number=number,
        date=on,
        status=BenefitBatchStatus.RETURNED,
        pay_method=pay_method,
        publication=pub,
        imported=True,
        created_at=_now(at),
    )
    payments = []
    for i, row in enumerate(rows, start=1):
        r = row["recipient"]
        card = clean_card(row.get("card_number") or r.card_number)
        payments.append(
            BenefitPayment.objects.create(
                batch=batch,
                recipient=r,
                seq=i,
                amount=_fen(row.get("amount", r.amount)),
                card_key=selectors.benefit_key(card),
                card_last4=card[-4:],
                holder_name=(row.get("holder_name") or r.name)[:50],
                status=BenefitPaymentStatus.PAID,
                paid_on=on,
            )
        )
    voucher, posted = _book_benefit_voucher(
        programme, on, payments, actor=actor, at=at, cash=pay_method == PayMethod.CASH
    )
    batch.voucher = voucher
    batch.save(update_fields=["voucher"])
    payload = events.benefit_batch(batch, payments, file_sha256="")
    if voucher is not None:
        payload["voucher_lines"] = events.voucher_payload(voucher, posted)
    record(actor, events.BENEFIT_BATCH_IMPORTED, batch, payload, at=at)
    return batch


@transaction.atomic
def do_issue_code(recipient, *, actor, at=None) -> str:
    """The village issues a new 查询码 to a recipient (the old one stops working)."""
    from .models import BenefitRecipient

    r = (
        BenefitRecipient.objects.select_for_update()
        .select_related("programme__book")
        .get(pk=recipient.pk)
    )
    _require_benefit_staff(actor, r.programme.book, timezone.localdate(_now(at)))
    r.code = _new_code()
    r.save(update_fields=["code"])
    record(
        actor,
        events.BENEFIT_CODE_ISSUED,
        r,
        {"programme": r.programme_id, "recipient": r.pk, "seq": r.seq},
        at=at,
    )
    return r.code


@transaction.atomic
def do_confirm_receipt(programme, id_number: str, code: str, received: bool, *, at=None) -> None:
    """A recipient confirms (or reports not having) the payment on the portal, with the ID
    number and the 查询码; no account. Returns nothing either way: the page answers the same
    whether or not the ID is on the list (the caller rate-limits). Only a malformed ID is
    refused, which says nothing about the list."""
    import hmac as _hmac

    from wuquan.common.identity import is_valid_ric, normalise_id_number

    from .models import BenefitPayment

    id_number = normalise_id_number(id_number)
    if not is_valid_ric(id_number):
        raise InvalidInput(_("请填写正确的18位身份证号。"), field="id_number")
    code = normalise_id_number(code)
    if not code:
        raise InvalidInput(_("请填写查询码。"), field="code")
    recipient = programme.recipients.filter(id_key=selectors.benefit_key(id_number)).first()
    if recipient is None or not _hmac.compare_digest(recipient.code, code):
        return None
    payment = (
        BenefitPayment.objects.select_for_update()
        .filter(recipient=recipient, batch__status="returned")
        .order_by("-batch__number")
        .first()
    )
    if payment is None:
        return None
    when = _now(at)
    if received:
        payment.confirmed_at, payment.reported_missing_at = when, None
        action = events.BENEFIT_RECEIPT_CONFIRMED
    else:
        payment.reported_missing_at = when
        action = events.BENEFIT_RECEIPT_MISSING
    payment.save(update_fields=["confirmed_at", "reported_missing_at"])
    record(
        "villager",
        action,
        payment,
        {
            "programme": programme.pk,
            "batch": payment.batch_id,
            "payment": payment.pk,
            "status": payment.status,
            "amount": payment.amount,
        },
        at=at,
    )
    return None


def post_held_centre(actor, book: Book):
    """(person, post) when `actor` is the book's centre accountant today, else None."""
    return selectors.post_held(actor, book.centre, CENTRE_POST, timezone.localdate())

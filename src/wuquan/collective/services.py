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
from wuquan.common.sheets import cell_text, read_rows
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
    _check_cross_village(book, _line_movements(clean), on)  # FIN-14 (part 2)
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
    _check_cross_village(book, [(counterparty, amount)], on)  # FIN-14 (part 2)
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
    rows = read_rows(content, filename)
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


def _cell(row, i) -> str:
    return cell_text(row[i]) if i < len(row) else ""


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

    rows = read_rows(content, filename)
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
    rows = read_rows(content, filename)
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


# ==== part 2 (issue 15): registers (FIN-7), contracts (FIN-9), tenders (FIN-10), FIN-14 ======
# 附件15 二(二)2: 清查登记备案 (台账, 账账相符、账实相符), 村级经济合同管理制度 (六步工作法,
# 报“三资”代理服务中心备案), 村级集体项目招投标制度 (区、乡、村分级); 二(二)3(1): 任何组织和
# 个人不准平调、借贷、挪用各行政村“三资”.

from wuquan.collective.models import (  # noqa: E402
    INCOME_KINDS,
    TENDER_KINDS,
    Asset,
    AssetClass,
    AssetDocument,
    AssetStatus,
    Contract,
    ContractKind,
    ContractStatus,
    InventoryBatch,
    InventoryItem,
    InventoryStatus,
    ScheduleItem,
    TownshipApproval,
)

TOWNSHIP_APPROVER_POSTS = ("head", "deputy-2")  # 镇长, 分管财务的副镇长 (org demo's posts)
LEASE_KINDS = (ContractKind.LEASE,)  # 民法典 第七百零五条 applies to 租赁合同


def _require_village_or_centre(actor, book: Book, on: date):
    """The village 报账员 prepares, the centre keeps: either may record."""
    held = selectors.post_held(actor, book.unit, ACCOUNTANT_POST, on)
    return held or _require_centre(actor, book, on)


def _problems(problems: dict):
    if problems:
        field, message = next(iter(problems.items()))
        exc = InvalidInput(message, field=field)
        exc.problems = problems
        raise exc


def parse_area(text, field: str = "area_mu") -> Decimal:
    try:
        value = Decimal(str(text or "0").replace(",", "").strip() or "0")
    except InvalidOperation as exc:
        raise InvalidInput(_("请填写正确的面积（亩）。"), field=field) from exc
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidInput(_("面积须为非负数，最多两位小数。"), field=field)
    return value


def _clean_asset(spec: dict, row: str = "") -> dict:
    """An asset or inventory line, checked: code, name, class, values in fen, status."""
    p = {}
    code = str(spec.get("code") or "").strip()
    name = str(spec.get("name") or "").strip()
    if not code:
        p["code"] = row + _("请填写编号。")
    if not name:
        p["name"] = row + _("请填写名称。")
    cls = spec.get("asset_class")
    if cls not in AssetClass.values:
        p["asset_class"] = row + _("请选择类别（资源性、经营性或非经营性资产）。")
    status = spec.get("status") or AssetStatus.SELF_USE
    if status not in AssetStatus.values:
        p["status"] = row + _("请选择状态。")
    values = {}
    for key in ("original_value", "depreciation"):
        v = spec.get(key) or 0
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            p[key] = row + _("金额须为非负整数（分）。")
        values[key] = v
    if not p and values["depreciation"] > values["original_value"]:
        p["depreciation"] = row + _("累计折旧不能大于原值。")
    qty = spec.get("quantity") or 1
    if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
        p["quantity"] = row + _("数量须为正整数。")
    try:
        area = parse_area(spec.get("area_mu") or 0)
    except InvalidInput as exc:
        p["area_mu"] = row + exc.message
        area = Decimal(0)
    if cls == AssetClass.RESOURCE and not area and "area_mu" not in p:
        p["area_mu"] = row + _("资源性资产须填写面积（亩）。")
    acct = None
    raw = spec.get("account")
    if raw:
        acct = raw if isinstance(raw, Account) else Account.objects.filter(code=str(raw)).first()
        if acct is None or acct.category != Category.ASSET:
            p["account"] = row + _("所在科目须为资产类科目。")
    _problems(p)
    return {
        "code": code[:30],
        "name": name[:100],
        "asset_class": cls,
        "kind": str(spec.get("kind") or "").strip()[:30],
        "quantity": qty,
        "area_mu": area,
        "location": str(spec.get("location") or "").strip()[:200],
        "boundaries": str(spec.get("boundaries") or "").strip()[:200],
        "original_value": values["original_value"],
        "depreciation": values["depreciation"],
        "account": acct,
        "status": status,
    }


@transaction.atomic
def do_register_asset(book: Book, spec: dict, attachments=None, *, actor, at=None) -> Asset:
    """An asset acquired after the inventory (a new building, a purchase) enters the register."""
    _require_centre(actor, book, timezone.localdate(_now(at)))
    clean = _clean_asset(spec)
    if Asset.objects.filter(book=book, code=clean["code"]).exists():
        raise InvalidInput(_("编号已存在。"), field="code")
    asset = Asset.objects.create(book=book, **clean)
    shas = _save_asset_documents(asset, _attachments(attachments), at)
    record(
        actor,
        events.ASSET_REGISTERED,
        asset,
        {**events.asset_payload(asset), "documents": shas},
        at=at,
    )
    return asset


def _save_asset_documents(asset: Asset, files, at) -> list[str]:
    shas = []
    for name, content in files:
        sha = hashlib.sha256(content).hexdigest()
        AssetDocument.objects.create(
            asset=asset,
            name=name,
            sha256=sha,
            size=len(content),
            content=content,
            added_at=_now(at),
        )
        shas.append(sha)
    return shas


@transaction.atomic
def do_add_asset_documents(asset: Asset, attachments, *, actor, at=None) -> list[str]:
    """Photos and documents (权属证明, 照片) of an asset, kept by their SHA-256."""
    _require_village_or_centre(actor, asset.book, timezone.localdate(_now(at)))
    files = _attachments(attachments)
    if not files:
        raise InvalidInput(_("请选择文件。"), field="attachments")
    shas = _save_asset_documents(asset, files, at)
    record(
        actor,
        events.ASSET_DOCUMENT_ADDED,
        asset,
        {"book": asset.book.code, "asset": asset.pk, "documents": shas},
        at=at,
    )
    return shas


def _check_asset_deal(
    book: Book, amount: int, on: date, matter, exchange_ref: str, *, field="matter"
) -> None:
    """A disposal, lease or contracting-out at or above the village threshold rests on a valid
    six-step matter; at or above the second threshold it goes through the township's
    农村产权流转交易 market (its transaction number is recorded) — refused otherwise."""
    if amount >= selectors.limit(book, "asset_deal_matter", on):
        _require_valid_matter(matter, book, field)
    if (
        amount >= selectors.limit(book, "asset_deal_exchange", on)
        and not (exchange_ref or "").strip()
    ):
        raise RuleViolation(
            _("金额达到 %s 元，须经乡镇农村产权流转交易市场公开交易，请填写交易编号。")
            % selectors.yuan(selectors.limit(book, "asset_deal_exchange", on)),
            field="exchange_ref",
            code="FIN-7-property-exchange",
        )


@transaction.atomic
def do_set_asset_status(asset: Asset, status: str, *, actor, at=None) -> Asset:
    asset = Asset.objects.select_for_update().select_related("book").get(pk=asset.pk)
    _require_centre(actor, asset.book, timezone.localdate(_now(at)))
    if status not in AssetStatus.values or status == AssetStatus.DISPOSED:
        raise InvalidInput(_("请选择状态（处置请办理资产处置）。"), field="status")
    if asset.status == AssetStatus.DISPOSED:
        raise InvalidInput(_("该资产已处置。"), field="status")
    before, asset.status = asset.status, status
    asset.save(update_fields=["status"])
    record(
        actor,
        events.ASSET_STATUS_CHANGED,
        asset,
        {"book": asset.book.code, "asset": asset.pk, "from": before, "to": status},
        at=at,
    )
    return asset


@transaction.atomic
def do_dispose_asset(
    asset: Asset, on: date, amount: int, *, actor, at=None, matter=None, exchange_ref: str = ""
) -> Asset:
    """处置 (sale, scrapping, transfer): a valid six-step matter above the village threshold,
    the township exchange above the second (FIN-7)."""
    asset = Asset.objects.select_for_update().select_related("book").get(pk=asset.pk)
    book = asset.book
    _require_centre(actor, book, on)
    if asset.status == AssetStatus.DISPOSED:
        raise InvalidInput(_("该资产已处置。"), field="status")
    if _fen(amount, "amount") < 0:
        raise InvalidInput(_("处置金额不能为负。"), field="amount")
    _check_asset_deal(
        book, max(amount, asset.original_value - asset.depreciation), on, matter, exchange_ref
    )
    before = asset.status
    asset.status, asset.disposed_on = AssetStatus.DISPOSED, on
    asset.save(update_fields=["status", "disposed_on"])
    record(
        actor,
        events.ASSET_DISPOSED,
        asset,
        {
            "book": book.code,
            "asset": asset.pk,
            "from": before,
            "on": on.isoformat(),
            "amount": amount,
            "matter": matter.pk if matter else None,
            "exchange_ref": exchange_ref,
        },
        at=at,
    )
    return asset


# ---- 清产核资 (inventory batches) --------------------------------------------------------------


CLASS_BY_LABEL = {str(label): value for value, label in AssetClass.choices}
STATUS_BY_LABEL = {str(label): value for value, label in AssetStatus.choices}


def parse_register(content: bytes, filename: str) -> list[dict]:
    """A register sheet (the columns of selectors.REGISTER_COLUMNS, a header row first; .xlsx
    or UTF-8 CSV) → asset specs. Values in yuan become fen exactly (Decimal)."""
    rows = read_rows(content, filename)
    start = next(
        (i + 1 for i, r in enumerate(rows) if r and str(r[0] or "").strip() == "编号"), None
    )
    if start is None:
        raise InvalidInput(_("找不到表头“编号”。"), field="file")
    out = []
    for i, r in enumerate(rows[start:], start=start + 1):
        if not r or all(c in (None, "") for c in r):
            continue
        r = list(r) + [""] * (12 - len(r))
        cls = CLASS_BY_LABEL.get(str(r[2] or "").strip(), str(r[2] or "").strip())
        status = STATUS_BY_LABEL.get(str(r[11] or "").strip(), str(r[11] or "").strip())
        try:
            qty = int(str(r[4] or "1").strip() or 1)
            value = parse_yuan(r[8] or 0, "file")
            dep = parse_yuan(r[9] or 0, "file")
        except (ValueError, InvalidInput) as exc:
            raise InvalidInput(_("第 %d 行：数量或金额格式不对。") % i, field="file") from exc
        out.append(
            {
                "code": str(r[0] or "").strip(),
                "name": str(r[1] or "").strip(),
                "asset_class": cls,
                "kind": str(r[3] or "").strip(),
                "quantity": qty,
                "area_mu": r[5] or 0,
                "location": str(r[6] or "").strip(),
                "boundaries": str(r[7] or "").strip(),
                "original_value": value,
                "depreciation": dep,
                "account": str(r[10] or "").strip(),
                "status": status or AssetStatus.SELF_USE,
                "_row": i,
            }
        )
    if not out:
        raise InvalidInput(_("清查表没有数据行。"), field="file")
    return out


def _items_digest(items) -> str:
    return events.digest(
        sorted(
            [
                it.code,
                it.asset_class,
                f"{Decimal(it.area_mu):.2f}",
                it.quantity,
                it.original_value,
                it.depreciation,
                it.account.code if it.account_id else "",
                it.status,
            ]
            for it in items
        )
    )


@transaction.atomic
def do_count_inventory(
    book: Book, title: str, as_of: date, specs: list[dict], *, actor, at=None
) -> InventoryBatch:
    """清查登记: the counted assets and resources of a village as of a day (the centre's or
    the village's 清查小组 work, 看账本和实地勘察相结合)."""
    _require_village_or_centre(actor, book, timezone.localdate(_now(at)))
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("请填写清查名称。"), field="title")
    if not isinstance(as_of, date):
        raise InvalidInput(_("请填写清查基准日。"), field="as_of")
    if not specs:
        raise InvalidInput(_("清查表没有数据行。"), field="file")
    clean, seen = [], set()
    for spec in specs:
        row = _("第 %d 行：") % spec["_row"] if spec.get("_row") else ""
        try:
            c = _clean_asset(spec, row)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field="file") from exc
        if c["code"] in seen:
            raise InvalidInput(row + _("编号 %s 重复。") % c["code"], field="file")
        seen.add(c["code"])
        clean.append(c)
    batch = InventoryBatch.objects.create(
        book=book, title=title[:100], as_of=as_of, sha256="", counted_at=_now(at)
    )
    items = InventoryItem.objects.bulk_create([InventoryItem(batch=batch, **c) for c in clean])
    batch.sha256 = _items_digest(items)
    batch.save(update_fields=["sha256"])
    record(
        actor,
        events.INVENTORY_COUNTED,
        batch,
        {
            "book": book.code,
            "batch": batch.pk,
            "as_of": as_of.isoformat(),
            "items": len(items),
            "sha256": batch.sha256,
            "original_value": sum(c["original_value"] for c in clean),
        },
        at=at,
    )
    return batch


@transaction.atomic
def do_publish_inventory(batch: InventoryBatch, *, actor, at=None) -> InventoryBatch:
    """公示: the counted list published to the members (在全村公开)."""
    batch = InventoryBatch.objects.select_for_update().select_related("book").get(pk=batch.pk)
    _require_centre(actor, batch.book, timezone.localdate(_now(at)))
    if batch.status != InventoryStatus.COUNTED:
        raise InvalidInput(_("该清查结果已公示。"))
    batch.status, batch.published_at = InventoryStatus.PUBLISHED, _now(at)
    batch.save(update_fields=["status", "published_at"])
    record(
        actor,
        events.INVENTORY_PUBLISHED,
        batch,
        {"book": batch.book.code, "batch": batch.pk, "sha256": batch.sha256},
        at=at,
    )
    return batch


@transaction.atomic
def do_confirm_inventory(batch: InventoryBatch, matter, *, actor, at=None) -> InventoryBatch:
    """确认: the members' (representatives') assembly confirmed the published list — a valid
    six-step matter — and the register is set from it (台账, 统一进行备案): each counted line
    creates or updates the asset of its code."""
    batch = InventoryBatch.objects.select_for_update().select_related("book").get(pk=batch.pk)
    book = batch.book
    _require_centre(actor, book, timezone.localdate(_now(at)))
    if batch.status == InventoryStatus.COUNTED:
        raise RuleViolation(
            _("清查结果须先向成员公示，再提交成员（代表）会议确认。"),
            code="FIN-7-inventory-publish-first",
        )
    if batch.status == InventoryStatus.CONFIRMED:
        raise InvalidInput(_("该清查结果已确认。"))
    _require_valid_matter(matter, book)
    items = list(batch.items.select_related("account"))
    if _items_digest(items) != batch.sha256:
        raise RuleViolation(_("清查表在公示后被改动，不能确认。"), code="FIN-7-inventory-changed")
    existing = {a.code: a for a in Asset.objects.filter(book=book)}
    fields = [
        "name",
        "asset_class",
        "kind",
        "quantity",
        "area_mu",
        "location",
        "boundaries",
        "original_value",
        "depreciation",
        "account",
        "status",
    ]
    new, changed = [], []
    for it in items:
        a = existing.get(it.code) or Asset(book=book, code=it.code)
        for f in fields:
            setattr(a, f, getattr(it, f))
        a.batch = batch
        (changed if a.pk else new).append(a)
    Asset.objects.bulk_create(new)
    if changed:
        Asset.objects.bulk_update(changed, [*fields, "batch"])
    batch.status, batch.matter, batch.confirmed_at = InventoryStatus.CONFIRMED, matter, _now(at)
    batch.save(update_fields=["status", "matter", "confirmed_at"])
    record(
        actor,
        events.INVENTORY_CONFIRMED,
        batch,
        {
            "book": book.code,
            "batch": batch.pk,
            "matter": matter.pk,
            "sha256": batch.sha256,
            "created": len(new),
            "updated": len(changed),
        },
        at=at,
    )
    return batch


# ---- contracts (FIN-9) -----------------------------------------------------------------------


def _years_between(start: date, end: date) -> Decimal:
    return Decimal((end - start).days + 1) / Decimal("365.25")


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def clean_counterparty_id(value: str, is_person: bool) -> str:
    """A resident ID (python-stdnum cn.ric through common.identity) or a 统一社会信用代码
    (common.identity.is_valid_uscc, which accepts the N/Y authority codes of collectives)."""
    from wuquan.common.identity import is_valid_ric, is_valid_uscc, normalise_id_number

    value = normalise_id_number(value or "")
    if is_person:
        if not is_valid_ric(value):
            raise InvalidInput(_("请填写有效的居民身份证号码。"), field="counterparty_id")
    elif not is_valid_uscc(value):
        raise InvalidInput(_("请填写有效的统一社会信用代码。"), field="counterparty_id")
    return value


def _tender_route(book: Book, amount: int, on: date):
    """(village limit in fen, organiser level) from the procurement app's routing (FIN-10)."""
    from wuquan.procurement.selectors import organiser_level, tier_setting_for

    setting = tier_setting_for(book.unit, on)
    return setting.village_limit_fen, organiser_level(book.unit, amount, setting)


PROCUREMENT_CATEGORY = {
    ContractKind.WORKS: "works",
    ContractKind.GOODS: "goods",
    ContractKind.SERVICES: "services",
}


def _check_tender(book: Book, kind: str, amount: int, on: date, tender) -> None:
    """FIN-10: a village 工程/采购/服务 contract above the village's own tendering limit is
    tendered by the township or the district — it must name that tender (procurement app)."""
    try:
        limit_fen, level = _tender_route(book, amount, on)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="tender") from exc
    if amount <= limit_fen:
        return
    if tender is None:
        raise RuleViolation(
            _("金额超过村级自行招标上限 %(l)s 元，须由%(o)s组织招标，请关联招标项目。")
            % {
                "l": selectors.yuan(limit_fen),
                "o": {"township": _("乡镇"), "district": _("区")}.get(level, level),
            },
            field="tender",
            code="FIN-10-tiered-tender",
        )
    req = tender.request
    if req.buyer_id != book.unit_id or req.category != PROCUREMENT_CATEGORY[kind]:
        raise InvalidInput(_("所选招标项目不是本村同类别的项目。"), field="tender")
    if tender.status != "complete":
        raise RuleViolation(
            _("所选招标项目尚未定标。"), field="tender", code="FIN-10-tiered-tender"
        )


def _clean_schedule(schedule, amount: int, start: date, end: date) -> list[tuple[date, int]]:
    out = []
    for i, item in enumerate(schedule or [], start=1):
        try:
            due, fen = item
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("第 %d 期格式不对。") % i, field="schedule") from exc
        if not isinstance(due, date):
            raise InvalidInput(_("第 %d 期：请填写日期。") % i, field="schedule")
        if isinstance(fen, bool) or not isinstance(fen, int) or fen <= 0:
            raise InvalidInput(_("第 %d 期：金额须大于零。") % i, field="schedule")
        if not (start - timedelta(days=366) <= due <= end + timedelta(days=366)):
            raise InvalidInput(_("第 %d 期的日期不在合同期限内。") % i, field="schedule")
        out.append((due, fen))
    if not out:
        raise InvalidInput(_("请填写收付款计划（至少一期）。"), field="schedule")
    if sum(f for _d, f in out) != amount:
        raise InvalidInput(
            _("收付款计划合计 %(s)s 元，与合同金额 %(a)s 元不符。")
            % {"s": selectors.yuan(sum(f for _d, f in out)), "a": selectors.yuan(amount)},
            field="schedule",
        )
    return sorted(out)


def parse_schedule(text: str) -> list[tuple[date, int]]:
    """Form text, one instalment a line: `2026-03-31 12000.00` (date, yuan)."""
    out = []
    for i, line in enumerate((text or "").splitlines(), start=1):
        line = line.replace("，", " ").replace(",", " ").strip()
        if not line:
            continue
        parts = line.split()
        try:
            out.append((date.fromisoformat(parts[0]), parse_yuan(parts[1], "schedule")))
        except (ValueError, IndexError, InvalidInput) as exc:
            raise InvalidInput(
                _("第 %d 行：请写成“日期 金额”，如 2026-03-31 12000.00。") % i, field="schedule"
            ) from exc
    return out


@transaction.atomic
def do_record_contract(
    book: Book,
    *,
    number: str,
    kind: str,
    title: str,
    counterparty: str,
    counterparty_id: str,
    amount: int,
    signed_on: date,
    start: date,
    end: date,
    matter,
    schedule,
    actor,
    at=None,
    counterparty_is_person: bool | None = None,
    asset: Asset | None = None,
    tender=None,
    exchange_ref: str = "",
    signed_by=None,
    imported: bool = False,
    settled_until: date | None = None,
) -> Contract:
    """登记 a village contract (FIN-9): on a valid six-step matter (附件15 二(二)2); a lease
    no longer than 20 years (民法典 第七百零五条); an asset lease/发包 above the thresholds
    through the township exchange (FIN-7); a 工程/采购/服务 contract above the village
    tendering limit on its tender (FIN-10); paying another collective only with a township
    approval (FIN-14). The subject asset's status becomes 出租/发包.

    `imported`: a contract of the old system, kept as it was (the tender and exchange checks
    are left to the rules); the six-step matter is still required. `settled_until` (imported
    only): the instalments due by then were collected or paid in the old books."""
    _require_village_or_centre(actor, book, timezone.localdate(_now(at)))
    p = {}
    number, title, counterparty = (
        (number or "").strip(),
        (title or "").strip(),
        (counterparty or "").strip(),
    )
    if not number:
        p["number"] = _("请填写合同编号。")
    elif Contract.objects.filter(book=book, number=number).exists():
        p["number"] = _("合同编号已存在。")
    if kind not in ContractKind.values:
        p["kind"] = _("请选择合同类别。")
    if not title:
        p["title"] = _("请填写合同名称。")
    if not counterparty:
        p["counterparty"] = _("请填写相对方。")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        p["amount"] = _("合同金额须大于零。")
    for key, value in (("signed_on", signed_on), ("start", start), ("end", end)):
        if not isinstance(value, date):
            p[key] = _("请填写日期。")
    if not p and end < start:
        p["end"] = _("终止日期不能早于起始日期。")
    if asset is not None and asset.book_id != book.pk:
        p["asset"] = _("标的资产不属于本账套。")
    elif asset is not None and asset.status == AssetStatus.DISPOSED:
        p["asset"] = _("标的资产已处置。")
    if kind in INCOME_KINDS and asset is None and not p:
        p["asset"] = _("发包、租赁合同须选择标的资产或资源。")
    if counterparty_is_person is None:
        from wuquan.common.identity import is_valid_ric

        counterparty_is_person = is_valid_ric((counterparty_id or "").strip().upper())
    try:
        counterparty_id = clean_counterparty_id(counterparty_id, counterparty_is_person)
    except InvalidInput as exc:
        p["counterparty_id"] = exc.message
    _problems(p)
    if kind in LEASE_KINDS:
        max_years = selectors.limit(book, "lease_max_years", signed_on)
        if end >= _add_years(start, max_years):
            raise RuleViolation(
                _("租赁期限不得超过二十年（民法典第七百零五条），超过部分无效。"),
                field="end",
                code="FIN-9-lease-20-years",
            )
    schedule = _clean_schedule(schedule, amount, start, end)
    _require_valid_matter(matter, book)
    if not imported:
        if kind in INCOME_KINDS:
            _check_asset_deal(book, amount, signed_on, matter, exchange_ref)
        if kind in TENDER_KINDS:
            _check_tender(book, kind, amount, signed_on, tender)
        if kind not in INCOME_KINDS:
            _check_cross_village(book, [(counterparty, amount)], signed_on)
    contract = Contract.objects.create(
        book=book,
        number=number[:40],
        kind=kind,
        title=title[:200],
        counterparty=counterparty[:100],
        counterparty_is_person=counterparty_is_person,
        counterparty_id=counterparty_id,
        asset=asset,
        amount=amount,
        signed_on=signed_on,
        start=start,
        end=end,
        matter=matter,
        tender=tender,
        exchange_ref=(exchange_ref or "").strip()[:60],
        signed_by=signed_by,
        recorded_on=timezone.localdate(_now(at)),
        recorded_at=_now(at),
        imported=imported,
    )
    if settled_until is not None and not imported:
        raise InvalidInput(_("只有导入的历史合同可以标记已在原账收付。"), field="settled_until")
    items = ScheduleItem.objects.bulk_create(
        [
            ScheduleItem(
                contract=contract,
                due_on=d,
                amount=f,
                settled_on=d if settled_until is not None and d <= settled_until else None,
            )
            for d, f in schedule
        ]
    )
    if asset is not None and kind in INCOME_KINDS and end >= timezone.localdate(_now(at)):
        asset.status = AssetStatus.LEASED if kind == ContractKind.LEASE else AssetStatus.CONTRACTED
        asset.save(update_fields=["status"])
    record(
        actor,
        events.CONTRACT_RECORDED,
        contract,
        events.contract_recorded(contract=contract, schedule=items),
        at=at,
    )
    return contract


@transaction.atomic
def do_file_contract(contract: Contract, *, actor, at=None) -> Contract:
    """备案 with the township 三资 centre (附件15 二(二)2: 报“三资”代理服务中心备案)."""
    contract = Contract.objects.select_for_update().select_related("book").get(pk=contract.pk)
    _require_centre(actor, contract.book, timezone.localdate(_now(at)))
    if contract.filed_at:
        raise InvalidInput(_("该合同已备案。"))
    contract.filed_at = _now(at)
    contract.save(update_fields=["filed_at"])
    days = (timezone.localdate(contract.filed_at) - contract.signed_on).days
    record(
        actor,
        events.CONTRACT_FILED,
        contract,
        {"book": contract.book.code, "contract": contract.pk, "days_after_signing": days},
        at=at,
    )
    return contract


@transaction.atomic
def do_terminate_contract(contract: Contract, on: date, *, actor, at=None, matter=None) -> Contract:
    """A contract ends early (on a valid matter) or is closed after its term; the subject
    asset goes back to 闲置 unless another active contract holds it."""
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("book", "asset")
        .get(pk=contract.pk)
    )
    book = contract.book
    _require_centre(actor, book, on)
    if contract.status != ContractStatus.ACTIVE:
        raise InvalidInput(_("该合同已终止。"))
    if on < contract.end:
        _require_valid_matter(matter, book)
    contract.status = ContractStatus.TERMINATED
    contract.save(update_fields=["status"])
    asset = contract.asset
    if asset is not None and asset.status in (AssetStatus.LEASED, AssetStatus.CONTRACTED):
        others = Contract.objects.filter(
            asset=asset, status=ContractStatus.ACTIVE, end__gte=on
        ).exclude(pk=contract.pk)
        if not others.exists():
            asset.status = AssetStatus.IDLE
            asset.save(update_fields=["status"])
    record(
        actor,
        events.CONTRACT_TERMINATED,
        contract,
        {
            "book": book.code,
            "contract": contract.pk,
            "on": on.isoformat(),
            "matter": matter.pk if matter else None,
        },
        at=at,
    )
    return contract


# debit account of a payable instalment by contract kind (chart codes, see chart_2023.csv)
PAYABLE_DEBIT = {
    ContractKind.WORKS: "1303",  # 在建工程
    ContractKind.GOODS: "1121",  # 库存物资
    ContractKind.SERVICES: "5101",  # 管理费用
}
INCOME_CREDIT = "5001"  # 经营收入 (发包及上交收入 in the 2004 chart)


def _schedule_voucher(item: ScheduleItem, on: date, specs, summary, *, actor, at, event):
    contract = item.contract
    book = contract.book
    for s in specs:
        s.setdefault("counterparty", contract.counterparty)
        s.setdefault("counterparty_is_person", contract.counterparty_is_person)
        s.setdefault("project", contract.number[:40])
    clean = _clean_lines(specs)
    voucher = _create_voucher(
        book,
        VoucherKind.RECEIPT if event == events.SCHEDULE_SETTLED else VoucherKind.TRANSFER,
        on,
        summary,
        clean,
        [],
        prepared_by=events_actor(actor),
    )
    posted = _post(voucher, actor=actor, at=at, adjusting_ok=False)
    return voucher, posted


@transaction.atomic
def do_accrue_schedule(item: ScheduleItem, *, actor, at=None) -> Voucher:
    """An instalment falls due: 应收款 (发包/租赁: Dr 应收款 / Cr 经营收入) or 应付款
    (工程/采购/服务: Dr 在建工程·库存物资·管理费用 / Cr 应付款), a posted voucher dated the
    due day in the part-1 books."""
    item = ScheduleItem.objects.select_for_update().select_related("contract__book").get(pk=item.pk)
    contract = item.contract
    _require_centre(actor, contract.book, item.due_on)
    if item.accrual_id:
        raise InvalidInput(_("该期已入账。"))
    if contract.kind in INCOME_KINDS:
        specs = [
            {
                "account": account_by_role(AccountRole.RECEIVABLE),
                "side": Side.DEBIT,
                "amount": item.amount,
            },
            {"account": account(INCOME_CREDIT), "side": Side.CREDIT, "amount": item.amount},
        ]
        summary = _("应收 %(c)s %(t)s 第%(d)s期") % {
            "c": contract.number,
            "t": contract.get_kind_display(),
            "d": item.due_on.isoformat(),
        }
    else:
        _check_cross_village(contract.book, [(contract.counterparty, item.amount)], item.due_on)
        specs = [
            {
                "account": account(PAYABLE_DEBIT[contract.kind]),
                "side": Side.DEBIT,
                "amount": item.amount,
            },
            {
                "account": account_by_role(AccountRole.PAYABLE),
                "side": Side.CREDIT,
                "amount": item.amount,
            },
        ]
        summary = _("应付 %(c)s %(t)s 第%(d)s期") % {
            "c": contract.number,
            "t": contract.get_kind_display(),
            "d": item.due_on.isoformat(),
        }
    voucher, posted = _schedule_voucher(
        item, item.due_on, specs, summary, actor=actor, at=at, event=events.SCHEDULE_ACCRUED
    )
    item.accrual = voucher
    item.save(update_fields=["accrual"])
    record(
        actor,
        events.SCHEDULE_ACCRUED,
        item,
        {"contract": contract.pk, "item": item.pk, **_payload(voucher, posted)},
        at=at,
    )
    return voucher


@transaction.atomic
def do_settle_schedule(item: ScheduleItem, on: date, *, actor, at=None) -> Voucher:
    """A rent or contracting fee collected into the bank (Dr 银行存款 / Cr 应收款). Payables
    are paid through a 联签会审 payment request, not here."""
    item = ScheduleItem.objects.select_for_update().select_related("contract__book").get(pk=item.pk)
    contract = item.contract
    _require_centre(actor, contract.book, on)
    if contract.kind not in INCOME_KINDS:
        raise InvalidInput(_("付款须通过联签会审的用款申请办理。"))
    if item.settlement_id:
        raise InvalidInput(_("该期已收款。"))
    if item.accrual_id is None:
        raise InvalidInput(_("该期尚未确认应收。"))
    specs = [
        {"account": account_by_role(AccountRole.BANK), "side": Side.DEBIT, "amount": item.amount},
        {
            "account": account_by_role(AccountRole.RECEIVABLE),
            "side": Side.CREDIT,
            "amount": item.amount,
        },
    ]
    summary = _("收 %(c)s 第%(d)s期款") % {"c": contract.number, "d": item.due_on.isoformat()}
    voucher, posted = _schedule_voucher(
        item, on, specs, summary, actor=actor, at=at, event=events.SCHEDULE_SETTLED
    )
    item.settlement, item.settled_on = voucher, on
    item.save(update_fields=["settlement", "settled_on"])
    record(
        actor,
        events.SCHEDULE_SETTLED,
        item,
        {
            "contract": contract.pk,
            "item": item.pk,
            "days_late": max(0, (on - item.due_on).days),
            **_payload(voucher, posted),
        },
        at=at,
    )
    return voucher


# ---- FIN-14: no transfers across villages without the township's approval --------------------


def _check_cross_village(book: Book, movements, on: date) -> None:
    """Refuse a movement [(counterparty, fen)] to another village or community's collective
    unless a township approval covers it (附件15 二(二)3(1): 不准平调、借贷、挪用)."""
    for counterparty, amount in movements:
        other = selectors.other_collective(book, counterparty)
        if other is None:
            continue
        if selectors.transfer_approval(book, other, amount, on) is None:
            raise RuleViolation(
                _("向%(o)s划转资金或资产须经乡镇批准（不准平调、借贷、挪用村级“三资”）。")
                % {"o": other.name},
                field="counterparty",
                code="FIN-14-no-cross-village",
            )


def _line_movements(lines) -> list[tuple[str, int]]:
    """The lines of a voucher that move money out to a counterparty (Cr 库存现金/银行存款) or
    lend to it (Dr 应收款/内部往来)."""
    out = []
    for ln in lines:
        role = ln["account"].role
        if not ln.get("counterparty") or ln["amount"] <= 0:
            continue
        if (role in (AccountRole.CASH, AccountRole.BANK) and ln["side"] == Side.CREDIT) or (
            role in (AccountRole.RECEIVABLE, AccountRole.INTERNAL) and ln["side"] == Side.DEBIT
        ):
            out.append((ln["counterparty"], ln["amount"]))
    return out


@transaction.atomic
def do_approve_transfer(
    book: Book,
    other: Unit,
    amount: int,
    purpose: str,
    valid_from: date,
    valid_until: date,
    *,
    actor,
    at=None,
) -> TownshipApproval:
    """The township (镇长 or the deputy in charge of finance) approves a movement from one
    collective to another (FIN-14)."""
    on = timezone.localdate(_now(at))
    held = None
    for code in TOWNSHIP_APPROVER_POSTS:
        held = selectors.post_held(actor, book.centre, code, on)
        if held:
            break
    if held is None:
        raise NotPermitted(_("只有乡镇（街道）主要负责人或分管财务的负责人可以批准。"))
    p = {}
    if (
        other is None
        or other.pk == book.unit_id
        or other.kind not in (UnitKind.VILLAGE, UnitKind.COMMUNITY)
    ):
        p["other"] = _("请选择另一个村（社区）。")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        p["amount"] = _("金额须大于零。")
    if not (purpose or "").strip():
        p["purpose"] = _("请填写事由。")
    if (
        not isinstance(valid_from, date)
        or not isinstance(valid_until, date)
        or valid_until < valid_from
    ):
        p["valid_until"] = _("请填写有效期。")
    _problems(p)
    approval = TownshipApproval.objects.create(
        book=book,
        other=other,
        amount=amount,
        purpose=purpose.strip()[:200],
        valid_from=valid_from,
        valid_until=valid_until,
        approved_by=held[0],
        approved_at=_now(at),
    )
    record(
        actor,
        events.TOWNSHIP_APPROVED,
        approval,
        {
            "book": book.code,
            "other": other.code,
            "amount": amount,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
            "person": held[0].pk,
            "post": held[1].pk,
            "purpose_sha256": events.digest(purpose.strip()),
        },
        at=at,
    )
    return approval


@transaction.atomic
def do_import_voucher(
    book: Book, kind: str, on: date, summary: str, lines: list[dict], *, actor, at=None
) -> Voucher:
    """History from the old system (财会〔2023〕20号 changeover): a voucher booked there,
    posted as it was — without the FIN-14 refusal, so that the rules judge it (any movement to
    another collective without a township approval is an alarm)."""
    _require_centre(actor, book, on)
    clean = _clean_lines(lines)
    voucher = _create_voucher(book, kind, on, summary, clean, [], prepared_by=events_actor(actor))
    posted = _post(voucher, actor=actor, at=at)
    record(actor, events.VOUCHER_IMPORTED, voucher, _payload(voucher, posted), at=at)
    return voucher

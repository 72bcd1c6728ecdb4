"""Staff pages of the collective books and the portal's monthly disclosure — thin over the
services and selectors (FIN-7, FIN-8, FIN-11..13, PUB-7, PUB-11)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuquan.common.downloads import xlsx_response
from wuquan.common.exceptions import DomainError, InvalidInput, NotPermitted
from wuquan.decisions.models import VillageMatter

from . import selectors, services
from .models import (
    Account,
    AccountRole,
    Book,
    Category,
    Disclosure,
    PaymentRequest,
    PayMethod,
    Period,
    Question,
    Step,
    Voucher,
)


def _book(request, pk) -> Book:
    book = get_object_or_404(Book.objects.select_related("unit", "centre"), pk=pk)
    if not selectors.can_read_book(request.user, book):
        raise NotPermitted(_("您无权查看该账套。"))
    return book


def _month(request, book: Book) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        month = int(request.GET.get("month") or today.month)
        date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    return year, month


@login_required
def book_list(request):
    return render(
        request, "collective/book_list.html", {"books": selectors.books_visible_to(request.user)}
    )


@login_required
def book_detail(request, pk):
    book = _book(request, pk)
    year, month = _month(request, book)
    tb = selectors.trial_balance(book, year, month)
    period = Period.objects.filter(book=book, year=year, month=month).first()
    return render(
        request,
        "collective/book_detail.html",
        {
            "book": book,
            "year": year,
            "month": month,
            "tb": tb,
            "period": period,
            "status": selectors.period_status(book, year, month),
            "problems": services.closing_problems(book, year, month),
            "requests": book.requests.select_related("account")[:50],
            "vouchers": book.vouchers.filter(year=year, month=month).order_by("number")[:200],
            "disclosure": Disclosure.objects.filter(book=book, year=year, month=month).first(),
            "months": range(1, 13),
            "questions": Question.objects.filter(disclosure__book=book, answered_at__isnull=True),
        },
    )


@login_required
def trial_balance_xlsx(request, pk):
    """科目余额表 in Excel."""
    from openpyxl import Workbook

    book = _book(request, pk)
    year, month = _month(request, book)
    tb = selectors.trial_balance(book, year, month)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}-{month:02d}"
    ws.append([f"{book.name} 科目余额表 {year}年{month}月（单位：元）"])
    ws.append(
        [
            "科目编码",
            "科目名称",
            "期初借方",
            "期初贷方",
            "本期借方",
            "本期贷方",
            "期末借方",
            "期末贷方",
        ]
    )
    for r in tb.rows:
        ws.append(
            [
                r.account.code,
                r.account.name,
                max(r.opening, 0) / 100,
                max(-r.opening, 0) / 100,
                r.debit / 100,
                r.credit / 100,
                max(r.closing, 0) / 100,
                max(-r.closing, 0) / 100,
            ]
        )
    return xlsx_response(wb, f"trial-balance-{year}-{month:02d}.xlsx")


@login_required
def report(request, pk, kind):
    """总账, 明细账, 日记账, 资产负债表, 收益及收益分配表 — on screen and printable."""
    book = _book(request, pk)
    year, month = _month(request, book)
    ctx = {"book": book, "year": year, "month": month, "kind": kind}
    if kind == "general":
        ctx["ledger"] = selectors.general_ledger(book, year)
        ctx["title"] = _("总账")
    elif kind in ("detail", "cash", "bank"):
        if kind == "detail":
            acct = Account.objects.filter(code=request.GET.get("account") or "5101").first()
        else:
            acct = Account.objects.get(
                role=AccountRole.CASH if kind == "cash" else AccountRole.BANK
            )
        if acct is None:
            raise InvalidInput(_("没有该科目。"), field="account")
        ctx["account"] = acct
        ctx["opening"], ctx["rows"] = selectors.ledger_lines(book, acct, year, month)
        ctx["accounts"] = Account.objects.all()
        ctx["title"] = {
            "detail": _("明细账"),
            "cash": _("现金日记账"),
            "bank": _("银行存款日记账"),
        }[kind]
    elif kind == "balance":
        rows = selectors.balance_sheet(book, year, month)
        ctx["rows"] = rows
        ctx["totals"] = selectors.balance_sheet_totals(rows)
        ctx["categories"] = Category.choices
        ctx["title"] = _("资产负债表")
    elif kind == "income":
        rows = selectors.income_statement(book, year, month)
        ctx["rows"] = rows
        ctx["net"] = selectors.net_income(rows)
        ctx["title"] = _("收益及收益分配表")
    else:
        raise InvalidInput(_("没有该报表。"))
    return render(request, "collective/report.html", ctx)


@login_required
def voucher_print(request, pk):
    voucher = get_object_or_404(Voucher.objects.select_related("book"), pk=pk)
    _book(request, voucher.book_id)
    lines = list(voucher.lines.select_related("account"))
    total = sum(ln.amount for ln in lines if ln.side == "D")
    return render(
        request,
        "collective/voucher_print.html",
        {
            "v": voucher,
            "lines": lines,
            "total": total,
            "daxie": selectors.daxie(total),
            "attachments": voucher.attachments.all(),
        },
    )


def _matters(book):
    return VillageMatter.objects.filter(village=book.unit).order_by("-pk")


@login_required
def request_new(request, pk):
    book = _book(request, pk)
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            try:
                on = date.fromisoformat(data.get("date", ""))
            except ValueError as exc:
                raise InvalidInput(_("请填写日期。"), field="date") from exc
            amount = services.parse_yuan(data.get("amount") or "0")
            matter = _matters(book).filter(pk=data.get("matter") or 0).first()
            exception = _matters(book).filter(pk=data.get("exception_matter") or 0).first()
            req = services.do_create_request(
                book,
                on,
                data.get("summary", ""),
                amount,
                data.get("account", ""),
                data.get("counterparty", ""),
                actor=request.user,
                counterparty_is_person=bool(data.get("counterparty_is_person")),
                pay_method=data.get("pay_method", PayMethod.BANK),
                project=data.get("project", ""),
                matter=matter,
                exception_matter=exception,
                attachments=request.FILES.getlist("attachments"),
            )
        except DomainError as exc:
            errors = getattr(exc, "problems", None) or {exc.field or "form": exc.message}
        else:
            if req.budget_warning:
                messages.warning(request, _("预算提示：") + req.budget_warning)
            messages.success(request, _("用款申请已提交，等待村务监督委员会审核。"))
            return redirect("collective:request", pk=req.pk)
    return render(
        request,
        "collective/request_new.html",
        {
            "book": book,
            "errors": errors,
            "data": data,
            "accounts": Account.objects.filter(role=AccountRole.EXPENSE),
            "methods": PayMethod.choices,
            "matters": _matters(book),
            "today": timezone.localdate().isoformat(),
        },
    )


@login_required
def request_detail(request, pk):
    req = get_object_or_404(PaymentRequest.objects.select_related("book", "account"), pk=pk)
    _book(request, req.book_id)
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == Step.CENTRE:
                services.do_book_request(req, actor=request.user)
                messages.success(request, _("已审核记账，生成付款凭证。"))
            else:
                services.do_sign_request(req, step, actor=request.user)
                messages.success(request, _("已签字。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("collective:request", pk=req.pk)
    return render(
        request,
        "collective/request_detail.html",
        {
            "req": req,
            "signatures": req.signatures.select_related("person", "post"),
            "next": [(s, Step(s).label) for s in services.next_steps(req)],
            "attachments": req.attachments.all(),
        },
    )


@login_required
@require_POST
def period_action(request, pk, action):
    book = _book(request, pk)
    year, month = int(request.POST.get("year")), int(request.POST.get("month"))
    try:
        if action == "close":
            services.do_close_period(book, year, month, actor=request.user)
            messages.success(request, _("已结账。"))
        elif action == "adjusting":
            services.do_start_adjusting(book, year, month, actor=request.user)
            messages.success(request, _("已进入调整期。"))
        elif action == "publish":
            services.do_publish_month(book, year, month, actor=request.user)
            messages.success(request, _("已在公开门户逐笔公开。"))
        elif action == "statement":
            f = request.FILES.get("file")
            if f is None:
                raise InvalidInput(_("请选择对账单文件。"), field="file")
            services.do_import_statement(book, year, month, f.read(), f.name, actor=request.user)
            messages.success(request, _("对账单已导入。"))
        elif action == "answer":
            q = get_object_or_404(
                Question, pk=request.POST.get("question") or 0, disclosure__book=book
            )
            services.do_answer_question(q, request.POST.get("answer", ""), actor=request.user)
            messages.success(request, _("已答复。"))
        elif action == "object":
            d = get_object_or_404(Disclosure, book=book, year=year, month=month)
            services.do_object_to_disclosure(d, request.POST.get("text", ""), actor=request.user)
            messages.success(request, _("异议已登记。"))
        else:
            raise InvalidInput(_("未知操作。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('collective:book', args=[book.pk])}?year={year}&month={month}")


# ---- portal (PUB-7, PUB-11) -----------------------------------------------------------------


def public_villages(request):
    books = Book.objects.filter(disclosures__isnull=False).distinct().select_related("unit")
    return render(request, "collective/public_villages.html", {"books": books})


def public_book(request, pk):
    book = get_object_or_404(Book.objects.select_related("unit"), pk=pk)
    return render(
        request,
        "collective/public_book.html",
        {"book": book, "disclosures": book.disclosures.all()},
    )


def public_month(request, pk, year, month):
    d = get_object_or_404(
        Disclosure.objects.select_related("book__unit"), book_id=pk, year=year, month=month
    )
    errors, text = {}, ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.do_ask_question(d, text)
        except DomainError as exc:
            errors = {exc.field or "form": exc.message}
        else:
            messages.success(request, _("问题已提交，村里将在此答复。"))
            return redirect(request.path)
    total_in = sum(
        x["amount"]
        for x in d.content["lines"]
        if x["side"] == "D" and x["account"].startswith(("1001", "1002"))
    )
    total_out = sum(
        x["amount"]
        for x in d.content["lines"]
        if x["side"] == "C" and x["account"].startswith(("1001", "1002"))
    )
    return render(
        request,
        "collective/public_month.html",
        {
            "d": d,
            "lines": d.content["lines"],
            "contracts": d.content.get("contracts", []),  # part 2 (FIN-9)
            "matches": selectors.disclosure_matches(d),
            "questions": d.questions.all(),
            "errors": errors,
            "text": text,
            "total_in": total_in,
            "total_out": total_out,
        },
    )


# ==== 惠农补贴“一卡通” and community funds (FIN-15, PUB-8) =======================================


def _errors(exc) -> dict:
    """A domain error as {field: message}; a list import's per-row errors under `rows`."""
    out = dict(getattr(exc, "problems", None) or {exc.field or "form": exc.message})
    rows = getattr(exc, "row_errors", None)
    if rows:
        out["rows"] = sorted(rows.items())
    return out


def _funds_context(book, year, month):
    ledgers = selectors.fund_ledgers(book, year, month)
    return {
        "book": book,
        "year": year,
        "month": month,
        "ledgers": ledgers,
        "total": {k: sum(x[k] for x in ledgers) for k in ("opening", "in", "out", "closing")},
    }


@login_required
def fund_ledgers(request, pk):
    """FIN-15: one bank account, a ledger per fund source (staff, printable)."""
    book = _book(request, pk)
    year, month = _month(request, book)
    ctx = _funds_context(book, year, month)
    ctx["months"] = range(1, 13)
    return render(request, "collective/benefit_funds.html", ctx)


def _programme(request, pk):
    from .models import BenefitProgramme

    if not (0 < pk < 2**31):
        _not_found()

    programme = get_object_or_404(BenefitProgramme.objects.select_related("book"), pk=pk)
    _book(request, programme.book_id)
    return programme


@login_required
def benefit_list(request, pk):
    from .models import BenefitKind

    book = _book(request, pk)
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            try:
                year = int(data.get("year") or 0)
            except ValueError:
                year = 0
            rate = services.parse_yuan(data.get("rate") or "0", "rate")
            programme = services.do_create_programme(
                book,
                data.get("code", ""),
                data.get("name", ""),
                data.get("kind", ""),
                data.get("basis", ""),
                year,
                data.get("fund", ""),
                actor=request.user,
                measure=data.get("measure", "") or "人",
                rate=rate,
                account_code=data.get("account", "2302"),
            )
        except DomainError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("补贴项目已建立，请导入发放名单。"))
            return redirect("collective:benefit", pk=programme.pk)
    return render(
        request,
        "collective/benefit_list.html",
        {
            "book": book,
            "programmes": book.benefit_programmes.all(),
            "kinds": BenefitKind.choices,
            "accounts": Account.objects.filter(code__in=("2302", "2101", "5102")),
            "errors": errors,
            "data": data,
            "this_year": timezone.localdate().year,
        },
    )


def _benefit_context(programme, errors=None, data=None):
    from .models import BenefitPayment

    return {
        "p": programme,
        "book": programme.book,
        "recipients": [
            (r, selectors.mask_card(r.card_number)) for r in programme.recipients.order_by("seq")
        ],
        "publication": selectors.latest_publication(programme),
        "publications": programme.publications.all(),
        "batches": [
            (b, b.payments.select_related("recipient").order_by("seq"))
            for b in programme.batches.order_by("-number")
        ],
        "missing": BenefitPayment.objects.filter(
            batch__programme=programme, reported_missing_at__isnull=False
        ).count(),
        "errors": errors or {},
        "data": data or {},
        "today": timezone.localdate().isoformat(),
        "columns": services.RECIPIENT_COLUMNS,
    }


@login_required
def benefit_detail(request, pk):
    """A programme: import the list, publish it, record the paper notice, export a batch to the
    bank and import its return file. Errors beside the field; success redirects (PRG)."""
    from .models import BenefitBatch, BenefitPublication

    programme = _programme(request, pk)
    if request.method != "POST":
        return render(request, "collective/benefit_detail.html", _benefit_context(programme))
    action, data = request.POST.get("action", ""), request.POST
    try:
        if action == "import":
            f = request.FILES.get("file")
            if f is None:
                raise InvalidInput(_("请选择名单文件（Excel 或 CSV）。"), field="file")
            created = services.do_import_recipients(programme, f.read(), f.name, actor=request.user)
            messages.success(request, _("已导入 %d 人。") % len(created))
        elif action == "publish":
            services.do_publish_list(programme, actor=request.user)
            messages.success(request, _("名单已在公开门户公示。"))
        elif action == "notice":
            pub = get_object_or_404(
                BenefitPublication, programme=programme, pk=_pk(data.get("publication"))
            )
            posted = _date_field(data, "posted_on")
            removed = _date_field(data, "removed_on", required=False)
            services.do_record_notice(pub, posted, removed, actor=request.user)
            messages.success(request, _("通告张贴情况已登记。"))
        elif action == "export":
            batch = services.do_export_batch(
                programme, _date_field(data, "date"), actor=request.user
            )
            messages.success(request, _("第 %d 批代发文件已生成，请下载交银行。") % batch.number)
        elif action == "code":
            r = get_object_or_404(programme.recipients, pk=_pk(data.get("recipient")))
            code = services.do_issue_code(r, actor=request.user)
            messages.success(
                request,
                _("第 %(n)d 号的新查询码：%(c)s（原查询码作废）。") % {"n": r.seq, "c": code},
            )
        elif action == "return":
            batch = get_object_or_404(BenefitBatch, programme=programme, pk=_pk(data.get("batch")))
            f = request.FILES.get("file")
            if f is None:
                raise InvalidInput(_("请选择银行回盘文件。"), field="return_file")
            try:
                services.do_import_return(batch, f.read(), f.name, actor=request.user)
            except InvalidInput as exc:
                if exc.field == "file":
                    exc.field = "return_file"
                raise
            messages.success(request, _("回盘文件已导入，已生成付款凭证。"))
        else:
            raise InvalidInput(_("未知操作。"))
    except DomainError as exc:
        errors = _errors(exc)
        if "file" in errors and action == "return":
            errors["return_file"] = errors.pop("file")
        return render(
            request,
            "collective/benefit_detail.html",
            _benefit_context(programme, errors, data),
            status=400,
        )
    return redirect("collective:benefit", pk=programme.pk)


def _not_found():
    from django.http import Http404

    raise Http404


def _pk(value) -> int:
    """A posted id, or 0 (no row) when it is not a number in the column's range."""
    text = str(value or "")
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else 0


def _date_field(data, name, required=True):
    raw = (data.get(name) or "").strip()
    if not raw and not required:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(_("请填写日期。"), field=name) from exc


@login_required
def benefit_template(request, pk):
    _programme(request, pk)
    return xlsx_response(services.recipient_template(), "benefit-list-template.xlsx")


@login_required
def benefit_notice(request, pk):
    """The printable notice for the village board (通告): masked rows and each 查询码."""
    programme = _programme(request, pk)
    pub = selectors.latest_publication(programme)
    codes = dict(programme.recipients.values_list("seq", "code"))
    rows = [dict(r, code=codes.get(r["seq"], "")) for r in (pub.content["rows"] if pub else [])]
    return render(
        request,
        "collective/benefit_notice.html",
        {"p": programme, "pub": pub, "rows": rows},
    )


@login_required
def benefit_pay_file(request, pk):
    from .models import BenefitBatch

    if not (0 < pk < 2**31):
        _not_found()

    batch = get_object_or_404(BenefitBatch.objects.select_related("programme__book"), pk=pk)
    _book(request, batch.programme.book_id)
    if services.post_held_centre(request.user, batch.programme.book) is None:
        raise NotPermitted(_("只有本乡镇三资代理服务中心会计可以下载代发文件。"))
    resp = HttpResponse(services.batch_pay_file(batch), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{services.batch_ref(batch)}-pay.csv"'
    return resp


# ---- portal: the lists (PUB-8) and the confirmation, the community's fund ledgers (FIN-15) ---


def public_benefits(request):
    from .models import BenefitPublication

    pubs = BenefitPublication.objects.filter(taken_down_at__isnull=True).select_related(
        "programme__book__unit"
    )
    return render(request, "collective/benefit_public_list.html", {"pubs": pubs})


CONFIRM_SCOPE = "collective-benefit-confirm"
DONE_KEY = "collective-benefit-confirmed"


def public_benefit(request, pk):
    """A published list (printable) and the recipient's confirmation: resident ID + 查询码, no
    account, rate-limited per client address; the same answer whether or not the ID is on
    the list (PUB-8, PUB-9)."""
    from django.conf import settings

    from wuquan.common import ratelimit
    from wuquan.common.net import client_ip

    from .models import BenefitPublication

    if not (0 < pk < 2**31):
        _not_found()
    pub = get_object_or_404(
        BenefitPublication.objects.select_related("programme__book__unit"), pk=pk
    )
    errors, data = {}, {}
    if request.method == "POST" and pub.taken_down_at is None:
        data = {"received": request.POST.get("received", "yes")}
        limit = int(getattr(settings, "WUQUAN_BENEFIT_CONFIRMS_PER_HOUR", 10))
        if not ratelimit.take(CONFIRM_SCOPE, client_ip(request), limit=limit):
            errors = {"form": _("提交次数过多，请一小时后再试。")}
        else:
            try:
                services.do_confirm_receipt(
                    pub.programme,
                    request.POST.get("id_number", ""),
                    request.POST.get("code", ""),
                    request.POST.get("received", "yes") != "no",
                )
            except DomainError as exc:
                errors = _errors(exc)
            else:
                request.session[DONE_KEY] = pub.pk
                return redirect("collective-public:benefit", pk=pub.pk)
    done = request.session.pop(DONE_KEY, None) == pub.pk
    return render(
        request,
        "collective/benefit_public.html",
        {
            "pub": pub,
            "p": pub.programme,
            "rows": pub.content["rows"],
            "errors": errors,
            "data": data,
            "done": done,
        },
        status=429 if errors.get("form") else (400 if errors else 200),
    )


def public_funds(request, pk, year, month):
    """FIN-15 on the portal: a published month's bank account by fund source (附件14 二(二)
    分帐核算, 定期公开). Only months the centre has published (closed books)."""
    if not (0 < pk < 2**31 and 2000 <= year <= 2100 and 1 <= month <= 12):
        _not_found()
    d = get_object_or_404(
        Disclosure.objects.select_related("book__unit"), book_id=pk, year=year, month=month
    )
    ctx = _funds_context(d.book, year, month)
    ctx["d"] = d
    return render(request, "collective/benefit_public_funds.html", ctx)


# ==== part 2 (issue 15): registers (FIN-7), contracts (FIN-9/10), transfers (FIN-14) =========


def _errors(exc: DomainError) -> dict:
    return getattr(exc, "problems", None) or {exc.field or "form": exc.message}


def _date(value, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise InvalidInput(_("请填写日期。"), field=field) from exc


@login_required
def assets(request, pk):
    """The register (资产资源台账) by class, its reconciliation with the books, the 清产核资
    batches, and the upload of a new batch (Excel, the export's columns)."""
    from .models import AssetClass

    book = _book(request, pk)
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            f = request.FILES.get("file")
            if f is None:
                raise InvalidInput(_("请选择清查表文件。"), field="file")
            specs = services.parse_register(f.read(), f.name)
            batch = services.do_count_inventory(
                book,
                data.get("title", ""),
                _date(data.get("as_of"), "as_of"),
                specs,
                actor=request.user,
            )
        except DomainError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("清查结果已登记，请向成员公示。"))
            return redirect("collective:inventory", pk=batch.pk)
    register = book.assets.select_related("account").order_by("asset_class", "code")
    return render(
        request,
        "collective/assets.html",
        {
            "book": book,
            "classes": [
                (v, label, [a for a in register if a.asset_class == v])
                for v, label in AssetClass.choices
            ],
            "totals": selectors.register_totals(book),
            "inventories": book.inventories.all(),
            "errors": errors,
            "data": data,
            "today": timezone.localdate().isoformat(),
        },
    )


@login_required
def assets_xlsx(request, pk):
    """The register in Excel (the same columns import as a 清产核资 batch)."""
    from openpyxl import Workbook

    book = _book(request, pk)
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append([f"{book.name} 资产资源台账（金额单位：元）"])
    ws.append(selectors.REGISTER_COLUMNS)
    for row in selectors.register_rows(book):
        ws.append(row)
    return xlsx_response(wb, f"register-{book.code}.xlsx")


@login_required
def inventory(request, pk):
    from .models import InventoryBatch

    batch = get_object_or_404(InventoryBatch.objects.select_related("book"), pk=pk)
    book = _book(request, batch.book_id)
    errors = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                services.do_publish_inventory(batch, actor=request.user)
                messages.success(request, _("已向成员公示。"))
            else:
                m = _matters(book).filter(pk=request.POST.get("matter") or 0).first()
                services.do_confirm_inventory(batch, m, actor=request.user)
                messages.success(request, _("已确认，资产资源台账已按清查结果建立。"))
        except DomainError as exc:
            errors = _errors(exc)
        else:
            return redirect("collective:inventory", pk=batch.pk)
    return render(
        request,
        "collective/inventory.html",
        {
            "batch": batch,
            "book": book,
            "items": batch.items.select_related("account"),
            "matters": _matters(book),
            "errors": errors,
        },
    )


@login_required
def asset_detail(request, pk):
    from .models import Asset, AssetStatus

    asset = get_object_or_404(Asset.objects.select_related("book", "account"), pk=pk)
    book = _book(request, asset.book_id)
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        action = data.get("action")
        try:
            if action == "documents":
                services.do_add_asset_documents(
                    asset, request.FILES.getlist("attachments"), actor=request.user
                )
                messages.success(request, _("资料已上传。"))
            elif action == "status":
                services.do_set_asset_status(asset, data.get("status", ""), actor=request.user)
                messages.success(request, _("状态已变更。"))
            elif action == "dispose":
                services.do_dispose_asset(
                    asset,
                    _date(data.get("on"), "on"),
                    services.parse_yuan(data.get("amount") or "0"),
                    actor=request.user,
                    matter=_matters(book).filter(pk=data.get("matter") or 0).first(),
                    exchange_ref=data.get("exchange_ref", ""),
                )
                messages.success(request, _("资产已处置。"))
            else:
                raise InvalidInput(_("未知操作。"))
        except DomainError as exc:
            errors = _errors(exc)
        else:
            return redirect("collective:asset", pk=asset.pk)
    return render(
        request,
        "collective/asset_detail.html",
        {
            "asset": asset,
            "book": book,
            "documents": asset.documents.all(),
            "contracts": asset.contracts.all(),
            "statuses": [(v, label) for v, label in AssetStatus.choices if v != "disposed"],
            "matters": _matters(book),
            "errors": errors,
            "data": data,
        },
    )


@login_required
def contracts(request, pk):
    book = _book(request, pk)
    return render(
        request,
        "collective/contract_list.html",
        {
            "book": book,
            "contracts": selectors.contracts_visible(book),
            "approvals": book.township_approvals.select_related("other", "approved_by"),
        },
    )


def _tenders(book):
    from wuquan.procurement.selectors import tenders_for

    return tenders_for(buyer=book.unit)


@login_required
def contract_new(request, pk):
    from .models import ContractKind

    book = _book(request, pk)
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            amount = services.parse_yuan(data.get("amount") or "0")
            c = services.do_record_contract(
                book,
                number=data.get("number", ""),
                kind=data.get("kind", ""),
                title=data.get("title", ""),
                counterparty=data.get("counterparty", ""),
                counterparty_id=data.get("counterparty_id", ""),
                counterparty_is_person=data.get("party_kind") == "person",
                amount=amount,
                signed_on=_date(data.get("signed_on"), "signed_on"),
                start=_date(data.get("start"), "start"),
                end=_date(data.get("end"), "end"),
                matter=_matters(book).filter(pk=data.get("matter") or 0).first(),
                schedule=services.parse_schedule(data.get("schedule", "")),
                asset=book.assets.filter(pk=data.get("asset") or 0).first(),
                tender=_tenders(book).filter(pk=data.get("tender") or 0).first(),
                exchange_ref=data.get("exchange_ref", ""),
                actor=request.user,
            )
        except DomainError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("合同已登记。"))
            return redirect("collective:contract", pk=c.pk)
    return render(
        request,
        "collective/contract_new.html",
        {
            "book": book,
            "errors": errors,
            "data": data,
            "kinds": ContractKind.choices,
            "assets": book.assets.exclude(status="disposed"),
            "matters": _matters(book),
            "tenders": _tenders(book),
            "today": timezone.localdate().isoformat(),
        },
    )


@login_required
def contract_detail(request, pk):
    from .models import INCOME_KINDS, Contract

    c = get_object_or_404(
        Contract.objects.select_related("book", "asset", "matter", "tender"), pk=pk
    )
    book = _book(request, c.book_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            item = c.schedule.filter(pk=request.POST.get("item") or 0).first()
            if action == "file":
                services.do_file_contract(c, actor=request.user)
                messages.success(request, _("已备案。"))
            elif action == "accrue" and item is not None:
                services.do_accrue_schedule(item, actor=request.user)
                messages.success(request, _("已确认应收（应付），凭证已记账。"))
            elif action == "settle" and item is not None:
                services.do_settle_schedule(
                    item, _date(request.POST.get("on"), "on"), actor=request.user
                )
                messages.success(request, _("已收款，凭证已记账。"))
            elif action == "terminate":
                services.do_terminate_contract(
                    c,
                    _date(request.POST.get("on"), "on"),
                    actor=request.user,
                    matter=_matters(book).filter(pk=request.POST.get("matter") or 0).first(),
                )
                messages.success(request, _("合同已终止。"))
            else:
                raise InvalidInput(_("未知操作。"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("collective:contract", pk=c.pk)
    return render(
        request,
        "collective/contract_detail.html",
        {
            "c": c,
            "book": book,
            "schedule": c.schedule.select_related("accrual", "settlement"),
            "income": c.kind in INCOME_KINDS,
            "matters": _matters(book),
            "today": timezone.localdate().isoformat(),
        },
    )


@login_required
def transfer_new(request, pk):
    """FIN-14: the township approves a movement from this collective to another."""
    from wuquan.org.models import Unit, UnitKind

    book = _book(request, pk)
    errors, data = {}, request.POST if request.method == "POST" else {}
    others = Unit.objects.filter(kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY)).exclude(
        pk=book.unit_id
    )
    if request.method == "POST":
        try:
            services.do_approve_transfer(
                book,
                others.filter(pk=data.get("other") or 0).first(),
                services.parse_yuan(data.get("amount") or "0"),
                data.get("purpose", ""),
                _date(data.get("valid_from"), "valid_until"),
                _date(data.get("valid_until"), "valid_until"),
                actor=request.user,
            )
        except DomainError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("乡镇批准已登记。"))
            return redirect("collective:contracts", pk=book.pk)
    return render(
        request,
        "collective/transfer_new.html",
        {"book": book, "others": others, "errors": errors, "data": data},
    )

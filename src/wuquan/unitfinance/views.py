"""Staff pages of the unit finance controls — thin over the services and selectors (FIN-1..4).
A refusal by a service is shown beside the field it names (common.forms.add_domain_error)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuquan.common.downloads import xlsx_response
from wuquan.common.exceptions import DomainError, NotPermitted
from wuquan.common.forms import add_domain_error
from wuquan.common.uploads import serve
from wuquan.decisions.models import Meeting
from wuquan.org.models import Person, Unit
from wuquan.org.selectors import can_see_unit, holders_by_post

from . import selectors, services
from .forms import (
    AttachmentForm,
    BudgetForm,
    DisclosureForm,
    LimitImportForm,
    PresentForm,
    ReimbursementForm,
    ReportForm,
    ReturnForm,
)
from .models import (
    REQUIRED_ATTACHMENTS,
    AttachmentKind,
    BudgetFigure,
    FinanceReport,
    Reimbursement,
    SpendingClass,
    StaffDisclosure,
    Status,
    Step,
)


def _id(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return 0
    return n if 0 < n < 2**31 else 0


def _unit(request, pk) -> Unit:
    unit = get_object_or_404(Unit, pk=_id(pk))
    if not can_see_unit(request.user, unit):
        raise NotPermitted(_("您无权查看该单位。"))
    return unit


def _reimbursement(request, pk) -> Reimbursement:
    r = selectors.reimbursements_visible_to(request.user).filter(pk=_id(pk)).first()
    if r is None:
        raise Http404
    return r


def _my_units(user):
    from wuquan.org.selectors import person_of, posts_held

    ids = posts_held(person_of(user)).values_list("unit_id", flat=True)
    return Unit.objects.filter(pk__in=ids).order_by("sort", "code")


@login_required
def reimbursement_list(request):
    qs = selectors.reimbursements_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    mine = [
        r
        for r in selectors.reimbursements_visible_to(request.user).filter(status=Status.SIGNING)[
            :200
        ]
        if (s := selectors.next_step(r))
        and selectors.held(request.user, selectors.step_posts(r, s), selectors.today())
    ]
    return render(
        request,
        "unitfinance/list.html",
        {
            "rows": qs[:300],
            "mine": mine,
            "units": _my_units(request.user),
            "statuses": Status.choices,
            "status": status,
            "today": selectors.today(),
        },
    )


def _people(unit: Unit) -> list[Person]:
    seen = {}
    for people in holders_by_post(list(unit.posts.all())).values():
        for p in people:
            seen[p.pk] = p
    return sorted(seen.values(), key=lambda p: p.pk)


@login_required
def reimbursement_new(request, pk):
    unit = _unit(request, pk)
    posts = selectors.responsible_choices(unit)
    people = _people(unit)
    decisions = list(selectors.decisions_for_unit(unit)[:50])
    form = ReimbursementForm(
        request.POST or None, unit=unit, posts=posts, people=people, decisions=decisions
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            amount = services.parse_yuan(d["amount"])
            r = services.do_file_reimbursement(
                unit,
                d["spending_class"],
                d["summary"],
                amount,
                d["occurred_on"],
                next((p for p in posts if str(p.pk) == d["responsible_post"]), None),
                actor=request.user,
                claimant=next((p for p in people if str(p.pk) == d["claimant"]), None),
                decision=next((x for x in decisions if str(x.pk) == d["decision"]), None),
            )
        except DomainError as exc:
            for field, message in (
                getattr(exc, "problems", None) or {exc.field: exc.message}
            ).items():
                add_domain_error(form, DomainError(message, field=field))
        else:
            messages.success(request, _("报销单已填报，请上传凭证后签字提交。"))
            return redirect("unitfinance:detail", pk=r.pk)
    return render(
        request,
        "unitfinance/new.html",
        {"unit": unit, "form": form, "required": _required_table()},
    )


def _required_table():
    return [
        (c.label, [AttachmentKind(k).label for k in REQUIRED_ATTACHMENTS[c.value]])
        for c in SpendingClass
    ]


def _detail_context(request, r, **forms):
    step = selectors.next_step(r)
    on = selectors.today()
    can_sign = bool(step and selectors.held(request.user, selectors.step_posts(r, step), on))
    is_handler = r.handler is not None and r.handler.user_id == request.user.pk
    return {
        "r": r,
        "signatures": selectors.current_signatures(r),
        "history": r.signatures.exclude(round=r.round).select_related("person", "post"),
        "attachments": r.attachments.all(),
        "missing": [AttachmentKind(k).label for k in selectors.missing_attachments(r)],
        "invoice_total": selectors.invoice_total(r),
        "next_step": step,
        "next_label": Step(step).label if step else "",
        "can_sign": can_sign,
        "editable": is_handler and r.status in (Status.DRAFT, Status.RETURNED),
        "can_pay": r.status == Status.APPROVED
        and bool(selectors.held(request.user, selectors.step_posts(r, "cashier"), on)),
        "threshold": selectors.large_sum_threshold(r.unit_id),
        "decision_ok": selectors.decision_stands(r.decision, r.unit_id),
        "attach_form": forms.get("attach_form") or AttachmentForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "submit_error": forms.get("submit_error", ""),
    }


@login_required
def reimbursement_detail(request, pk):
    r = _reimbursement(request, pk)
    return render(request, "unitfinance/detail.html", _detail_context(request, r))


@login_required
@require_POST
def attach(request, pk):
    r = _reimbursement(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            amount = (
                services.parse_yuan(d["invoice_amount"], "invoice_amount")
                if d["kind"] == AttachmentKind.INVOICE and d["invoice_amount"]
                else None
            )
            services.do_attach_voucher(
                r,
                d["kind"],
                d["file"],
                actor=request.user,
                invoice_no=d["invoice_no"],
                invoice_amount=amount,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("凭证已上传。"))
            return redirect("unitfinance:detail", pk=r.pk)
    return render(
        request,
        "unitfinance/detail.html",
        _detail_context(request, r, attach_form=form),
        status=400,
    )


@login_required
@require_POST
def act(request, pk, action):
    r = _reimbursement(request, pk)
    try:
        if action == "submit":
            services.do_submit_reimbursement(r, actor=request.user)
            messages.success(request, _("经办人已签字，报销单进入审批。"))
        elif action == "sign":
            services.do_sign_reimbursement(r, request.POST.get("step", ""), actor=request.user)
            messages.success(request, _("已签字。"))
        elif action == "pay":
            services.do_pay_reimbursement(r, actor=request.user)
            messages.success(request, _("已支付。"))
        elif action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                return render(
                    request,
                    "unitfinance/detail.html",
                    _detail_context(request, r, return_form=form),
                    status=400,
                )
            try:
                services.do_return_reimbursement(r, form.cleaned_data["reason"], actor=request.user)
            except DomainError as exc:
                add_domain_error(form, exc)
                return render(
                    request,
                    "unitfinance/detail.html",
                    _detail_context(request, r, return_form=form),
                    status=400,
                )
            messages.success(request, _("已退回经办人。"))
        else:
            raise Http404
    except DomainError as exc:
        return render(
            request,
            "unitfinance/detail.html",
            _detail_context(request, r, submit_error=exc.message),
            status=exc.status_code,
        )
    return redirect("unitfinance:detail", pk=r.pk)


@login_required
def attachment_raw(request, pk, aid):
    r = _reimbursement(request, pk)
    a = get_object_or_404(r.attachments, pk=_id(aid))
    from django.core.files.base import ContentFile

    f = ContentFile(bytes(a.content), name=a.name)

    class _Stored:
        name = a.name

        def open(self, mode="rb"):
            f.seek(0)
            return f

    return serve(_Stored())


@login_required
def reimbursement_print(request, pk):
    r = _reimbursement(request, pk)
    sigs = {s.step: s for s in selectors.current_signatures(r)}
    return render(
        request,
        "unitfinance/print.html",
        {
            "r": r,
            "chain": [(Step(s).label, sigs.get(s)) for s in Step.values],
            "attachments": r.attachments.all(),
            "daxie": selectors.daxie(r.amount),
        },
    )


def _period(request):
    today = selectors.today()
    try:
        start = date.fromisoformat(request.GET.get("start") or f"{today.year}-01-01")
        end = date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        start, end = date(today.year, 1, 1), today
    return start, end


@login_required
def export_xlsx(request):
    """A period's reimbursements in Excel (the units the user may see, or one unit)."""
    from openpyxl import Workbook

    start, end = _period(request)
    qs = selectors.reimbursements_visible_to(request.user).filter(occurred_on__range=(start, end))
    if _id(request.GET.get("unit")):
        qs = qs.filter(unit_id=_id(request.GET.get("unit")))
    wb = Workbook()
    ws = wb.active
    ws.title = "报销单"
    ws.append([f"报销明细 {start.isoformat()} 至 {end.isoformat()}（金额单位：元）"])
    ws.append(
        [
            "单位",
            "报销单号",
            "发生日期",
            "支出类别",
            "事由",
            "报销人",
            "金额",
            "状态",
            "支付日期",
            "凭证数",
            "导入",
        ]
    )
    for r in qs.order_by("unit_id", "occurred_on", "pk").prefetch_related("attachments"):
        ws.append(
            [
                r.unit.name,
                r.number,
                r.occurred_on.isoformat(),
                r.get_spending_class_display(),
                r.summary,
                r.claimant.name,
                r.amount / 100,
                r.get_status_display(),
                r.paid_on.isoformat() if r.paid_on else "",
                len(r.attachments.all()),
                "是" if r.imported else "",
            ]
        )
    return xlsx_response(wb, f"reimbursements-{start}-{end}.xlsx")


@login_required
def limits(request, pk):
    unit = _unit(request, pk)
    form = LimitImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = services.do_import_class_limits(
                form.cleaned_data["file"].read(), actor=request.user
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已导入 %d 条限额。") % len(rows))
            return redirect("unitfinance:limits", pk=unit.pk)
    on = selectors.today()
    return render(
        request,
        "unitfinance/limits.html",
        {
            "unit": unit,
            "form": form,
            "rows": [
                (SpendingClass(c).label, lim) for c, lim in selectors.limits_in_force(unit, on)
            ],
            "threshold": selectors.large_sum_threshold(unit.pk),
            "on": on,
        },
    )


@login_required
def limits_template(request, pk):
    unit = _unit(request, pk)
    return xlsx_response(services.limits_workbook(unit), f"limits-{unit.code}.xlsx")


@login_required
def reports(request, pk):
    """Budget figures, quarterly reports and half-yearly disclosures of one unit (FIN-4)."""
    unit = _unit(request, pk)
    forms = {
        "budget": BudgetForm(prefix="b"),
        "report": ReportForm(prefix="r"),
        "disclosure": DisclosureForm(prefix="d"),
    }
    if request.method == "POST":
        which = request.POST.get("form", "")
        try:
            if which == "budget":
                form = forms["budget"] = BudgetForm(request.POST, prefix="b")
                if form.is_valid():
                    d = form.cleaned_data
                    services.do_enter_budget(
                        unit,
                        d["year"],
                        d["spending_class"],
                        services.parse_yuan(d["amount"], allow_zero=True),
                        actor=request.user,
                    )
                    messages.success(request, _("预算数已录入。"))
                    return redirect("unitfinance:reports", pk=unit.pk)
            elif which == "report":
                form = forms["report"] = ReportForm(request.POST, prefix="r")
                if form.is_valid():
                    d = form.cleaned_data
                    income = (
                        services.parse_yuan(d["income"], "income", allow_zero=True)
                        if d["income"]
                        else 0
                    )
                    rep = services.do_prepare_report(
                        unit, d["year"], d["quarter"], actor=request.user, income=income
                    )
                    messages.success(request, _("季度财务报告已编制。"))
                    return redirect("unitfinance:report", pk=rep.pk)
            elif which == "disclosure":
                form = forms["disclosure"] = DisclosureForm(request.POST, prefix="d")
                if form.is_valid():
                    d = form.cleaned_data
                    disc = services.do_publish_disclosure(
                        unit, d["year"], d["half"], actor=request.user
                    )
                    messages.success(request, _("已向本单位干部职工公开。"))
                    return redirect("unitfinance:disclosure", pk=disc.pk)
            else:
                raise Http404
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "unitfinance/reports.html",
        {
            "unit": unit,
            "forms": forms,
            "budgets": BudgetFigure.objects.filter(unit=unit).order_by("-year", "spending_class"),
            "reports": FinanceReport.objects.filter(unit=unit),
            "disclosures": StaffDisclosure.objects.filter(unit=unit),
        },
    )


@login_required
def report_detail(request, pk):
    rep = get_object_or_404(FinanceReport.objects.select_related("unit", "meeting"), pk=_id(pk))
    _unit(request, rep.unit_id)
    meetings = Meeting.objects.filter(unit=rep.unit).order_by("-date")[:30]
    form = PresentForm(request.POST or None, meetings=meetings)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "receive":
                services.do_receive_report(rep, actor=request.user)
                messages.success(request, _("已签收。"))
                return redirect("unitfinance:report", pk=rep.pk)
            if form.is_valid():
                d = form.cleaned_data
                meeting = next((m for m in meetings if str(m.pk) == d["meeting"]), None)
                services.do_present_report(rep, actor=request.user, meeting=meeting, on=d["on"])
                messages.success(request, _("已向班子报告。"))
                return redirect("unitfinance:report", pk=rep.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "unitfinance/report.html",
        {
            "rep": rep,
            "form": form,
            "rows": selectors.figure_rows(rep.figures),
            "bounds": selectors.quarter_bounds(rep.year, rep.quarter),
        },
    )


@login_required
def disclosure_list(request):
    return render(
        request,
        "unitfinance/disclosures.html",
        {"disclosures": selectors.disclosures_for(request.user)},
    )


@login_required
def disclosure_detail(request, pk):
    d = selectors.disclosures_for(request.user).filter(pk=_id(pk)).first()
    if d is None:
        raise Http404
    return render(
        request,
        "unitfinance/disclosure.html",
        {
            "d": d,
            "rows": selectors.figure_rows(d.figures),
            "bounds": selectors.half_bounds(d.year, d.half),
        },
    )

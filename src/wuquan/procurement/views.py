"""Staff pages: a unit records request → approval → tender → bids → evaluation → award →
contract → amendment → payment; the commission's red-flag page. Thin over the services; a
domain error is shown beside its field, with the entered data kept (POST-redirect-GET on
success)."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from wuquan.common.exceptions import DomainError, InvalidInput, NotPermitted, RuleViolation
from wuquan.org.selectors import can_see_unit, is_supervisory, units_visible_to

from . import flags, services
from .forms import AmendForm, BidForm, PaymentForm, RequestForm, TenderForm
from .models import Bid, Contract, ProcurementRequest, Tender


def _show(form, exc: DomainError):
    """The service's refusal beside its field (or above the form when it names none)."""
    field = exc.field if exc.field in form.fields else None
    for f, message in getattr(exc, "problems", [(exc.field, exc.message)]):
        form.add_error(f if f in form.fields else field, str(message))


def _visible_request(request, pk) -> ProcurementRequest:
    req = get_object_or_404(ProcurementRequest.objects.select_related("buyer"), pk=pk)
    if not can_see_unit(request.user, req.buyer):
        raise NotPermitted(_("您无权查看该单位的采购事项。"))
    return req


def _visible_tender(request, pk) -> Tender:
    tender = get_object_or_404(Tender.objects.select_related("request__buyer"), pk=pk)
    if not can_see_unit(request.user, tender.request.buyer):
        raise NotPermitted(_("您无权查看该单位的采购事项。"))
    return tender


@login_required
def request_list(request):
    units = units_visible_to(request.user).order_by("sort", "code")
    form = RequestForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            req = services.do_create_request(
                d["buyer"],
                d["title"],
                d["category"],
                d["item_code"],
                d["amount"],
                actor=request.user,
                requested_on=d["requested_on"],
                is_key_project=d["is_key_project"],
                public_resource=d["public_resource"],
                project_ref=d["project_ref"],
            )
        except DomainError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("采购申请已登记，审批层级：%s") % req.get_tier_display())
            return redirect("procurement:request", pk=req.pk)
    reqs = ProcurementRequest.objects.filter(buyer__in=units).select_related("buyer")[:200]
    tenders = Tender.objects.filter(request__buyer__in=units).select_related("request__buyer")[:200]
    return render(
        request,
        "procurement/request_list.html",
        {"form": form, "requests": reqs, "tenders": tenders},
    )


@login_required
def request_detail(request, pk):
    req = _visible_request(request, pk)
    form = (
        TenderForm(request.POST or None)
        if request.POST.get("action") == "tender"
        else (TenderForm())
    )
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.do_approve_request(
                    req, actor=request.user, head_consent=bool(request.POST.get("head_consent"))
                )
                messages.success(request, _("已批准。"))
                return redirect("procurement:request", pk=req.pk)
            if action == "tender" and form.is_valid():
                d = form.cleaned_data
                tender = services.do_open_tender(
                    req,
                    d["title"],
                    d["method"],
                    d["period_start"],
                    d["period_end"],
                    actor=request.user,
                    via_trading_centre=d["via_trading_centre"],
                )
                messages.success(request, _("招标公告已发布。"))
                return redirect("procurement:tender", pk=tender.pk)
        except DomainError as exc:
            if action == "tender":
                _show(form, exc)
            else:
                error = exc.message
    return render(
        request,
        "procurement/request_detail.html",
        {"req": req, "form": form, "error": error, "tenders": req.tenders.all()},
    )


FORMS = {"bid": BidForm, "amend": AmendForm, "pay": PaymentForm}


@login_required
def tender_detail(request, pk):
    tender = _visible_tender(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {name: (cls(request.POST) if action == name else cls()) for name, cls in FORMS.items()}
    error = None
    if action:
        try:
            done = _act(request, tender, action, forms)
        except DomainError as exc:
            if action in forms:
                _show(forms[action], exc)
            else:
                error = exc.message
        else:
            if done:
                messages.success(request, done)
                return redirect("procurement:tender", pk=tender.pk)
    contract = tender.contracts.order_by("id").first()
    return render(
        request,
        "procurement/tender_detail.html",
        {
            "tender": tender,
            "bids": tender.bids.select_related("firm"),
            "awards": tender.awards.select_related("supplier"),
            "contract": contract,
            "amendments": contract.amendments.all() if contract else [],
            "payments": contract.payments.all() if contract else [],
            "forms": forms,
            "error": error,
        },
    )


def _act(request, tender: Tender, action: str, forms) -> str | None:
    user = request.user
    if action == "bid":
        form = forms["bid"]
        if not form.is_valid():
            return None
        d = form.cleaned_data
        firm = services.ensure_firm(
            d["uscc"], d["name"], address=d["address"], phone=d["phone"], legal_rep=d["legal_rep"]
        )
        services.do_receive_bid(
            tender, firm, d["amount"], d["received_at"], actor=user, valid_until=d["valid_until"]
        )
        return _("投标已登记。")
    if action == "disqualify":
        bid = get_object_or_404(Bid, pk=request.POST.get("bid") or 0, tender=tender)
        services.do_disqualify_bid(bid, request.POST.get("reason", ""), actor=user)
        return _("该投标已否决。")
    if action == "evaluate":
        report = request.FILES.get("report")
        text = report.read() if report else (request.POST.get("report_text", "") or "").encode()
        if not text:
            raise InvalidInput(_("请上传评标报告或填写评标结论。"), field="report")
        services.do_evaluate(tender, hashlib.sha256(text).hexdigest(), actor=user)
        return _("已开标评标。")
    if action == "award":
        bid = get_object_or_404(Bid, pk=request.POST.get("bid") or 0, tender=tender)
        services.do_award(tender, bid, actor=user)
        return _("已定标。")
    if action == "contract":
        award = tender.awards.filter(status="active").first()
        if award is None:
            raise RuleViolation(_("尚未定标。"))
        services.do_sign_contract(award, actor=user)
        return _("合同已登记。")
    if action in ("amend", "pay"):
        form = forms[action]
        if not form.is_valid():
            return None
        contract = get_object_or_404(Contract, tender=tender, pk=request.POST.get("contract") or 0)
        if action == "amend":
            services.do_amend_contract(
                contract,
                form.cleaned_data["new_amount"],
                form.cleaned_data["rationale"],
                actor=user,
            )
            return _("合同变更已登记。")
        services.do_record_payment(contract, form.cleaned_data["amount"], actor=user)
        return _("支付已登记。")
    return None


@login_required
def red_flags(request):
    """The commission's red flags: Cardinal's indicators and the district's rules, per buyer,
    supplier and indicator, each flag with its inputs and a link to the process."""
    if not is_supervisory(request.user):
        raise NotPermitted(_("采购红旗仅供纪检监察、审计人员查看。"))
    report = flags.report()
    indicator = request.GET.get("indicator", "")
    rows = [r for r in report.rows if not indicator or r.code == indicator]
    by_indicator = [
        (code, report.names.get(code, ""), n) for code, n in report.by_indicator.most_common()
    ]
    return render(
        request,
        "procurement/red_flags.html",
        {
            "report": report,
            "rows": rows,
            "indicator": indicator,
            # why lists: a Counter answers any template lookup (even "most_common") with 0
            "by_indicator": by_indicator,
            "chart": mark_safe(flags.chart_svg(by_indicator)),  # noqa: S308 (labels escaped)
            "by_buyer": report.by_buyer.most_common(),
            "by_supplier": report.by_supplier.most_common(30),
        },
    )

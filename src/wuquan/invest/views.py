"""Staff pages of the investment platform (FIN-16..18, SUP-7): thin over the services, each
refusal beside its field (POST-redirect-GET on success), and every section of a project or
fund shown only when the user's graded access opens it (selectors.project_access)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from wuquan.common.downloads import xlsx_response
from wuquan.common.exceptions import DomainError, NotPermitted
from wuquan.common.forms import add_domain_error
from wuquan.common.uploads import check_upload
from wuquan.org.models import Unit

from . import charts, selectors, services
from .forms import (
    AllocationForm,
    ApprovalForm,
    CertificateForm,
    DisbursementForm,
    DutyForm,
    EstimateForm,
    FundForm,
    GrantForm,
    InspectionForm,
    ProjectForm,
    RectifyForm,
    StatusForm,
)
from .models import (
    FieldGroup,
    FundLevel,
    Grant,
    Problem,
    ProgressCertificate,
    Project,
    SpecialFund,
)


def _bounded(pk) -> int:
    """An id the database can hold (PostgreSQL answers a larger one with a DataError)."""
    if not 0 < int(pk) < 2**31:
        raise Http404
    return int(pk)


def _show(form, exc: DomainError, rename: dict | None = None):
    if rename and exc.field in rename:
        exc.field = rename[exc.field]
    add_domain_error(form, exc)


def _may_grant(user) -> bool:
    try:
        services._may_grant(user)
    except NotPermitted:
        return False
    return True


def _acting_units(user):
    """The units the user may act for: those they hold a post in, and below (services)."""
    if getattr(user, "is_superuser", False):
        return Unit.objects.order_by("sort", "code")
    return Unit.objects.filter(pk__in=selectors.own_unit_ids(user)).order_by("sort", "code")


def _inspector_units(user):
    units = [u for u in _acting_units(user) if selectors.inspector_kind_of(u)]
    return Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("sort", "code")


@login_required
def project_list(request):
    projects = list(selectors.projects_visible_to(request.user).order_by("code"))
    owners = _acting_units(request.user)
    form = ProjectForm(
        request.POST or None, owners=owners, units=Unit.objects.order_by("sort", "code")
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.do_register_project(
                d["code"],
                d["name"],
                d["owner"],
                d["construction_unit"],
                d["sector"],
                d["location"],
                actor=request.user,
                funding=[(d["funding_level"], d["funding_amount"], None)],
            )
        except DomainError as exc:
            _show(form, exc, {"funding": "funding_amount"})
        else:
            messages.success(request, _("项目已登记。"))
            return redirect("invest:project", pk=project.pk)
    rates = selectors.rates(projects)
    return render(
        request,
        "invest/project_list.html",
        {
            "projects": list(zip(projects, rates, strict=True)),
            "form": form,
            "chart": charts.rate_chart(rates, _("各项目资金支付率")) if projects else "",
        },
    )


def _project_forms(request, project, access):
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None

    def bound(name):
        return post if action == name else None

    def files(name):
        return request.FILES if action == name else None

    units = _acting_units(request.user)
    contracts = selectors.contracts_of(project).select_related("tender")
    forms = {}
    if FieldGroup.APPROVALS in access:
        forms["approval"] = ApprovalForm(bound("approval"), files("approval"), units=units)
    full = access == selectors.FULL
    if full:
        forms["estimate"] = EstimateForm(bound("estimate"))
        forms["status"] = StatusForm(
            bound("status"),
            initial={"status": project.status, "progress_percent": project.progress_percent},
        )
        forms["certificate"] = CertificateForm(
            bound("certificate"), files("certificate"), contracts=contracts
        )
        forms["disbursement"] = DisbursementForm(
            bound("disbursement"),
            allocations=project.allocations.select_related("fund"),
            contracts=contracts,
            certificates=ProgressCertificate.objects.filter(project=project),
        )
    if FieldGroup.MONEY in access:
        funds = selectors.funds_visible_to(request.user).filter(managing_unit__in=units)
        forms["allocation"] = AllocationForm(bound("allocation"), funds=funds)
    inspectors = _inspector_units(request.user)
    if inspectors.exists():
        forms["inspection"] = InspectionForm(
            bound("inspection"), files("inspection"), units=inspectors
        )
    if _may_grant(request.user):
        forms["duty"] = DutyForm(bound("duty"), units=Unit.objects.order_by("sort", "code"))
    forms["rectify"] = RectifyForm(bound("rectify"))
    return action, forms


def _inspection(request, subject, form):
    d = form.cleaned_data
    sha = ""
    if d.get("file"):
        sha = check_upload(d["file"], field="file", label=_("检查记录文件")).sha256
    problems = []
    if d.get("problem"):
        problems = [(d["problem"], d.get("deadline"))]
    return services.do_file_inspection(
        subject,
        d["unit"],
        d["kind"],
        d["inspected_on"],
        d["summary"],
        actor=request.user,
        file_sha256=sha,
        round_id=d.get("round_id"),
        problems=problems,
    )


def _do_project_action(request, project, action, form):
    d = form.cleaned_data
    user = request.user
    if action == "approval":
        services.do_record_approval(
            project,
            d["kind"],
            d["doc_no"],
            d["authority"],
            d["approved_on"],
            actor=user,
            file=d["file"],
            amount_fen=d.get("amount"),
            withheld=d["withheld"],
        )
        return _("审批信息已录入。")
    if action == "estimate":
        services.do_record_estimate(project, d["stage"], d["amount"], d["recorded_on"], actor=user)
        return _("已录入。")
    if action == "status":
        services.do_set_project_status(
            project, d["status"], progress_percent=d["progress_percent"], actor=user
        )
        return _("项目进度已更新。")
    if action == "allocation":
        services.do_allocate(
            d["fund"], project, d["amount"], d["doc_no"], d["allocated_on"], actor=user
        )
        return _("资金已下达。")
    if action == "certificate":
        sha = check_upload(d["file"], field="file", label=_("证书扫描件")).sha256
        services.do_certify_progress(
            project,
            d["contract"],
            d["number"],
            d["percent"],
            d["certified"],
            d["certified_on"],
            project.construction_unit,
            actor=user,
            file_sha256=sha,
        )
        return _("进度款支付证书已录入。")
    if action == "disbursement":
        services.do_disburse(
            d["allocation"],
            d["contract"],
            d["amount"],
            d["paid_on"],
            actor=user,
            certificate=d.get("certificate"),
        )
        return _("资金拨付已录入。")
    if action == "inspection":
        _inspection(request, project, form)
        return _("巡查记录已报送。")
    if action == "duty":
        services.do_assign_duty(project, d["role"], d["unit"], d["assigned_on"], actor=user)
        return _("职责已分配。")
    if action == "rectify":
        problem = get_object_or_404(
            Problem, pk=request.POST.get("problem"), inspection__project=project
        )
        services.do_rectify_problem(problem, d["rectified_on"], d["rectification"], actor=user)
        return _("整改情况已报告。")
    raise NotPermitted(_("您无权办理此事项。"))


@login_required
def project_detail(request, pk):
    project = get_object_or_404(
        Project.objects.select_related("owner", "construction_unit"), pk=_bounded(pk)
    )
    access = selectors.project_access(request.user, project)
    if not access:
        raise NotPermitted(_("您所在单位未获授权查看该项目（分级授权，FIN-18）。"))
    action, forms = _project_forms(request, project, access)
    if action:
        form = forms.get(action)
        if form is None:
            raise NotPermitted(_("您无权办理此事项。"))
        if form.is_valid():
            try:
                message = _do_project_action(request, project, action, form)
            except DomainError as exc:
                _show(form, exc, {"file_sha256": "file", "problem": "problem"})
            else:
                messages.success(request, message)
                return redirect("invest:project", pk=project.pk)
    ctx = {
        "project": project,
        "access": access,
        "access_labels": [str(label) for value, label in FieldGroup.choices if value in access],
        "forms": forms,
        "failed": action,
        "funding": project.funding.select_related("fund"),
        "rate": selectors.project_rate(project),
    }
    ctx["chart"] = charts.rate_chart([ctx["rate"]], _("项目资金支付率"))
    if FieldGroup.APPROVALS in access:
        ctx["approvals"] = project.approvals.select_related("authority")
    if FieldGroup.ESTIMATES in access:
        ctx["estimates"] = project.estimates.select_related("approval").order_by("stage", "version")
        ctx["in_force"] = selectors.estimates_in_force(project)
    if FieldGroup.CONTRACTS in access:
        ctx["contracts"] = selectors.contracts_of(project).select_related(
            "tender", "award__supplier"
        )
        ctx["certificates"] = project.certificates.select_related("contract__tender")
    if FieldGroup.MONEY in access:
        ctx["allocations"] = project.allocations.select_related("fund")
        ctx["disbursements"] = project.disbursements.select_related("fund", "certificate")
    if FieldGroup.DUTIES in access:
        ctx["duties"] = project.duties.select_related("unit")
    if FieldGroup.INSPECTIONS in access:
        ctx["inspections"] = project.inspections.select_related("unit").prefetch_related("problems")
    return render(request, "invest/project_detail.html", ctx)


@login_required
def fund_list(request):
    funds = list(selectors.funds_visible_to(request.user).order_by("code"))
    form = FundForm(request.POST or None, units=_acting_units(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            fund = services.do_create_fund(
                d["code"],
                d["name"],
                d["level"],
                d["purpose"],
                d["sector"],
                d["deadline"],
                d["amount"],
                d["managing_unit"],
                actor=request.user,
                source_doc=d["source_doc"],
            )
        except DomainError as exc:
            _show(form, exc, {"amount_fen": "amount", "sources": "amount"})
        else:
            messages.success(request, _("专项资金已登记。"))
            return redirect("invest:fund", pk=fund.pk)
    rates = [selectors.fund_rate(f) for f in funds]
    return render(
        request,
        "invest/fund_list.html",
        {
            "funds": list(zip(funds, rates, strict=True)),
            "form": form,
            "chart": charts.rate_chart(rates, _("各专项资金支付率")) if funds else "",
            "levels": FundLevel,
        },
    )


@login_required
def fund_detail(request, pk):
    fund = get_object_or_404(SpecialFund.objects.select_related("managing_unit"), pk=_bounded(pk))
    access = selectors.fund_access(request.user, fund)
    if not access:
        raise NotPermitted(_("您所在单位未获授权查看该专项资金（分级授权，FIN-18）。"))
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None
    forms = {}
    inspectors = _inspector_units(request.user)
    if inspectors.exists():
        forms["inspection"] = InspectionForm(
            post if action == "inspection" else None,
            request.FILES if action == "inspection" else None,
            units=inspectors,
        )
    if _may_grant(request.user):
        forms["duty"] = DutyForm(
            post if action == "duty" else None,
            units=Unit.objects.order_by("sort", "code"),
            fund=True,
        )
    if action:
        form = forms.get(action)
        if form is None:
            raise NotPermitted(_("您无权办理此事项。"))
        if form.is_valid():
            try:
                if action == "inspection":
                    _inspection(request, fund, form)
                else:
                    d = form.cleaned_data
                    services.do_assign_duty(
                        fund, d["role"], d["unit"], d["assigned_on"], actor=request.user
                    )
            except DomainError as exc:
                _show(form, exc, {"file_sha256": "file"})
            else:
                messages.success(request, _("已办理。"))
                return redirect("invest:fund", pk=fund.pk)
    rate = selectors.fund_rate(fund)
    ctx = {
        "fund": fund,
        "access": access,
        "forms": forms,
        "failed": action,
        "rate": rate,
        "chart": charts.rate_chart([rate], _("专项资金支付率")),
    }
    if FieldGroup.MONEY in access:
        ctx["allocations"] = fund.allocations.select_related("project")
        ctx["disbursements"] = fund.disbursements.select_related("project", "certificate")
    if FieldGroup.DUTIES in access:
        ctx["duties"] = fund.duties.select_related("unit")
    if FieldGroup.INSPECTIONS in access:
        ctx["inspections"] = fund.inspections.select_related("unit").prefetch_related("problems")
    return render(request, "invest/fund_detail.html", ctx)


@login_required
def grant_list(request):
    if not (_may_grant(request.user) or selectors.sees_all(request.user)):
        raise NotPermitted(_("只有平台管理员或纪检监察机关可以查看授权。"))
    form = GrantForm(
        request.POST if request.POST.get("action") == "grant" else None,
        units=Unit.objects.order_by("sort", "code"),
        projects=Project.objects.order_by("code"),
        funds=SpecialFund.objects.order_by("code"),
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            grant = get_object_or_404(Grant, pk=_bounded(request.POST.get("grant") or 0))
            try:
                services.do_revoke_access(grant, actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("授权已撤销。"))
            return redirect("invest:grants")
        if action == "grant" and form.is_valid():
            d = form.cleaned_data
            try:
                services.do_grant_access(
                    d["unit"],
                    d["scope"],
                    d["groups"],
                    actor=request.user,
                    scope_unit=d.get("scope_unit"),
                    project=d.get("project"),
                    fund=d.get("fund"),
                )
            except DomainError as exc:
                _show(form, exc, {"fields": "groups"})
            else:
                messages.success(request, _("已授权。"))
                return redirect("invest:grants")
    grants = Grant.objects.select_related("unit", "scope_unit", "project", "fund")
    labels = dict(FieldGroup.choices)
    rows = [(g, [labels.get(f, f) for f in g.fields]) for g in grants]
    return render(
        request,
        "invest/grants.html",
        {"rows": rows, "form": form, "may_grant": _may_grant(request.user)},
    )


@login_required
def project_excel(request):
    """The projects the user may see, as the clerks' Excel list (项目台账)."""
    from openpyxl import Workbook

    projects = list(selectors.projects_visible_to(request.user).order_by("code"))
    rates = selectors.rates(projects)
    wb = Workbook()
    ws = wb.active
    ws.title = "政府投资项目"
    ws.append(
        [
            "项目代码",
            "项目名称",
            "项目单位",
            "建设单位",
            "行业领域",
            "建设地点",
            "状态",
            "形象进度（%）",
            "已下达（元）",
            "已拨付（元）",
            "支付率（%）",
        ]
    )
    for p, r in zip(projects, rates, strict=True):
        ws.append(
            [
                p.code,
                p.name,
                p.owner.name,
                p.construction_unit.name,
                p.get_sector_display(),
                p.location,
                p.get_status_display(),
                p.progress_percent,
                r.allocated_fen / 100,
                r.disbursed_fen / 100,
                r.percent,
            ]
        )
    return xlsx_response(wb, "invest-projects.xlsx")

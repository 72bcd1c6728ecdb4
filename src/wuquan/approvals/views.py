"""Staff pages of the approval platform: worklists, the case page, the window, figures,
consultations (APR-1..7, APR-11). Thin: every write is a service call; domain errors become a
clear page in the middleware (nothing written)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuquan.catalog.models import ApprovalItem, Fee
from wuquan.common.exceptions import InvalidInput, NotPermitted
from wuquan.common.identity import mask_phone
from wuquan.org import roles
from wuquan.org.selectors import person_of, posts_held, role_names

from . import engine, selectors, services
from .models import Case, CaseStatus, CaseStep, Channel, Consultation, SuspensionKind


def _can_see(user, case: Case) -> bool:
    if selectors.visible_cases(user).filter(pk=case.pk).exists():
        return True
    person = person_of(user)
    held = posts_held(person) if person else []
    return case.steps.filter(post__in=held).exists() or roles.WINDOW in role_names(user)


def _case(request, pk) -> Case:
    """The case if this user may see it; a case out of their scope answers exactly like a
    missing one (404), so a page never confirms that an id exists (issue 13 finding 10)."""
    case = get_object_or_404(Case.objects.select_related("item", "unit", "flow"), pk=pk)
    if not _can_see(request.user, case):
        raise Http404
    return case


# Roles whose work is talking to applicants (the window: 补正, 缴费, 送达; the handler); every
# other role sees the applicant's phone masked (issue 13 finding 10; PIPL 第六条 最小必要).
CONTACT_ROLES = {roles.WINDOW, roles.HANDLER}


def applicant_phone_for(user, case: Case) -> str:
    if role_names(user) & CONTACT_ROLES:
        return case.applicant_phone
    return mask_phone(case.applicant_phone)


@login_required
def worklist(request):
    """What is mine, due soon, overdue; unit leaders see their unit (APR-3, APR-5)."""
    today = timezone.localdate()
    tab = request.GET.get("tab", "mine")
    q = (request.GET.get("q") or "").strip()
    item = request.GET.get("item") or ""
    if tab == "unit":
        steps = selectors.visible_steps(request.user).order_by("deadline")
    else:
        steps = selectors.my_steps(request.user, today)
    if q:
        steps = steps.filter(
            Q(case__receipt_no__icontains=q)
            | Q(case__application_no__icontains=q)
            | Q(case__applicant_name__icontains=q)
            | Q(case__item__name__icontains=q)
        )
    if item:
        steps = steps.filter(case__item__code=item)
    rows = selectors.annotate_countdown(steps[:500], today)
    if tab == "soon":
        rows = [
            s
            for s in rows
            if s.days_left is not None and 0 <= s.days_left <= selectors.DUE_SOON_DAYS
        ]
    elif tab == "overdue":
        rows = [s for s in rows if s.days_left is not None and s.days_left < 0]
    submitted = []
    if roles.WINDOW in role_names(request.user):
        submitted = Case.objects.filter(status=CaseStatus.SUBMITTED).select_related("item")[:100]
    return render(
        request,
        "approvals/worklist.html",
        {
            "rows": rows,
            "tab": tab,
            "q": q,
            "item": item,
            "items": ApprovalItem.objects.order_by("name").values_list("code", "name"),
            "submitted": submitted,
            "is_window": roles.WINDOW in role_names(request.user),
            "tabs": [
                ("mine", _("我的待办")),
                ("soon", _("即将到期")),
                ("overdue", _("已超期")),
                ("unit", _("本单位在办")),
            ],
        },
    )


@login_required
def case_detail(request, pk):
    case = _case(request, pk)
    today = timezone.localdate()
    person = person_of(request.user)
    held = set(posts_held(person).values_list("pk", flat=True)) if person else set()
    steps = selectors.annotate_countdown(
        case.steps.select_related("post__unit", "completed_by"), today
    )
    for s in steps:
        s.mine = s.is_open and s.post_id in held
    return render(
        request,
        "approvals/case.html",
        {
            "case": case,
            "applicant_phone": applicant_phone_for(request.user, case),
            "steps": steps,
            "materials": case.materials.select_related("material"),
            "suspensions": case.suspensions.prefetch_related("demanded"),
            "charges": case.charges.all(),
            "events": selectors.case_events(case),
            "fees": Fee.objects.filter(item=case.item),
            "kinds": SuspensionKind.choices,
            "is_window": roles.WINDOW in role_names(request.user),
            "open_pause": case.suspensions.filter(ended_at__isnull=True).first(),
            "catalog_materials": case.item.materials.all(),
            "days_left": selectors.working_days_left(case.due, today),
            "decision_kinds": services.DECISION_KINDS,
        },
    )


@login_required
@require_POST
def step_claim(request, pk, step_pk):
    step = get_object_or_404(CaseStep, pk=step_pk, case_id=pk)
    services.do_claim_step(step, actor=request.user)
    messages.success(request, _("已认领：%(s)s") % {"s": step.name})
    return redirect("approvals:case", pk=pk)


@login_required
@require_POST
def step_complete(request, pk, step_pk):
    step = get_object_or_404(CaseStep, pk=step_pk, case_id=pk)
    services.do_complete_step(
        step,
        request.POST.get("opinion", ""),
        actor=request.user,
        decision=request.POST.get("decision", ""),
        reason=request.POST.get("reason", ""),
        certificate_no=request.POST.get("certificate_no", ""),
        attachment=request.FILES.get("attachment"),
    )
    messages.success(request, _("已办结环节：%(s)s") % {"s": step.name})
    return redirect("approvals:case", pk=pk)


@login_required
@require_POST
def suspend(request, pk):
    case = _case(request, pk)
    services.do_suspend_case(
        case,
        request.POST.get("kind", ""),
        request.POST.get("reason", ""),
        request.POST.getlist("demanded"),
        actor=request.user,
    )
    messages.success(request, _("已中止计时。"))
    return redirect("approvals:case", pk=pk)


@login_required
@require_POST
def resume(request, pk):
    case = _case(request, pk)
    services.do_resume_case(case, request.POST.get("note", ""), actor=request.user)
    messages.success(request, _("已恢复计时。"))
    return redirect("approvals:case", pk=pk)


@login_required
@require_POST
def charge(request, pk):
    case = _case(request, pk)
    fee = get_object_or_404(Fee, pk=request.POST.get("fee") or 0)
    services.do_charge_fee(case, fee, request.POST.get("amount", ""), actor=request.user)
    messages.success(request, _("已收费。"))
    return redirect("approvals:case", pk=pk)


@login_required
@require_POST
def withdraw(request, pk):
    case = _case(request, pk)
    if roles.WINDOW not in role_names(request.user):
        raise NotPermitted(_("撤回申请须由申请人在网上办理或在窗口办理。"))
    services.do_withdraw_case(case, request.POST.get("reason", ""), actor=request.user)
    messages.success(request, _("已撤回。"))
    return redirect("approvals:case", pk=pk)


def _application_form(request, item):
    version = item.published_flow()
    fields = engine.condition_fields(version) if version else {}
    return {"item": item, "fields": fields, "materials": item.materials.all()}


def _files(request, item) -> dict:
    out = {}
    for m in item.materials.all():
        f = request.FILES.get(f"material-{m.pk}")
        if f:
            out[m.pk] = f
    return out


@login_required
def window_apply(request):
    """Register an application at the window (APR-1): the clerk enters it, then checks materials."""
    if roles.WINDOW not in role_names(request.user):
        raise NotPermitted(_("窗口登记须由窗口受理人员办理。"))
    code = request.GET.get("item") or request.POST.get("item")
    if not code:
        items = ApprovalItem.objects.filter(flows__status="published").distinct().order_by("name")
        return render(request, "approvals/window_choose.html", {"items": items})
    item = get_object_or_404(ApprovalItem, code=code)
    if request.method == "POST":
        sub = services.do_submit_application(
            item,
            applicant_name=request.POST.get("applicant_name", ""),
            applicant_id_number=request.POST.get("applicant_id_number", ""),
            applicant_phone=request.POST.get("applicant_phone", ""),
            title=request.POST.get("title", ""),
            data=request.POST,
            files=_files(request, item),
            channel=Channel.WINDOW,
            actor=request.user,
        )
        request.session[f"approvals-code-{sub.case.pk}"] = sub.query_code
        return redirect("approvals:accept", pk=sub.case.pk)
    return render(request, "approvals/window_apply.html", _application_form(request, item))


@login_required
def accept(request, pk):
    """The window's check of materials against the catalog list, then 受理 or 不予受理 (CAT-5)."""
    case = _case(request, pk)
    if request.method == "POST":
        if request.POST.get("action") == "refuse":
            services.do_refuse_case(case, request.POST.get("reason", ""), actor=request.user)
            messages.success(request, _("已作不予受理。"))
            return redirect("approvals:case", pk=pk)
        marks = {
            key.split("-", 1)[1]: value
            for key, value in request.POST.items()
            if key.startswith("mat-") and value
        }
        services.do_accept_case(case, marks, request.POST.get("note", ""), actor=request.user)
        return redirect("approvals:notice", pk=pk)
    return render(
        request,
        "approvals/accept.html",
        {"case": case, "materials": case.materials.select_related("material")},
    )


@login_required
def notice(request, pk):
    """受理通知书, printable (print stylesheet). The query code appears only the first time."""
    case = _case(request, pk)
    if not case.receipt_no:
        raise InvalidInput(_("办件尚未受理，没有受理通知书。"))
    code = request.session.pop(f"approvals-code-{case.pk}", None)
    return render(
        request,
        "approvals/notice.html",
        {
            "case": case,
            "code": code,
            "materials": case.materials.select_related("material"),
            "window_step": case.steps.filter(kind=services.ACCEPT_KIND).first(),
        },
    )


@login_required
def figures(request):
    """Efficiency per item, unit and post (APR-11) with a server-side SVG chart."""
    by = request.GET.get("by", "item")
    if by not in ("item", "unit", "post"):
        by = "item"
    rows = selectors.efficiency(by, user=request.user)
    chart = selectors.bar_chart_svg(rows)
    return render(
        request,
        "approvals/figures.html",
        {"rows": rows, "by": by, "chart": mark_safe(chart)},  # noqa: S308 — built and escaped by us
    )


@login_required
def consultations(request):
    """Questions about the items of my units, to answer (APR-7)."""
    if request.method == "POST":
        c = get_object_or_404(Consultation, pk=request.POST.get("consultation") or 0)
        services.do_answer_question(c, request.POST.get("answer", ""), actor=request.user)
        messages.success(request, _("已答复。"))
        return redirect("approvals:consultations")
    person = person_of(request.user)
    units = posts_held(person).values_list("unit_id", flat=True) if person else []
    qs = Consultation.objects.select_related("item").filter(item__unit_id__in=list(units))
    return render(request, "approvals/consultations.html", {"rows": qs[:200]})

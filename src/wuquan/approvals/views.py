"""Staff pages of the approval platform: worklists, the case page, the window, figures,
consultations (APR-1..7, APR-11). Thin: every write is a service call; domain errors become a
clear page in the middleware (nothing written)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wuquan.catalog.models import ApprovalItem, Fee
from wuquan.common import uploads
from wuquan.common.exceptions import DomainError, InvalidInput, NotPermitted, RuleViolation
from wuquan.common.forms import DesignForm, add_domain_error
from wuquan.common.identity import mask_phone
from wuquan.org import roles
from wuquan.org.selectors import person_of, posts_held, role_names

from . import selectors, services
from .forms import (
    AnswerForm,
    ApplicationForm,
    ChargeForm,
    ClaimForm,
    ResumeForm,
    StepForm,
    SuspendForm,
    WithdrawForm,
)
from .models import (
    Case,
    CaseMaterial,
    CaseStatus,
    CaseStep,
    Channel,
    Consultation,
)


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


def _data_rows(case) -> list[tuple[str, str]]:
    """The application-form data in the catalog's words: ("经营场所面积", "620 平方米")."""
    from wuquan.catalog.fields import form_fields

    specs = {f.name: f for f in form_fields(case.item, case.flow)}
    rows = []
    for key, value in (case.data or {}).items():
        spec = specs.get(key)
        if spec is None:
            rows.append((key, str(value)))
        elif spec.is_bool:
            rows.append((spec.label, _("是") if value else _("否")))
        elif spec.is_choice:
            rows.append((spec.label, dict(spec.choices).get(str(value), str(value))))
        else:
            rows.append((spec.label, f"{value} {spec.unit}".strip() if value is not None else "—"))
    return rows


def _case_page(request, case: Case, bound: dict | None = None, status: int = 200):
    """The case page; `bound` holds the one form just posted (key "step-<pk>", "claim-<pk>",
    "suspend", "resume", "charge" or "withdraw") with its errors beside its fields and the
    entries kept (issue 12, finding 6); every other form is blank."""
    bound = bound or {}
    today = timezone.localdate()
    person = person_of(request.user)
    held = set(posts_held(person).values_list("pk", flat=True)) if person else set()
    steps = selectors.annotate_countdown(
        case.steps.select_related("post__unit", "completed_by"), today
    )
    for s in steps:
        s.mine = s.is_open and s.post_id in held
        s.form = bound.get(f"step-{s.pk}") or StepForm(s)
        s.claim_form = bound.get(f"claim-{s.pk}")
    posted = next(iter(bound.values()), None)
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
            "is_window": roles.WINDOW in role_names(request.user),
            "open_pause": case.suspensions.filter(ended_at__isnull=True).first(),
            "days_left": selectors.working_days_left(case.due, today),
            "data_rows": _data_rows(case),
            "posted_form": posted,
            "suspend_form": bound.get("suspend") or SuspendForm(case),
            "resume_form": bound.get("resume") or ResumeForm(),
            "charge_form": bound.get("charge") or ChargeForm(case),
            "withdraw_form": bound.get("withdraw") or WithdrawForm(),
        },
        status=status,
    )


@login_required
def case_detail(request, pk):
    return _case_page(request, _case(request, pk))


def _refused(request, pk, key: str, form, exc: DomainError | None):
    """The case page again with the refused form: its errors beside its fields, nothing
    written. A user who may not see the case gets the plain refusal page instead."""
    if exc is not None:
        add_domain_error(form, exc)
    try:
        case = _case(request, pk)
    except Http404:
        if exc is not None:
            raise exc from None
        raise
    return _case_page(
        request, case, {key: form}, status=exc.status_code if exc is not None else 400
    )


@login_required
@require_POST
def step_claim(request, pk, step_pk):
    step = get_object_or_404(CaseStep, pk=step_pk, case_id=pk)
    try:
        services.do_claim_step(step, actor=request.user)
    except DomainError as exc:
        return _refused(request, pk, f"claim-{step.pk}", ClaimForm(request.POST), exc)
    messages.success(request, _("已认领：%(s)s") % {"s": step.name})
    return redirect("approvals:case", pk=pk)


@login_required
@require_POST
def step_complete(request, pk, step_pk):
    step = get_object_or_404(CaseStep, pk=step_pk, case_id=pk)
    form = StepForm(step, request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, pk, f"step-{step.pk}", form, None)
    data = form.cleaned_data
    try:
        services.do_complete_step(
            step,
            data["opinion"],
            actor=request.user,
            decision=data.get("decision", ""),
            reason=data.get("reason", ""),
            certificate_no=data.get("certificate_no", ""),
            attachment=data.get("attachment"),
        )
    except DomainError as exc:
        return _refused(request, pk, f"step-{step.pk}", form, exc)
    messages.success(request, _("已办结环节：%(s)s") % {"s": step.name})
    return redirect("approvals:case", pk=pk)


@login_required
@require_POST
def suspend(request, pk):
    case = _case(request, pk)
    form = SuspendForm(case, request.POST)
    if not form.is_valid():
        return _refused(request, pk, "suspend", form, None)
    try:
        services.do_suspend_case(
            case,
            form.cleaned_data["kind"],
            form.cleaned_data["reason"],
            form.cleaned_data["demanded"],
            actor=request.user,
        )
    except DomainError as exc:
        return _refused(request, pk, "suspend", form, exc)
    messages.success(request, _("已中止计时。"))
    return redirect("approvals:case", pk=pk)


@login_required
@require_POST
def resume(request, pk):
    case = _case(request, pk)
    form = ResumeForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "resume", form, None)
    try:
        services.do_resume_case(case, form.cleaned_data["note"], actor=request.user)
    except DomainError as exc:
        return _refused(request, pk, "resume", form, exc)
    messages.success(request, _("已恢复计时。"))
    return redirect("approvals:case", pk=pk)


@login_required
@require_POST
def charge(request, pk):
    case = _case(request, pk)
    form = ChargeForm(case, request.POST)
    if not form.is_valid():
        return _refused(request, pk, "charge", form, None)
    try:
        services.do_charge_fee(
            case, form.chosen_fee(), form.cleaned_data["amount"], actor=request.user
        )
    except DomainError as exc:
        return _refused(request, pk, "charge", form, exc)
    messages.success(request, _("已收费。"))
    return redirect("approvals:case", pk=pk)


@login_required
@require_POST
def withdraw(request, pk):
    case = _case(request, pk)
    form = WithdrawForm(request.POST)
    try:
        if roles.WINDOW not in role_names(request.user):
            raise NotPermitted(_("撤回申请须由申请人在网上办理或在窗口办理。"))
        form.is_valid()
        services.do_withdraw_case(case, form.cleaned_data.get("reason", ""), actor=request.user)
    except DomainError as exc:
        return _refused(request, pk, "withdraw", form, exc)
    messages.success(request, _("已撤回。"))
    return redirect("approvals:case", pk=pk)


@login_required
def window_apply(request):
    """Register an application at the window (APR-1): the clerk enters it, then checks materials.
    Errors are shown beside their fields, all at once, the entries kept (issue 12, finding 6)."""
    if roles.WINDOW not in role_names(request.user):
        raise NotPermitted(_("窗口登记须由窗口受理人员办理。"))
    code = request.GET.get("item") or request.POST.get("item")
    if not code:
        items = (
            ApprovalItem.objects.filter(flows__status="published")
            .select_related("unit")
            .distinct()
            .order_by("unit__sort", "name")
        )
        return render(request, "approvals/window_choose.html", {"items": items})
    item = get_object_or_404(ApprovalItem, code=code)
    status = 200
    if request.method == "POST":
        form = ApplicationForm(item, request.POST, request.FILES, online=False)
        if form.is_valid():
            try:
                sub = services.do_submit_application(
                    item,
                    applicant_name=form.cleaned_data["applicant_name"],
                    applicant_id_number=form.cleaned_data["applicant_id_number"],
                    applicant_phone=form.cleaned_data["applicant_phone"],
                    title=form.cleaned_data["title"],
                    data=request.POST,
                    files=form.files_by_material(),
                    channel=Channel.WINDOW,
                    actor=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                request.session[f"approvals-code-{sub.case.pk}"] = sub.query_code
                return redirect("approvals:accept", pk=sub.case.pk)
        status = 400
    else:
        form = ApplicationForm(item, online=False)
    return render(
        request, "approvals/window_apply.html", {"item": item, "form": form}, status=status
    )


@login_required
def accept(request, pk):
    """The window's check of materials against the catalog list, then 受理 or 不予受理 (CAT-5).
    A refusal by the service is shown beside the field it concerns, the entries kept."""
    case = _case(request, pk)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
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
        except (InvalidInput, RuleViolation) as exc:
            errors[exc.field or "__all__"] = str(exc.message)
            status = 400
            case.refresh_from_db()
    materials = list(case.materials.select_related("material"))
    for m in materials:
        m.marked = request.POST.get(f"mat-{m.material_id}", m.status) if errors else m.status
    return render(
        request,
        "approvals/accept.html",
        {
            "case": case,
            "materials": materials,
            "data_rows": _data_rows(case),
            "errors": errors,
            "posted": request.POST if errors else {},
        },
        status=status,
    )


def _code_key(case) -> str:
    return f"approvals-code-{case.pk}"


@login_required
def notice(request, pk):
    """受理通知书, printable. The query code is printed on it whenever this browser session has
    it (registered at this window, or just re-issued); reloading keeps it. Otherwise the notice
    says how to have it re-issued (issue 12, finding 3)."""
    case = _case(request, pk)
    if not case.receipt_no:
        raise InvalidInput(_("办件尚未受理，没有受理通知书。"))
    code = request.session.get(_code_key(case))
    if code and not selectors.check_query_code(case, code):
        code = None  # why: re-issued since (by another clerk): the old code no longer works
        request.session.pop(_code_key(case), None)
    return render(
        request,
        "approvals/notice.html",
        {
            "case": case,
            "code": code,
            "materials": case.materials.select_related("material"),
            "window_step": case.steps.filter(kind=services.ACCEPT_KIND)
            .select_related("post__unit")
            .first(),
            "is_window": roles.WINDOW in role_names(request.user),
        },
    )


class ReissueForm(DesignForm):
    id_number = forms.CharField(
        label=_("申请人出示的证件号码"),
        max_length=30,
        help_text=_("核对申请人身份证件原件后录入，须与申请时登记的一致。"),
        error_messages={"required": _("请填写申请人出示的证件号码。")},
    )
    send_sms = forms.BooleanField(
        label=_("同时以短信发送到登记的手机号"), required=False, initial=True
    )


@login_required
def reissue_code(request, pk):
    """Re-issue a lost query code after an identity check at the window (recorded)."""
    case = _case(request, pk)
    if roles.WINDOW not in role_names(request.user):
        raise NotPermitted(_("查询码只能由窗口受理人员核验身份后重新发放。"))
    status = 200
    if request.method == "POST":
        form = ReissueForm(request.POST)
        if form.is_valid():
            try:
                code = services.do_reissue_query_code(
                    case,
                    id_number=form.cleaned_data["id_number"],
                    send_sms=form.cleaned_data["send_sms"],
                    actor=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                request.session[_code_key(case)] = code
                sent = form.cleaned_data["send_sms"] and case.applicant_phone
                messages.success(
                    request,
                    _("已重新发放查询码，原查询码作废。")
                    + (
                        _("已发送短信至 %(p)s。") % {"p": selectors.sms_target(case)}
                        if sent
                        else ""
                    ),
                )
                if case.receipt_no:
                    return redirect("approvals:notice", pk=pk)
                return redirect("approvals:case", pk=pk)
        status = 400
    else:
        form = ReissueForm()
    return render(
        request,
        "approvals/reissue.html",
        {"case": case, "form": form, "phone": selectors.sms_target(case)},
        status=status,
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
    """Questions about the items of my units, to answer (APR-7). A refused answer is shown
    beside its box, the text kept."""
    bound, status = None, 200
    if request.method == "POST":
        raw = request.POST.get("consultation") or ""
        pk = int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else 0
        c = get_object_or_404(Consultation, pk=pk)
        bound = AnswerForm(c, request.POST)
        if bound.is_valid():
            try:
                services.do_answer_question(c, bound.cleaned_data["answer"], actor=request.user)
            except DomainError as exc:
                if isinstance(exc, NotPermitted):
                    raise
                add_domain_error(bound, exc)
            else:
                messages.success(request, _("已答复。"))
                return redirect("approvals:consultations")
        status = 400
    person = person_of(request.user)
    units = posts_held(person).values_list("unit_id", flat=True) if person else []
    rows = list(
        Consultation.objects.select_related("item").filter(item__unit_id__in=list(units))[:200]
    )
    for c in rows:
        c.form = bound if bound is not None and bound.consultation.pk == c.pk else AnswerForm(c)
    return render(
        request,
        "approvals/consultations.html",
        {"rows": rows, "posted_form": bound},
        status=status,
    )


# ---- uploaded files (issue 12, finding 1) ------------------------------------------------------


def _stored_file(request, pk, kind, obj_pk):
    """The case's material file or step attachment, after the per-request check that the user
    may see this case (`_case`); there is no public URL for an upload."""
    if kind not in ("material", "step"):
        raise Http404
    case = _case(request, pk)
    if kind == "material":
        obj = get_object_or_404(
            CaseMaterial.objects.select_related("material"), pk=obj_pk, case=case
        )
        field, digest, title = obj.file, obj.sha256, obj.material.name
    else:
        obj = get_object_or_404(CaseStep, pk=obj_pk, case=case)
        field, digest, title = obj.attachment, obj.attachment_sha256, f"{obj.name} · {_('附件')}"
    if not field:
        raise InvalidInput(_("该项没有上传文件。"))
    return case, field, digest, title


@login_required
@require_GET
def stored_file(request, pk, kind, obj_pk):
    """The file itself: PDF and images inline (for the preview), others as a download."""
    _case_, field, _digest, _title = _stored_file(request, pk, kind, obj_pk)
    try:
        return uploads.serve(field, download=request.GET.get("download") == "1")
    except FileNotFoundError:
        raise InvalidInput(_("该文件已不在文件存储中，请联系系统管理员。")) from None


@login_required
@require_GET
def file_preview(request, pk, kind, obj_pk):
    """A page that shows the file inline (PDF in a frame, images as an image) with the SHA-256
    recorded at upload and whether the stored file still matches it."""
    case, field, digest, title = _stored_file(request, pk, kind, obj_pk)
    try:
        actual = uploads.sha256_of(field)
    except FileNotFoundError:
        raise InvalidInput(_("该文件已不在文件存储中，请联系系统管理员。")) from None
    return render(
        request,
        "approvals/file_preview.html",
        {
            "case": case,
            "title": title,
            "kind": kind,
            "obj_pk": obj_pk,
            "preview": uploads.preview_kind(field),
            "recorded": digest,
            "actual": actual,
            "matches": bool(digest) and digest == actual,
            "filename": field.name.rsplit("/", 1)[-1],
            "size": field.size,
        },
    )

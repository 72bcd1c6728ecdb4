"""Staff pages for the approving unit's own inspections (APR-10, 谁审批、谁监管, 附件11 二(四)).
Kept beside views.py so the case pages stay one concern; thin: the services decide."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import DomainError, InvalidInput
from wuquan.common.forms import DesignForm, add_domain_error
from wuquan.org.models import Unit
from wuquan.org.selectors import person_of, posts_held

from . import services
from .forms import FindingForm
from .models import ApprovalInspection, Case, InspectionKind


def _my_units(user):
    person = person_of(user)
    if person is None:
        return Unit.objects.none()
    return Unit.objects.filter(pk__in=posts_held(person).values("unit_id")).distinct()


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("请填写日期（年-月-日）。"), field=field) from None


@login_required
def inspections(request):
    units = _my_units(request.user)
    errors = {}
    if request.method == "POST":
        post = request.POST
        try:
            unit = get_object_or_404(units, pk=post.get("unit") or 0)
            inspection = services.do_open_approval_inspection(
                unit,
                post.get("kind", ""),
                _day(post.get("period_start", ""), "period_start"),
                _day(post.get("period_end", ""), "period_end"),
                int(post.get("sample_size") or 0),
                actor=request.user,
            )
        except (DomainError, ValueError) as exc:
            field = getattr(exc, "field", None) or "all"
            errors[field] = str(getattr(exc, "message", _("请填写抽查件数。")))
        else:
            messages.success(request, _("已按运行记录的根哈希抽取样本。"))
            return redirect("approvals:inspection", pk=inspection.pk)
    today = timezone.localdate()
    return render(
        request,
        "approvals/inspections.html",
        {
            "units": units,
            "kinds": InspectionKind.choices,
            "inspections": ApprovalInspection.objects.filter(unit__in=units).select_related("unit"),
            "errors": errors,
            "data": request.POST
            or {
                "period_start": (today - timedelta(days=90)).isoformat(),
                "period_end": today.isoformat(),
                "sample_size": 5,
            },
        },
    )


@login_required
def inspection(request, pk: int):
    insp = get_object_or_404(ApprovalInspection.objects.select_related("unit"), pk=pk)
    if insp.unit_id not in set(_my_units(request.user).values_list("pk", flat=True)):
        raise Http404
    bound, status = None, 200
    if request.method == "POST":
        if request.POST.get("close") or request.POST.get("rectify"):
            bound = DesignForm(request.POST)  # no entries: a refusal is shown at the top
        else:
            raw = request.POST.get("case") or ""
            pk = int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else 0
            bound = FindingForm(get_object_or_404(Case, pk=pk), request.POST)
        try:
            if request.POST.get("close"):
                services.do_close_approval_inspection(insp, actor=request.user)
            elif request.POST.get("rectify"):
                raw = request.POST["rectify"]
                finding = get_object_or_404(insp.findings, pk=raw if raw.isdigit() else 0)
                services.do_rectify_finding(finding, actor=request.user)
            elif bound.is_valid():
                services.do_record_inspection_finding(
                    insp,
                    bound.case,
                    bound.cleaned_data["outcome"],
                    actor=request.user,
                    note=bound.cleaned_data["note"],
                    rectify_by=bound.cleaned_data["rectify_by"],
                )
            else:
                status = 400
        except DomainError as exc:
            add_domain_error(bound, exc)
            status = exc.status_code
        if status == 200:
            messages.success(request, _("已保存。"))
            return redirect("approvals:inspection", pk=insp.pk)
        insp.refresh_from_db()
    findings = {f.case_id: f for f in insp.findings.all()}
    cases = list(Case.objects.filter(pk__in=insp.sample).select_related("item"))
    for c in cases:
        mine = isinstance(bound, FindingForm) and bound.case.pk == c.pk
        c.finding_form = bound if mine else FindingForm(c)
    return render(
        request,
        "approvals/inspection.html",
        {
            "inspection": insp,
            "rows": [(c, findings.get(c.pk)) for c in cases],
            "posted_form": bound,
        },
        status=status,
    )

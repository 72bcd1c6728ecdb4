"""Public pages of the investment platform (附件6 三(三) 第二步: 项目和资金信息录入并公开,
有关法律法规明确规定不予公开的除外): each public project with its approvals, budgets,
contracts, payment rate and progress; the OC4IDS package of one project or of all."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput

from . import charts, oc4ids, selectors
from .models import Project


def _public(pk) -> Project:
    if not 0 < pk < 2**31:
        raise Http404
    project = get_object_or_404(selectors.public_projects(), pk=pk)
    return project


def project_list(request):
    q = request.GET.get("q", "").strip()[:50]
    qs = selectors.public_projects()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__icontains=q)
    page = Paginator(qs.order_by("code"), 30).get_page(request.GET.get("page"))
    rates = selectors.rates(page.object_list)
    return render(
        request,
        "invest/public_list.html",
        {
            "page": page,
            "rows": list(zip(page.object_list, rates, strict=True)),
            "q": q,
            "chart": charts.rate_chart(rates, _("各项目资金支付率")) if rates else "",
        },
    )


def project_detail(request, pk):
    project = _public(pk)
    rate = selectors.project_rate(project)
    return render(
        request,
        "invest/public_detail.html",
        {
            "project": project,
            "approvals": project.approvals.filter(withheld=False).select_related("authority"),
            "withheld": project.approvals.filter(withheld=True).count(),
            "in_force": selectors.estimates_in_force(project),
            "contracts": selectors.contracts_of(project).select_related(
                "tender", "award__supplier"
            ),
            "rate": rate,
            "chart": charts.rate_chart([rate], _("项目资金支付率")),
        },
    )


def _json(package: dict) -> JsonResponse:
    problems = oc4ids.errors(package)
    if problems:  # why: never publish what does not validate
        raise InvalidInput(_("OC4IDS 数据未通过校验：%s") % problems[0])
    return JsonResponse(package, json_dumps_params={"ensure_ascii": False})


def project_oc4ids(request, pk):
    project = _public(pk)
    base = request.build_absolute_uri("/")
    return _json(oc4ids.package([project], base, request.build_absolute_uri()))


def all_oc4ids(request):
    projects = list(selectors.public_projects().order_by("code"))
    if not projects:
        raise Http404
    base = request.build_absolute_uri("/")
    return _json(
        oc4ids.package(
            projects, base, request.build_absolute_uri(reverse("invest-public:oc4ids-all"))
        )
    )

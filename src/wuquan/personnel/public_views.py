"""The portal's 任前公示 (with the objection form) and published selection-work ratings."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wuquan.common.exceptions import DomainError

from . import services
from .models import WorkReport
from .selectors import public_notices


def notices(request):
    return render(request, "personnel/public_notices.html", {"notices": public_notices()})


def notice(request, pk):
    selection = public_notices().filter(pk=pk).first()
    if selection is None:
        raise Http404
    errors, data = {}, {}
    if request.method == "POST":
        data = request.POST
        try:
            objection = services.do_file_objection(
                selection, data.get("content", ""), contact=data.get("contact", "")
            )
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
        else:
            messages.success(
                request, _("已收到您的反映，查询码：%s（请妥善保存）。") % objection.tracking_code
            )
            return redirect("personnel-public:notice", pk=pk)
    return render(
        request,
        "personnel/public_notice.html",
        {"s": selection, "errors": errors, "data": data},
        status=400 if errors else 200,
    )


def work_results(request):
    reports = (
        WorkReport.objects.filter(publish=True, evaluation__published_at__isnull=False)
        .select_related("unit", "evaluation")
        .prefetch_related("evaluation__subjects__person")
        .order_by("-year")
    )
    return render(request, "personnel/public_work.html", {"reports": reports})

"""Catalog pages: public (阳光示权: catalog, 办事指南 with the flow diagram, fees, unit powers and
risk points — PUB-1..3) and staff (change history, Excel import/export — CAT-9). Thin views."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from wuquan.common.forms import DesignForm

from . import excel, selectors


def catalog_index(request):
    unit, category, q = (
        request.GET.get("unit"),
        request.GET.get("category"),
        request.GET.get("q", "").strip(),
    )
    context = {
        "items": selectors.search_items(unit, category, q),
        "unit": unit or "",
        "category": category or "",
        "q": q,
        **selectors.catalog_filters(),
    }
    return render(request, "catalog/public_index.html", context)


def item_guide(request, code):
    """The 办事指南 (PUB-2). Anonymous readers get a page cached per item and its last change."""
    anonymous = not request.user.is_authenticated
    key = selectors.guide_key(code) + f":{request.LANGUAGE_CODE}"
    if anonymous:
        body = cache.get(key)
        if body is not None:
            return HttpResponse(body)
    name, html = selectors.item_guide_html(code)
    response = render(request, "catalog/public_item.html", {"item_name": name, "guide_html": html})
    if anonymous:
        cache.set(key, response.content, 3600)
    return response


def item_diagram(request, code):
    """The flow diagram alone as image/svg+xml (for printing, or embedding with <object>).

    The SVG carries no <style> (the CSP's style-src has no 'unsafe-inline', and inline in the
    guide page it would be blocked too): here it names site.css in an xml-stylesheet
    instruction, so the standalone file is drawn by the same `.flow-diagram` rules as the page,
    allowed by style-src 'self'."""
    svg = selectors.item_guide(code)["svg"]
    if not svg:
        raise Http404(_("该事项没有已发布的流程。"))
    prolog = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<?xml-stylesheet type="text/css" href="{escape(static("wuquan/site.css"))}"?>\n'
    )
    return HttpResponse(prolog + svg, content_type="image/svg+xml; charset=utf-8")


def fee_catalog(request):
    return render(
        request, "catalog/public_fees.html", selectors.fee_catalog(request.GET.get("kind"))
    )


def unit_list(request):
    return render(request, "catalog/public_units.html", {"units": selectors.units_with_powers()})


def unit_powers(request, code):
    return render(request, "catalog/public_unit.html", selectors.unit_powers(code))


@login_required
def staff_history(request):
    return render(request, "catalog/staff_history.html", {"events": selectors.catalog_history()})


class ImportForm(DesignForm):
    """Errors beside their fields, the reason typed kept (issue 12, finding 6); the rows'
    errors are listed below the form."""

    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        error_messages={"required": _("请选择要导入的 .xlsx 文件。")},
    )
    change_reason = forms.CharField(
        label=_("变更理由"), max_length=200, error_messages={"required": _("请填写变更理由。")}
    )


@login_required
@permission_required("catalog.change_approvalitem", raise_exception=True)
def staff_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = excel.import_workbook(
            form.cleaned_data["file"], request.user, form.cleaned_data["change_reason"]
        )
        if report.ok:
            messages.success(request, _("导入成功：%(n)d 行。") % {"n": report.written})
            return redirect("catalog:import")
    status = 400 if form.errors or (report is not None and not report.ok) else 200
    return render(
        request, "catalog/staff_import.html", {"form": form, "report": report}, status=status
    )


@login_required
def staff_export(request):
    data = excel.export_workbook()
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.xlsx"'
    return response

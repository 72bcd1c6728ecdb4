"""Public pages (PUB-4, 附件4): tender notices, results, contracts and amendments, searchable,
each downloadable as OCDS JSON; the bulk downloads. Private persons never appear in clear
(a firm's legal representative is masked; no contact names are published)."""

from __future__ import annotations

from datetime import datetime

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from wuquan.common.identity import mask_name

from . import exports, ocds, selectors
from .models import Method, Tender

KEY_AREAS = [
    (_("招标公告"), _("采购方式、预算、等标期、招标文件摘要值"), _("默认公开")),
    (_("开标及评标结果"), _("投标人、报价、有效或否决"), _("默认公开（否决理由为内部记录）")),
    (_("中标结果与合同"), _("中标人、金额、签订时间"), _("默认公开")),
    (_("合同变更与支付"), _("变更金额、理由、支付"), _("默认公开")),
    (_("例外"), _("国家秘密、商业秘密、个人隐私"), _("不公开（附件4）")),
]


def tender_list(request):
    q = request.GET.get("q", "").strip()
    method = request.GET.get("method", "")
    qs = selectors.public_tenders(q=q, method=method if method in Method.values else "")
    page = Paginator(qs.prefetch_related("awards__supplier"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/public_list.html",
        {"page": page, "q": q, "method": method, "methods": Method.choices, "key_areas": KEY_AREAS},
    )


def tender_detail(request, pk):
    tender = get_object_or_404(Tender.objects.select_related("request__buyer"), pk=pk)
    bids = list(tender.bids.select_related("firm")) if tender.evaluated_at else []
    for b in bids:
        b.legal_rep_public = mask_name(b.firm.legal_rep)
    contract = tender.contracts.order_by("id").first()
    return render(
        request,
        "procurement/public_detail.html",
        {
            "tender": tender,
            "ocid": ocds.ocid_for(tender.pk),
            "bids": bids,
            "awards": tender.awards.select_related("supplier"),
            "contract": contract,
            "amendments": contract.amendments.all() if contract else [],
        },
    )


def tender_ocds(request, pk):
    """The process's releases as a release package (validated)."""
    tender = get_object_or_404(Tender, pk=pk)
    releases = list(tender.releases.order_by("date", "id").values_list("data", flat=True))
    package = exports.release_package(releases, request.build_absolute_uri())
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{ocds.ocid_for(tender.pk)}.json"'
    return response


def tender_record(request, pk):
    tender = get_object_or_404(Tender, pk=pk)
    package = exports.record_package([ocds.ocid_for(tender.pk)], request.build_absolute_uri())
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = (
        f'attachment; filename="{ocds.ocid_for(tender.pk)}-record.json"'
    )
    return response


def _range(request):
    def parse(name):
        value = request.GET.get(name)
        if not value:
            return None
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None

    return selectors.releases(
        since=parse("since"), until=parse("until"), ocid=request.GET.get("ocid") or None
    )


def bulk_jsonl(request):
    response = StreamingHttpResponse(
        exports.jsonl(_range(request)), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="releases.jsonl"'
    return response


def bulk_excel(request):
    response = HttpResponse(
        exports.excel(_range(request)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="releases.xlsx"'
    return response

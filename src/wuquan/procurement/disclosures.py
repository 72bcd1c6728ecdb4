"""What procurement publishes (PUB-4: tender notices and results), offered to the portal's
search and feeds by the convention of `disclosure/sources.py`."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from wuquan.common.publication import PublicItem

from .models import Tender


def public_items(*, unit_ids=None, since=None, until=None, q=""):
    tenders = Tender.objects.filter(published_at__isnull=False).select_related("request__buyer")
    if unit_ids is not None:
        tenders = tenders.filter(request__buyer_id__in=unit_ids)
    if since is not None:
        tenders = tenders.filter(published_at__gte=since)
    if until is not None:
        tenders = tenders.filter(published_at__lt=until)
    if q:
        tenders = tenders.filter(Q(title__icontains=q))
    for t in tenders:
        buyer = t.request.buyer
        yield PublicItem(
            kind="tender",
            kind_label=_("招标采购"),
            title=t.title,
            unit_code=buyer.code,
            unit_name=buyer.name,
            published_at=t.published_at,
            url=reverse("procurement-public:detail", args=[t.pk]),
            summary=t.get_method_display(),
            key=f"tender:{t.pk}",
        )

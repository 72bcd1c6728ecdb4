"""Staff-home panel: requests waiting for approval and tenders open in the user's units
(FIN-5)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from wuquan.org.selectors import units_visible_to

from .models import ProcurementRequest, RequestStatus, Tender, TenderStatus


def panels(request) -> list[dict]:
    units = units_visible_to(request.user)
    waiting = ProcurementRequest.objects.filter(buyer__in=units, status=RequestStatus.DRAFT).count()
    active = Tender.objects.filter(request__buyer__in=units, status=TenderStatus.ACTIVE).count()
    if not (waiting or active):
        return []
    return [
        {
            "title": _("招标采购"),
            "html": format_html(
                _('{} 个采购申请待审批，{} 个招标项目进行中。<a href="{}">查看</a>'),
                waiting,
                active,
                reverse("procurement:list"),
            ),
            "level": "info",
        }
    ]

"""Staff-home panel for the organisation department: reviews to decide, checks to conclude,
notices running (PER-1, PER-3, PER-4)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .access import is_org_department
from .models import ReviewStatus, Selection, SelectionStatus, SpotCheck


def panels(request) -> list[dict]:
    if not is_org_department(request.user):
        return []
    reviews = Selection.objects.filter(review_status=ReviewStatus.SUBMITTED).count()
    checks = SpotCheck.objects.filter(finding="").count()
    notices = Selection.objects.filter(status=SelectionStatus.NOTICE).count()
    if not (reviews or checks or notices):
        return []
    return [
        {
            "title": _("干部选拔任用"),
            "html": format_html(
                _(
                    '待任前审核 {} 件，待查核个人有关事项 {} 件，任前公示中 {} 件。<a href="{}">查看</a>'
                ),
                reviews,
                checks,
                notices,
                reverse("personnel:selections"),
            ),
            "level": "info",
        }
    ]

"""Staff-home panel: requests waiting for a signature the user can give, and months waiting to be
closed or published in the user's books (FIN-8, PUB-7)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .models import PaymentRequest, RequestStatus
from .selectors import books_visible_to


def panels(request) -> list[dict]:
    books = books_visible_to(request.user)
    waiting = PaymentRequest.objects.filter(book__in=books, status=RequestStatus.SIGNING).count()
    if not waiting:
        return []
    return [
        {
            "title": _("联签会审"),
            "html": format_html(
                _('{} 份村级用款申请正在联签会审中。<a href="{}">查看账套</a>'),
                waiting,
                reverse("collective:books"),
            ),
            "level": "info",
        }
    ]

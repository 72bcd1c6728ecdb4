"""Staff pages of the working-day calendar (APR-2): the years and the layer each rests on."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import layers, selectors, services
from .selectors import is_calendar_admin


@login_required
def years(request):
    today = timezone.localdate()
    context = {
        "rows": selectors.calendar_years(today),
        "today": today,
        "is_admin": is_calendar_admin(request.user),
        "provisional_first": layers.provisional.FIRST_YEAR,
        "provisional_last": layers.provisional.LAST_YEAR,
        "open_provisional": selectors.open_deadlines(provisional=True)[:50],
    }
    return render(request, "workdays/years.html", context)


@login_required
@require_POST
def notices_read(request):
    services.mark_notices_read(request.user)
    return redirect("staff-home")


urlpatterns = [
    path("", years, name="years"),
    path("notices/read/", notices_read, name="notices-read"),
]

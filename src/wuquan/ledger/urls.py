from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from . import selectors


@login_required
def staff_events(request):
    return render(
        request,
        "ledger/events.html",
        {"events": selectors.recent_events(200), **selectors.public_log_summary()},
    )


urlpatterns = [path("", staff_events, name="staff-events")]

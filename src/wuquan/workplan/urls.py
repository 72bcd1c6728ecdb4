from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from wuquan.common.exceptions import InvalidInput
from wuquan.org.selectors import scope

from . import selectors
from .models import Task


@login_required
def staff_list(request):
    context = selectors.task_table(request.GET.get("unit"), request.GET.get("category"))
    return render(request, "workplan/staff_list.html", context)


@login_required
def dispatch(request):
    """调度 (WRK-3): overdue and not-yet-made tasks by lead unit, lagging units named; printable.
    Scoped: the commission sees every unit, a unit its own tasks."""
    raw = request.GET.get("as_of")
    try:
        as_of = date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError as exc:
        raise InvalidInput("日期格式应为 YYYY-MM-DD。", field="as_of") from exc
    tasks = scope(Task.objects.all(), request.user, "lead_unit")
    return render(request, "workplan/dispatch.html", selectors.dispatch(as_of, tasks))


urlpatterns = [
    path("", staff_list, name="staff-list"),
    path("dispatch/", dispatch, name="dispatch"),
]

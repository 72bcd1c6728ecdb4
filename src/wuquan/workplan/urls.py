from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from wuquan.org.forms import as_of_from
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
    as_of, form, status = as_of_from(request)  # a wrong date: beside the field, today's table
    tasks = scope(Task.objects.all(), request.user, "lead_unit")
    context = {**selectors.dispatch(as_of, tasks), "as_of_form": form}
    return render(request, "workplan/dispatch.html", context, status=status)


urlpatterns = [
    path("", staff_list, name="staff-list"),
    path("dispatch/", dispatch, name="dispatch"),
]

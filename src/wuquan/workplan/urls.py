from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from . import selectors


@login_required
def staff_list(request):
    context = selectors.task_table(request.GET.get("unit"), request.GET.get("category"))
    return render(request, "workplan/staff_list.html", context)


urlpatterns = [path("", staff_list, name="staff-list")]

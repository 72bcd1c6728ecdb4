"""Staff home: each app contributes panels through `home.panels(request)` if it has one."""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def staff_home(request):
    panels = []
    for dotted in settings.WUQUAN_APPS:
        if find_spec(f"{dotted}.home"):
            panels.extend(import_module(f"{dotted}.home").panels(request))
    return render(request, "common/staff_home.html", {"panels": panels})

"""The public portal (阳光示权). Reads other apps through their selectors; never writes."""

from django.shortcuts import render


def home(request):
    return render(request, "disclosure/home.html")


def workplan(request):
    from wuquan.workplan import selectors

    context = selectors.task_table(
        unit=request.GET.get("unit"), category=request.GET.get("category")
    )
    return render(request, "disclosure/workplan.html", context)


def checkpoints(request):
    from wuquan.ledger import selectors

    return render(request, "disclosure/checkpoints.html", selectors.public_log_summary())

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from wuquan.common.exceptions import DomainError

from . import commitments, selectors
from .forms import EraseForm
from .models import Commitment, Event


@login_required
def staff_events(request):
    return render(
        request,
        "ledger/events.html",
        {"events": selectors.recent_events(200), **selectors.public_log_summary()},
    )


def _may_see(user) -> bool:
    from wuquan.org import selectors as org_selectors

    return org_selectors.is_supervisory(user)


def _may_erase(user) -> bool:
    from wuquan.org import roles
    from wuquan.org import selectors as org_selectors

    return org_selectors.is_system_admin(user) or roles.COMMISSION in org_selectors.role_names(user)


@login_required
def staff_event(request, index: int):
    """One event: its leaf as stored, and each committed field with its value where the
    user may see it, proved against the leaf's commitment (issue 13, finding 4)."""
    try:
        event = Event.objects.get(index=index)
    except Event.DoesNotExist:
        raise Http404 from None
    form = None
    if request.method == "POST":
        if not _may_erase(request.user):
            raise Http404
        form = EraseForm(request.POST)
        if form.is_valid():
            from .services import do_erase_commitment

            try:
                row = Commitment.objects.get(
                    pk=form.cleaned_data["commitment"], event_index=event.index
                )
                do_erase_commitment(row, actor=request.user, basis=form.cleaned_data["basis"])
            except Commitment.DoesNotExist:
                form.add_error("commitment", _("没有这项内容"))
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request, _("已删除该内容及其盐值；记录中的承诺值保留，运行记录仍可校验。")
                )
                return redirect("ledger:staff-event", index=event.index)
    may_see = _may_see(request.user)
    rows = commitments.openings(event)
    if not may_see:
        for r in rows:
            r["value"] = None
    return render(
        request,
        "ledger/event.html",
        {
            "event": event,
            "rows": rows,
            "may_see": may_see,
            "may_erase": _may_erase(request.user),
            "form": form or EraseForm(),
        },
    )


urlpatterns = [
    path("", staff_events, name="staff-events"),
    path("events/<int:index>/", staff_event, name="staff-event"),
]

"""Staff pages for running a 三重一大 meeting and the public decisions page — thin over services."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuquan.common.exceptions import DomainError, InvalidInput
from wuquan.org.selectors import units_visible_to

from . import services, village
from .models import (
    AgendaItem,
    Choice,
    MatterKind,
    Meeting,
    PreDecisionKind,
    VillageMatter,
    VillageStep,
)
from .selectors import materials_deadline_for, published_items, published_village_matters


def _visible_meeting(request, pk) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("unit"), pk=pk)
    if not units_visible_to(request.user).filter(pk=meeting.unit_id).exists():
        raise Http404  # why: out of scope answers like missing (issue 13 finding 10)
    return meeting


# the fields each staff form shows: a service's error naming one of them is shown beside it,
# any other at the top of that form (issue 12, finding 6)
MEETING_FIELDS = {"unit", "title", "date", "location"}
FORM_FIELDS = {
    "attendance": {"present"},
    "add_item": {"title", "kind", "materials"},
    "statement": {"member", "text"},
    "vote": {"member", "choice"},
    "mark_voted": {"member"},
    "ballot": {"choice"},
    "defer": {"reason"},
    "publish": {"summary"},
    "report": {"text"},
    "pre_step": {"kind", "held_on", "summary"},
}


def _failed(exc: DomainError, fields) -> dict:
    """{field: message} for the form that failed; "form" when the field is not on it."""
    return {exc.field if exc.field in fields else "form": exc.message}


@login_required
def meeting_list(request):
    units = units_visible_to(request.user).order_by("sort", "code")
    failed = {}
    if request.method == "POST":
        try:
            unit = units.filter(pk=request.POST.get("unit") or 0).first()
            if unit is None:
                raise InvalidInput(_("请选择单位。"), field="unit")
            try:
                on = date.fromisoformat(request.POST.get("date", ""))
            except ValueError as exc:
                raise InvalidInput(_("请填写正确的会议日期。"), field="date") from exc
            meeting = services.do_create_meeting(
                unit,
                request.POST.get("title", ""),
                on,
                request.POST.get("location", ""),
                actor=request.user,
            )
        except DomainError as exc:
            failed = _failed(exc, MEETING_FIELDS)
        else:
            messages.success(request, _("会议已创建。"))
            return redirect("decisions:meeting", pk=meeting.pk)
    meetings = Meeting.objects.filter(unit__in=units).select_related("unit")[:100]
    return render(
        request,
        "decisions/meeting_list.html",
        {"meetings": meetings, "units": units, "err": failed, "data": request.POST},
        status=400 if failed else 200,
    )


@login_required
def meeting_detail(request, pk):
    return _meeting_page(request, _visible_meeting(request, pk))


def _meeting_page(request, meeting, failed: dict | None = None, item_id=None):
    """The meeting page; after a refused POST (`failed`: {"form": action, "errors": …}) with
    the error beside its field and what was typed kept, answered 400 (no redirect)."""
    form = (failed or {}).get("form")
    if form is not None and form not in FORM_FIELDS:
        form = "buttons"  # a form of buttons only: its error shows above them
    err = {form: failed["errors"]} if failed and item_id is None else {}
    data = {form: request.POST} if failed and item_id is None else {}
    items = meeting.items.prefetch_related(
        "statements__member__person", "deliveries", "open_votes", "vote_markers", "pre_steps"
    ).select_related("pre_decision")
    items = list(items)
    for item in items:
        item.missing_pre = services.missing_pre_decision_steps(item)
        mine = failed is not None and item.pk == item_id
        item.err = {form: failed["errors"]} if mine else {}
        item.data = {form: request.POST} if mine else {}
    return render(
        request,
        "decisions/meeting_detail.html",
        {
            "meeting": meeting,
            "members": meeting.members.select_related("person"),
            "items": items,
            "kinds": MatterKind.choices,
            "pre_kinds": PreDecisionKind.choices,
            "choices": Choice.choices,
            "deadline": materials_deadline_for(meeting),
            "err": err,
            "data": data,
        },
        status=400 if failed else 200,
    )


def _member(meeting, request):
    return get_object_or_404(meeting.members, pk=request.POST.get("member") or 0)


@login_required
@require_POST
def meeting_action(request, pk, action):
    meeting = _visible_meeting(request, pk)
    user, post = request.user, request.POST
    try:
        if action == "attendance":
            services.do_record_attendance(meeting, post.getlist("present"), actor=user)
        elif action == "add-item":
            services.do_add_agenda_item(
                meeting,
                post.get("title", ""),
                post.get("kind", ""),
                post.get("materials", ""),
                actor=user,
            )
        elif action == "close":
            services.do_close_meeting(meeting, actor=user)
        else:
            raise InvalidInput(_("未知操作。"))
    except DomainError as exc:
        form = action.replace("-", "_")
        failed = {"form": form, "errors": _failed(exc, FORM_FIELDS.get(form, ()))}
        return _meeting_page(request, meeting, failed)
    messages.success(request, _("已保存。"))
    return redirect("decisions:meeting", pk=meeting.pk)


@login_required
@require_POST
def item_action(request, pk, action):
    item = get_object_or_404(AgendaItem, pk=pk)
    meeting = _visible_meeting(request, item.meeting_id)
    user, post = request.user, request.POST
    try:
        if action == "send":
            services.do_send_materials(item, actor=user)
        elif action == "open":
            services.do_open_item(item, actor=user)
        elif action == "statement":
            services.do_make_statement(
                item, _member(meeting, request), post.get("text", ""), actor=user
            )
        elif action == "start-vote":
            services.do_start_vote(item, actor=user)
        elif action == "vote":
            services.do_cast_vote(
                item, _member(meeting, request), post.get("choice", ""), actor=user
            )
        elif action == "mark-voted":
            services.do_mark_voted(item, _member(meeting, request), actor=user)
        elif action == "ballot":
            services.do_enter_paper_ballot(item, post.get("choice", ""), actor=user)
        elif action == "close-vote":
            services.do_close_vote(item, actor=user)
        elif action == "defer":
            services.do_defer_item(item, post.get("reason", ""), actor=user)
        elif action == "file":
            services.do_file_with_superior(item, actor=user)
        elif action == "publish":
            services.do_publish(item, post.get("summary", ""), actor=user)
        elif action == "report":
            services.do_report_execution(item, post.get("text", ""), actor=user)
        elif action == "classify":  # DEC-8
            services.do_classify_item(
                item,
                major_investment=bool(post.get("major_investment")),
                affects_public=bool(post.get("affects_public")),
                actor=user,
            )
        elif action == "pre-step":  # DEC-8
            services.do_record_pre_decision_step(
                item,
                post.get("kind", ""),
                _date(post.get("held_on", "")),
                post.get("summary", ""),
                actor=user,
            )
        else:
            raise InvalidInput(_("未知操作。"))
    except DomainError as exc:
        form = action.replace("-", "_")
        failed = {"form": form, "errors": _failed(exc, FORM_FIELDS.get(form, ()))}
        return _meeting_page(request, meeting, failed, item_id=item.pk)
    messages.success(request, _("已保存。"))
    return redirect(f"{meeting_url(meeting)}#item-{item.pk}")


def _date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("请填写日期（年-月-日）。"), field="held_on") from None


def meeting_url(meeting):
    from django.urls import reverse

    return reverse("decisions:meeting", kwargs={"pk": meeting.pk})


@login_required
def village_list(request):
    """The six-step ledger; the 村务监督委员会 sees every step and files objections (DEC-10)."""
    units = units_visible_to(request.user)
    failed, failed_matter = {}, None
    if request.method == "POST":
        matter = get_object_or_404(
            VillageMatter, pk=request.POST.get("matter") or 0, village__in=units
        )
        step = request.POST.get("step") or None
        try:
            village.do_file_objection(
                request.user,
                matter,
                request.POST.get("text", ""),
                step=int(step) if step else None,
                actor=request.user,
            )
        except DomainError as exc:
            failed, failed_matter = _failed(exc, {"step", "text"}), matter.pk
        except ValueError:
            failed, failed_matter = {"step": _("请选择步骤。")}, matter.pk
        else:
            messages.success(request, _("意见已提交。"))
            return redirect("decisions:village")
    matters = (
        VillageMatter.objects.filter(village__in=units)
        .select_related("village")
        .prefetch_related("steps", "objections")
    )
    matters = list(matters)
    for m in matters:
        m.err = failed if m.pk == failed_matter else {}
        m.data = request.POST if m.pk == failed_matter else {}
    return render(
        request,
        "decisions/village_list.html",
        {"matters": matters, "steps": VillageStep.choices},
        status=400 if failed else 200,
    )


def public_list(request):
    """阳光示权: decisions that may be published, with execution reports (DEC-9, PUB-5)."""
    return render(
        request,
        "decisions/public_list.html",
        {"items": published_items(), "village_matters": published_village_matters()},
    )

"""Staff and public pages of the supervision context; thin: forms parse, services decide
(SUP-5, SUP-7..11)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wuquan.common.exceptions import DomainError, InvalidInput, NotPermitted
from wuquan.common.forms import DesignForm, add_domain_error
from wuquan.common.idempotency import idempotent
from wuquan.ledger.models import Event
from wuquan.org.models import Unit

from . import charts, complaints, registry, selectors, services
from .models import Alarm, AlarmStatus, ComplaintAbout, InspectionKind, InspectionRound, Outcome


class AssignForm(DesignForm):
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.all(),
        label=_("交办单位"),
        error_messages={"required": _("请选择交办单位。")},
    )
    working_days = forms.IntegerField(
        label=_("回复期限（工作日）"),
        min_value=1,
        max_value=60,
        initial=services.DEFAULT_ANSWER_WORKING_DAYS,
    )
    instructions = forms.CharField(
        label=_("交办要求"), required=False, widget=forms.Textarea, max_length=2000
    )


class AnswerForm(DesignForm):
    explanation = forms.CharField(
        label=_("情况说明"),
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": _("请填写情况说明。")},
    )
    correction = forms.CharField(
        label=_("整改纠正情况"), widget=forms.Textarea, required=False, max_length=5000
    )
    evidence = forms.FileField(label=_("佐证材料"), required=False)


class CheckForm(DesignForm):
    decision = forms.ChoiceField(
        label=_("审核结论"), choices=[("accept", _("通过")), ("send_back", _("退回重办"))]
    )
    note = forms.CharField(
        label=_("审核意见"), widget=forms.Textarea, required=False, max_length=2000
    )
    working_days = forms.IntegerField(
        label=_("退回后回复期限（工作日）"),
        min_value=1,
        max_value=60,
        initial=services.DEFAULT_ANSWER_WORKING_DAYS,
    )


class CloseForm(DesignForm):
    outcome = forms.ChoiceField(
        label=_("处理结果"), choices=[(o.value, o.label) for o in services.CLOSING_OUTCOMES]
    )
    note = forms.CharField(
        label=_("办结说明"),
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": _("请填写办结说明。")},
    )
    published_answer = forms.CharField(
        label=_("公开答复（投诉举报）"), widget=forms.Textarea, required=False, max_length=5000
    )


@login_required
def board(request):
    data = selectors.board(request.user)
    trend = [(d.strftime("%m-%d"), n) for d, n in data["trend"]]
    rules = [(f"{r['rule_code']} {r['name']}", r["n"]) for r in data["top_rules"]]
    return render(
        request,
        "supervision/board.html",
        {
            **data,
            "trend_svg": charts.column_chart(trend, str(_("近30天每日报警数"))),
            "rules_svg": charts.bar_chart(rules, str(_("触发最多的规则"))),
            "is_commission": services.is_commission(request.user),
            "rules": registry.all_rules(),
        },
    )


def _visible_alarm(request, pk) -> Alarm:
    alarm = selectors.alarms_visible_to(request.user).filter(pk=pk).first()
    if alarm is None:
        raise Http404
    return alarm


def _alarm_page(request, alarm: Alarm, bound: dict | None = None, status: int = 200):
    """The alarm with the forms its state allows; `bound` holds the form just posted ("assign",
    "answer", "check" or "close"), its errors beside its fields and the entries kept."""
    bound = bound or {}
    complaint = getattr(alarm, "complaint", None)
    commission = services.is_commission(request.user)
    can_answer = alarm.status == AlarmStatus.ASSIGNED and (
        request.user.is_superuser or services.holds_post_in(request.user, alarm.assigned_unit)
    )
    related = Event.objects.filter(
        subject_type="supervision.alarm", subject_id=str(alarm.pk)
    ).order_by("index")

    def form(key, cls, allowed, **kwargs):
        return bound.get(key) or (cls(**kwargs) if allowed else None)

    return render(
        request,
        "supervision/alarm.html",
        {
            "alarm": alarm,
            "rule": registry.get(alarm.rule_code),
            "linked_events": Event.objects.filter(index__in=alarm.event_indices).order_by("index"),
            "history": related,
            "complaint": complaint,
            "identity": complaints.identity_for(request.user, complaint) if complaint else None,
            "is_commission": commission,
            "assign_form": form("assign", AssignForm, commission, initial={"unit": alarm.unit_id}),
            "answer_form": form("answer", AnswerForm, can_answer),
            "check_form": form("check", CheckForm, commission),
            "close_form": form("close", CloseForm, commission),
            "posted_form": next(iter(bound.values()), None),
            "accountability": Outcome.accountability_grade(alarm.outcome),
        },
        status=status,
    )


@login_required
def alarm_detail(request, pk):
    return _alarm_page(request, _visible_alarm(request, pk))


def _post(request, pk, key: str, form, act, done: str):
    """Validate `form`, then `act(cleaned_data)` (the service call); on a refusal the alarm
    page again with the errors beside the fields, nothing written (issue 12, finding 6)."""
    alarm = _visible_alarm(request, pk)
    status = 400
    if form.is_valid():
        try:
            act(alarm, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
            status = exc.status_code
            alarm = _visible_alarm(request, pk)
        else:
            messages.success(request, done)
            return redirect("supervision:alarm", pk=pk)
    return _alarm_page(request, alarm, {key: form}, status=status)


@login_required
@require_POST
def alarm_assign(request, pk):
    return _post(
        request,
        pk,
        "assign",
        AssignForm(request.POST),
        lambda alarm, d: services.do_assign_alarm(
            alarm, d["unit"], d["working_days"], d["instructions"], actor=request.user
        ),
        _("已交办。"),
    )


@login_required
@require_POST
def alarm_answer(request, pk):
    return _post(
        request,
        pk,
        "answer",
        AnswerForm(request.POST, request.FILES),
        lambda alarm, d: services.do_answer_alarm(
            alarm, d["explanation"], d["correction"], d.get("evidence"), actor=request.user
        ),
        _("已回复，等待纪委审核。"),
    )


@login_required
@require_POST
def alarm_check(request, pk):
    return _post(
        request,
        pk,
        "check",
        CheckForm(request.POST),
        lambda alarm, d: services.do_check_alarm(
            alarm, d["decision"] == "accept", d["note"], d["working_days"], actor=request.user
        ),
        _("已审核。"),
    )


@login_required
@require_POST
def alarm_close(request, pk):
    return _post(
        request,
        pk,
        "close",
        CloseForm(request.POST),
        lambda alarm, d: services.do_close_alarm(
            alarm, d["outcome"], d["note"], d["published_answer"], actor=request.user
        ),
        _("已办结。"),
    )


@login_required
def inbox(request):
    if request.method == "POST":
        services.do_mark_read(request.user, request.POST.getlist("ids"))
        return redirect("supervision:inbox")
    return render(request, "supervision/inbox.html", {"notes": selectors.inbox(request.user)})


@login_required
def dispatch_report(request):
    if not selectors.is_supervisory(request.user):
        raise NotPermitted(_("调度通报由纪检监察机关编发。"))
    today = timezone.localdate()
    try:
        days = max(1, min(int(request.GET.get("days", 30)), 366))
    except ValueError:
        days = 30
    report = selectors.dispatch_report(today - timedelta(days=days - 1), today)
    return render(
        request, "supervision/dispatch.html", {**report, "days": days, "printed_at": timezone.now()}
    )


class RoundForm(DesignForm):
    supervising_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("监管单位"))
    title = forms.CharField(
        label=_("巡查任务"), max_length=200, error_messages={"required": _("请填写巡查任务名称。")}
    )
    scope = forms.CharField(label=_("巡查范围"), required=False, widget=forms.Textarea)
    due = forms.DateField(
        label=_("完成期限"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请填写完成期限。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervising_unit"].queryset = Unit.objects.filter(
            code__in=services.inspecting_unit_codes()
        )


class InspectionForm(DesignForm):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("报送单位"))
    round = forms.ModelChoiceField(
        queryset=InspectionRound.objects.all(), label=_("巡查任务"), required=False
    )
    kind = forms.ChoiceField(label=_("类别"), choices=InspectionKind.choices)
    findings = forms.CharField(
        label=_("检查发现"),
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": _("请填写检查发现。")},
    )
    attachment = forms.FileField(label=_("附件"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            code__in=services.inspecting_unit_codes()
        )


@login_required
def inspections(request):
    """Rounds set by the commission and the records filed (SUP-7, SUP-8). A refused entry is
    shown beside its field, the entries kept, nothing written."""
    commission = services.is_commission(request.user)
    round_form, inspection_form, status = None, None, 200
    if request.method == "POST":
        if request.POST.get("form") == "round":
            form = round_form = RoundForm(request.POST)
        else:
            form = inspection_form = InspectionForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                if form is round_form:
                    services.do_create_inspection_round(
                        d["supervising_unit"], d["title"], d["due"], d["scope"], actor=request.user
                    )
                    messages.success(request, _("巡查任务已布置。"))
                else:
                    services.do_file_inspection(
                        d["unit"],
                        d["kind"],
                        d["findings"],
                        d["round"],
                        attachment=d.get("attachment"),
                        actor=request.user,
                    )
                    messages.success(request, _("检查记录已报送。"))
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status_code
            else:
                return redirect("supervision:inspections")
    return render(
        request,
        "supervision/inspections.html",
        {
            "rounds": selectors.rounds_with_status(),
            "records": selectors.inspection_records(),
            "round_form": round_form or (RoundForm() if commission else None),
            "inspection_form": inspection_form or InspectionForm(),
            "posted_form": round_form or inspection_form,
        },
        status=status,
    )


# ---- public pages (/gk/supervision/) --------------------------------------------------------


class ComplaintForm(DesignForm):
    about = forms.ChoiceField(label=_("投诉对象"), choices=ComplaintAbout.choices)
    receipt_no = forms.CharField(label=_("办件受理编号"), required=False, max_length=40)
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.all(), label=_("被投诉单位"), required=False, to_field_name="code"
    )
    person_named = forms.CharField(label=_("被投诉人"), required=False, max_length=50)
    content = forms.CharField(
        label=_("投诉内容"), widget=forms.Textarea, max_length=complaints.CONTENT_MAX
    )
    anonymous = forms.BooleanField(label=_("匿名投诉"), required=False)
    complainant_name = forms.CharField(label=_("您的姓名"), required=False, max_length=50)
    complainant_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    # why: a field humans never see; bots fill it in (honeypot)
    website = forms.CharField(label=_("网址"), required=False)


def _client_ip(request) -> str:
    from wuquan.common.net import client_ip

    return client_ip(request)  # why: behind a proxy REMOTE_ADDR is the proxy (finding 8)


DONE_KEY = "supervision-complaint-done"
TRACK_KEY = "supervision-complaint-track"
TRACK_FAILURE_SCOPE = "complaint-track-failure"


@idempotent
def complaint_form(request):
    """File a complaint: rate limit, validation, then POST-redirect-GET to the done page (the
    tracking code kept in the session, never in a URL); the form's idempotency key makes a
    second POST of the same form file nothing (issue 12 finding 5)."""
    if request.method == "POST":
        form = ComplaintForm(request.POST)
        # why: rate-limit before parsing so a flood costs nothing; refusals write nothing
        complaints.take_rate_slot(_client_ip(request))
        if not form.is_valid():
            return _complaint_page(request, form)
        data = form.cleaned_data
        try:
            complaint = complaints.do_file_complaint(
                complaints.ComplaintInput(
                    about=data["about"],
                    content=data["content"],
                    receipt_no=data["receipt_no"],
                    unit_code=data["unit"].code if data["unit"] else "",
                    person_named=data["person_named"],
                    anonymous=data["anonymous"],
                    complainant_name=data["complainant_name"],
                    complainant_phone=data["complainant_phone"],
                    honeypot=data["website"],
                ),
                ip=_client_ip(request),
                count_rate=False,
            )
        except InvalidInput as exc:
            if exc.field == "website":  # why: the honeypot is hidden; say it at the top
                exc.field = None
            add_domain_error(form, exc)
            return _complaint_page(request, form)
        request.session[DONE_KEY] = complaint.tracking_code
        return redirect("supervision-public:complaint-done")
    return _complaint_page(request, ComplaintForm(), status=200)


def _complaint_page(request, form, status=400):
    """The form again with every error beside its field and the entries kept (issue 12,
    finding 6); a refused complaint is not written and frees its idempotency key."""
    return render(request, "supervision/complaint_form.html", {"form": form}, status=status)


def complaint_done(request):
    """The tracking code of the complaint this browser filed last (reloadable; files nothing)."""
    code = request.session.get(DONE_KEY)
    if not code:
        return redirect("supervision-public:complaint")
    return render(request, "supervision/complaint_done.html", {"code": code})


def complaint_track(request):
    """Track by code: POST the code (never in a URL), then GET the result from the session.
    Wrong codes are throttled per client address (WUQUAN_LOOKUP_FAILURES_PER_HOUR)."""
    from django.conf import settings

    from wuquan.common import ratelimit
    from wuquan.common.exceptions import NotFound

    limit = int(getattr(settings, "WUQUAN_LOOKUP_FAILURES_PER_HOUR", 10))
    ip = _client_ip(request)
    if request.method == "POST":
        if ratelimit.used(TRACK_FAILURE_SCOPE, ip, limit=limit):
            raise ratelimit.RateLimited(_("查询码错误次数过多，请一小时后再试。"))
        code = (request.POST.get("code") or "").strip().upper()
        try:
            complaints.lookup(code)
        except (NotFound, InvalidInput) as exc:
            ratelimit.take(TRACK_FAILURE_SCOPE, ip, limit=limit)
            return render(
                request,
                "supervision/complaint_track.html",
                {"error": exc.message},
                status=exc.status_code,
            )
        request.session[TRACK_KEY] = code
        return redirect("supervision-public:complaint-track")
    code = request.session.get(TRACK_KEY, "")
    result = complaints.lookup(code) if code else None
    return render(request, "supervision/complaint_track.html", {"result": result})

"""Staff pages of personnel — thin over services and selectors (PER-1..7)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import DomainError, NotPermitted
from wuquan.org.models import Person, Post
from wuquan.org.selectors import scope

from . import access, files, index, services
from .models import (
    CheckReason,
    Finding,
    NominationKind,
    Objection,
    Outcome,
    PersonalReport,
    Selection,
    SelectionStatus,
    SpotCheck,
    SpotCheckRound,
    Step,
)
from .selectors import dossier, public_notices


def _visible_selections(user):
    qs = Selection.objects.select_related("unit", "post", "candidate")
    if access.is_org_department(user):
        return qs
    return scope(qs, user)


def _required(post, labels: dict[str, str]) -> dict[str, str]:
    """Every empty required field at once (the services then check the rest)."""
    return {
        name: _("请填写%s。") % label
        for name, label in labels.items()
        if not (post.get(name) or "").strip()
    }


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@login_required
def selection_list(request):
    is_org = access.is_org_department(request.user)
    errors, data = {}, {}
    if request.method == "POST":
        access.require_org_department(request.user)
        data = request.POST
        errors = _required(
            data,
            {
                "post": _("拟任岗位"),
                "title": _("名称"),
                "on": _("动议日期"),
                "participants": _("参加人员"),
                "outcome": _("动议结果"),
            },
        )
        post = Post.objects.filter(pk=data.get("post") or 0).first()
        if not errors:
            try:
                selection = services.do_open_selection(
                    post,
                    data["title"],
                    actor=request.user,
                    on=data["on"],
                    participants=data["participants"],
                    documents=data.get("documents", ""),
                    outcome=data["outcome"],
                )
            except DomainError as exc:
                errors[exc.field or "form"] = exc.message
            else:
                messages.success(request, _("已动议，进入民主推荐。"))
                return redirect("personnel:selection", pk=selection.pk)
    posts = Post.objects.select_related("unit").filter(personnel__isnull=False)
    return render(
        request,
        "personnel/selection_list.html",
        {
            "selections": _visible_selections(request.user)[:200],
            "posts": posts,
            "is_org": is_org,
            "errors": errors,
            "data": data,
            "today": timezone.localdate().isoformat(),
        },
        status=400 if errors else 200,
    )


def _selection(request, pk) -> Selection:
    selection = _visible_selections(request.user).filter(pk=pk).first()
    if selection is None:
        raise Http404
    return selection


def _meetings_for(selection):
    from wuquan.decisions.models import Meeting, MeetingStatus

    return Meeting.objects.filter(unit=services.deciding_unit(selection)).exclude(
        status=MeetingStatus.CLOSED
    )


STEP_FIELDS = {"on": _("日期"), "participants": _("参加人员"), "outcome": _("结果")}


def _act(request, selection, action: str):
    """Run one action on a selection; returns (message on success) or raises DomainError."""
    p, user = request.POST, request.user
    step_args = {
        "on": p.get("on"),
        "participants": p.get("participants", ""),
        "documents": p.get("documents", ""),
        "outcome": p.get("outcome", ""),
    }
    if action == "nominate":
        nominee = get_object_or_404(Person, pk=p.get("nominee") or 0)
        nominator = get_object_or_404(Person, pk=p.get("nominator") or 0)
        services.do_nominate(
            selection,
            nominee,
            nominator=nominator,
            kind=p.get("kind", ""),
            reason=p.get("reason", ""),
            signature=p.get("signature", ""),
            signed_on=p.get("signed_on"),
            actor=user,
        )
        return _("实名推荐已登记。")
    if action == "recommendation":
        services.do_record_recommendation(selection, actor=user, **step_args)
        return _("民主推荐已记实。")
    if action == "shortlist":
        candidate = get_object_or_404(Person, pk=p.get("candidate") or 0)
        services.do_shortlist(selection, candidate, actor=user, **step_args)
        return _("已确定考察对象，个人有关事项查核已启动。")
    if action == "inspection":
        services.do_record_inspection(selection, actor=user, **step_args)
        return _("考察已记实。")
    if action == "submit-review":
        services.do_submit_review(selection, actor=user)
        return _("已报送区委组织部任前审核。")
    if action == "review":
        services.do_decide_review(
            selection, p.get("approved") == "yes", p.get("reasons", ""), actor=user
        )
        return _("任前审核意见已登记。")
    if action == "request-decision":
        meeting = _meetings_for(selection).filter(pk=p.get("meeting") or 0).first()
        services.do_request_decision(selection, meeting, actor=user)
        return _("已提交领导班子会议讨论决定（无记名票决）。")
    if action == "decision":
        services.do_record_decision(selection, actor=user)
        return _("讨论决定结果已记实。")
    if action == "notice":
        services.do_publish_notice(selection, p.get("start"), actor=user)
        return _("任前公示已在公开门户发布。")
    if action == "handle-objection":
        objection = get_object_or_404(Objection, pk=p.get("objection") or 0, selection=selection)
        services.do_handle_objection(
            objection, p.get("finding", ""), p.get("affects") == "yes", actor=user
        )
        return _("反映已办结。")
    if action == "close-notice":
        services.do_close_notice(
            selection,
            actor=user,
            on=p.get("on"),
            participants=p.get("participants", ""),
            outcome=p.get("outcome", ""),
        )
        return _("公示期满，已记实。")
    if action == "appoint":
        services.do_appoint_candidate(
            selection,
            p.get("start"),
            actor=user,
            participants=p.get("participants", ""),
            documents=p.get("documents", ""),
        )
        services.do_archive_dossier(selection, actor=user)
        return _("已任职，文书档案已归档。")
    if action == "stop":
        services.do_stop_selection(selection, p.get("reason", ""), actor=user)
        return _("选拔已终止。")
    raise Http404


REQUIRED_BY_ACTION = {
    "recommendation": STEP_FIELDS,
    "shortlist": {"candidate": _("考察对象"), **STEP_FIELDS},
    "inspection": STEP_FIELDS,
    "nominate": {
        "nominee": _("被推荐人"),
        "nominator": _("推荐人"),
        "kind": _("推荐方式"),
        "reason": _("推荐理由"),
        "signature": _("推荐人签名"),
        "signed_on": _("签名日期"),
    },
    "notice": {"start": _("公示开始日期")},
    "close-notice": {"on": _("日期"), "participants": _("经办人员")},
    "appoint": {"start": _("任职日期"), "participants": _("经办人员")},
}


@login_required
def selection_detail(request, pk):
    selection = _selection(request, pk)
    errors, data, action = {}, {}, ""
    if request.method == "POST":
        access.require_org_department(request.user)
        action, data = request.POST.get("action", ""), request.POST
        errors = _required(data, REQUIRED_BY_ACTION.get(action, {}))
        if not errors:
            try:
                message = _act(request, selection, action)
            except DomainError as exc:
                errors[exc.field or "form"] = exc.message
            else:
                messages.success(request, message)
                return redirect("personnel:selection", pk=selection.pk)
        selection = _selection(request, pk)
    people = Person.objects.order_by("id")
    return render(
        request,
        "personnel/selection_detail.html",
        {
            "selection": selection,
            "steps": selection.steps.order_by("step"),
            "all_steps": Step.choices,
            "next_step": selection.next_step,
            "nominations": selection.nominations.select_related("nominee", "nominator"),
            "objections": selection.objections.all(),
            "checks": selection.checks.select_related("person"),
            "reviews": selection.reviews.all(),
            "people": people,
            "nominees": Person.objects.filter(
                pk__in=selection.nominations.values("nominee")
            ).distinct(),
            "kinds": NominationKind.choices,
            "meetings": _meetings_for(selection),
            "is_org": access.is_org_department(request.user),
            "errors": errors,
            "data": data,
            "action": action,
            "Step": Step,
            "today": timezone.localdate().isoformat(),
            "in_notice": selection.status == SelectionStatus.NOTICE,
        },
        status=400 if errors else 200,
    )


@login_required
def selections_excel(request):
    """选拔任用台账 as Excel (organisation department)."""
    from django.http import HttpResponse

    from . import excel

    access.require_org_department(request.user)
    response = HttpResponse(
        excel.export_bytes(_visible_selections(request.user)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="selections-{stamp}.xlsx"'
    return response


@login_required
def selection_dossier(request, pk):
    """选拔任用文书档案: one printable page."""
    selection = _selection(request, pk)
    return render(
        request,
        "personnel/dossier.html",
        {
            "selection": selection,
            "d": dossier(selection),
            "checks": selection.checks.all(),
            "reviews": selection.reviews.all(),
        },
    )


# ---------------------------------------------------------------- personal matters (PER-3)


@login_required
def reports(request):
    access.require_org_department(request.user)
    year = int(request.GET.get("year") or timezone.localdate().year)
    errors = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "open-round":
                services.do_open_round(year, int(request.POST.get("rate") or 0), actor=request.user)
                messages.success(request, _("已启动随机抽查，等待下一个签名检查点后抽取。"))
            elif request.POST.get("action") == "draw":
                rnd = get_object_or_404(SpotCheckRound, year=year)
                services.do_draw_round(rnd, actor=request.user)
                messages.success(request, _("已抽取。"))
        except (DomainError, ValueError) as exc:
            errors[getattr(exc, "field", None) or "form"] = getattr(exc, "message", str(exc))
        else:
            return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "personnel/reports.html",
        {
            "year": year,
            "reports": PersonalReport.objects.filter(year=year).select_related("person"),
            "round": SpotCheckRound.objects.filter(year=year).first(),
            "checks": SpotCheck.objects.filter(year=year).select_related("person", "selection"),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
def check_detail(request, pk):
    access.require_org_department(request.user)
    check = get_object_or_404(SpotCheck.objects.select_related("person", "report"), pk=pk)
    errors, data = {}, {}
    if request.method == "POST":
        data = request.POST
        try:
            services.do_conclude_check(
                check,
                data.get("finding", ""),
                data.get("outcome", ""),
                data.get("details", ""),
                actor=request.user,
            )
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
        else:
            messages.success(request, _("查核结论已登记。"))
            if check.selection_id:
                return redirect("personnel:selection", pk=check.selection_id)
            return redirect("personnel:check", pk=check.pk)
    return render(
        request,
        "personnel/check.html",
        {
            "check": check,
            "report": check.report,
            "findings": Finding.choices,
            "outcomes": Outcome.choices,
            "reasons": dict(CheckReason.choices),
            "errors": errors,
            "data": data,
        },
        status=400 if errors else 200,
    )


ROWS = range(3)


def _report_rows(post):
    relatives, firms = [], []
    for i in ROWS:
        name = (post.get(f"rel{i}_name") or "").strip()
        if name:
            relatives.append(
                {
                    "relation": post.get(f"rel{i}_relation", ""),
                    "name": name,
                    "id_number": (post.get(f"rel{i}_id") or "").strip(),
                    "abroad": post.get(f"rel{i}_abroad") == "on",
                }
            )
    for i in ROWS:
        name = (post.get(f"firm{i}_name") or "").strip()
        if name:
            ref = post.get(f"firm{i}_relative", "")
            firms.append(
                {
                    "name": name,
                    "uscc": (post.get(f"firm{i}_uscc") or "").strip(),
                    "role": post.get(f"firm{i}_role", ""),
                    "relative": int(ref) if ref.isdigit() and int(ref) < len(relatives) else None,
                }
            )
    lines = lambda key: [  # noqa: E731
        {"text": line.strip()} for line in (post.get(key) or "").splitlines() if line.strip()
    ]
    return relatives, firms, lines("houses"), lines("investments")


def _int(value, default=0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
def my_report(request):
    """A leading cadre files their own yearly personal-matters report (PER-3). What they filed
    is then visible only to the organisation department."""
    from wuquan.org.selectors import person_of

    from .models import MaritalStatus, Relation

    me = person_of(request.user)
    if me is None:
        raise NotPermitted(_("您的账号没有关联人员，无法报告。"))
    year = timezone.localdate().year - 1
    errors, data = {}, {}
    if request.method == "POST":
        data = request.POST
        errors = _required(data, {"marital_status": _("婚姻状况")})
        if not errors:
            relatives, firms, houses, investments = _report_rows(data)
            try:
                services.do_file_report(
                    me,
                    _int(data.get("year"), year),
                    actor=request.user,
                    submitted_on=timezone.localdate(),
                    marital_status=data.get("marital_status", ""),
                    spouse_emigrated=data.get("spouse_emigrated") == "on",
                    children_count=_int(data.get("children_count")),
                    children_emigrated=_int(data.get("children_emigrated")),
                    houses=houses,
                    investments=investments,
                    relatives=relatives,
                    firms=firms,
                    attachment=request.FILES.get("attachment"),
                )
            except DomainError as exc:
                errors[exc.field or "form"] = exc.message
            else:
                messages.success(request, _("%d 年度个人有关事项报告已提交。") % year)
                return redirect("personnel:my-report")
    return render(
        request,
        "personnel/my_report.html",
        {
            "year": year,
            "filed": PersonalReport.objects.filter(person=me).order_by("-year"),
            "marital": MaritalStatus.choices,
            "relations": Relation.choices,
            "rows": ROWS,
            "errors": errors,
            "data": data,
        },
        status=400 if errors else 200,
    )


# ---------------------------------------------------------------- files and links (PER-6)


@login_required
def cadre_file(request, pk):
    access.require_files(request.user)
    person = get_object_or_404(Person, pk=pk)
    return render(
        request,
        "personnel/cadre_file.html",
        {
            "person": person,
            "sections": files.file_for(person, timezone.now(), request.user),
        },
    )


@login_required
def links(request):
    """A person's or a firm's links across every platform (commission, org department)."""
    access.require_files(request.user)
    number = (request.GET.get("q") or "").strip().upper()
    found = index.links_for(number) if number else []
    return render(
        request,
        "personnel/links.html",
        {"q": number, "links": found, "conflicts": index.conflicts()[:100]},
    )


@login_required
def rebuild_index(request):
    if request.method != "POST":
        raise Http404
    if not access.can_see_files(request.user):
        raise NotPermitted(_("无权操作。"))
    count = index.do_rebuild_index(actor=request.user)
    messages.success(request, _("关联方索引已重建：%d 条。") % count)
    return redirect("personnel:links")


def notices_for_portal():
    return public_notices()

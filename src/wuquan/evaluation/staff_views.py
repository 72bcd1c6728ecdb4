"""Staff pages for running a democratic evaluation end to end (EVA-1..4, PUB-10) — thin over
`services`; each POST calls one service and reports its domain error as a message."""

from __future__ import annotations

import re
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuquan.common.exceptions import DomainError, InvalidInput, NotPermitted
from wuquan.org.models import Person, Post
from wuquan.org.selectors import holders_of, scope, units_visible_to

from . import services
from .models import (
    DEFAULT_SCALE,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    Flag,
    PetitionBasis,
    Question,
    RecallPetition,
    SheetStatus,
)


def _visible(request, pk) -> Evaluation:
    evaluation = get_object_or_404(Evaluation.objects.select_related("unit"), pk=pk)
    if not units_visible_to(request.user).filter(pk=evaluation.unit_id).exists():
        raise NotPermitted(_("您无权查看该单位的民主测评。"))
    return evaluation


def _int(value, field: str, label: str) -> int:
    try:
        return int((value or "").strip())
    except ValueError as exc:
        raise InvalidInput(_("请填写正确的%s（整数）。") % label, field=field) from exc


def _date(value, field: str, label: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise InvalidInput(_("请填写正确的%s。") % label, field=field) from exc


def _scale(value: str) -> list[str] | None:
    parts = [p for p in re.split(r"[,，、\s]+", value or "") if p]
    return parts or None


# the fields each staff form shows: a service's error naming one of them is shown beside it,
# any other at the top of that form (issue 12, finding 6)
FORM_FIELDS = {
    "new": {"unit", "year", "title", "kind", "eligible_voters", "scale"},
    "add_subjects": {"holder"},
    "commitment": {"subject", "on", "text"},
    "report": {"subject", "on", "text"},
    "question": {"subject", "asker", "text", "answer"},
    "answer": {"answer"},
    "petition": {"subject", "basis", "signatures", "eligible_total"},
    "codes": {"count"},
    "paper": {"batch", "ballots"},
}
# the services' field names where the form names its input otherwise
FIELD_ALIASES = {"sheet_no": "batch", "grades": "ballots"}


def _failed(exc: DomainError, form: str) -> dict:
    """{form: {field: message}}; "form" when the field is not on that form."""
    field = FIELD_ALIASES.get(exc.field, exc.field)
    return {form: {field if field in FORM_FIELDS.get(form, ()) else "form": exc.message}}


@login_required
def evaluation_list(request):
    """List the evaluations of the user's units and create one (EVA-2)."""
    units = units_visible_to(request.user).order_by("sort", "code")
    failed = {}
    if request.method == "POST":
        post = request.POST
        try:
            unit = units.filter(pk=post.get("unit") or 0).first()
            if unit is None:
                raise InvalidInput(_("请选择单位。"), field="unit")
            if post.get("kind") not in EvaluationKind.values:
                raise InvalidInput(_("请选择测评类别。"), field="kind")
            evaluation = services.do_create_evaluation(
                unit,
                _int(post.get("year"), "year", _("年度")),
                post.get("title", ""),
                post.get("kind"),
                _int(post.get("eligible_voters"), "eligible_voters", _("参评人数")),
                _scale(post.get("scale", "")),
                actor=request.user,
            )
        except DomainError as exc:
            failed = _failed(exc, "new")
        else:
            messages.success(request, _("测评已创建，请添加被测评人。"))
            return redirect("evaluation:detail", pk=evaluation.pk)
    evaluations = scope(Evaluation.objects.select_related("unit"), request.user)[:200]
    flags = scope(Flag.objects.select_related("person", "unit"), request.user).order_by(
        "-raised_on", "-id"
    )[:50]
    return render(
        request,
        "evaluation/staff_list.html",
        {
            "evaluations": evaluations,
            "units": units,
            "kinds": EvaluationKind.choices,
            "default_scale": "、".join(DEFAULT_SCALE),
            "this_year": timezone.localdate().year,
            "flags": flags,
            "err": failed.get("new", {}),
            "data": request.POST,
        },
        status=400 if failed else 200,
    )


def _candidates(evaluation: Evaluation) -> list[tuple[str, str]]:
    """Current holders of the unit's posts not yet subjects: (value "person:post", label)."""
    taken = set(evaluation.subjects.values_list("person_id", flat=True))
    out = []
    for post in Post.objects.filter(unit=evaluation.unit).order_by("-is_head", "code"):
        for person in holders_of(post):
            if person.pk not in taken:
                out.append((f"{person.pk}:{post.pk}", f"{person.name}（{post.name}）"))
    return out


@login_required
def evaluation_detail(request, pk):
    return _detail_page(request, _visible(request, pk))


def _detail_page(request, evaluation, failed: dict | None = None):
    """The evaluation page; after a refused POST (`failed`: {form: {field: message}}) with the
    error beside its field and what was typed kept, answered 400 (no redirect)."""
    subjects = list(evaluation.subjects.select_related("person").prefetch_related("questions"))
    persons = [s.person_id for s in subjects]
    return render(
        request,
        "evaluation/staff_detail.html",
        {
            "evaluation": evaluation,
            "subjects": subjects,
            "candidates": _candidates(evaluation)
            if evaluation.status == EvaluationStatus.DRAFT
            else [],
            "codes_issued": evaluation.codes.count(),
            "codes_used": evaluation.codes.filter(used=True).count(),
            "paper_keyed": services.paper_ballots_keyed(evaluation),
            "open_batches": evaluation.sheets.exclude(status=SheetStatus.COUNTED).count(),
            "flags": Flag.objects.filter(unit=evaluation.unit, person_id__in=persons)
            .select_related("person")
            .order_by("-raised_on", "-id"),
            "petitions": RecallPetition.objects.filter(unit=evaluation.unit, person_id__in=persons)
            .select_related("person")
            .order_by("-filed_on", "-id"),
            "bases": PetitionBasis.choices,
            "today": timezone.localdate().isoformat(),
            "err": failed or {},
            "data": {form: request.POST for form in failed or {}},
            "failed_question": request.POST.get("question") if failed else None,
        },
        status=400 if failed else 200,
    )


def _subject(evaluation, request):
    subject = evaluation.subjects.filter(pk=request.POST.get("subject") or 0).first()
    if subject is None:
        raise InvalidInput(_("请选择被测评人。"), field="subject")
    return subject


def _add_subjects(user, evaluation, values: list[str]) -> int:
    if not values:
        raise InvalidInput(_("请勾选至少一名被测评人。"), field="holder")
    allowed = dict(_candidates(evaluation))
    if any(v not in allowed for v in values):
        raise InvalidInput(_("所选人员不是本单位在任人员。"), field="holder")
    for value in values:
        person_id, post_id = (int(x) for x in value.split(":"))
        post = Post.objects.get(pk=post_id)
        services.do_add_subject(evaluation, Person.objects.get(pk=person_id), post.name, actor=user)
    return len(values)


@login_required
@require_POST
def evaluation_action(request, pk, action):
    """One step of the cycle (EVA-2), voting (EVA-1), results (PUB-10) or a petition (EVA-4)."""
    evaluation = _visible(request, pk)
    user, post = request.user, request.POST
    done = _("已保存。")
    try:
        if action == "add-subjects":
            _add_subjects(user, evaluation, post.getlist("holder"))
        elif action == "commitment":
            services.do_record_commitment(
                _subject(evaluation, request),
                post.get("text", ""),
                _date(post.get("on"), "on", _("承诺日期")),
                actor=user,
            )
        elif action == "report":
            services.do_record_report(
                _subject(evaluation, request),
                post.get("text", ""),
                _date(post.get("on"), "on", _("述职日期")),
                actor=user,
            )
        elif action == "question":
            services.do_ask_question(
                _subject(evaluation, request),
                post.get("asker", ""),
                post.get("text", ""),
                post.get("answer", ""),
                actor=user,
            )
        elif action == "answer":
            question = Question.objects.filter(
                pk=post.get("question") or 0, subject__evaluation=evaluation
            ).first()
            if question is None:
                raise InvalidInput(_("问题不存在。"), field="question")
            services.do_answer_question(question, post.get("answer", ""), actor=user)
        elif action == "open":
            services.do_open_voting(evaluation, actor=user)
            done = _("测评已开始，投票码可在网上投票页使用。")
        elif action == "close":
            services.do_close_voting(evaluation, actor=user)
            done = _("测评已结束并计票。")
        elif action == "publish":
            services.do_publish_results(evaluation, actor=user)
            done = _("测评结果已公示。")
        elif action == "petition":
            services.do_file_recall_petition(
                evaluation.unit,
                _subject(evaluation, request).person,
                post.get("basis", ""),
                _int(post.get("signatures"), "signatures", _("联名人数")),
                _int(post.get("eligible_total"), "eligible_total", _("总人数")),
                actor=user,
            )
        else:
            raise InvalidInput(_("未知操作。"))
    except DomainError as exc:
        form = action.replace("-", "_")
        return _detail_page(
            request, evaluation, _failed(exc, form if form in FORM_FIELDS else "buttons")
        )
    messages.success(request, done)
    return redirect("evaluation:detail", pk=evaluation.pk)


@login_required
@require_POST
def issue_codes(request, pk):
    """Issue one-time voter codes and show them ONCE on a printable sheet (EVA-1). The clear
    codes live only in this response (never stored, never cached)."""
    evaluation = _visible(request, pk)
    try:
        codes = services.do_issue_codes(
            evaluation, _int(request.POST.get("count"), "count", _("数量")), actor=request.user
        )
    except DomainError as exc:
        return _detail_page(request, evaluation, _failed(exc, "codes"))
    response = render(
        request,
        "evaluation/staff_codes.html",
        {
            "evaluation": evaluation,
            "codes": codes,
            "subjects": evaluation.subjects.select_related("person"),
            "vote_url": request.build_absolute_uri(f"/gk/evaluation/{evaluation.pk}/vote/"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def parse_ballot_lines(evaluation: Evaluation, text: str, subjects) -> list[dict]:
    """One paper ballot per line: one digit per subject in list order, 1 = the first grade of
    the scale (e.g. “12” = 优秀, 称职). Spaces are ignored; blank lines skipped."""
    n = len(evaluation.scale)
    ballots = []
    for lineno, raw in enumerate((text or "").splitlines(), start=1):
        line = re.sub(r"\s+", "", raw)
        if not line:
            continue
        if len(line) != len(subjects) or any(c not in "123456789"[:n] for c in line):
            raise InvalidInput(
                _("第 %(l)d 行“%(t)s”有误：每行应有 %(s)d 位数字（1–%(n)d），每位被测评人一位。")
                % {"l": lineno, "t": raw.strip(), "s": len(subjects), "n": n},
                field="ballots",
            )
        ballots.append(
            {s.pk: evaluation.scale[int(c) - 1] for s, c in zip(subjects, line, strict=True)}
        )
    return ballots


@login_required
def paper(request, pk):
    """Double entry of paper ballot batches by two clerks, with the cross-check (EVA-1)."""
    evaluation = _visible(request, pk)
    subjects = list(evaluation.subjects.select_related("person"))
    failed = {}
    if request.method == "POST":
        try:
            if request.POST.get("rekey"):
                sheet = evaluation.sheets.filter(pk=request.POST.get("rekey")).first()
                if sheet is None:
                    raise InvalidInput(_("批次不存在。"), field="sheet_no")
                services.do_rekey_paper_batch(sheet, actor=request.user)
                done = _("批号 %s 的两次录入已作废，请两名录入员重新录入。") % sheet.sheet_no
            else:
                sheet = services.do_enter_paper_batch(
                    evaluation,
                    request.POST.get("batch", ""),
                    parse_ballot_lines(evaluation, request.POST.get("ballots", ""), subjects),
                    actor=request.user,
                )
                done = {
                    SheetStatus.PENDING: _("已录入，待另一名录入员复核录入。"),
                    SheetStatus.COUNTED: _("两人录入一致，已计入。"),
                    SheetStatus.MISMATCH: _("两人录入不一致，未计入，请核对后重新录入。"),
                }[sheet.status]
        except DomainError as exc:
            failed = _failed(exc, "paper")
        else:
            (messages.warning if sheet.status == SheetStatus.MISMATCH else messages.success)(
                request, done
            )
            return redirect("evaluation:paper", pk=evaluation.pk)
    batches = []
    for sheet in evaluation.sheets.prefetch_related("entries__clerk").order_by("id"):
        entry_clerks = [e.clerk for e in sheet.entries.all()]
        batches.append(
            {
                "sheet": sheet,
                "clerks": entry_clerks,
                "size": max(
                    (len(services.batch_ballots(e.grades)) for e in sheet.entries.all()), default=0
                ),
                "diff": services.batch_differences(sheet)
                if sheet.status == SheetStatus.MISMATCH
                else None,
            }
        )
    return render(
        request,
        "evaluation/staff_paper.html",
        {
            "evaluation": evaluation,
            "subjects": subjects,
            "legend": [(i, g) for i, g in enumerate(evaluation.scale, start=1)],
            "batches": batches,
            "form": request.POST if request.method == "POST" else {},
            "err": failed.get("paper", {}),
        },
        status=400 if failed else 200,
    )

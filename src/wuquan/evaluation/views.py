"""Public pages: published evaluation results (PUB-10) and the online ballot (EVA-1)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from wuquan.common.exceptions import DomainError

from . import services
from .models import Evaluation, EvaluationStatus


def public_list(request):
    evaluations = (
        Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED)
        .select_related("unit")
        .prefetch_related("subjects__person", "subjects__questions")
    )
    return render(request, "evaluation/public_list.html", {"evaluations": evaluations})


def vote(request, pk):
    """Online ballot: the voter enters a one-time code and grades every subject."""
    evaluation = get_object_or_404(Evaluation, pk=pk, status=EvaluationStatus.VOTING)
    subjects = list(evaluation.subjects.select_related("person"))
    if request.method == "POST":
        grades = {s.pk: request.POST.get(f"grade-{s.pk}", "") for s in subjects}
        try:
            services.do_cast_online(evaluation, request.POST.get("code", ""), grades)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("投票成功，感谢参与。"))
            return redirect("evaluation-public:list")
    return render(request, "evaluation/vote.html", {"evaluation": evaluation, "subjects": subjects})

"""evaluation's part of a cadre's supervision file (PER-6): democratic evaluation results."""

from __future__ import annotations

from .models import EvaluationStatus, Subject


def sections(person, as_of) -> list[dict]:
    rows = [
        {"on": None, "text": f"{s.evaluation.year} {s.evaluation.title}：{s.rating}", "link": ""}
        for s in Subject.objects.filter(
            person=person,
            evaluation__status__in=[EvaluationStatus.CLOSED, EvaluationStatus.PUBLISHED],
        ).select_related("evaluation")
    ]
    return [{"source": "evaluation", "title": "民主测评结果", "rows": rows}] if rows else []

"""personnel's own part of a cadre's supervision file: selections and personal-matters checks."""

from __future__ import annotations

from django.urls import reverse

from .models import SpotCheck


def sections(person, as_of) -> list[dict]:
    from .models import Selection

    out = []
    checks = SpotCheck.objects.filter(person=person, finding__gt="").order_by("-year")
    if checks:
        out.append(
            {
                "source": "personnel",
                "title": "个人有关事项查核",
                "rows": [
                    {
                        "on": c.checked_on,
                        "text": f"{c.year} 年度 {c.get_reason_display()}：{c.get_finding_display()}，"
                        f"{c.get_outcome_display()}",
                        "link": "",
                    }
                    for c in checks
                ],
            }
        )
    selections = Selection.objects.filter(candidate=person).select_related("post")
    if selections:
        out.append(
            {
                "source": "personnel",
                "title": "选拔任用",
                "rows": [
                    {
                        "on": s.opened_at.date(),
                        "text": f"{s.title}（{s.get_status_display()}）",
                        "link": reverse("personnel:selection", args=[s.pk]),
                    }
                    for s in selections
                ],
            }
        )
    return out

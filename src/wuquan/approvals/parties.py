"""approvals' source for personnel's conflict index (personnel/index.py): each case's applicant
(`applicant`, at the case's unit) and, for every person who handled a step of it,
`handled_case` (the same applicant key, with that person as the official)."""

from __future__ import annotations

from .models import Case, CaseStep


def _kind(number: str) -> str:
    from wuquan.common.identity import is_valid_ric

    return "person" if is_valid_ric(number) else "firm"


def parties(as_of):
    cases = Case.objects.exclude(applicant_id_number="").filter(submitted_at__date__lte=as_of)
    numbers = {}
    for case in cases.only(
        "id", "unit_id", "applicant_id_number", "applicant_name", "submitted_at"
    ):
        number = case.applicant_id_number.strip().upper()
        numbers[case.pk] = number
        yield {
            "id_number": number,
            "party_kind": _kind(number),
            "role": "applicant",
            "source": "approvals",
            "source_type": "approvals.case",
            "source_id": case.pk,
            "unit_id": case.unit_id,
            "label": case.applicant_name,
            "on": case.submitted_at.date(),
        }
    steps = CaseStep.objects.filter(case_id__in=list(numbers), person__isnull=False).values_list(
        "case_id", "person_id", "unit_id", "started_at"
    )
    seen = set()
    for case_id, person_id, unit_id, started in steps:
        if (case_id, person_id) in seen:
            continue
        seen.add((case_id, person_id))
        yield {
            "id_number": numbers[case_id],
            "party_kind": _kind(numbers[case_id]),
            "role": "handled_case",
            "source": "approvals",
            "source_type": "approvals.case",
            "source_id": case_id,
            "unit_id": unit_id,
            "official_id": person_id,
            "label": "",
            "on": started.date(),
        }

"""personnel's source for the conflict index: relatives and firms named in the latest
personal-matters report of each cadre (PER-3)."""

from __future__ import annotations

from .models import PersonalReport, ReportedFirm, ReportedRelative


def parties(as_of):
    latest: dict[int, int] = {}
    for rid, pid, _year in (
        PersonalReport.objects.filter(year__lte=as_of.year)
        .values_list("id", "person_id", "year")
        .order_by("year")
    ):
        latest[pid] = rid
    ids = list(latest.values())
    for rel in ReportedRelative.objects.filter(report_id__in=ids).select_related("report"):
        if rel.id_number:
            yield {
                "id_number": rel.id_number,
                "party_kind": "person",
                "role": "relative",
                "source": "personnel",
                "source_type": "personnel.personalreport",
                "source_id": rel.report_id,
                "official_id": rel.report.person_id,
                "relation": rel.relation,
                "label": rel.name,
                "on": rel.report.submitted_on,
            }
    for firm in ReportedFirm.objects.filter(report_id__in=ids).select_related("report", "relative"):
        yield {
            "id_number": firm.uscc,
            "party_kind": "firm",
            "role": "firm",
            "source": "personnel",
            "source_type": "personnel.personalreport",
            "source_id": firm.report_id,
            "official_id": firm.report.person_id,
            "relation": firm.relative.relation if firm.relative else "self",
            "label": firm.name,
            "on": firm.report.submitted_on,
        }

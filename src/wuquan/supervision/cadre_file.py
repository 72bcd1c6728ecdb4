"""supervision's part of a cadre's supervision file (PER-6, read by personnel by convention):
complaints naming them, alarms on posts they held and on cases they handled, inspections."""

from __future__ import annotations

from django.db.models import Q

from .models import Alarm, Complaint, InspectionRecord


def sections(person, as_of) -> list[dict]:
    from wuquan.org.models import Appointment

    out = []
    appts = list(Appointment.objects.filter(person=person, start__lte=as_of.date()))
    units = {a.post.unit_id for a in appts}
    complaints = Complaint.objects.filter(
        person_named=person.name, unit_id__in=units, created_at__lte=as_of
    )
    if complaints:
        out.append(
            {
                "source": "supervision",
                "title": "投诉举报",
                "rows": [
                    {
                        "on": c.created_at.date(),
                        "text": f"{c.get_about_display()}：{c.content[:80]}",
                        "link": "",
                    }
                    for c in complaints
                ],
            }
        )
    held = Q(pk__in=[])
    for a in appts:
        span = Q(post_id=a.post_id, raised_at__date__gte=a.start)
        if a.end:
            span &= Q(raised_at__date__lte=a.end)
        held |= span
    try:
        from wuquan.approvals.models import CaseStep

        cases = {
            str(c) for c in CaseStep.objects.filter(person=person).values_list("case_id", flat=True)
        }
    except ImportError:  # approvals not installed
        cases = set()
    handled = Q(subject_type="approvals.case", subject_id__in=cases) if cases else Q(pk__in=[])
    alarms = Alarm.objects.filter(held | handled, raised_at__lte=as_of).order_by("-raised_at")[:200]
    if alarms:
        out.append(
            {
                "source": "supervision",
                "title": "电子监察报警（本人岗位及经办办件）",
                "rows": [
                    {
                        "on": a.raised_at.date(),
                        "text": f"[{a.severity}] {a.rule_code}：{a.message}",
                        "link": "",
                    }
                    for a in alarms
                ],
            }
        )
    inspections = InspectionRecord.objects.filter(
        subject_type="org.person", subject_id=str(person.pk), filed_at__lte=as_of
    )
    if inspections:
        out.append(
            {
                "source": "supervision",
                "title": "巡查、审计发现",
                "rows": [
                    {
                        "on": i.filed_at.date(),
                        "text": f"{i.get_kind_display()}：{i.findings[:120]}",
                        "link": "",
                    }
                    for i in inspections
                ],
            }
        )
    return out

"""Reads of personnel: quotas, the dossier, public notices, the supervision file (PER-1..7).
A selector never imports services."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from wuquan.org.models import Appointment, Person, Post

from . import events
from .models import (
    Establishment,
    PersonalReport,
    Selection,
    SelectionStatus,
    SpotCheck,
    Step,
)


def establishment_for(post: Post) -> Establishment | None:
    return Establishment.objects.filter(posts=post).order_by("id").first()


def current_holders(establishment: Establishment, on: date) -> int:
    return (
        Appointment.objects.filter(post__in=establishment.posts.all(), start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .count()
    )


def quota_use(establishment: Establishment, on: date) -> tuple[int, int]:
    """(people holding the establishment's posts on `on`, selections under way for them)."""
    pending = Selection.objects.filter(
        establishment=establishment, status__in=[SelectionStatus.OPEN, SelectionStatus.NOTICE]
    ).count()
    return current_holders(establishment, on), pending


def latest_report(person: Person) -> PersonalReport | None:
    return PersonalReport.objects.filter(person=person).order_by("-year").first()


def dossier(selection: Selection) -> dict:
    """选拔任用文书档案: the whole record of a selection as plain data (what is printed, and
    what the archived digest covers)."""
    steps = [
        {
            "step": r.step,
            "label": str(Step(r.step).label),
            "on": r.on.isoformat(),
            "participants": r.participants,
            "documents": r.documents,
            "outcome": r.outcome,
            "event": r.event_index,
        }
        for r in selection.steps.order_by("step")
    ]
    nominations = [
        {
            "kind": n.kind,
            "nominee": n.nominee_id,
            "nominee_name": n.nominee.name,
            "nominator": n.nominator_id,
            "nominator_name": n.nominator.name,
            "reason": n.reason,
            "signature": n.signature,
            "signed_on": n.signed_on.isoformat(),
            "digest": n.digest,
        }
        for n in selection.nominations.select_related("nominee", "nominator")
    ]
    checks = [
        {
            "reason": c.reason,
            "finding": c.finding,
            "outcome": c.outcome,
            "checked_on": c.checked_on.isoformat() if c.checked_on else None,
        }
        for c in selection.checks.all()
    ]
    objections = [
        {
            "received_on": o.received_on.isoformat(),
            "content": o.content,
            "handled_on": o.handled_on.isoformat() if o.handled_on else None,
            "finding": o.finding,
            "affects_appointment": o.affects_appointment,
        }
        for o in selection.objections.all()
    ]
    reviews = [
        {
            "submitted_at": r.submitted_at.isoformat(),
            "approved": r.approved,
            "reasons": r.reasons,
        }
        for r in selection.reviews.all()
    ]
    return {
        "selection": selection.pk,
        "title": selection.title,
        "unit": selection.unit_id,
        "post": selection.post_id,
        "candidate": selection.candidate_id,
        "steps": steps,
        "nominations": nominations,
        "checks": checks,
        "objections": objections,
        "reviews": reviews,
        "decision_item": selection.decision_item_id,
        "notice": [
            selection.notice_start.isoformat() if selection.notice_start else None,
            selection.notice_end.isoformat() if selection.notice_end else None,
        ],
        "appointment": selection.appointment_id,
        "probation_until": selection.probation_until.isoformat()
        if selection.probation_until
        else None,
    }


def dossier_digest(selection: Selection) -> str:
    return events.digest(dossier(selection))


def public_notices(on: date | None = None):
    """任前公示 running on `on` (today by default) — for the portal."""
    on = on or timezone.localdate()
    return (
        Selection.objects.filter(
            status=SelectionStatus.NOTICE, notice_start__lte=on, notice_end__gte=on
        )
        .select_related("unit", "post", "candidate")
        .order_by("notice_end", "id")
    )


def checks_for(person: Person):
    return SpotCheck.objects.filter(person=person).order_by("-year", "-id")


def selections_of(person: Person):
    return Selection.objects.filter(candidate=person).select_related("post", "unit")

"""Reads of the decisions app, including the public query functions other apps call."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from wuquan.ledger.services import describe_subject
from wuquan.org.models import Person, Post, Unit
from wuquan.org.selectors import holders_of

from .models import AgendaItem, ItemStatus, VillageMatter, VillageMatterStatus, VillageStep


def body_for(unit: Unit, on: date | None = None) -> list[tuple[Person, bool]]:
    """The deciding body of a unit: holders of its head and deputy posts, head flagged
    from org.Post.is_head (DEC-4)."""
    body: dict[int, tuple[Person, bool]] = {}
    for post in Post.objects.filter(unit=unit).filter(is_head=True) | Post.objects.filter(
        unit=unit, is_deputy=True
    ):
        for person in holders_of(post, on):
            prev = body.get(person.pk)
            body[person.pk] = (person, post.is_head or (prev[1] if prev else False))
    return sorted(body.values(), key=lambda pair: (not pair[1], pair[0].pk))


def decision_for(subject) -> AgendaItem | None:
    """The standing decision on `subject` (a model instance or (type, id)): an item decided and
    passed at a meeting and not superseded by a reconsideration (DEC-2, DEC-6)."""
    subject_type, subject_id = describe_subject(subject)
    return (
        AgendaItem.objects.filter(
            subject_type=subject_type,
            subject_id=subject_id,
            status=ItemStatus.DECIDED,
            passed=True,
            superseded_by__isnull=True,
            meeting__isnull=False,
        )
        .order_by("-decided_at")
        .first()
    )


def published_items():
    """Decisions that may be shown on the portal (DEC-9, PUB-5)."""
    return (
        AgendaItem.objects.filter(published_at__isnull=False, status=ItemStatus.DECIDED)
        .select_related("meeting", "unit")
        .prefetch_related("execution_reports")
        .order_by("-published_at")
    )


def next_village_step(matter: VillageMatter) -> int | None:
    done = set(matter.steps.values_list("step", flat=True))
    for step in VillageStep.values:
        if step not in done:
            return step
    return None


def village_matter_is_valid(matter: VillageMatter) -> bool:
    return matter.status in (VillageMatterStatus.RESOLVED, VillageMatterStatus.PUBLISHED)


def now():
    return timezone.now()


def materials_deadline_for(meeting) -> date | None:
    """The last working day before the meeting (DEC-3), or None if the calendar does not know."""
    from wuquan.workdays.calendar import CalendarUnknown, last_working_day_before

    try:
        return last_working_day_before(meeting.date)
    except CalendarUnknown:
        return None


def published_village_matters():
    """Village matters whose result was published (step 6) or that were voided (DEC-10)."""
    return (
        VillageMatter.objects.filter(
            status__in=[VillageMatterStatus.PUBLISHED, VillageMatterStatus.VOID]
        )
        .select_related("village")
        .prefetch_related("steps")
    )

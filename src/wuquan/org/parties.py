"""org's source for personnel's conflict index (personnel/index.py): who holds which post, as
`holder` rows keyed by the person's resident ID (only people with one on file)."""

from __future__ import annotations

from django.db.models import Q

from .models import Appointment


def parties(as_of):
    appts = (
        Appointment.objects.filter(start__lte=as_of)
        .filter(Q(end__isnull=True) | Q(end__gte=as_of))
        .exclude(person__id_number="")
        .select_related("person", "post")
    )
    for a in appts:
        yield {
            "id_number": a.person.id_number,
            "party_kind": "person",
            "role": "holder",
            "source": "org",
            "source_type": "org.appointment",
            "source_id": a.pk,
            "unit_id": a.post.unit_id,
            "official_id": a.person_id,
            "label": a.person.name,
            "on": a.start,
        }

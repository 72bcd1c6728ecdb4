"""decisions' source for personnel's conflict index (personnel/index.py): members of each
leadership meeting (`meeting_member`, keyed by their resident ID where org has it)."""

from __future__ import annotations

from .models import MeetingMember


def parties(as_of):
    members = (
        MeetingMember.objects.filter(meeting__date__lte=as_of)
        .exclude(person__id_number="")
        .select_related("person", "meeting")
    )
    for m in members:
        yield {
            "id_number": m.person.id_number,
            "party_kind": "person",
            "role": "meeting_member",
            "source": "decisions",
            "source_type": "decisions.meeting",
            "source_id": m.meeting_id,
            "unit_id": m.meeting.unit_id,
            "official_id": m.person_id,
            "label": m.person.name,
            "on": m.meeting.date,
        }

"""decisions' part of a cadre's supervision file (PER-6): 三重一大 decisions they took part in."""

from __future__ import annotations

from .models import AgendaItem, ItemStatus


def sections(person, as_of) -> list[dict]:
    items = (
        AgendaItem.objects.filter(
            meeting__members__person=person,
            meeting__members__present=True,
            status=ItemStatus.DECIDED,
            decided_at__lte=as_of,
        )
        .select_related("meeting")
        .order_by("-decided_at")[:200]
    )
    rows = [
        {
            "on": i.meeting.date,
            "text": f"{i.meeting.title}：{i.title}（{i.result_text}）",
            "link": "",
        }
        for i in items
    ]
    return [{"source": "decisions", "title": "参与的“三重一大”决策", "rows": rows}] if rows else []

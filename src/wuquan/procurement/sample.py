"""A passed 三重一大 decision for a procurement request, through the `decisions` services, for
tests and the demo (the unit's head and deputies are appointed if the posts are empty).

A request above the unit's limit or in the central catalog needs one before approval (FIN-5).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from wuquan.decisions import services as decisions
from wuquan.decisions.models import Choice, MatterKind, Meeting
from wuquan.org.models import Person, Post, Unit
from wuquan.org.selectors import holders_of
from wuquan.org.services import do_appoint, ensure_post

SH = ZoneInfo("Asia/Shanghai")


def ensure_body(unit: Unit) -> None:
    """A head and two deputies holding posts in `unit` (found first, appointed if empty)."""
    posts = [
        ensure_post(unit, "head", "主要负责人", "A", is_head=True)
        if not Post.objects.filter(unit=unit, is_head=True).exists()
        else Post.objects.get(unit=unit, is_head=True)
    ]
    deputies = list(Post.objects.filter(unit=unit, is_deputy=True).order_by("code")[:2])
    for i in range(len(deputies), 2):
        deputies.append(ensure_post(unit, f"deputy-{i + 1}", f"副职{i + 1}", "A", is_deputy=True))
    for n, post in enumerate(posts + deputies):
        if not holders_of(post, date(2025, 1, 1)).exists():
            person = Person.objects.create(name=f"{unit.short_name or unit.name}班子成员{n + 1}")
            do_appoint(person, post, date(2024, 1, 1), actor="system")


def meeting_for(unit: Unit, on: date, actor="demo") -> Meeting:
    """The unit's party-committee meeting on `on` (created, materials sent, attended)."""
    title = f"{on.isoformat()} 党组（党委）会议（采购事项）"
    meeting = Meeting.objects.filter(unit=unit, title=title).first()
    if meeting is None:
        ensure_body(unit)
        meeting = decisions.do_create_meeting(unit, title, on, "会议室", actor=actor)
    return meeting


def decide(request, on: date, *, actor="demo"):
    """Put `request` to the unit's meeting on `on` and pass it (everyone votes yes)."""
    unit = request.buyer
    meeting = meeting_for(unit, on, actor)
    item = decisions.do_add_agenda_item(
        meeting,
        f"采购事项：{request.title}",
        MatterKind.LARGE_SUM,
        "采购方案",
        subject=request,
        actor=actor,
    )
    sent = datetime.combine(on - timedelta(days=14), time(9), SH)
    decisions.do_send_materials(item, at=sent, actor=actor)
    if not meeting.members.filter(present=True).exists():
        decisions.do_record_attendance(
            meeting, meeting.members.values_list("person_id", flat=True), actor=actor
        )
    decisions.do_open_item(item, actor=actor)
    members = list(meeting.members.filter(present=True).order_by("is_head", "id"))
    for member in members:
        decisions.do_make_statement(item, member, "同意", actor=actor)
    decisions.do_start_vote(item, actor=actor)
    for member in members:
        decisions.do_cast_vote(item, member, Choice.YES, actor=actor)
    decisions.do_close_vote(item, at=datetime.combine(on, time(11), SH), actor=actor)
    return item

"""Builders for decisions tests: a unit with a head and deputies held by people."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.factories import PersonFactory, PostFactory, UnitFactory
from wuquan.decisions import services
from wuquan.decisions.models import MatterKind
from wuquan.org.models import UnitKind

SH = ZoneInfo("Asia/Shanghai")
MONDAY = date(2025, 6, 16)
FRIDAY_LATE = datetime(2025, 6, 13, 23, 59, tzinfo=SH)
SATURDAY = datetime(2025, 6, 14, 9, 0, tzinfo=SH)


def make_body(size: int, code: str = "testunit"):
    """A unit whose body has `size` members; the first holds the head post."""
    unit = UnitFactory(code=code, kind=UnitKind.DISTRICT_BODY)
    people = []
    for i in range(size):
        post = PostFactory(
            unit=unit,
            code="head" if i == 0 else f"deputy-{i}",
            name="局长" if i == 0 else f"副局长{i}",
            risk_class="A",
            is_head=i == 0,
            is_deputy=i > 0,
        )
        people.append(PersonFactory(name=f"成员{code}{i}", post=post))
    return unit, people


def meeting_at_vote(
    size: int,
    present: int,
    kind=MatterKind.MAJOR_DECISION,
    code="testunit",
    on=MONDAY,
    sent=FRIDAY_LATE,
):
    """A held meeting with one item already through discussion (head last) and voting."""
    unit, people = make_body(size, code)
    meeting = services.do_create_meeting(unit, "党组会", on, actor="clerk")
    item = services.do_add_agenda_item(meeting, "议题", kind, "材料", actor="clerk")
    services.do_send_materials(item, at=sent, actor="clerk")
    # present: the head plus the first present-1 deputies (head always present if present>0)
    services.do_record_attendance(meeting, [p.pk for p in people[:present]], actor="clerk")
    services.do_open_item(item, actor="clerk")
    members = list(meeting.members.filter(present=True).order_by("is_head", "id"))
    for member in members:  # deputies first, head last
        services.do_make_statement(item, member, f"{member.person}发言", actor="clerk")
    services.do_start_vote(item, actor="clerk")
    return meeting, item, members

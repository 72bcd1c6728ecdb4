"""Shared set-up for personnel tests, through the services (org, decisions, personnel)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from wuquan.decisions import services as decisions
from wuquan.decisions.models import Choice
from wuquan.org.models import Person, Post, Unit
from wuquan.org.services import do_save_person, ensure_holder, ensure_post, ensure_staff
from wuquan.personnel import services
from wuquan.personnel.models import Finding, Outcome, Rank

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 2)  # a Monday
BODY = [
    ("head", "王局长"),
    ("deputy-1", "刘副局长"),
    ("deputy-2", "陈副局长"),
    ("deputy-3", "张副局长"),
]


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, datetime.min.time(), SH) + timedelta(hours=hour)


def org_dept_user():
    unit = Unit.objects.get(code="zuzhibu")
    post = ensure_post(unit, "cadre-supervision", "干部监督室", "B")
    return ensure_staff("zuzhibu", "干部监督室 钱进", post, [], start=date(2024, 1, 1))


def setup_unit(quota: int = 1, district_reviewed: bool = False, restricted: bool = False):
    """发改局 with a body of four and a 规划科科长 post under a quota of `quota`."""
    fagai = Unit.objects.get(code="fagai")
    for code, name in BODY:
        ensure_holder(Post.objects.get(unit=fagai, code=code), name, date(2024, 1, 1))
    post = ensure_post(fagai, "planning-chief", "规划科科长", "B")
    clerk = Post.objects.get(unit=fagai, code="clerk")
    services.do_set_post_profile(
        post,
        actor="test",
        rank=Rank.SECTION,
        district_reviewed=district_reviewed,
        restricted=restricted,
    )
    services.do_set_post_profile(clerk, actor="test", rank=Rank.DEPUTY_SECTION)
    est = services.do_set_establishment(fagai, "正科级领导职数", quota, [post], actor="test")
    return fagai, post, est


def person(name: str, id_number: str = "") -> Person:
    return do_save_person(Person(name=name, id_number=id_number), actor="test")


STEP = {"participants": "局党组成员、组织部干部监督室", "outcome": "同意", "documents": "会议纪要"}


def open_selection(post, on=DAY):
    return services.do_open_selection(
        post, "规划科科长选拔", actor="test", on=on, at=at(on), **STEP
    )


def through_inspection(selection, user, candidate: Person, nominator: Person, on=DAY):
    services.do_nominate(
        selection,
        candidate,
        nominator=nominator,
        kind="leader",
        reason="业务熟悉，群众公认",
        signature=nominator.name,
        signed_on=on,
        actor="test",
        at=at(on, 11),
    )
    services.do_record_recommendation(selection, actor="test", on=on, at=at(on, 12), **STEP)
    services.do_shortlist(selection, candidate, actor="test", on=on, at=at(on, 13), **STEP)
    check = selection.checks.get()
    services.do_conclude_check(check, Finding.CONSISTENT, Outcome.NONE, actor=user, at=at(on, 14))
    services.do_record_inspection(selection, actor="test", on=on, at=at(on, 15), **STEP)


def run_meeting(selection, votes=None, on=DAY + timedelta(days=3)):
    """The 发改局 党组 decides the appointment by secret ballot (decisions services)."""
    meeting = decisions.do_create_meeting(selection.unit, "党组会议", on, actor="test")
    item = services.do_request_decision(selection, meeting, actor="test", at=at(on, 8))
    decisions.do_record_attendance(
        meeting, meeting.members.values_list("person_id", flat=True), actor="test"
    )
    decisions.do_open_item(item, actor="test")
    members = list(meeting.members.order_by("is_head", "id"))
    for member in members:
        decisions.do_make_statement(item, member, "同意", actor="test")
    decisions.do_start_vote(item, actor="test")
    votes = votes or [Choice.YES] * len(members)
    for member, choice in zip(members, votes, strict=True):
        decisions.do_cast_vote(item, member, choice, actor="test")
    decisions.do_close_vote(item, at=at(on, 11), actor="test")
    return item

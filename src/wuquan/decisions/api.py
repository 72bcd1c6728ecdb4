"""Decisions API (`/api/v1/decisions/…`, django-ninja, staff session): meetings, their items,
statements, votes and results (DEC-2..6). Thin: reads come from the models the pages read,
the one write (a vote) goes through `services.do_cast_vote`. A secret vote shows only how many
have voted until the count, and never who chose what (DEC-5)."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.security import django_auth

from wuquan.common.exceptions import NotPermitted
from wuquan.org.models import Unit
from wuquan.org.selectors import can_see_unit

from . import services
from .models import AgendaItem, Meeting, VoteMode

prefix = "/decisions"
router = Router(tags=["decisions"], auth=django_auth)


class MeetingRow(Schema):
    id: int
    unit: str
    title: str
    date: date
    status: str


class MemberOut(Schema):
    id: int
    person_id: int
    is_head: bool
    present: bool | None


class ItemOut(Schema):
    id: int
    seq: int
    title: str
    kind: str
    vote_mode: str
    status: str


class MeetingOut(MeetingRow):
    members: list[MemberOut]
    items: list[ItemOut]


class StatementOut(Schema):
    seq: int
    member_id: int
    person_id: int
    text: str


class VotesOut(Schema):
    mode: str
    voted: int
    named: list[dict]  # open votes: {"person_id", "choice"}; always empty for a secret vote


class ResultOut(Schema):
    decided: bool
    passed: bool | None
    yes: int | None
    no: int | None
    abstain: int | None
    expected: int | None
    present: int | None
    text: str


class VoteIn(Schema):
    member_id: int
    choice: str


def _visible(request, unit: Unit) -> None:
    if not can_see_unit(request.user, unit):
        raise NotPermitted("您无权查看该单位的会议。")


def _in_range(pk: int) -> int:
    """An id past the column's range is a DataError on PostgreSQL (issue 13, finding 6): answer
    it as the missing row it is."""
    if not 0 < pk < 2**31:
        raise Http404
    return pk


def _item(request, item_id: int) -> AgendaItem:
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting__unit"), pk=_in_range(item_id)
    )
    _visible(request, item.meeting.unit)
    return item


def _meeting_row(m: Meeting) -> dict:
    return {"id": m.pk, "unit": m.unit.code, "title": m.title, "date": m.date, "status": m.status}


@router.get("/units/{code}/meetings", response=list[MeetingRow], summary="单位的会议")
def meetings(request, code: str):
    unit = get_object_or_404(Unit, code=code)
    _visible(request, unit)
    return [_meeting_row(m) for m in Meeting.objects.filter(unit=unit).order_by("-date", "-id")]


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="会议：成员与议题")
def meeting(request, meeting_id: int):
    m = get_object_or_404(Meeting.objects.select_related("unit"), pk=_in_range(meeting_id))
    _visible(request, m.unit)
    return {
        **_meeting_row(m),
        "members": [
            {"id": x.pk, "person_id": x.person_id, "is_head": x.is_head, "present": x.present}
            for x in m.members.order_by("id")
        ],
        "items": [
            {
                "id": i.pk,
                "seq": i.seq,
                "title": i.title,
                "kind": i.kind,
                "vote_mode": i.vote_mode,
                "status": i.status,
            }
            for i in AgendaItem.objects.filter(meeting=m).order_by("seq", "id")
        ],  # fmt: skip
    }


@router.get("/items/{item_id}/statements", response=list[StatementOut], summary="议题的发言")
def statements(request, item_id: int):
    item = _item(request, item_id)
    return [
        {"seq": s.seq, "member_id": s.member_id, "person_id": s.member.person_id, "text": s.text}
        for s in item.statements.select_related("member").order_by("seq")
    ]


@router.get("/items/{item_id}/votes", response=VotesOut, summary="议题的表决")
def votes(request, item_id: int):
    item = _item(request, item_id)
    if item.vote_mode == VoteMode.SECRET:
        return {"mode": item.vote_mode, "voted": item.vote_markers.count(), "named": []}
    rows = [
        {"person_id": v.member.person_id, "choice": v.choice}
        for v in item.open_votes.select_related("member").order_by("id")
    ]
    return {"mode": item.vote_mode, "voted": len(rows), "named": rows}


@router.post("/items/{item_id}/votes", response={204: None}, summary="登记一名成员的表决")
def cast(request, item_id: int, body: VoteIn):
    item = _item(request, item_id)
    member = get_object_or_404(item.meeting.members, pk=body.member_id)
    services.do_cast_vote(item, member, body.choice, actor=request.user)
    return Status(204, None)


@router.get("/items/{item_id}/result", response=ResultOut, summary="议题的表决结果")
def result(request, item_id: int):
    item = _item(request, item_id)
    decided = item.passed is not None
    return {
        "decided": decided,
        "passed": item.passed,
        "yes": item.yes_count,
        "no": item.no_count,
        "abstain": item.abstain_count,
        "expected": item.expected_count,
        "present": item.present_count,
        "text": item.result_text,
    }

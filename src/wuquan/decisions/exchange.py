"""Decisions lines of the exchange format (`wuquan import` / `wuquan export`,
docs/exchange-format.md; issue 11, DEC-2..7, DEC-9).

A `meeting` line is the meeting and its history as a list of timed `actions` in the order they
happened — agenda, materials sent, sign-in, opening, statements, the vote, the count, deferral,
filing, publication, execution reports, closing. `wuquan import` replays them one by one,
at their own time, through the same services as live work, with
`history=ImportedHistory(source_ref=…)` (decision 0010): payloads, results and breaches are the
live ones; what a guard would refuse (materials late, no quorum, the head not last) is recorded
as `decisions.breach.recorded`, so the same rule raises the same alarm. `wuquan export` writes
the line back from the log (the events of the meeting and its items), so an export imported
into an empty instance exports again byte for byte.

A secret vote (DEC-5) is carried as who voted and the tally at the count — never who chose
what: the import casts each voter's ballot with a choice drawn from the tally (the pairing is
fictional and sealed, then shuffled at the count, like a live one).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from wuquan.common.exceptions import DomainError
from wuquan.ledger.models import Event
from wuquan.org.models import Person, Unit

from . import events, services
from .models import AgendaItem, Choice, MatterKind, Meeting, VoteMode

ACTOR = "system:import"
ACTIONS = {
    "agenda",
    "send",
    "attendance",
    "open",
    "statement",
    "start_vote",
    "vote",
    "voted",
    "ballot_entered",
    "close_vote",
    "defer",
    "file",
    "publish",
    "execution",
    "close",
}
ITEM_ACTIONS = ACTIONS - {"attendance", "close"}


class ReplayError(Exception):
    """A history the services cannot take (the line is reported; nothing is imported)."""


def _dt(value, name, errors) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors.append(f"{name} 不是 ISO 8601 时间：{value}")
        return None
    if timezone.is_naive(moment):
        errors.append(f"{name} 必须带时区（如 +08:00）：{value}")
        return None
    return moment


def _person_known(seen, code) -> bool:
    return seen.person(code)


def check_meeting(o, seen, errors) -> None:
    for k in ("ref", "unit", "title", "date", "created_at", "members"):
        if o.get(k) in (None, ""):
            errors.append(f"缺少字段 {k}")
    if o.get("unit") and not seen.unit(o["unit"]):
        errors.append(f"单位不存在：{o['unit']}")
    try:
        date.fromisoformat(str(o.get("date")))
    except ValueError:
        errors.append(f"会议日期无效：{o.get('date')}")
    _dt(o.get("created_at"), "created_at", errors)
    members = o.get("members") or []
    for code in members:
        if not _person_known(seen, code):
            errors.append(f"人员不存在：{code}")
    items = 0
    for n, a in enumerate(o.get("actions") or [], 1):
        do = a.get("do")
        if do not in ACTIONS:
            errors.append(f"第 {n} 个动作未知：{do}")
            continue
        _dt(a.get("at"), f"第 {n} 个动作的 at", errors)
        if do == "agenda":
            items += 1
            if a.get("kind") not in MatterKind.values:
                errors.append(f"第 {n} 个动作的议题类别无效：{a.get('kind')}")
        elif do in ITEM_ACTIONS and not (isinstance(a.get("item"), int) and 0 < a["item"] <= items):
            errors.append(f"第 {n} 个动作的 item 应为此前列入议程的议题序号")
        for code in (
            [a.get("person")] if a.get("person") else a.get("members") or a.get("present") or []
        ):
            if code not in members:
                errors.append(f"第 {n} 个动作的人员不是会议成员：{code}")


def _tallies(actions) -> dict[int, list[str]]:
    """The choices of each secret vote, from its count, in a fixed order (yes, no, abstain)."""
    out = {}
    for a in actions:
        if a["do"] == "close_vote" and a.get("mode") == VoteMode.SECRET:
            out[a["item"]] = (
                [Choice.YES] * a.get("yes", 0)
                + [Choice.NO] * a.get("no", 0)
                + [Choice.ABSTAIN] * a.get("abstain", 0)
            )
    return out


def import_meeting(o) -> bool:
    ref = o["ref"]
    if Meeting.objects.filter(source_ref=ref).exists():
        return False
    history = services.ImportedHistory(source_ref=ref)
    persons = {p.code: p for p in Person.objects.filter(code__in=o["members"])}
    try:
        meeting = services.do_create_meeting(
            Unit.objects.get(code=o["unit"]),
            o["title"],
            date.fromisoformat(o["date"]),
            o.get("location", ""),
            [persons[c] for c in o["members"]],
            actor=ACTOR,
            at=datetime.fromisoformat(o["created_at"]),
            history=history,
        )
        actions = o.get("actions") or []
        tallies = _tallies(actions)
        paper = {a["item"] for a in actions if a["do"] == "ballot_entered"}
        items: list[AgendaItem] = []
        for a in actions:
            _replay(meeting, items, a, persons, tallies, paper, history)
    except DomainError as exc:
        raise ReplayError(f"会议 {ref}：{exc.message}") from exc
    return True


def _replay(meeting, items, a, persons, tallies, paper, history) -> None:
    """One action through its service, at its own time (decision 0010)."""
    at = datetime.fromisoformat(a["at"])
    kw = {"actor": ACTOR, "at": at}
    do = a["do"]
    item = items[a["item"] - 1] if do in ITEM_ACTIONS and do != "agenda" else None

    def member(code):
        return meeting.members.get(person=persons[code])

    if do == "agenda":
        items.append(
            services.do_add_agenda_item(
                meeting, a["title"], a["kind"], a.get("materials", ""), **kw, history=history
            )
        )
    elif do == "send":
        services.do_send_materials(item, [member(c) for c in a["members"]], **kw, history=history)
    elif do == "attendance":
        services.do_record_attendance(
            meeting, [persons[c].pk for c in a["present"]], **kw, history=history
        )
    elif do == "open":
        services.do_open_item(item, **kw, history=history)
    elif do == "statement":
        services.do_make_statement(item, member(a["person"]), a["text"], **kw, history=history)
    elif do == "start_vote":
        services.do_start_vote(item, **kw, history=history)
    elif do == "vote":
        services.do_cast_vote(item, member(a["person"]), a["choice"], **kw, history=history)
    elif do == "voted":
        if item.vote_mode != VoteMode.SECRET:
            raise ReplayError("“voted” 只用于无记名表决")
        if a["item"] in paper:
            services.do_mark_voted(item, member(a["person"]), **kw)
        else:
            choice = tallies.get(a["item"], []).pop(0) if tallies.get(a["item"]) else None
            if choice is None:
                raise ReplayError("无记名表决的投票人数多于计票结果")
            services.do_cast_vote(item, member(a["person"]), choice, **kw, history=history)
    elif do == "ballot_entered":
        choices = tallies.get(a["item"])
        if not choices:
            raise ReplayError("录入的选票多于计票结果")
        services.do_enter_paper_ballot(item, choices.pop(0), **kw)
    elif do == "close_vote":
        item.refresh_from_db()
        services.do_close_vote(item, **kw, history=history)
        item.refresh_from_db()
        got = (item.yes_count, item.no_count, item.abstain_count)
        want = (a.get("yes"), a.get("no"), a.get("abstain"))
        if got != want:
            raise ReplayError(f"表决结果与来源不符：计得 {got}，来源 {want}")
    elif do == "defer":
        services.do_defer_item(item, a["reason"], **kw, history=history)
    elif do == "file":
        services.do_file_with_superior(
            item, Unit.objects.get(code=a["with"]), **kw, history=history
        )
    elif do == "publish":
        services.do_publish(item, a["summary"], **kw, history=history)
    elif do == "execution":
        services.do_report_execution(
            item,
            a["text"],
            date.fromisoformat(a["on"]),
            bool(a.get("public", True)),
            **kw,
            history=history,
        )
    elif do == "close":
        services.do_close_meeting(meeting, **kw, history=history)
    if item is not None:
        item.refresh_from_db()
    meeting.refresh_from_db()


# ---- export ---------------------------------------------------------------------------------

MEETING = Meeting._meta.label_lower
ITEM = AgendaItem._meta.label_lower


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat()


def _codes(ids) -> dict[int, str | None]:
    return dict(Person.objects.filter(pk__in=set(ids)).values_list("pk", "code"))


def export_lines():
    """One `meeting` line per meeting, its actions read back from the log in order."""
    for m in Meeting.objects.select_related("unit").order_by("id"):
        yield meeting_line(m)


def meeting_line(m: Meeting) -> dict:
    item_ids = {
        str(pk): n
        for n, pk in enumerate(m.items.order_by("seq", "id").values_list("pk", flat=True), 1)
    }
    evs = list(
        Event.objects.filter(
            Q(subject_type=MEETING, subject_id=str(m.pk))
            | Q(subject_type=ITEM, subject_id__in=list(item_ids))
        ).order_by("index")
    )
    members = list(m.members.order_by("id").values_list("person_id", flat=True))
    codes = _codes(members)
    created = next(e for e in evs if e.action == events.MEETING_CREATED)
    line = {
        "type": "meeting",
        "ref": m.source_ref or f"{m.unit.code}/meeting/{m.pk}",
        "unit": m.unit.code,
        "title": m.title,
        "date": m.date.isoformat(),
        "location": m.location,
        "created_at": _local(created.at),
        "members": [codes.get(pk) for pk in created.payload["members"]],
        "actions": [],
    }
    order: dict[str, int] = {}  # item pk -> its position in the line's agenda
    for e in evs:
        action = _action(e, codes, order)
        if action is not None:
            line["actions"].append({"do": action.pop("do"), "at": _local(e.at), **action})
    return line


def _action(e, codes, order) -> dict | None:
    p = e.payload
    n = order.get(e.subject_id)
    if e.action == events.ITEM_SCHEDULED:
        item = AgendaItem.objects.get(pk=e.subject_id)
        order[e.subject_id] = len(order) + 1
        return {"do": "agenda", "title": item.title, "kind": item.kind, "materials": item.materials}
    simple = {
        events.MATERIALS_SENT: lambda: {"do": "send", "item": n, "members": [codes.get(x) for x in p["members"]]},
        events.MEETING_ATTENDANCE: lambda: {"do": "attendance", "present": [codes.get(x) for x in p["present"]]},
        events.ITEM_OPENED: lambda: {"do": "open", "item": n},
        events.STATEMENT_MADE: lambda: {"do": "statement", "item": n, "person": codes.get(p["member"]), "text": p["text"]},
        events.VOTE_STARTED: lambda: {"do": "start_vote", "item": n},
        events.VOTE_CAST: lambda: {"do": "vote", "item": n, "person": codes.get(p["member"]), "choice": p["choice"]},
        events.BALLOT_VOTED: lambda: {"do": "voted", "item": n, "person": codes.get(p["member"])},
        events.BALLOT_ENTERED: lambda: {"do": "ballot_entered", "item": n},
        events.VOTE_CLOSED: lambda: {"do": "close_vote", "item": n, "mode": p["mode"], "yes": p["yes"], "no": p["no"], "abstain": p["abstain"]},
        events.ITEM_DEFERRED: lambda: {"do": "defer", "item": n, "reason": p["reason"]},
        events.ITEM_FILED: lambda: {"do": "file", "item": n, "with": p["with"]},
        events.ITEM_PUBLISHED: lambda: {"do": "publish", "item": n, "summary": p["summary"]},
        events.EXECUTION_REPORTED: lambda: {"do": "execution", "item": n, "text": p["text"], "on": p.get("on"), "public": p["public"]},
        events.MEETING_CLOSED: lambda: {"do": "close"},
    }  # fmt: skip
    build = simple.get(e.action)
    if build is None or (e.subject_type == ITEM and n is None):
        return None  # a refusal, a breach, the proposal: consequences or outside the meeting
    return build()


LINES = {"meeting": (check_meeting, import_meeting)}

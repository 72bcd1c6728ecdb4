"""Decisions in the exchange format (issue 11, decision 0010; DEC-2..7, DEC-9): a meeting line
replays its history through the live services with `history=ImportedHistory(...)`, so the same
facts give the same payloads (but for the import marker) and the same alarms; a breach a live
guard refuses is recorded, not refused, and raises the same rule; export → import → export is
byte-identical but for the header."""

import json
from datetime import datetime

import pytest
from django.core.management import call_command

from tests.factories import UnitFactory
from wuquan.approvals import exchange
from wuquan.common.exceptions import RuleViolation
from wuquan.decisions import events, rules, services
from wuquan.decisions.models import AgendaItem, Choice, MatterKind, Meeting
from wuquan.ledger.models import Event
from wuquan.org.models import UnitKind
from wuquan.supervision.models import Alarm

from .dec_helpers import FRIDAY_LATE, MONDAY, SH, make_body

pytestmark = pytest.mark.django_db
AS_OF = "2025-07-01T09:00:00+08:00"


def t(day, hour, minute=0):
    return datetime(2025, 6, day, hour, minute, tzinfo=SH)


def world():
    parent = UnitFactory(code="district", kind=UnitKind.DISTRICT)
    unit, people = make_body(3, code="xbureau")
    unit.parent = parent
    unit.save(update_fields=["parent"])
    return unit, people


def play_live(unit, people, *, late=False):
    """A meeting held on its own day: an open vote on a major decision (filed, published,
    reported on) and a secret vote on an appointment. `late`: the first item's materials
    arrive on the meeting's morning, so opening it is refused (DEC-3)."""
    kw = {"actor": "clerk"}
    meeting = services.do_create_meeting(unit, "党组会", MONDAY, "会议室", **kw, at=t(10, 9))
    plan = services.do_add_agenda_item(meeting, "采购方案", MatterKind.MAJOR_DECISION, "方案",
                                       **kw, at=t(10, 10))  # fmt: skip
    post = services.do_add_agenda_item(meeting, "任命科长", MatterKind.APPOINTMENT, "考察材料",
                                       **kw, at=t(10, 11))  # fmt: skip
    services.do_send_materials(plan, **kw, at=t(16, 8) if late else FRIDAY_LATE)
    services.do_send_materials(post, **kw, at=FRIDAY_LATE)
    services.do_record_attendance(meeting, [p.pk for p in people], **kw, at=t(16, 9))
    order = list(meeting.members.order_by("is_head", "id"))
    if late:
        with pytest.raises(RuleViolation):
            services.do_open_item(plan, **kw, at=t(16, 9, 10))
        return meeting
    _discuss(plan, order, [Choice.YES, Choice.YES, Choice.NO], 9, kw)
    services.do_file_with_superior(plan, **kw, at=t(17, 9))
    services.do_publish(plan, "同意采购方案", **kw, at=t(17, 10))
    services.do_report_execution(plan, "已完成采购", MONDAY, **kw, at=t(20, 9))
    _discuss(post, order, [Choice.YES, Choice.ABSTAIN, Choice.YES], 10, kw)
    services.do_close_meeting(meeting, **kw, at=t(16, 11))
    return meeting


def _discuss(item, order, choices, hour, kw):
    services.do_open_item(item, **kw, at=t(16, hour, 5))
    for n, member in enumerate(order):  # deputies first, the head last (DEC-4)
        services.do_make_statement(item, member, f"意见{n}", **kw, at=t(16, hour, 10 + n))
    services.do_start_vote(item, **kw, at=t(16, hour, 20))
    for n, (member, choice) in enumerate(zip(order, choices, strict=True)):
        services.do_cast_vote(item, member, choice, **kw, at=t(16, hour, 21 + n))
    services.do_close_vote(item, **kw, at=t(16, hour, 30))


def _line(meeting, ref):
    from wuquan.decisions.exchange import meeting_line

    line = meeting_line(meeting)
    line["ref"] = ref
    return json.dumps(line, ensure_ascii=False)


def _events(meeting):
    items = {
        str(pk): n
        for n, pk in enumerate(meeting.items.order_by("seq").values_list("pk", flat=True))
    }
    out = []
    for e in Event.objects.order_by("index"):
        if (e.subject_type, e.subject_id) == ("decisions.meeting", str(meeting.pk)):
            where = "meeting"
        elif e.subject_type == "decisions.agendaitem" and e.subject_id in items:
            where = items[e.subject_id]
        else:
            continue
        payload = {k: v for k, v in e.payload.items() if k not in events.IMPORT_MARKER_KEYS}
        payload.pop("meeting", None)  # the meeting's own id differs
        action = events.REFUSED if e.action == events.BREACH_RECORDED else e.action
        out.append((action, where, e.at, payload))
    return out


def _alarms(meeting):
    items = {
        str(pk): n
        for n, pk in enumerate(meeting.items.order_by("seq").values_list("pk", flat=True))
    }
    return {
        (a.rule_code, items[a.subject_id], a.severity)
        for a in Alarm.objects.filter(subject_type="decisions.agendaitem")
        if a.subject_id in items
    }


def test_dec_import_gives_the_live_payloads_and_secret_votes_stay_secret():
    unit, people = world()
    live = play_live(unit, people)
    report = exchange.import_lines([_line(live, "legacy/meeting/1")])
    assert report.ok, report.errors
    imported = Meeting.objects.get(source_ref="legacy/meeting/1")
    assert _events(imported) == _events(live)
    marked = Event.objects.filter(subject_type="decisions.meeting", subject_id=str(imported.pk))
    assert all(e.payload["source"] == "import" for e in marked)
    post = imported.items.get(kind=MatterKind.APPOINTMENT)
    assert (post.yes_count, post.abstain_count, post.passed) == (2, 1, True)
    assert not Event.objects.filter(action=events.VOTE_CAST, subject_id=str(post.pk)).exists()
    # importing the same file twice is harmless
    assert exchange.import_lines([_line(live, "legacy/meeting/1")]).skipped == {"meeting": 1}


def test_dec3_imported_late_materials_are_recorded_and_raise_the_live_alarm():
    unit, people = world()
    live = play_live(unit, people, late=True)
    line = json.loads(_line(live, "legacy/meeting/late"))
    line["actions"].append({"do": "open", "at": t(16, 9, 10).isoformat(), "item": 1})
    report = exchange.import_lines([json.dumps(line, ensure_ascii=False)])
    assert report.ok, report.errors
    imported = Meeting.objects.get(source_ref="legacy/meeting/late")
    plan = imported.items.get(seq=1)
    assert plan.status == "open"  # it happened: recorded, not refused
    breach = Event.objects.get(action=events.BREACH_RECORDED)
    assert breach.payload["rule"] == "DEC-3-materials-one-working-day-ahead"
    call_command("supervise", "--as-of", AS_OF)
    assert (
        _alarms(imported)
        == _alarms(live)
        == {(rules.MATERIALS_LATE.code, 0, rules.MATERIALS_LATE.severity)}
    )


def test_dec_a_line_the_services_cannot_take_imports_nothing():
    unit, people = world()
    live = play_live(unit, people)
    line = json.loads(_line(live, "legacy/meeting/bad"))
    close = next(a for a in line["actions"] if a["do"] == "close_vote")
    close["yes"] += 1  # the source's tally does not match its votes
    before = Event.objects.count()
    report = exchange.import_lines([json.dumps(line, ensure_ascii=False)])
    assert not report.ok and "表决结果与来源不符" in report.errors[0][1]
    assert Event.objects.count() == before
    assert not Meeting.objects.filter(source_ref="legacy/meeting/bad").exists()
    assert AgendaItem.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_dec_export_import_export_is_byte_identical_but_for_the_header(settings, tmp_path):
    settings.WUQUAN_BALLOT_KEY_DIR = str(tmp_path / "keys")
    unit, people = world()
    play_live(unit, people)
    first = [exchange.dumps(o) for o in exchange.export_lines()]
    assert any(json.loads(x)["type"] == "meeting" for x in first)
    call_command("flush", "--noinput", verbosity=0)
    report = exchange.import_lines(first)
    assert report.ok, report.errors
    second = [exchange.dumps(o) for o in exchange.export_lines()]
    assert first[1:] == second[1:]

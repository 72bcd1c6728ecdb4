"""Staff pages: the board with SVG charts and lights, alarm drill-down to ledger events, the
dispatch report naming lagging units, the inbox, the home panel, the demo (SUP-5, SUP-11)."""

import re
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from wuquan.supervision import demo, engine
from wuquan.supervision.models import Alarm, Complaint, InspectionRound, Notification
from wuquan.supervision.services import do_assign_alarm, do_create_inspection_round

from .sup_fixtures import *  # noqa: F403 - the fixtures org, temp_rule, fast hashing

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def overdue_round(org):
    rnd = do_create_inspection_round(
        org["caizheng"],
        "专项资金巡查",
        date(2026, 3, 6),
        actor=org["jiwei"],
        at=at("2026-03-02 09:00"),
    )
    engine.run_sweeps(at("2026-03-09 09:00"))
    return rnd


def test_sup11_board_shows_counts_lights_svg_charts_and_alarm_links(org, overdue_round):
    body = client_for(org["jiwei"]).get("/staff/supervision/").content.decode()
    alarm = Alarm.objects.get()
    assert "<svg" in body and "近30天每日报警数" in body
    assert f"/staff/supervision/alarms/{alarm.pk}/" in body
    assert "红灯" in body or "黄灯" in body
    assert re.search(r"<script(?![^>]*\bsrc=)", body) is None  # no inline script (CSP)


def test_sup11_alarm_page_links_the_ledger_events(org, overdue_round):
    alarm = Alarm.objects.get()
    body = client_for(org["jiwei"]).get(f"/staff/supervision/alarms/{alarm.pk}/").content.decode()
    assert f"/api/v1/log/events/{alarm.raised_event}" in body
    assert "assign-form" in body


def test_sup11_dispatch_report_names_the_lagging_unit(org, overdue_round):
    body = client_for(org["jiwei"]).get("/staff/supervision/dispatch/?days=366").content.decode()
    lagging = body.split('id="lagging"')[1].split("</ol>")[0]
    assert "龙潭区财政局" in lagging and "龙潭区发展和改革局" not in lagging


def test_sup11_dispatch_report_is_for_supervisory_roles_only(org):
    assert client_for(org["window"]).get("/staff/supervision/dispatch/").status_code == 403


def test_sup5_unit_staff_see_only_their_alarms_and_answer_through_the_page(org, overdue_round):
    alarm = Alarm.objects.get()
    window = client_for(org["window"])
    assert window.get(f"/staff/supervision/alarms/{alarm.pk}/").status_code == 404
    do_assign_alarm(alarm, org["zwfw"], 5, actor=org["jiwei"])
    page = window.get(f"/staff/supervision/alarms/{alarm.pk}/").content.decode()
    assert "answer-form" in page and "assign-form" not in page
    response = window.post(
        f"/staff/supervision/alarms/{alarm.pk}/answer/", {"explanation": "已说明"}
    )
    assert response.status_code == 302
    assert Alarm.objects.get().status == "answered"
    refused = window.post(
        f"/staff/supervision/alarms/{alarm.pk}/close/", {"outcome": "预警告知", "note": "x"}
    )
    assert refused.status_code == 403


def test_sup5_inbox_and_home_panel(org, overdue_round):
    do_assign_alarm(Alarm.objects.get(), org["zwfw"], 5, actor=org["jiwei"])
    window = client_for(org["window"])
    assert "您有 1 条未读消息" in window.get("/staff/").content.decode()
    note = Notification.objects.get(user=org["window"])
    window.post("/staff/supervision/inbox/", {"ids": [note.pk]})
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert "sup-home-open" in client_for(org["jiwei"]).get("/staff/").content.decode()


def test_sms_backend_is_pluggable_and_logs_by_default(
    org, settings, django_capture_on_commit_callbacks
):
    from wuquan.org.models import Person
    from wuquan.supervision.notify import LoggingSMSBackend, notify

    Person.objects.filter(user=org["window"]).update(phone="13700000000")
    LoggingSMSBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify([org["window"]], "督办", "请回复", "/x")
    assert LoggingSMSBackend.sent == [("13700000000", "督办 /x")]


def test_demo_is_idempotent_and_fills_the_board(org):
    demo.load(StringIO())
    counts = (InspectionRound.objects.count(), Complaint.objects.count(), Alarm.objects.count())
    demo.load(StringIO())
    assert (
        InspectionRound.objects.count(),
        Complaint.objects.count(),
        Alarm.objects.count(),
    ) == counts
    assert Alarm.objects.filter(rule_code="SUP-8-inspection-overdue").count() == 1
    assert Alarm.objects.filter(rule_code="SUP-9-complaint").count() == 1

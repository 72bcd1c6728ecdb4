"""Issue 12 finding 6 on the supervision pages: 交办, 回复, 审核, 办结 of an alarm and the
inspection rounds and filings show a refusal beside its field, keep what was typed and write
nothing (SUP-5, SUP-7, SUP-8)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from wuquan.ledger.models import Event
from wuquan.supervision import engine
from wuquan.supervision.models import Alarm, InspectionRecord, InspectionRound
from wuquan.supervision.services import (
    do_answer_alarm,
    do_assign_alarm,
    do_create_inspection_round,
)

from .sup_fixtures import *  # noqa: F403 - the fixtures org, temp_rule, fast hashing

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def field_error(html: str, name: str) -> str:
    m = re.search(rf'<div class="field[^"]*" data-field="{name}"(.*?)</div>', html, re.S)
    assert m, f"no field {name} on the page"
    err = re.search(r'class="field-error"[^>]*>([^<]+)<', m.group(1))
    return err.group(1) if err else ""


@pytest.fixture
def alarm(org):
    do_create_inspection_round(
        org["caizheng"],
        "专项资金巡查",
        date(2026, 3, 6),
        actor=org["jiwei"],
        at=datetime(2026, 3, 2, 9, tzinfo=SH),
    )
    engine.run_sweeps(datetime(2026, 3, 9, 9, tzinfo=SH))
    return Alarm.objects.get()


def test_sup5_assign_with_a_bad_deadline_error_beside_it_entries_kept(org, alarm):
    n = Event.objects.count()
    r = client_for(org["jiwei"]).post(
        f"/staff/supervision/alarms/{alarm.pk}/assign/",
        {"unit": org["zwfw"].pk, "working_days": "0", "instructions": "限期说明情况"},
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert field_error(html, "working_days")
    assert field_error(html, "unit") == "" and "限期说明情况" in html
    assert re.search(rf'<option value="{org["zwfw"].pk}" selected>', html)
    assert Event.objects.count() == n and Alarm.objects.get().status == "raised"


def test_sup5_close_without_a_note_error_beside_the_note(org, alarm):
    n = Event.objects.count()
    r = client_for(org["jiwei"]).post(
        f"/staff/supervision/alarms/{alarm.pk}/close/", {"outcome": "预警告知", "note": ""}
    )
    assert r.status_code == 400
    assert field_error(r.content.decode(), "note") == "请填写办结说明。"
    assert Event.objects.count() == n and Alarm.objects.get().status == "raised"


def test_sup5_answer_and_send_back_refusals_beside_their_fields(org, alarm):
    do_assign_alarm(alarm, org["zwfw"], 5, actor=org["jiwei"])
    n = Event.objects.count()
    r = client_for(org["window"]).post(
        f"/staff/supervision/alarms/{alarm.pk}/answer/",
        {"explanation": "", "correction": "已整改"},
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert field_error(html, "explanation") == "请填写情况说明。" and "已整改" in html
    assert Event.objects.count() == n
    do_answer_alarm(Alarm.objects.get(), "已说明", actor=org["window"])
    n = Event.objects.count()
    r = client_for(org["jiwei"]).post(
        f"/staff/supervision/alarms/{alarm.pk}/check/",
        {"decision": "send_back", "note": "", "working_days": "5"},
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert field_error(html, "note") == "退回时请写明退回理由。"
    assert Event.objects.count() == n and Alarm.objects.get().status == "answered"


def test_sup8_round_without_title_error_beside_it_scope_kept(org):
    n = (Event.objects.count(), InspectionRound.objects.count())
    r = client_for(org["jiwei"]).post(
        "/staff/supervision/inspections/",
        {
            "form": "round",
            "supervising_unit": org["fagai"].pk,
            "title": "",
            "scope": "政府投资项目",
            "due": "2026-04-01",
        },
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert field_error(html, "title") == "请填写巡查任务名称。" and "政府投资项目" in html
    assert 'value="2026-04-01"' in html
    assert (Event.objects.count(), InspectionRound.objects.count()) == n


def test_sup7_filing_for_another_unit_is_refused_the_findings_kept(org):
    n = (Event.objects.count(), InspectionRecord.objects.count())
    r = client_for(org["fagai_user"]).post(
        "/staff/supervision/inspections/",
        {"form": "record", "unit": org["shenji_unit"].pk, "kind": "record", "findings": "抽查"},
    )
    html = r.content.decode()
    assert r.status_code == 403
    assert 'id="form-errors"' in html and "只有本单位工作人员可以报送检查记录。" in html
    assert "抽查</textarea>" in html
    r = client_for(org["fagai_user"]).post(
        "/staff/supervision/inspections/",
        {"form": "record", "unit": org["fagai"].pk, "kind": "record", "findings": ""},
    )
    assert r.status_code == 400
    assert field_error(r.content.decode(), "findings") == "请填写检查发现。"
    assert (Event.objects.count(), InspectionRecord.objects.count()) == n

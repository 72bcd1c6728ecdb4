"""Inspection records of 发改, 财政, 审计 (SUP-7) and the commission watching the watchers (SUP-8)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.ledger.models import Event
from wuquan.supervision import engine
from wuquan.supervision.models import Alarm, InspectionRecord
from wuquan.supervision.services import do_create_inspection_round, do_file_inspection

from .sup_fixtures import *  # noqa: F403 - the fixtures org, temp_rule, fast hashing

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def test_sup7_fagai_files_an_inspection_record_recorded_in_the_ledger(org):
    rec = do_file_inspection(
        org["fagai"],
        "problem",
        "发现项目超概算",
        actor=org["fagai_user"],
        subject=("finance.project", "12"),
    )
    assert rec.subject_type == "finance.project"
    assert Event.objects.filter(
        action="supervision.inspection.filed", subject_id=str(rec.pk)
    ).exists()


def test_sup7_only_supervising_units_and_their_staff_file(org):
    with pytest.raises(InvalidInput):
        do_file_inspection(org["zwfw"], "record", "x", actor=org["window"])
    with pytest.raises(NotPermitted):
        do_file_inspection(org["fagai"], "record", "x", actor=org["window"])
    with pytest.raises(InvalidInput):
        do_file_inspection(org["fagai"], "record", "  ", actor=org["fagai_user"])
    assert not InspectionRecord.objects.exists()


def test_sup7_a_round_of_another_unit_is_refused(org):
    rnd = do_create_inspection_round(
        org["shenji_unit"], "审计巡查", date(2026, 3, 6), actor=org["jiwei"]
    )
    with pytest.raises(RuleViolation):
        do_file_inspection(org["fagai"], "record", "x", actor=org["fagai_user"], round=rnd)


def test_sup8_overdue_round_fires_and_the_round_filed_on_time_stays_quiet(org):
    made = at("2026-03-02 09:00")
    late = do_create_inspection_round(
        org["caizheng"], "专项资金巡查", date(2026, 3, 6), actor=org["jiwei"], at=made
    )
    on_time = do_create_inspection_round(
        org["fagai"], "投资项目巡查", date(2026, 3, 6), actor=org["jiwei"], at=made
    )
    do_file_inspection(
        org["fagai"],
        "record",
        "未发现问题",
        actor=org["fagai_user"],
        round=on_time,
        at=at("2026-03-06 17:30"),
    )
    engine.run_sweeps(at("2026-03-06 20:00"))  # the due day is not over
    assert not Alarm.objects.filter(rule_code="SUP-8-inspection-overdue").exists()
    engine.run_sweeps(at("2026-03-07 09:00"))
    fired = list(Alarm.objects.filter(rule_code="SUP-8-inspection-overdue"))
    assert [(a.subject_id, a.unit_id, a.severity) for a in fired] == [
        (str(late.pk), org["caizheng"].pk, "黄牌")
    ]


def test_sup8_a_record_filed_late_does_not_cure_the_breach_but_replay_before_it_agrees(org):
    rnd = do_create_inspection_round(
        org["fagai"], "巡查", date(2026, 3, 6), actor=org["jiwei"], at=at("2026-03-02 09:00")
    )
    do_file_inspection(
        org["fagai"],
        "record",
        "补报",
        actor=org["fagai_user"],
        round=rnd,
        at=at("2026-03-10 09:00"),
    )
    engine.run_sweeps(at("2026-03-09 09:00"))
    engine.run_sweeps(at("2026-03-11 09:00"))
    alarm = Alarm.objects.get(rule_code="SUP-8-inspection-overdue")
    assert alarm.raised_at == at("2026-03-09 09:00") and alarm.condition_cleared_at is None

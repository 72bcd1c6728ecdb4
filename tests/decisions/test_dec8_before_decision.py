"""Before a 三重一大 decision (DEC-8, 附件8 一2): study; expert review for a major investment;
a public notice or hearing where the public's interests are touched."""

from datetime import date

import pytest

from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.decisions import services
from wuquan.decisions.models import ItemStatus, MatterKind, PreDecisionKind
from wuquan.ledger.models import Event

from .dec_helpers import FRIDAY_LATE, MONDAY, make_body

pytestmark = pytest.mark.django_db


def scheduled_item(kind=MatterKind.MAJOR_PROJECT, code="dec8"):
    unit, people = make_body(3, code)
    meeting = services.do_create_meeting(unit, "党组会", MONDAY, actor="clerk")
    item = services.do_add_agenda_item(meeting, "新建村级道路", kind, "材料", actor="clerk")
    services.do_send_materials(item, at=FRIDAY_LATE, actor="clerk")
    services.do_record_attendance(meeting, [p.pk for p in people], actor="clerk")
    return item


def test_dec8_major_investment_without_expert_review_is_refused_and_recorded():
    item = scheduled_item()
    services.do_classify_item(item, major_investment=True, affects_public=False, actor="clerk")
    services.do_record_pre_decision_step(
        item, PreDecisionKind.STUDY, date(2025, 6, 1), "实地调研三次", actor="clerk"
    )
    with pytest.raises(RuleViolation) as exc:
        services.do_open_item(item, actor="clerk")
    assert exc.value.code == "DEC-8-before-decision"
    item.refresh_from_db()
    assert item.status == ItemStatus.SCHEDULED
    refusal = Event.objects.filter(action="decisions.refused").last()
    assert refusal.payload["rule"] == "DEC-8-before-decision"


def test_dec8_public_matter_needs_a_notice_or_a_hearing():
    item = scheduled_item(kind=MatterKind.MAJOR_DECISION, code="dec8b")
    services.do_classify_item(item, major_investment=False, affects_public=True, actor="clerk")
    services.do_record_pre_decision_step(
        item, PreDecisionKind.STUDY, date(2025, 6, 1), "调研", actor="clerk"
    )
    assert services.missing_pre_decision_steps(item) == ["社会公示或社会听证"]
    services.do_record_pre_decision_step(
        item, PreDecisionKind.PUBLIC_NOTICE, date(2025, 6, 5), "公示7天无异议", actor="clerk"
    )
    services.do_open_item(item, actor="clerk")
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_dec8_all_steps_held_the_item_opens():
    item = scheduled_item(code="dec8c")
    services.do_classify_item(item, major_investment=True, affects_public=True, actor="clerk")
    for kind in (PreDecisionKind.STUDY, PreDecisionKind.EXPERT_REVIEW, PreDecisionKind.HEARING):
        services.do_record_pre_decision_step(item, kind, date(2025, 6, 2), "已完成", actor="clerk")
    services.do_open_item(item, actor="clerk")
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_dec8_requirements_cannot_be_loosened_and_steps_cannot_be_future():
    item = scheduled_item(code="dec8d")
    services.do_classify_item(item, major_investment=True, affects_public=False, actor="clerk")
    with pytest.raises(RuleViolation):
        services.do_classify_item(item, major_investment=False, affects_public=False, actor="clerk")
    with pytest.raises(InvalidInput):
        services.do_record_pre_decision_step(
            item, PreDecisionKind.STUDY, date(2999, 1, 1), "将来", actor="clerk"
        )


def test_dec8_the_log_holds_the_summary_digest_not_the_text():
    item = scheduled_item(code="dec8e")
    services.do_record_pre_decision_step(
        item, PreDecisionKind.STUDY, date(2025, 6, 1), "走访农户张三家", actor="clerk"
    )
    payload = Event.objects.filter(action="decisions.item.pre_decision_step").last().payload
    assert "张三" not in str(payload) and len(payload["summary_sha256"]) == 64


def test_dec8_meeting_page_records_requirements_and_steps(client, settings):
    from django.contrib.auth import get_user_model

    item = scheduled_item(code="dec8p")
    user = get_user_model().objects.create_superuser("dec8admin", password="x")
    client.force_login(user)
    url = f"/staff/decisions/items/{item.pk}/"
    client.post(url + "classify/", {"major_investment": "on"})
    page = client.get(f"/staff/decisions/meetings/{item.meeting_id}/").content.decode()
    assert "尚缺" in page and "专家论证" in page
    client.post(url + "pre-step/", {"kind": "study", "held_on": "2025-06-01", "summary": "调研"})
    client.post(
        url + "pre-step/", {"kind": "expert_review", "held_on": "2025-06-02", "summary": "论证"}
    )
    assert services.missing_pre_decision_steps(item) == []

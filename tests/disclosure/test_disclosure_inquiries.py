"""Questions and suggestions beside any disclosure (PUB-11) and to a village spokesperson
(PUB-12): one mechanism, answered by the owner, published unless the asker declined."""

import pytest

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.disclosure import selectors, services
from wuquan.disclosure.models import Inquiry, InquiryKind
from wuquan.disclosure.rules import QUESTION_UNANSWERED, SUGGESTION_UNANSWERED
from wuquan.ledger.models import Event

from .disc_helpers import at, publish_regular

pytestmark = pytest.mark.django_db


def ask(target, text="去年的修路款花了多少？", **kw):
    return services.do_submit_inquiry(
        services.InquiryInput(target=target, text=text, **kw), ip="10.0.0.1", count_rate=False
    )


@pytest.fixture
def spokesperson(village_world):
    from wuquan.org.selectors import person_of

    w = village_world
    return services.do_appoint_spokesperson(
        w["village"],
        person_of(w["chair"]),
        actor=w["discipline"],
        start=at("2026-01-01 00:00").date(),
    )


def test_pub12_spokesperson_must_be_on_the_supervision_committee(village_world):
    from wuquan.org.selectors import person_of

    w = village_world
    with pytest.raises(RuleViolation):
        services.do_appoint_spokesperson(
            w["village"], person_of(w["accountant"]), actor=w["discipline"]
        )
    member = services.do_appoint_spokesperson(
        w["village"], person_of(w["member"]), actor=w["discipline"]
    )
    assert member.post.code == "supervision-member"


def test_pub12_question_is_answered_by_the_spokesperson_and_published(village_world, spokesperson):
    w = village_world
    inquiry, code = ask("spokesperson:hantun", asker_name="王某", asker_contact="13912345678")
    assert inquiry.kind == InquiryKind.QUESTION and len(code) == 16
    with pytest.raises(NotPermitted):  # the secretary is not the spokesperson
        services.do_answer_inquiry(inquiry, "已修路 2 公里。", actor=w["secretary"])
    services.do_answer_inquiry(inquiry, "已修路 2 公里，支出 30 万元。", actor=w["chair"])
    public = list(selectors.public_answers("spokesperson:hantun"))
    assert [i.pk for i in public] == [inquiry.pk]


def test_pub11_asker_can_decline_publication(village_world, spokesperson):
    inquiry, _code = ask("spokesperson:hantun", publish_consent=False)
    services.do_answer_inquiry(inquiry, "已当面答复。", actor=village_world["chair"])
    assert list(selectors.public_answers("spokesperson:hantun")) == []


def test_pub11_suggestion_beside_a_bulletin_is_answered_by_the_village(village_world):
    w = village_world
    bulletin = publish_regular(w)
    inquiry, _ = ask(f"bulletin:{bulletin.pk}", text="建议把低保名单贴到村部门口。")
    assert inquiry.kind == InquiryKind.SUGGESTION and inquiry.owner == w["village"]
    with pytest.raises(NotPermitted):  # the township reviewer does not answer for the village
        services.do_answer_inquiry(inquiry, "好的。", actor=w["civil"])
    services.do_answer_inquiry(inquiry, "已张贴。", actor=w["secretary"])


def test_pub11_unknown_target_and_bad_input_write_nothing(village_world):
    before = (Inquiry.objects.count(), Event.objects.count())
    for target, text, field in [
        ("bulletin:99999", "一个正常的问题内容", "target"),
        ("nonsense", "一个正常的问题内容", "target"),
        ("spokesperson:hantun", "短", "text"),
        ("spokesperson:hantun", "长" * 1001, "text"),
        ("spokesperson:hantun", "含有\x00字符的问题", "text"),
    ]:
        with pytest.raises(InvalidInput) as exc:
            ask(target, text=text)
        assert exc.value.field == field
    with pytest.raises(InvalidInput) as exc:
        ask("spokesperson:hantun", asker_contact="123")
    assert exc.value.field == "asker_contact"
    assert (Inquiry.objects.count(), Event.objects.count()) == before


def test_pub11_rate_limit_per_ip_in_the_shared_cache(village_world, settings):
    """The limit lives in common/ratelimit's shared cache (issue 13 finding 8): the slots are
    there for every worker, and another address is not limited."""
    from django.core.cache import caches

    from wuquan.common.ratelimit import RateLimited

    settings.WUQUAN_INQUIRY_RATE_PER_HOUR = 2
    data = services.InquiryInput(target="spokesperson:hantun", text="请问今年的分红何时发？")
    for _ in range(2):
        services.do_submit_inquiry(data, ip="10.9.9.9")
    before = Inquiry.objects.count()
    with pytest.raises(RateLimited):
        services.do_submit_inquiry(data, ip="10.9.9.9")
    assert Inquiry.objects.count() == before
    services.do_submit_inquiry(data, ip="10.9.9.10")
    caches["shared"].clear()  # a fresh window (as an hour later): allowed again
    services.do_submit_inquiry(data, ip="10.9.9.9")


def test_pub11_the_log_holds_no_name_phone_or_text(village_world):
    inquiry, _ = ask("spokesperson:hantun", asker_name="王某某", asker_contact="13912345678")
    payload = str(Event.objects.filter(action="disclosure.inquiry.received").last().payload)
    assert "王某某" not in payload and "13912345678" not in payload and "修路" not in payload


def _open(rule, as_of):
    return [f.subject_id for f in rule.sweep(as_of, rule.thresholds)]


def test_pub12_question_unanswered_after_five_working_days_is_an_alarm(village_world, spokesperson):
    inquiry, _ = services.do_submit_inquiry(
        services.InquiryInput(target="spokesperson:hantun", text="村里的机动地租给谁了？"),
        count_rate=False,
        at=at("2026-11-02 09:00"),  # a Monday
    )
    assert _open(QUESTION_UNANSWERED, at("2026-11-09 10:00")) == []  # 5th working day
    assert _open(QUESTION_UNANSWERED, at("2026-11-10 10:00")) == [str(inquiry.pk)]
    assert _open(SUGGESTION_UNANSWERED, at("2026-11-10 10:00")) == []
    services.do_answer_inquiry(
        inquiry, "租给本村合作社。", actor=village_world["chair"], at=at("2026-11-10 11:00")
    )
    assert _open(QUESTION_UNANSWERED, at("2026-11-11 10:00")) == []
    # a replay of the day before the answer still sees it
    assert _open(QUESTION_UNANSWERED, at("2026-11-10 10:30")) == [str(inquiry.pk)]


def test_pub12_yearly_assessment_puts_each_spokesperson_on_the_evaluation_ballot(
    village_world, spokesperson
):
    from wuquan.evaluation.models import Subject

    w = village_world
    inquiry, _ = services.do_submit_inquiry(
        services.InquiryInput(target="spokesperson:hantun", text="村里的机动地租给谁了？"),
        count_rate=False,
        at=at("2026-11-02 09:00"),
    )
    services.do_answer_inquiry(
        inquiry, "租给本村合作社。", actor=w["chair"], at=at("2026-11-04 09:00")
    )
    with pytest.raises(NotPermitted):  # the township commission assesses, not the village
        services.do_open_spokesperson_assessment(w["town"], 2026, 50, actor=w["secretary"])
    ev = services.do_open_spokesperson_assessment(
        w["town"], 2026, 50, actor=w["discipline"], at=at("2026-12-20 09:00")
    )
    subject = Subject.objects.get(evaluation=ev, person=spokesperson.person)
    assert "韩屯村" in subject.role_title
    assert "收到村民咨询 1 件，答复 1 件，平均 2.0 天答复" in subject.report

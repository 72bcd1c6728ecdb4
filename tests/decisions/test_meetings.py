"""三重一大 meetings: materials timing, head last, the vote rule, finality (DEC-2..7, DEC-11)."""

from datetime import date, datetime
from fractions import Fraction

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.decisions import services, voting
from wuquan.decisions.models import (
    AgendaItem,
    Choice,
    ItemStatus,
    MatterKind,
    Meeting,
    SecretBallot,
    Statement,
)
from wuquan.decisions.selectors import decision_for
from wuquan.ledger.models import Event

from .dec_helpers import FRIDAY_LATE, MONDAY, SATURDAY, SH, make_body, meeting_at_vote

pytestmark = pytest.mark.django_db


def refusals(rule_code):
    return [
        e
        for e in Event.objects.filter(action="decisions.refused")
        if e.payload["rule"] == rule_code
    ]


def scheduled_item(size=5, kind=MatterKind.MAJOR_DECISION, on=MONDAY, code="testunit"):
    unit, people = make_body(size, code)
    meeting = services.do_create_meeting(unit, "党组会", on, actor="clerk")
    item = services.do_add_agenda_item(meeting, "购置办公设备", kind, "方案", actor="clerk")
    return meeting, item, people


# ------------------------------------------------------------------ DEC-5 the vote rule


@given(expected=st.integers(1, 60), data=st.data())
@settings(max_examples=400)
def test_dec5_pure_rule_passes_exactly_when_yes_exceeds_half_of_expected(expected, data):
    present = data.draw(st.integers(0, expected))
    yes = data.draw(st.integers(0, present))
    assert voting.passes(yes, expected) is (Fraction(yes) > Fraction(expected, 2))


@given(size=st.integers(1, 9), data=st.data())
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_dec5_meeting_passes_exactly_when_yes_exceeds_half_of_expected_members(size, data, db):
    present = data.draw(st.integers(size // 2 + 1, size), label="present")  # quorum
    yes = data.draw(st.integers(0, present), label="yes")
    no = data.draw(st.integers(0, present - yes), label="no")
    with transaction.atomic():
        meeting, item, members = meeting_at_vote(size, present)
        choices = [Choice.YES] * yes + [Choice.NO] * no
        for member, choice in zip(members, choices + [Choice.ABSTAIN] * present, strict=False):
            services.do_cast_vote(item, member, choice, actor="clerk")
        services.do_close_vote(item, actor="clerk")
        item.refresh_from_db()
        assert item.passed is (Fraction(yes) > Fraction(size, 2))
        assert item.expected_count == size and item.present_count == present
        transaction.set_rollback(True)


def test_dec5_result_shows_the_arithmetic_against_expected_not_present():
    meeting, item, members = meeting_at_vote(9, 6)
    for member in members[:5]:
        services.do_cast_vote(item, member, Choice.YES, actor="clerk")
    services.do_close_vote(item, actor="clerk")
    item.refresh_from_db()
    assert item.passed is True
    assert item.result_text == "赞成 5 票 > 应到 9 人的一半 4.5，通过"


def test_dec5_four_of_six_present_is_not_enough_when_nine_should_attend():
    meeting, item, members = meeting_at_vote(9, 6)
    for member in members[:4]:  # a majority of those present, not of 应到
        services.do_cast_vote(item, member, Choice.YES, actor="clerk")
    services.do_close_vote(item, actor="clerk")
    item.refresh_from_db()
    assert item.passed is False
    assert "未通过" in item.result_text


def test_dec2_quorum_more_than_half_present_else_refused_and_recorded():
    meeting, item, people = scheduled_item(6)
    services.do_send_materials(item, at=FRIDAY_LATE, actor="clerk")
    services.do_record_attendance(meeting, [p.pk for p in people[:3]], actor="clerk")
    with pytest.raises(RuleViolation) as err:
        services.do_open_item(item, actor="clerk")
    assert err.value.code == "DEC-2-quorum"
    item.refresh_from_db()
    assert item.status == ItemStatus.SCHEDULED
    assert len(refusals("DEC-2-quorum")) == 1


# ------------------------------------------------------------------ DEC-3 materials


def test_dec3_materials_on_friday_night_for_monday_meeting_are_accepted():
    meeting, item, people = scheduled_item()
    services.do_send_materials(item, at=FRIDAY_LATE, actor="clerk")
    services.do_record_attendance(meeting, [p.pk for p in people], actor="clerk")
    services.do_open_item(item, actor="clerk")
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


@pytest.mark.parametrize(
    "meeting_day, sent",
    [
        (MONDAY, SATURDAY),  # after the last working day before a Monday meeting
        (MONDAY, datetime(2025, 6, 16, 8, 0, tzinfo=SH)),  # on the meeting's own date
        (date(2025, 10, 9), datetime(2025, 10, 1, 9, 0, tzinfo=SH)),  # first day of the holiday
    ],
)
def test_dec3_late_materials_refuse_opening_and_record_only_the_refusal(meeting_day, sent):
    meeting, item, people = scheduled_item(on=meeting_day)
    services.do_send_materials(item, at=sent, actor="clerk")
    services.do_record_attendance(meeting, [p.pk for p in people], actor="clerk")
    before = Event.objects.count()
    with pytest.raises(RuleViolation) as err:
        services.do_open_item(item, actor="clerk")
    assert err.value.code == "DEC-3-materials-one-working-day-ahead"
    item.refresh_from_db()
    assert item.status == ItemStatus.SCHEDULED
    new = list(Event.objects.filter(index__gte=before))
    # only the refusal (and any alarm supervision raises from it) — nothing of the action
    assert [e.action for e in new if not e.action.startswith("supervision.")] == [
        "decisions.refused"
    ]
    assert new[0].payload["rule"] == "DEC-3-materials-one-working-day-ahead"


def test_dec3_materials_on_the_last_working_day_before_a_holiday_are_accepted():
    meeting, item, people = scheduled_item(on=date(2025, 10, 9))
    services.do_send_materials(item, at=datetime(2025, 9, 30, 17, 0, tzinfo=SH), actor="clerk")
    services.do_record_attendance(meeting, [p.pk for p in people], actor="clerk")
    services.do_open_item(item, actor="clerk")
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.OPEN


def test_dec3_a_member_without_materials_blocks_the_item():
    meeting, item, people = scheduled_item(3)
    members = list(meeting.members.all())
    services.do_send_materials(item, members=members[:2], at=FRIDAY_LATE, actor="clerk")
    services.do_record_attendance(meeting, [p.pk for p in people], actor="clerk")
    with pytest.raises(RuleViolation, match=str(members[2].person)):
        services.do_open_item(item, actor="clerk")


def test_dec3_appointment_items_are_exempt_from_the_materials_rule():
    meeting, item, people = scheduled_item(kind=MatterKind.APPOINTMENT)
    services.do_record_attendance(meeting, [p.pk for p in people], actor="clerk")
    services.do_open_item(item, actor="clerk")
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.OPEN


# ------------------------------------------------------------------ DEC-4 head last


def test_dec4_head_cannot_speak_before_every_other_present_member():
    meeting, item, people = scheduled_item(4)
    services.do_send_materials(item, at=FRIDAY_LATE, actor="clerk")
    services.do_record_attendance(meeting, [p.pk for p in people[:3]], actor="clerk")  # one absent
    services.do_open_item(item, actor="clerk")
    head = meeting.members.get(is_head=True)
    deputies = list(meeting.members.filter(is_head=False, present=True))
    services.do_make_statement(item, deputies[0], "同意", actor="clerk")
    with pytest.raises(RuleViolation) as err:
        services.do_make_statement(item, head, "我先定调", actor="clerk")
    assert err.value.code == "DEC-4-head-speaks-last"
    assert Statement.objects.filter(item=item).count() == 1
    assert len(refusals("DEC-4-head-speaks-last")) == 1
    services.do_make_statement(item, deputies[1], "同意", actor="clerk")
    # the absent member does not hold the head back
    services.do_make_statement(item, head, "综合大家意见，同意", actor="clerk")
    assert list(item.statements.values_list("member__is_head", flat=True)) == [False, False, True]
    with pytest.raises(InvalidInput):  # absent members do not speak
        services.do_make_statement(
            item, meeting.members.filter(present=False).first(), "x", actor="clerk"
        )


def test_dec4_vote_cannot_start_before_the_head_has_spoken():
    meeting, item, people = scheduled_item(3)
    services.do_send_materials(item, at=FRIDAY_LATE, actor="clerk")
    services.do_record_attendance(meeting, [p.pk for p in people], actor="clerk")
    services.do_open_item(item, actor="clerk")
    with pytest.raises(RuleViolation):
        services.do_start_vote(item, actor="clerk")
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.OPEN


def test_dec4_empty_statement_is_a_clear_error_and_writes_nothing():
    meeting, item, people = scheduled_item(3)
    services.do_send_materials(item, at=FRIDAY_LATE, actor="clerk")
    services.do_record_attendance(meeting, [p.pk for p in people], actor="clerk")
    services.do_open_item(item, actor="clerk")
    before = Event.objects.count()
    with pytest.raises(InvalidInput):
        services.do_make_statement(
            item, meeting.members.filter(is_head=False).first(), "  ", actor="clerk"
        )
    assert Event.objects.count() == before and not item.statements.exists()


# ------------------------------------------------------------------ secret ballots


def test_dec5_appointments_are_secret_and_no_row_or_event_links_voter_and_choice():
    meeting, item, members = meeting_at_vote(5, 5, kind=MatterKind.APPOINTMENT)
    assert item.vote_mode == "secret"
    choices = [Choice.YES, Choice.NO, Choice.YES, Choice.ABSTAIN, Choice.YES]
    for member, choice in zip(members, choices, strict=True):
        services.do_cast_vote(item, member, choice, actor="clerk")
    services.do_close_vote(item, actor="clerk")
    # ballot table: only id, item and choice — no voter, no time
    columns = {f.column for f in SecretBallot._meta.get_fields() if hasattr(f, "column")}
    assert columns == {"id", "item_id", "choice"}
    assert sorted(
        SecretBallot.objects.filter(item=item).values_list("choice", flat=True)
    ) == sorted(choices)
    # log: "voted" markers name the member but never the choice
    voted = Event.objects.filter(action="decisions.ballot.voted", subject_id=str(item.pk))
    assert voted.count() == 5
    for event in voted:
        assert set(event.payload) == {"member"}
        for word in ("yes", "no", "abstain", "赞成", "反对", "弃权", "choice"):
            assert word not in event.leaf
    # the tally is recorded only at close, sealed, without members
    closed = Event.objects.get(action="decisions.vote.closed", subject_id=str(item.pk))
    assert closed.payload["yes"] == 3 and "member" not in closed.leaf
    for event in Event.objects.filter(subject_id=str(item.pk), subject_type="decisions.agendaitem"):
        if "member" in event.payload:
            assert "choice" not in event.payload


def test_dec5_secret_ballot_rows_are_rewritten_at_close_in_random_order():
    """The box is reshuffled with fresh keys, so key order cannot be lined up with markers."""
    orders = set()
    for n in range(4):
        meeting, item, members = meeting_at_vote(4, 4, kind=MatterKind.APPOINTMENT, code=f"u{n}")
        before_ids = set()
        for member, choice in zip(
            members, [Choice.YES, Choice.NO, Choice.ABSTAIN, Choice.YES], strict=True
        ):
            services.do_cast_vote(item, member, choice, actor="clerk")
        before_ids = set(SecretBallot.objects.filter(item=item).values_list("id", flat=True))
        services.do_close_vote(item, actor="clerk")
        after = list(
            SecretBallot.objects.filter(item=item).order_by("id").values_list("id", "choice")
        )
        assert not before_ids & {i for i, _c in after}
        orders.add(tuple(c for _i, c in after))
    assert len(orders) > 1  # 4 trials of 12 possible orders: all equal with probability 1/1728


def test_dec5_results_are_not_recorded_before_the_vote_closes():
    meeting, item, members = meeting_at_vote(3, 3, kind=MatterKind.APPOINTMENT)
    services.do_cast_vote(item, members[0], Choice.YES, actor="clerk")
    item.refresh_from_db()
    assert item.passed is None and item.yes_count is None and item.result_text == ""
    assert not Event.objects.filter(action="decisions.vote.closed").exists()


def test_dec5_a_member_votes_once():
    meeting, item, members = meeting_at_vote(3, 3)
    services.do_cast_vote(item, members[0], Choice.YES, actor="clerk")
    with pytest.raises(InvalidInput):
        services.do_cast_vote(item, members[0], Choice.NO, actor="clerk")


def test_dec5_paper_secret_ballots_cannot_exceed_marked_voters():
    meeting, item, members = meeting_at_vote(3, 3, kind=MatterKind.APPOINTMENT)
    services.do_mark_voted(item, members[0], actor="clerk")
    services.do_enter_paper_ballot(item, Choice.YES, actor="clerk")
    with pytest.raises(InvalidInput):
        services.do_enter_paper_ballot(item, Choice.YES, actor="clerk")
    with pytest.raises(InvalidInput):  # 1 marker, 1 ballot, fine; then a marker without ballot
        services.do_mark_voted(item, members[1], actor="clerk")
        services.do_close_vote(item, actor="clerk")


# ------------------------------------------------------------------ DEC-6, DEC-11, DEC-2 outside


def decided(size=3, code="testunit"):
    meeting, item, members = meeting_at_vote(size, size, code=code)
    for member in members:
        services.do_cast_vote(item, member, Choice.YES, actor="clerk")
    services.do_close_vote(item, actor="clerk")
    item.refresh_from_db()
    return meeting, item


def test_dec6_a_recorded_result_cannot_be_changed_and_the_attempt_is_recorded():
    meeting, item = decided()
    with pytest.raises(RuleViolation) as err:
        services.do_change_result(item, passed=False, actor="someone")
    assert err.value.code == "DEC-6-result-changed-without-reconsideration"
    item.refresh_from_db()
    assert item.passed is True
    assert len(refusals("DEC-6-result-changed-without-reconsideration")) == 1


def test_dec6_reconsideration_needs_head_consent_and_a_later_meeting():
    meeting, item = decided()
    later = services.do_create_meeting(meeting.unit, "复议会", date(2025, 6, 23), actor="clerk")
    with pytest.raises(RuleViolation):
        services.do_open_reconsideration(
            item, later, head_consent="", reason="情况变化", actor="clerk"
        )
    same_day = services.do_create_meeting(meeting.unit, "同日", MONDAY, actor="clerk")
    with pytest.raises(InvalidInput):
        services.do_open_reconsideration(
            item, same_day, head_consent="局长同意", reason="x", actor="clerk"
        )
    redo = services.do_open_reconsideration(
        item, later, head_consent="局长同意", reason="情况变化", actor="clerk"
    )
    assert redo.reconsiders == item and redo.head_consent == "局长同意"
    assert Event.objects.filter(action="decisions.reconsideration.opened").count() == 1


def test_dec6_a_reconsidered_decision_supersedes_the_original():
    meeting, item = decided()
    item.subject_type, item.subject_id = "finance.expense", "7"
    item.save()
    assert decision_for(("finance.expense", "7")) == item
    later = services.do_create_meeting(meeting.unit, "复议会", date(2025, 6, 23), actor="clerk")
    redo = services.do_open_reconsideration(
        item, later, head_consent="局长同意", reason="变化", actor="clerk"
    )
    services.do_send_materials(redo, at=datetime(2025, 6, 20, 10, tzinfo=SH), actor="clerk")
    services.do_record_attendance(
        later, list(later.members.values_list("person_id", flat=True)), actor="clerk"
    )
    services.do_open_item(redo, actor="clerk")
    members = list(later.members.order_by("is_head", "id"))
    for m in members:
        services.do_make_statement(redo, m, "意见", actor="clerk")
    services.do_start_vote(redo, actor="clerk")
    for m in members:
        services.do_cast_vote(redo, m, Choice.NO, actor="clerk")
    services.do_close_vote(redo, actor="clerk")
    item.refresh_from_db()
    assert item.superseded_by == redo and item.passed is True  # original row unchanged
    assert decision_for(("finance.expense", "7")) is None


def test_dec11_immature_items_are_deferred_with_a_reason():
    meeting, item, people = scheduled_item()
    with pytest.raises(InvalidInput):
        services.do_defer_item(item, "", actor="clerk")
    services.do_defer_item(item, "意见不集中，补充调研后再议", actor="clerk")
    item.refresh_from_db()
    assert item.status == ItemStatus.DEFERRED and "调研" in item.deferred_reason


def test_dec2_circulation_or_cosigning_is_refused_and_recorded():
    meeting, item, people = scheduled_item()
    for method in ("传阅", "会签", "个别征求意见"):
        with pytest.raises(RuleViolation):
            services.do_record_decision_outside_meeting(item, method, actor="clerk")
    assert len(refusals("DEC-2-decided-in-meeting")) == 3
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.SCHEDULED


def test_dec2_large_expense_without_decision_is_refused_and_recorded():
    unit, people = make_body(3)
    subject = ("finance.expense", "42")
    pending = services.require_decision(
        subject, unit, MatterKind.LARGE_SUM, "大额支出 80 万元", actor="finance"
    )
    assert (
        services.require_decision(subject, unit, MatterKind.LARGE_SUM, "x", actor="finance")
        == pending
    )
    with pytest.raises(RuleViolation) as err:
        services.assert_decided(subject)
    assert err.value.code == "DEC-2-no-linked-decision"
    [refusal] = refusals("DEC-2-no-linked-decision")
    assert (refusal.subject_type, refusal.subject_id) == subject


def test_dec2_expense_with_a_passed_decision_goes_ahead():
    meeting, item = decided()
    AgendaItem.objects.filter(pk=item.pk).update(subject_type="finance.expense", subject_id="9")
    assert services.assert_decided(("finance.expense", "9")).pk == item.pk


# ------------------------------------------------------------------ DEC-7, DEC-9


def test_dec7_dec9_file_publish_and_report_execution():
    unit, _p = make_body(1, "parentless")
    meeting, item = decided()
    with pytest.raises(InvalidInput):  # test unit has no parent
        services.do_file_with_superior(item, actor="clerk")
    services.do_file_with_superior(item, superior=unit, actor="clerk")
    services.do_publish(item, "同意购置办公设备，预算 20 万元", actor="clerk")
    services.do_report_execution(item, "已完成采购", actor="clerk")
    item.refresh_from_db()
    assert item.filed_with == unit and item.published_at and item.execution_reports.count() == 1


def test_dec9_undecided_items_cannot_be_published():
    meeting, item, people = scheduled_item()
    with pytest.raises(InvalidInput):
        services.do_publish(item, "x", actor="clerk")
    assert not Meeting.objects.filter(items__published_at__isnull=False).exists()

"""The fast path of a step completion keeps its meaning (APR-3, SUP-1; bench/case_throughput.py).

do_complete_step checks the appointment on the step read and tells the APR-3 rule
`holds_post: true` only when the person is appointed to the post that day; otherwise the
service's own post check decides, and the rule looks for itself.
"""

from datetime import date

import pytest

from wuquan.approvals import services
from wuquan.approvals.models import StepState
from wuquan.common.exceptions import NotPermitted
from wuquan.ledger.models import Event
from wuquan.supervision.models import Alarm

from .approvals_helpers import at


def _accepted_case(world, online_files):
    sub = services.do_submit_application(
        world.item,
        applicant_name="龙潭小吃店",
        data={"area_sqm": 100},
        files=online_files,
        at=at(2026, 3, 2, 9),
    )
    services.do_accept_case(sub.case, actor=world.users["window"], at=at(2026, 3, 2, 10))
    return sub.case


def _review_step(case):
    return case.steps.get(state=StepState.READY, unit__code="t-scjg")


def test_apr3_completion_by_the_post_holder_says_holds_post_and_raises_nothing(world, online_files):
    case = _accepted_case(world, online_files)
    step = services.do_complete_step(
        _review_step(case),
        "同意",
        actor=world.users["chengban"],
        at=at(2026, 3, 3, 10),
    )
    event = Event.objects.get(index=step.event_index)
    assert event.action == "approvals.step.completed"
    assert event.payload["holds_post"] is True
    assert event.payload["person_id"] == step.person_id
    assert not Alarm.objects.filter(rule_code="APR-3-step-without-post").exists()
    step.refresh_from_db()
    assert step.state == StepState.DONE and step.event_index == event.index
    assert step.completed_by == world.users["chengban"] and step.opinion == "同意"


def test_apr3_completion_by_a_former_holder_is_refused_or_flagged(world, online_files):
    """Someone whose appointment to the post has ended while another person holds it: the
    service may refuse; if it lets the step through, the APR-3 red card must follow."""
    from wuquan.org.models import Appointment
    from wuquan.org.services import do_end_appointment, ensure_staff

    case = _accepted_case(world, online_files)
    step = _review_step(case)
    former = ensure_staff("t-former", "前承办 周强", step.post, ["承办"], start=date(2024, 1, 1))
    do_end_appointment(
        Appointment.objects.get(person__user=former, post=step.post),
        date(2025, 12, 31),
        actor="system",
    )
    try:
        done = services.do_complete_step(step, "同意", actor=former, at=at(2026, 3, 3, 10))
    except NotPermitted:
        assert not Alarm.objects.filter(rule_code="APR-3-step-without-post").exists()
        return
    event = Event.objects.get(index=done.event_index)
    assert "holds_post" not in event.payload
    (alarm,) = Alarm.objects.filter(rule_code="APR-3-step-without-post")
    assert alarm.subject_id == str(done.pk) and alarm.post_id == done.post_id


def test_apr3_a_stranger_is_refused_and_nothing_is_recorded(world, online_files):
    case = _accepted_case(world, online_files)
    step = _review_step(case)
    n = Event.objects.count()
    with pytest.raises(NotPermitted, match="审批科承办岗"):
        services.do_complete_step(step, "越权", actor=world.users["xf"], at=at(2026, 3, 3, 10))
    assert Event.objects.count() == n
    step.refresh_from_db()
    assert step.state == StepState.READY


@pytest.mark.django_db(transaction=True)
def test_apr3_two_clerks_completing_one_step_at_once_complete_it_once(world, online_files):
    """The case lock (approvals/locking.py) orders them: the second clerk waits for the
    first's commit, then reads the step done and is refused. Needs a server that makes the
    second wait on the row lock: PostgreSQL (pytest-django's in-memory SQLite fails a
    blocked lock at once; SQLite's IMMEDIATE transactions order writers anyway)."""
    import threading

    from django.db import connection, connections

    from wuquan.common.exceptions import RuleViolation
    from wuquan.ledger import services as ledger_services

    if connection.vendor != "postgresql":
        pytest.skip("row-lock waits need PostgreSQL; SQLite serialises whole transactions")
    case = _accepted_case(world, online_files)
    step = _review_step(case)
    first_holds_lock = threading.Event()
    outcomes = {}

    def hold(event):
        if threading.current_thread().name == "first":
            first_holds_lock.set()
            threading.Event().wait(0.5)  # the second clerk arrives while we hold the lock

    def clerk(name):
        try:
            if name == "second":
                first_holds_lock.wait(5)
            services.do_complete_step(
                step, name, actor=world.users["chengban"], at=at(2026, 3, 3, 10)
            )
            outcomes[name] = "done"
        except RuleViolation as exc:
            outcomes[name] = str(exc)
        finally:
            connections.close_all()

    ledger_services.subscribe(hold)
    try:
        threads = [threading.Thread(target=clerk, args=(n,), name=n) for n in ("first", "second")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        ledger_services._subscribers.remove(hold)
    assert outcomes["first"] == "done"
    assert "不能重复办理" in outcomes["second"]
    step.refresh_from_db()
    assert step.state == StepState.DONE and step.opinion == "first"
    done = Event.objects.filter(action="approvals.step.completed", subject_id=str(step.pk))
    assert done.count() == 1

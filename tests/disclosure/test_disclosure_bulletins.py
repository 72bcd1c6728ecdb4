"""Village affairs bulletins: the chain of 附件13 三(三), the log snapshot, the 15th-of-the-month
rule (PUB-6)."""

from datetime import date

import pytest

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.disclosure import selectors, services
from wuquan.disclosure.models import Bulletin, BulletinStatus, BulletinStep
from wuquan.disclosure.rules import BULLETIN_LATE, bulletins_late
from wuquan.ledger.models import Event

from .disc_helpers import at, content, publish_regular

pytestmark = pytest.mark.django_db


def test_pub6_bulletin_goes_through_the_whole_chain_and_is_snapshotted(village_world):
    w = village_world
    b = publish_regular(w)
    assert b.status == BulletinStatus.PUBLISHED
    steps = list(BulletinStep.objects.filter(bulletin=b).values_list("step", flat=True))
    assert steps == ["draft", "agreed", "civil_affairs", "agri_economics", "filed", "published"]
    event = Event.objects.get(index=b.published_event)
    assert event.action == "disclosure.bulletin.published"
    assert event.payload["content_sha256"] == b.content_sha256
    assert selectors.bulletin_matches_publication(b)
    assert selectors.recorded_publication_digest(b) == b.content_sha256


def test_pub6_a_change_after_publication_shows(village_world):
    b = publish_regular(village_world)
    Bulletin.objects.filter(pk=b.pk).update(finance_affairs="改过的财务公开")
    b.refresh_from_db()
    assert not selectors.bulletin_matches_publication(b)
    assert selectors.recorded_publication_digest(b) != services.events.canonical_digest(
        services.published_content(b)
    )


def test_pub6_no_free_text_in_the_log(village_world):
    b = publish_regular(village_world)
    for event in Event.objects.filter(subject_type="disclosure.bulletin", subject_id=str(b.pk)):
        text = str(event.payload)
        assert "低保" not in text and "村部" not in text


def test_pub6_steps_are_taken_by_their_posts_only(village_world):
    w = village_world
    b = services.do_draft_bulletin(
        w["village"], content(), actor=w["chair"], year=2026, quarter=3, at=at("2026-10-05 09:00")
    )
    with pytest.raises(NotPermitted):  # 农经站 cannot skip ahead of 三委 agreement
        services.do_review_bulletin(b, actor=w["agri"], at=at("2026-10-05 10:00"))
    with pytest.raises(NotPermitted):  # the accountant is not the supervision committee
        services.do_draft_bulletin(
            w["village"], content(), actor=w["accountant"], year=2026, quarter=2
        )
    assert BulletinStep.objects.filter(bulletin=b).count() == 1
    with pytest.raises(RuleViolation):  # not filed yet
        services.do_publish_bulletin(b, actor=w["discipline"])


def test_pub6_a_returned_bulletin_needs_a_reason_and_starts_again(village_world):
    w = village_world
    b = services.do_draft_bulletin(
        w["village"], content(), actor=w["member"], year=2026, quarter=3, at=at("2026-10-05 09:00")
    )
    b = services.do_review_bulletin(b, actor=w["secretary"], at=at("2026-10-05 10:00"))
    with pytest.raises(InvalidInput):
        services.do_review_bulletin(b, actor=w["civil"], approved=False, opinion="")
    b = services.do_review_bulletin(
        b, actor=w["civil"], approved=False, opinion="低保户数与名册不符", at=at("2026-10-06 09:00")
    )
    assert b.status == BulletinStatus.RETURNED
    b = services.do_revise_bulletin(b, content(), actor=w["chair"], at=at("2026-10-06 15:00"))
    assert b.status == BulletinStatus.DRAFT


def test_pub6_one_regular_bulletin_per_quarter(village_world):
    w = village_world
    services.do_draft_bulletin(w["village"], content(), actor=w["chair"], year=2026, quarter=2)
    with pytest.raises(RuleViolation):
        services.do_draft_bulletin(w["village"], content(), actor=w["chair"], year=2026, quarter=2)


def _late(as_of, **thresholds):
    return [
        f.inputs["quarter"]
        for f in bulletins_late(as_of, {**BULLETIN_LATE.thresholds, **thresholds})
        if f.inputs["village"] == "hantun"
    ]


def test_pub6_published_on_the_15th_is_in_time_and_the_16th_is_late(village_world):
    # 2026-10-15 is a Thursday; the deadline is a calendar date, not a working day
    publish_regular(village_world, published="2026-10-15 20:00")
    assert _late(at("2026-10-16 09:00"), from_quarter="2026-3") == []
    assert _late(at("2026-10-15 09:00"), from_quarter="2026-3") == []


def test_pub6_missing_bulletin_is_late_the_day_after_the_15th(village_world):
    assert _late(at("2026-10-15 23:00"), from_quarter="2026-3") == []
    assert _late(at("2026-10-16 00:30"), from_quarter="2026-3") == ["2026-Q3"]


def test_pub6_published_on_the_16th_stays_late(village_world):
    publish_regular(village_world, published="2026-10-16 09:00")
    assert _late(at("2026-11-01 09:00"), from_quarter="2026-3") == ["2026-Q3"]


def test_pub6_the_15th_counts_across_the_national_day_holiday(village_world):
    """Q3's deadline, 10-15, falls just after the 国庆 holiday and Q4's, 01-15, on a Friday;
    Q1's of 2027, 04-15, on a Thursday: the rule reads the calendar date in every case,
    and a holiday does not move it (附件13 三(一)1)."""
    assert date(2026, 10, 15).isoweekday() == 4
    publish_regular(village_world, published="2026-10-08 09:00")  # first day back
    assert _late(at("2026-10-16 09:00"), from_quarter="2026-3") == []


def test_pub6_weekend_deadline_is_not_moved(village_world):
    """2027-01-15 is a Friday, 2028-01-15 a Saturday: a bulletin on the 2027 Q4 quarter
    published Monday 2028-01-17 is late, the weekend does not move the 15th."""
    assert date(2028, 1, 15).isoweekday() == 6
    w = village_world
    b = services.do_draft_bulletin(
        w["village"], content(), actor=w["chair"], year=2027, quarter=4, at=at("2028-01-10 09:00")
    )
    for who in ("secretary", "civil", "agri", "discipline"):
        b = services.do_review_bulletin(b, actor=w[who], at=at("2028-01-11 09:00"))
    services.do_publish_bulletin(b, actor=w["discipline"], at=at("2028-01-17 09:00"))
    assert "2027-Q4" in _late(at("2028-01-20 09:00"), from_quarter="2027-4")

"""The demo month (idempotent) and its planted breaches, listed by subject for supervision."""

from wuquan.approvals import demo
from wuquan.approvals.models import Case, CaseStep
from wuquan.ledger.models import Event


def test_demo_plants_each_breach_and_is_idempotent(demo_org, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    from wuquan.catalog import demo as catalog_demo

    catalog_demo.load(None)
    monkeypatch.setattr(demo, "CASES_PER_DAY", (1, 2))
    found = demo.load(None)
    assert all(found[k] for k in found), found
    n_cases, n_events = Case.objects.count(), Event.objects.count()
    assert demo.load(None) == found
    assert (Case.objects.count(), Event.objects.count()) == (n_cases, n_events)
    # same person reviewed and approved
    (subject,) = found["same_person_review_and_approve"]
    approve = CaseStep.objects.get(pk=subject[1])
    review = approve.case.steps.get(kind="审核")
    assert approve.person_id == review.person_id
    # the head approved
    (subject,) = found["head_approves_hands_off_area"]
    step = CaseStep.objects.get(pk=subject[1])
    assert step.person.appointments.filter(post__is_head=True).exists()
    ev = Event.objects.get(index=step.event_index)
    assert ev.action == "approvals.case.result" and ev.payload["item_area"] == "approval"
    (subject,) = found["result_without_acceptance"]
    assert not Event.objects.filter(
        action="approvals.case.accepted", subject_id=subject[1]
    ).exists()

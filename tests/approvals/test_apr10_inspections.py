"""Whoever approves supervises (APR-10, 附件11 二(四)): the approving unit's own in-process
inspections and after-the-fact audits, on a sample anyone can redraw from the log."""

from datetime import date

import pytest

from wuquan.approvals import services
from wuquan.approvals.models import ApprovalInspection, Case, InspectionKind
from wuquan.approvals.rules import audits_missing, findings_unrectified
from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.ledger.models import Event

from .approvals_helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(world):
    """Six cases of the world's unit marked finished in 2026 Q1 (the audit reads only the
    unit and the finishing time)."""
    from wuquan.approvals.models import Channel

    cases = [
        Case.objects.create(
            item=world.item,
            unit=world.item.unit,
            channel=Channel.WINDOW,
            application_no=f"APR10-{i}",
            applicant_name="测试",
            submitted_at=at(2026, 1, 5),
        )
        for i in range(6)
    ]
    for i, case in enumerate(cases):
        Case.objects.filter(pk=case.pk).update(status="finished", finished_at=at(2026, 2, 1 + i))
    return cases


def test_apr10_sample_is_reproducible_from_the_event(world, finished):
    user = world.users["shenhe"]
    insp = services.do_open_approval_inspection(
        world.item.unit,
        InspectionKind.AFTER_AUDIT,
        date(2026, 1, 1),
        date(2026, 3, 31),
        3,
        actor=user,
        at=at(2026, 4, 10),
    )
    assert len(insp.sample) == 3 and set(insp.sample) <= {c.pk for c in finished}
    event = Event.objects.filter(action="approvals.inspection.opened").last()
    redrawn = services.draw_sample(event.payload["seed"], event.payload["population"], 3)
    assert redrawn == event.payload["sample"] == insp.sample


def test_apr10_only_the_approving_unit_inspects_itself(world, finished):
    with pytest.raises(NotPermitted):
        services.do_open_approval_inspection(
            world.item.unit,
            InspectionKind.AFTER_AUDIT,
            date(2026, 1, 1),
            date(2026, 3, 31),
            3,
            actor=world.users["xf"],
        )
    assert ApprovalInspection.objects.count() == 0


def test_apr10_findings_close_and_unrectified_problems_alarm(world, finished):
    user = world.users["shenhe"]
    insp = services.do_open_approval_inspection(
        world.item.unit,
        InspectionKind.AFTER_AUDIT,
        date(2026, 1, 1),
        date(2026, 3, 31),
        2,
        actor=user,
        at=at(2026, 4, 10),
    )
    first, second = [Case.objects.get(pk=pk) for pk in insp.sample]
    with pytest.raises(InvalidInput):  # a problem needs a note and a date
        services.do_record_inspection_finding(insp, first, "problem", actor=user)
    with pytest.raises(RuleViolation):  # not every sampled case has a finding
        services.do_close_approval_inspection(insp, actor=user)
    services.do_record_inspection_finding(
        insp,
        first,
        "problem",
        actor=user,
        note="材料缺少签字",
        rectify_by=date(2026, 4, 30),
        at=at(2026, 4, 11),
    )
    services.do_record_inspection_finding(insp, second, "ok", actor=user, at=at(2026, 4, 11))
    services.do_close_approval_inspection(insp, actor=user, at=at(2026, 4, 12))
    assert [f.subject_id for f in findings_unrectified(at(2026, 5, 6), {})] != []
    finding = insp.findings.get(case=first)
    services.do_rectify_finding(finding, actor=user, at=at(2026, 5, 6, 12))
    assert list(findings_unrectified(at(2026, 5, 7), {})) == []


def test_apr10_a_unit_that_audits_nothing_is_flagged_after_the_grace(world, finished):
    th = {"grace_days": 30, "from_quarter": "2026-1"}
    mine = [f for f in audits_missing(at(2026, 5, 5), th) if f.unit_id == world.item.unit.pk]
    assert [f.inputs["quarter"] for f in mine] == ["2026-Q1"]
    assert [f for f in audits_missing(at(2026, 4, 20), th) if f.unit_id == world.item.unit.pk] == []
    services.do_open_approval_inspection(
        world.item.unit,
        InspectionKind.AFTER_AUDIT,
        date(2026, 1, 1),
        date(2026, 3, 31),
        2,
        actor=world.users["shenhe"],
        at=at(2026, 4, 25),
    )
    assert [f for f in audits_missing(at(2026, 5, 5), th) if f.unit_id == world.item.unit.pk] == []


def test_apr10_staff_page_opens_an_inspection_and_records_findings(client, world, finished):
    user = world.users["shenhe"]
    client.force_login(user)
    unit = world.item.unit
    response = client.post(
        "/staff/approvals/inspections/",
        {
            "unit": unit.pk,
            "kind": "after_audit",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "sample_size": 2,
        },
    )
    assert response.status_code == 302
    insp = ApprovalInspection.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert insp.seed in page
    for pk in insp.sample:
        client.post(response["Location"], {"case": pk, "outcome": "ok"})
    client.post(response["Location"], {"close": "1"})
    insp.refresh_from_db()
    assert insp.closed_at is not None and insp.findings.count() == 2
    bad = client.post(
        "/staff/approvals/inspections/",
        {
            "unit": unit.pk,
            "kind": "after_audit",
            "period_start": "x",
            "period_end": "2026-03-31",
            "sample_size": 2,
        },
    )
    assert "请填写日期" in bad.content.decode() and ApprovalInspection.objects.count() == 1
    client.force_login(world.users["xf"])  # another unit's staff: answered like a missing page
    assert client.get(response["Location"]).status_code == 404


def test_apr10_finding_refusals_beside_the_fields_entries_kept(client, world, finished):
    """Issue 12 finding 6: a problem found without a note or deadline, a bad date, closing
    with cases left — each refusal on the inspection page itself, nothing written."""
    import re

    client.force_login(world.users["shenhe"])
    response = client.post(
        "/staff/approvals/inspections/",
        {
            "unit": world.item.unit.pk,
            "kind": "after_audit",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "sample_size": 2,
        },
    )
    url = response["Location"]
    insp = ApprovalInspection.objects.get()
    pk = insp.sample[0]
    n = Event.objects.count()

    def error(html, name):
        block = re.search(rf'id="finding-{pk}-{name}"(.*?)</div>', html, re.S).group(1)
        m = re.search(r'class="field-error"[^>]*>([^<]+)<', block)
        return m.group(1) if m else ""

    bad_date = client.post(url, {"case": pk, "outcome": "problem", "rectify_by": "五月"})
    html = bad_date.content.decode()
    assert bad_date.status_code == 400
    assert error(html, "rectify_by") == "请填写日期（年-月-日）。"
    assert 'value="五月"' in html
    no_note = client.post(url, {"case": pk, "outcome": "problem", "note": ""})
    assert no_note.status_code == 400
    assert error(no_note.content.decode(), "note") == "发现问题须写明问题并规定整改期限。"
    early = client.post(url, {"close": "1"})
    assert early.status_code == 409 and 'id="form-errors"' in early.content.decode()
    assert Event.objects.count() == n and insp.findings.count() == 0

"""Issue 12 finding 6 on the staff case page and the consultations page: a refused entry is
shown beside its field, what the user typed is kept, and nothing is written (APR-2, APR-3,
APR-7, APR-8). Issue 20: the portal's status page builds its step list once."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wuquan.approvals import selectors, services
from wuquan.approvals.models import Case, Charge, Consultation, StepState, Suspension
from wuquan.ledger.models import Event


def field_error(html: str, name: str) -> str:
    """The error text inside the field block of `name` (common/_field.html), or ''."""
    m = re.search(
        rf'<(?:div|fieldset) class="field[^"]*" data-field="{name}"(.*?)</(?:div|fieldset)>',
        html,
        re.S,
    )
    assert m, f"no field {name} on the page"
    err = re.search(r'class="field-error"[^>]*>([^<]+)<', m.group(1))
    return err.group(1) if err else ""


def counts():
    return (Event.objects.count(), Suspension.objects.count(), Charge.objects.count())


def test_apr3_step_without_opinion_error_beside_the_field_nothing_written(client, world, accepted):
    case, _code = accepted
    step = case.steps.get(state=StepState.READY, unit__code="t-scjg")
    client.force_login(world.users["chengban"])
    before = counts()
    r = client.post(
        f"/staff/approvals/cases/{case.pk}/steps/{step.pk}/complete/", {"opinion": "  "}
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert field_error(html, "opinion") == "请填写办理意见。"
    assert 'id="form-errors"' in html and 'aria-invalid="true"' in html
    assert counts() == before
    step.refresh_from_db()
    assert step.state == StepState.READY


def _to_decision_step(world, case):
    for _ in range(4):
        open_steps = list(case.steps.filter(state__in=[StepState.READY, StepState.CLAIMED]))
        todo = [s for s in open_steps if s.kind != "审批"]
        if not todo:
            break
        for s in todo:
            actor = world.users[
                "xf" if s.unit.code == "t-xf" else ("shenhe" if s.kind == "审核" else "chengban")
            ]
            services.do_complete_step(s, "同意", actor=actor)
    return case.steps.get(kind="审批", state=StepState.READY)


def test_apr3_decision_without_opinion_keeps_the_reason_typed(client, world, accepted):
    case, _code = accepted
    step = _to_decision_step(world, case)
    client.force_login(world.users["deputy"])
    before = counts()
    r = client.post(
        f"/staff/approvals/cases/{case.pk}/steps/{step.pk}/complete/",
        {"opinion": "", "decision": "deny", "reason": "场所不符合条件"},
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert field_error(html, "opinion") == "请填写办理意见。"
    assert field_error(html, "reason") == ""
    assert 'value="场所不符合条件"' in html
    assert '<option value="deny" selected>' in html
    assert counts() == before
    step.refresh_from_db()
    assert step.state == StepState.READY


def test_apr3_claim_by_another_post_is_refused_at_the_top_of_the_case_page(client, world, accepted):
    case, _code = accepted
    step = case.steps.get(state=StepState.READY, unit__code="t-xf")
    client.force_login(world.users["chengban"])
    before = counts()
    r = client.post(f"/staff/approvals/cases/{case.pk}/steps/{step.pk}/claim/")
    html = r.content.decode()
    assert r.status_code == 403
    assert 'id="form-errors"' in html and "防火监督岗" in html and 'id="steps"' in html
    assert counts() == before


def test_apr2_suspension_without_reason_or_materials_errors_beside_each_field(
    client, world, accepted
):
    case, _code = accepted
    client.force_login(world.users["chengban"])
    before = counts()
    r = client.post(f"/staff/approvals/cases/{case.pk}/suspend/", {"kind": "supplement"})
    html = r.content.decode()
    assert r.status_code == 400
    assert field_error(html, "reason") == "中止计时必须说明理由。"
    r = client.post(
        f"/staff/approvals/cases/{case.pk}/suspend/",
        {"kind": "supplement", "reason": "平面图不清晰"},
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert field_error(html, "demanded") == "补正须列明需补正的材料。"
    assert 'value="平面图不清晰"' in html and "<details open>" in html
    assert counts() == before


def test_apr2_resume_by_a_stranger_to_the_step_keeps_the_note(client, world, accepted):
    case, _code = accepted
    services.do_suspend_case(case, "expert", "专家评审", actor=world.users["chengban"])
    client.force_login(world.users["head"])
    before = counts()
    r = client.post(f"/staff/approvals/cases/{case.pk}/resume/", {"note": "评审结束"})
    html = r.content.decode()
    assert r.status_code == 403
    assert 'id="form-errors"' in html and 'value="评审结束"' in html
    assert counts() == before


def test_apr8_wrong_amount_error_beside_the_amount_nothing_charged(client, world, accepted):
    case, _code = accepted
    client.force_login(world.users["window"])
    before = counts()
    r = client.post(
        f"/staff/approvals/cases/{case.pk}/charge/", {"fee": world.fee.pk, "amount": "99"}
    )
    html = r.content.decode()
    assert r.status_code == 409
    assert "标准" in field_error(html, "amount")
    assert 'value="99"' in html
    r = client.post(
        f"/staff/approvals/cases/{case.pk}/charge/", {"fee": world.fee.pk, "amount": "十元"}
    )
    assert r.status_code == 400 and field_error(r.content.decode(), "amount") == "金额无效。"
    r = client.post(f"/staff/approvals/cases/{case.pk}/charge/", {"fee": "0", "amount": "10"})
    assert field_error(r.content.decode(), "fee") == "请选择收费目录中的收费项目。"
    assert counts() == before


def test_apr7_empty_answer_error_beside_the_box_nothing_written(client, world):
    c = services.do_ask_question(world.item, "王先生", "需要健康证吗？", "139", True)
    client.force_login(world.users["chengban"])
    before = Event.objects.count()
    r = client.post("/staff/approvals/consultations/", {"consultation": c.pk, "answer": ""})
    assert r.status_code == 400
    assert field_error(r.content.decode(), "answer") == "请填写答复内容。"
    assert Event.objects.count() == before
    assert Consultation.objects.get(pk=c.pk).answer == ""


def test_issue20_status_page_builds_the_step_list_once_and_shows_the_same(world, accepted):
    case, code = accepted
    case = Case.objects.get(pk=case.pk)
    with CaptureQueriesContext(connection) as q:
        page = selectors.public_status(case.receipt_no, code)
    assert sum("approvals_casestep" in x["sql"] for x in q.captured_queries) == 1
    expected = selectors.public_steps(case)
    assert page["steps"] == expected
    assert page["current"] == [s for s in expected if s["completed_at"] is None]
    assert {s["name"] for s in page["current"]} == {"承办审查", "消防会审"}

"""The approvals API: submit, status with the query code, unit lists, steps from a
department's own system with a machine token (APR-1, APR-3, APR-6, APR-9)."""

import json

from wuquan.approvals import services
from wuquan.approvals.models import Case, StepState
from wuquan.ledger.models import Event
from wuquan.org.models import Unit


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_apr1_api_submit_and_status_with_query_code(client, world):
    r = _post(
        client,
        "/api/v1/approvals/applications",
        {"item": world.item.code, "applicant_name": "王五", "data": {"area_sqm": 90}},
    )
    assert r.status_code == 201
    body = r.json()
    s = _post(
        client,
        "/api/v1/approvals/status",
        {"number": body["application_no"], "code": body["query_code"]},
    )
    assert s.status_code == 200 and s.json()["status"] == "submitted"
    assert s.json()["steps"][0]["post"].endswith("综合受理窗口")
    bad = _post(
        client, "/api/v1/approvals/status", {"number": body["application_no"], "code": "NOPE1234"}
    )
    unknown = _post(
        client,
        "/api/v1/approvals/status",
        {"number": "SQ-00000000-0000", "code": body["query_code"]},
    )
    assert bad.status_code == unknown.status_code == 404
    assert bad.json()["message"] == unknown.json()["message"]


def test_apr3_api_submit_missing_condition_field_is_a_clear_400(client, world):
    r = _post(
        client,
        "/api/v1/approvals/applications",
        {"item": world.item.code, "applicant_name": "王五"},
    )
    assert r.status_code == 400 and r.json()["field"] == "area_sqm"
    assert not Case.objects.exists()


def _accepted(world, online_files):
    sub = services.do_submit_application(
        world.item, applicant_name="甲", data={"area_sqm": 1}, files=online_files
    )
    return services.do_accept_case(sub.case, actor=world.users["window"])


def test_apr6_department_system_records_a_step_with_its_token(client, world, online_files):
    case = _accepted(world, online_files)
    xf = Unit.objects.get(code="t-xf")
    _token, raw = services.do_issue_api_token(xf, "消防业务系统", actor="admin")
    step = case.steps.get(state=StepState.READY, unit=xf)
    other = case.steps.get(state=StepState.READY, unit__code="t-scjg")
    url = f"/api/v1/approvals/steps/{step.pk}/complete"
    assert _post(client, url, {"username": "t-xf", "opinion": "同意"}).status_code == 401
    assert (
        _post(
            client, url, {"username": "t-xf", "opinion": "同意"}, HTTP_X_WUQUAN_TOKEN="wrong"
        ).status_code
        == 401
    )
    r = _post(
        client,
        f"/api/v1/approvals/steps/{other.pk}/complete",
        {"username": "t-chengban", "opinion": "同意"},
        HTTP_X_WUQUAN_TOKEN=raw,
    )
    assert r.status_code == 404  # not the token's unit: answered like a missing step
    r = _post(client, url, {"username": "t-chengban", "opinion": "同意"}, HTTP_X_WUQUAN_TOKEN=raw)
    assert r.status_code == 403  # that user does not hold the step's post
    r = _post(client, url, {"username": "t-xf", "opinion": "消防同意"}, HTTP_X_WUQUAN_TOKEN=raw)
    assert r.status_code == 200 and r.json()["state"] == "done"
    ev = Event.objects.get(index=r.json()["event_index"])
    assert ev.payload["source"] == "api:t-xf"
    r = _post(client, url, {"username": "t-xf", "opinion": "again"}, HTTP_X_WUQUAN_TOKEN=raw)
    assert r.status_code == 409


def test_apr6_unit_case_list_by_token_or_staff_session(client, world, online_files):
    case = _accepted(world, online_files)
    scjg = Unit.objects.get(code="t-scjg")
    _t, raw = services.do_issue_api_token(scjg, "市场监管系统", actor="admin")
    r = client.get("/api/v1/approvals/units/t-scjg/cases", HTTP_X_WUQUAN_TOKEN=raw)
    assert r.status_code == 200 and [c["id"] for c in r.json()] == [case.pk]
    assert (
        client.get("/api/v1/approvals/units/t-xf/cases", HTTP_X_WUQUAN_TOKEN=raw).status_code == 403
    )
    assert client.get("/api/v1/approvals/units/t-scjg/cases").status_code == 401
    client.force_login(world.users["chengban"])
    assert client.get("/api/v1/approvals/units/t-scjg/cases").status_code == 200
    assert client.get("/api/v1/approvals/units/t-xf/cases").status_code == 403

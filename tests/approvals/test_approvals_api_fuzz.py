"""schemathesis over the whole OpenAPI (issue 13 finding 6): generated requests, with real ids
and a real token mixed in, never get a 5xx — on SQLite and PostgreSQL alike. Bounded in time:
a fixed number of examples per operation, no shrinking deadline."""

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuquan.approvals import services
from wuquan.approvals.models import CaseStep
from wuquan.ledger.models import Event
from wuquan.org.models import Unit

EXAMPLES_PER_OPERATION = 25
TIME_BUDGET_SECONDS = 45


@pytest.fixture
def api_schema(world):
    """schemathesis calls the WSGI app itself; like Django's test client, keep the request
    signals from closing the test's database connection (PostgreSQL would lose it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from wuquan.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _real_ids(world):
    sub = services.do_submit_application(
        world.item, applicant_name="王五", data={"area_sqm": 90}, materials_later=True
    )
    _, raw = services.do_issue_api_token(world.item.unit, "fuzz", actor=world.users["window"])
    return {
        "step_id": list(CaseStep.objects.values_list("pk", flat=True)) or [1],
        "code": list(Unit.objects.values_list("code", flat=True)),
        "index": list(Event.objects.values_list("index", flat=True)) or [0],
        "number": [sub.case.application_no],
        "query_code": sub.query_code,
        "item": world.item.code,
        "token": raw,
    }


def _fuzzer(operation, ids, server_errors):
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        case = data.draw(operation.as_strategy())
        for name in list(case.path_parameters or {}):
            if name in ids and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(ids[name]))
        if isinstance(case.body, dict) and data.draw(st.booleans()):
            if "item" in case.body:
                case.body["item"] = ids["item"]
            if "number" in case.body:
                case.body.update(number=ids["number"][0], code=ids["query_code"])
        if data.draw(st.booleans()):
            case.headers = {**(case.headers or {}), "X-Wuquan-Token": ids["token"]}
        response = case.call()
        if response.status_code >= 500:
            server_errors.append(
                f"{operation.method.upper()} {operation.path} -> {response.status_code}: "
                f"path={case.path_parameters} query={case.query} body={case.body!r:.200}"
            )

    return run


def test_13_6_schemathesis_whole_api_no_5xx_with_valid_ids(world, api_schema):
    ids = _real_ids(world)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8  # the approvals and log routers are all there
    server_errors: list[str] = []
    started = time.monotonic()

    for operation in operations:
        _fuzzer(operation, ids, server_errors)()
        assert time.monotonic() - started < TIME_BUDGET_SECONDS * 2, "fuzz ran far over budget"

    assert server_errors == []

"""Issue 13 findings 6 and 10, issue 12 findings 4 and 5, on the approval platform: input checks
at the edge, applicant data validated, PRG and idempotency, out-of-scope answered like missing,
the applicant's phone masked for roles that do not contact applicants."""

import json

import pytest
from django.test import Client

from wuquan.approvals import services
from wuquan.approvals.models import Case, Consultation
from wuquan.common.exceptions import InvalidInput
from wuquan.ledger.models import Event
from wuquan.org import roles
from wuquan.org.services import ensure_staff

from .approvals_helpers import pdf

VALID_RIC = "11010519491231002X"
VALID_USCC = "91110000600037341L"


def _post_json(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def _apply(client, world, **fields):
    form = {"applicant_name": "王五", "area_sqm": "90", **fields}
    for m in world.materials:
        if m.reuse == "none":
            form[f"material-{m.pk}"] = pdf(f"{m.pk}.pdf")
    return client.post(f"/gk/approvals/items/{world.item.code}/apply/", form)


# ---- issue 12 finding 4: applicant data validated, forms and API alike -------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("applicant_id_number", "123"),
        ("applicant_id_number", "110105194912310021"),  # bad checksum
        ("applicant_phone", "1" * 100),
        ("applicant_phone", "12345"),
        ("applicant_name", "名" * 600),
        ("applicant_name", "王\n五"),
    ],
)
def test_12_4_bad_applicant_data_refused_by_service_api_and_form_nothing_written(
    client, world, field, value
):
    events, cases = Event.objects.count(), Case.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.do_submit_application(
            world.item,
            **{"applicant_name": "王五", field: value},
            data={"area_sqm": 90},
            materials_later=True,
        )
    assert exc.value.field == field
    api = _post_json(
        client,
        "/api/v1/approvals/applications",
        {"item": world.item.code, "applicant_name": "王五", "data": {"area_sqm": 90}, field: value},
    )
    assert api.status_code in (400, 422)
    page = _apply(client, world, **{field: value})
    assert page.status_code == 400
    assert Case.objects.count() == cases and Event.objects.count() == events


def test_12_4_valid_resident_id_firm_code_and_phones_are_stored_normalised(world):
    person = services.do_submit_application(
        world.item,
        applicant_name=" 王五 ",
        applicant_id_number="11010519491231002x",
        applicant_phone="138 1234 5678",
        data={"area_sqm": 90},
        materials_later=True,
    ).case
    assert (person.applicant_name, person.applicant_id_number, person.applicant_phone) == (
        "王五",
        VALID_RIC,
        "13812345678",
    )
    firm = services.do_submit_application(
        world.item,
        applicant_name="龙潭小吃店",
        applicant_id_number=VALID_USCC,
        applicant_phone="0432-6512 3456",
        data={"area_sqm": 90},
        materials_later=True,
    ).case
    assert firm.applicant_id_number == VALID_USCC and firm.applicant_phone == "043265123456"


# ---- issue 13 finding 6: NUL bytes and over-long values never reach the database ---------------


@pytest.mark.parametrize(
    "url, body",
    [
        ("/api/v1/approvals/applications", {"item": "t-spjy", "applicant_name": "王\x00五"}),
        ("/api/v1/approvals/applications", {"item": "t-spjy", "applicant_name": "王" * 300}),
        (
            "/api/v1/approvals/applications",
            {"item": "t-spjy", "applicant_name": "王五", "applicant_id_number": "1" * 40},
        ),
        ("/api/v1/approvals/applications", {"item": "t\x00", "applicant_name": "王五"}),
        (
            "/api/v1/approvals/applications",
            {"item": "t-spjy", "applicant_name": "王五", "data": {"k\x00": 1}},
        ),
        ("/api/v1/approvals/status", {"number": "SQ\x00", "code": "AAAA"}),
        ("/api/v1/approvals/status", {"number": "S" * 5000, "code": "AAAA"}),
    ],
)
def test_13_6_api_refuses_nul_and_over_long_input_with_4xx(client, world, url, body):
    events = Event.objects.count()
    r = _post_json(client, url, body)
    assert r.status_code in (400, 422), r.content
    assert Event.objects.count() == events and not Case.objects.exists()


def test_13_6_a_nul_in_a_token_users_name_is_a_4xx(client, world, online_files):
    sub = services.do_submit_application(
        world.item, applicant_name="甲", data={"area_sqm": 1}, files=online_files
    )
    case = services.do_accept_case(sub.case, actor=world.users["window"])
    step = case.steps.exclude(state="done").first()
    _, raw = services.do_issue_api_token(step.unit, "sys", actor=world.users["window"])
    events = Event.objects.count()
    r = _post_json(
        client,
        f"/api/v1/approvals/steps/{step.pk}/complete",
        {"username": "t-chengban\x00", "opinion": "同意"},
        HTTP_X_WUQUAN_TOKEN=raw,
    )
    assert r.status_code in (400, 422)
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    "path, form",
    [
        ("apply", {"applicant_name": "王\x00五", "area_sqm": "90"}),
        ("ask", {"asker_name": "张三", "question": "可以\x00吗", "contact": ""}),
        ("ask", {"asker_name": "张" * 100, "question": "可以网上办理吗？", "contact": ""}),
        ("lookup", {"number": "LT\x00", "code": "AAAA"}),
    ],
)
def test_13_6_public_forms_refuse_nul_and_over_long_input_with_400(client, world, path, form):
    url = {
        "apply": f"/gk/approvals/items/{world.item.code}/apply/",
        "ask": f"/gk/approvals/items/{world.item.code}/ask/",
        "lookup": "/gk/approvals/lookup/",
    }[path]
    events = Event.objects.count()
    r = client.post(url, form)
    assert r.status_code == 400
    assert Event.objects.count() == events
    assert not Case.objects.exists() and not Consultation.objects.exists()


def test_13_6_a_nul_in_a_query_string_or_path_is_a_400_not_a_500(client, world):
    assert client.get("/gk/approvals/?q=a%00b").status_code == 400
    assert client.get("/api/v1/approvals/units/a%00b/cases").status_code == 400
    assert client.get("/api/v1/log/events/99999999999999999999999").status_code in (400, 422)


# ---- issue 12 finding 5: POST-redirect-GET, idempotency, no secrets in URLs ---------------------


def test_12_5_lookup_redirects_to_a_status_page_without_the_code_in_the_url(client, world):
    sub = services.do_submit_application(
        world.item, applicant_name="王五", data={"area_sqm": 90}, materials_later=True
    )
    r = client.post(
        "/gk/approvals/lookup/", {"number": sub.case.application_no, "code": sub.query_code}
    )
    assert r.status_code == 302 and sub.query_code not in r["Location"]
    page = client.get(r["Location"])
    assert page.status_code == 200 and sub.case.application_no in page.content.decode()
    assert client.get(r["Location"]).status_code == 200  # reloadable
    assert sub.query_code not in page.content.decode()  # the code is not echoed into forms


def test_12_5_the_same_application_form_sent_twice_files_one_case(client, world):
    form = {"idempotency_key": "k" * 24}
    first = _apply(client, world, **form)
    again = _apply(client, world, **form)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Case.objects.count() == 1
    other = _apply(client, world, idempotency_key="j" * 24)
    assert other.status_code == 302 and Case.objects.count() == 2


def test_12_5_a_refused_form_frees_its_key_so_the_corrected_form_goes_through(client, world):
    key = {"idempotency_key": "r" * 24}
    assert _apply(client, world, applicant_phone="12345", **key).status_code == 400
    assert _apply(client, world, applicant_phone="13812345678", **key).status_code == 302
    assert Case.objects.count() == 1


# ---- issue 13 finding 10: out of scope = missing; the phone masked where not needed ------------


def _accepted_case(world, online_files):
    sub = services.do_submit_application(
        world.item,
        applicant_name="王五",
        applicant_phone="13812345678",
        data={"area_sqm": 90},
        files=online_files,
    )
    return services.do_accept_case(sub.case, actor=world.users["window"])


def test_13_10_an_out_of_scope_case_answers_404_like_a_missing_one(world, online_files):
    case = _accepted_case(world, online_files)
    outsider = ensure_staff("t-outsider", "外单位 某人", None, [roles.REVIEWER])
    c = Client()
    c.force_login(outsider)
    hidden = c.get(f"/staff/approvals/cases/{case.pk}/")
    missing = c.get("/staff/approvals/cases/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert "王五" not in hidden.content.decode()


def test_13_10_the_applicants_phone_is_masked_for_roles_that_do_not_contact_applicants(
    world, online_files
):
    case = _accepted_case(world, online_files)
    window, deputy = Client(), Client()
    window.force_login(world.users["window"])
    deputy.force_login(world.users["deputy"])
    assert "13812345678" in window.get(f"/staff/approvals/cases/{case.pk}/").content.decode()
    page = deputy.get(f"/staff/approvals/cases/{case.pk}/").content.decode()
    assert "13812345678" not in page and "138****5678" in page


def test_13_10_openapi_documents_the_error_responses_endpoints_return(client, world):
    spec = client.get("/api/v1/openapi.json").json()
    submit = spec["paths"]["/api/v1/approvals/applications"]["post"]["responses"]
    assert {"201", "400", "404", "422"} <= set(submit)
    step = spec["paths"]["/api/v1/approvals/steps/{step_id}/complete"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "422"} <= set(step)
    event = spec["paths"]["/api/v1/log/events/{index}"]["get"]["responses"]
    assert {"200", "404", "422"} <= set(event)

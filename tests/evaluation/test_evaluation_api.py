"""The evaluation API (EVA-1..3, PUB-10; issue 11): reads for staff who may see the unit, thin
writes through the services, domain errors as 4xx; no grade before the count (EVA-1)."""

import pytest
from django.contrib.auth import get_user_model

from wuquan.evaluation import services
from wuquan.evaluation.models import Evaluation
from wuquan.ledger.models import Event
from wuquan.org.models import Person
from wuquan.org.services import ensure_unit

pytestmark = pytest.mark.django_db
API = "/api/v1/evaluation"


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create(username="eva-admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def evaluation():
    village = ensure_unit("apivillage", "接口村", "village")
    return services.do_create_evaluation(
        village, 2025, "2025年度勤廉双述", "village_cadres", 5, actor="clerk"
    )


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_eva2_api_runs_the_cycle_through_the_services_and_shows_results_after_the_count(
    staff, evaluation
):
    a, b = Person.objects.create(name="甲"), Person.objects.create(name="乙")
    url = f"{API}/evaluations/{evaluation.pk}"
    for person in (a, b):
        r = _post(staff, f"{url}/subjects", {"person_id": person.pk, "role_title": "村委会委员"})
        assert r.status_code == 201 and r.json()["person_id"] == person.pk
    subjects = {s["person_id"]: s["id"] for s in staff.get(url).json()["subjects"]}
    r = _post(staff, f"{url}/questions", {"subject_id": subjects[a.pk], "asker": "村民张某",
                                           "text": "修路款怎么花的？"})  # fmt: skip
    assert r.status_code == 201
    codes = services.do_issue_codes(evaluation, 3, actor="clerk")
    assert _post(staff, f"{url}/open").json()["status"] == "voting"
    evaluation.refresh_from_db()
    for code, grade in zip(codes, ["优秀", "称职", "优秀"], strict=True):
        services.do_cast_online(evaluation, code, {subjects[a.pk]: grade, subjects[b.pk]: "称职"})
    body = staff.get(url).json()
    assert body["codes_used"] == 3 and all(s["rating"] is None for s in body["subjects"])
    assert staff.get(f"{url}/results").status_code == 400  # no result before the count
    closed = _post(staff, f"{url}/close").json()
    assert closed["status"] == "closed"
    results = {s["person_id"]: s for s in staff.get(f"{url}/results").json()}
    assert results[a.pk]["rating"] == "优秀" and results[a.pk]["counts"]["优秀"] == 2
    assert _post(staff, f"{url}/publish").json()["status"] == "published"
    actions = list(Event.objects.order_by("index").values_list("action", flat=True))
    assert actions.count("evaluation.subject.added") == 2 and "evaluation.published" in actions
    rows = staff.get(f"{API}/units/apivillage/evaluations").json()
    assert [r["id"] for r in rows] == [evaluation.pk]


def test_eva2_api_refuses_a_step_out_of_order_and_writes_nothing(staff, evaluation):
    before = Event.objects.count()
    r = _post(staff, f"{API}/evaluations/{evaluation.pk}/open")  # no subject yet
    assert r.status_code == 400 and r.json()["error"] == "InvalidInput"
    r = _post(staff, f"{API}/evaluations/{evaluation.pk}/subjects",
              {"person_id": 2**31 + 5, "role_title": "主任"})  # fmt: skip
    assert r.status_code == 404
    assert Event.objects.count() == before
    assert Evaluation.objects.get(pk=evaluation.pk).status == "draft"


def test_eva2_api_needs_a_staff_session_that_may_see_the_unit(client, evaluation):
    assert client.get(f"{API}/evaluations/{evaluation.pk}").status_code == 401
    outsider = get_user_model().objects.create(username="outsider", is_staff=True)
    client.force_login(outsider)
    assert client.get(f"{API}/evaluations/{evaluation.pk}").status_code == 403
    assert _post(client, f"{API}/evaluations/{evaluation.pk}/open").status_code == 403
    assert client.get(f"{API}/evaluations/999999").status_code == 404

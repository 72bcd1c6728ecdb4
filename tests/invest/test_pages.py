"""Pages and API of the investment platform, on the demo: each user sees what their graded
access opens (FIN-18, a role × grant matrix); the forms refuse beside the field; the public
pages and the OC4IDS package (validated offline) leave out what the law withholds."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wuquan.invest import demo, oc4ids, selectors, services
from wuquan.invest.models import Approval, FieldGroup, GrantScope, Project
from wuquan.ledger.models import Event
from wuquan.org.models import Unit

from .helpers import at

PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture
def loaded(demo_org):
    demo.load(None)
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.all()}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _user_of(unit_code, username):
    from wuquan.org.services import ensure_post, ensure_post_account

    return ensure_post_account(
        ensure_post(Unit.objects.get(code=unit_code), "invest-test", "测试岗", "C"),
        username,
        "测试",
    )


def test_fin18_role_by_grant_matrix_pages_and_api(loaded):
    """Every (user, grant) pair: the field groups the page shows and the API returns."""
    p = Project.objects.get(code="2025-220203-76-01-000030")
    other = _user_of("minzheng", "minzheng-t")  # a line unit with no grant
    expected = {
        "jiwei": set(FieldGroup.values),  # the commission sees everything
        "xmjs": set(FieldGroup.values),  # the construction unit
        "fagai-tz": {"approvals", "estimates", "contracts", "inspections", "duties", "money"},
        "caizheng-zj": set(FieldGroup.values),  # holds the investment duty on this project
        "shenji": set(FieldGroup.values),
        "minzheng-t": set(),
    }
    # fagai holds the approval duty on p (demo): every group. Take it away to test the grant.
    for d in p.duties.filter(unit__code__in=["fagai", "caizheng"]):
        services.do_revoke_duty(d, date(2025, 3, 1), actor="test")
    expected["fagai-tz"] = {"approvals", "estimates", "contracts", "inspections"}
    expected["caizheng-zj"] = {"money", "estimates", "contracts", "inspections"}
    users = {**loaded, "minzheng-t": other}
    for name, groups in expected.items():
        user = users[name]
        assert set(selectors.project_access(user, p)) == groups, name
        c = client_for(user)
        page = c.get(f"/staff/invest/projects/{p.pk}/")
        api = c.get(f"/api/v1/invest/projects/{p.pk}")
        if not groups:
            assert page.status_code == 403 and api.status_code == 404, name
            continue
        assert page.status_code == 200, name
        html = page.content.decode()
        assert ('id="approvals"' in html) == ("approvals" in groups), name
        assert ('id="disbursements"' in html) == ("money" in groups), name
        assert ('id="duties"' in html) == ("duties" in groups), name
        body = api.json()
        assert set(body["fields"]) == groups, name
        assert ("approvals" in body) == ("approvals" in groups)
        assert ("money" in body) == ("money" in groups)
    # a project-scoped grant opens one project; revoking it closes it again, both logged
    grant = services.do_grant_access(
        Unit.objects.get(code="minzheng"),
        GrantScope.PROJECT,
        [FieldGroup.MONEY],
        project=p,
        actor="test",
    )
    assert selectors.project_access(other, p) == {"money"}
    assert list(selectors.projects_visible_to(other)) == [p]
    assert client_for(other).get(f"/api/v1/invest/projects/{p.pk}").json()["fields"] == ["money"]
    services.do_revoke_access(grant, actor="test")
    assert selectors.project_access(other, p) == frozenset()
    actions = list(
        Event.objects.filter(action__startswith="invest.access.").values_list("action", flat=True)
    )
    assert (
        actions.count("invest.access.granted") == 4 and actions.count("invest.access.revoked") == 1
    )


def test_fin18_only_admins_and_the_commission_grant(loaded):
    c = client_for(loaded["fagai-tz"])
    assert c.get("/staff/invest/grants/").status_code == 403
    c = client_for(loaded["jiwei"])
    r = c.post(
        "/staff/invest/grants/",
        {"action": "grant", "unit": Unit.objects.get(code="minzheng").pk, "scope": "all"},
    )
    assert r.status_code == 200
    assert "请至少选择一项授权内容" in r.content.decode()


def test_fin16_approval_form_errors_beside_the_field_and_nothing_written(loaded):
    p = Project.objects.get(code=demo.MARK)
    c = client_for(loaded["fagai-tz"])
    n = Approval.objects.count()
    r = c.post(
        f"/staff/invest/projects/{p.pk}/",
        {
            "action": "approval",
            "kind": "design",
            "doc_no": "龙发改审批〔2026〕1号",
            "authority": Unit.objects.get(code="fagai").pk,
            "approved_on": "2026-01-05",
            "amount": "1800000",
            "file": SimpleUploadedFile("批复.pdf", PDF, "application/pdf"),
        },
    )
    html = r.content.decode()
    assert r.status_code == 200 and "初步设计须在可行性研究报告批复之后审批" in html
    assert 'data-field="kind"' in html and Approval.objects.count() == n
    r = c.post(
        f"/staff/invest/projects/{p.pk}/",
        {
            "action": "approval",
            "kind": "feasibility",
            "doc_no": "龙发改审批〔2026〕2号",
            "authority": Unit.objects.get(code="fagai").pk,
            "approved_on": "2026-01-05",
            "amount": "1800000",
            "file": SimpleUploadedFile("批复.pdf", PDF, "application/pdf"),
        },
    )
    assert r.status_code == 302
    a = Approval.objects.get(doc_no="龙发改审批〔2026〕2号")
    assert len(a.file_sha256) == 64 and a.estimates.get().amount_fen == 180_000_000


def test_fin16_project_code_is_validated(world):
    from wuquan.common.exceptions import InvalidInput

    from .helpers import project

    with pytest.raises(InvalidInput) as e:
        project(code="2025-22020-76-01-000001")
    assert e.value.field == "code"
    assert project(code="20252202037601000001").code == "2025-220203-76-01-000001"


def test_fin17_live_assignment_refuses_two_roles_in_one_hand(loaded):
    from wuquan.common.exceptions import RuleViolation

    p = Project.objects.get(code=demo.MARK)
    fagai = Unit.objects.get(code="fagai")
    services.do_assign_duty(p, "approval", fagai, date(2025, 10, 1), actor="test")
    n = Event.objects.count()
    with pytest.raises(RuleViolation) as e:
        services.do_assign_duty(p, "acceptance", fagai, date(2025, 10, 1), actor="test")
    assert e.value.field == "unit" and Event.objects.count() == n
    c = client_for(loaded["jiwei"])
    r = c.post(
        f"/staff/invest/projects/{p.pk}/",
        {"action": "duty", "role": "construction", "unit": fagai.pk, "assigned_on": "2025-10-02"},
    )
    assert "职责分离" in r.content.decode() and Event.objects.count() == n


def test_fin16_disbursement_needs_a_certificate(loaded):
    from wuquan.common.exceptions import RuleViolation
    from wuquan.invest.selectors import contracts_of

    p = Project.objects.get(code="2025-220203-76-01-000030")
    a = p.allocations.get()
    c = contracts_of(p).get()
    with pytest.raises(RuleViolation) as e:
        services.do_disburse(a, c, 100, date(2025, 10, 1), actor="test", at=at(date(2025, 10, 1)))
    assert e.value.field == "certificate"


def test_pub_invest_public_pages_and_oc4ids_validate_and_withhold(loaded):
    c = Client()
    r = c.get("/gk/invest/")
    assert r.status_code == 200 and "龙潭区农田水利灌区续建配套工程" in r.content.decode()
    p = Project.objects.get(code="2025-220203-76-01-000030")
    a = p.approvals.get(kind="energy")
    a.withheld = True
    a.save()
    r = c.get(f"/gk/invest/{p.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and a.doc_no not in html and "依法不予公开" in html
    assert "巡查" not in html  # inspections are internal
    package = c.get(f"/gk/invest/{p.pk}/oc4ids.json").json()
    assert oc4ids.errors(package) == []
    project = package["projects"][0]
    assert project["identifiers"][0]["id"] == p.code
    assert all(d["id"] != f"approval-{a.pk}" for d in project["documents"])
    process = project["contractingProcesses"][0]
    assert process["id"].startswith("ocds-") and process["releases"]
    assert process["summary"]["transactions"]
    everything = c.get("/gk/invest/oc4ids.json").json()
    assert oc4ids.errors(everything) == [] and len(everything["projects"]) == 6
    assert "周强" not in str(everything) and "郑刚" not in str(everything)


def test_staff_pages_render_for_each_demo_user(loaded):
    p = Project.objects.get(code="2025-220203-48-01-000050")
    for name in ("jiwei", "fagai-tz", "caizheng-zj", "xmjs", "shenji"):
        c = client_for(loaded[name])
        for url in ("/staff/invest/", "/staff/invest/funds/", f"/staff/invest/projects/{p.pk}/"):
            assert c.get(url).status_code == 200, (name, url)
    f = p.allocations.get().fund
    assert client_for(loaded["caizheng-zj"]).get(f"/staff/invest/funds/{f.pk}/").status_code == 200
    assert client_for(loaded["jiwei"]).get("/staff/invest/grants/").status_code == 200


def test_fin16_project_list_as_excel_and_ids_out_of_range(loaded):
    from io import BytesIO

    from openpyxl import load_workbook

    c = client_for(loaded["fagai-tz"])
    r = c.get("/staff/invest/projects.xlsx")
    ws = load_workbook(BytesIO(r.content)).active
    assert ws.cell(1, 1).value == "项目代码" and ws.max_row == 7
    assert c.get("/staff/invest/projects/99999999999/").status_code == 404
    assert c.get("/api/v1/invest/projects/99999999999").status_code == 404

"""Pages: the portal entrance and lookup, the window, worklists, the case page, figures
(APR-1, APR-3, APR-5, APR-7, APR-9, APR-11; PUB-9). Bad inputs give a clear message and
change nothing."""

import re

from wuquan.approvals import selectors, services
from wuquan.approvals.models import Case, Consultation, StepState
from wuquan.ledger.models import Event

from .approvals_helpers import pdf


def post_apply(client, world, drop=None, area="120"):
    form = {"applicant_name": "龙潭小吃店", "area_sqm": area}
    for m in world.materials:
        if m.reuse == "none" and m.name != drop:
            form[f"material-{m.pk}"] = pdf(f"{m.pk}.pdf")
    return client.post(f"/gk/approvals/items/{world.item.code}/apply/", form)


def test_apr7_portal_apply_shows_number_and_code_and_a_reload_keeps_them(client, world):
    from django.test import Client

    r = post_apply(client, world)
    assert r.status_code == 302
    page = client.get(r["Location"])
    html = page.content.decode()
    number = re.search(r'id="application-no"[^>]*>([^<]+)<', html).group(1)
    code = re.search(r'id="query-code"[^>]*>([^<]+)<', html).group(1)
    assert selectors.check_query_code(Case.objects.get(application_no=number), code)
    # issue 12, finding 3: reloading the page in the same browser shows the code again ...
    again = client.get(r["Location"])
    assert again.status_code == 200 and code in again.content.decode()
    # ... and another browser never sees it
    assert Client().get(r["Location"]).status_code == 404


def test_cat5_portal_apply_missing_material_is_a_clear_message(client, world):
    n = (Case.objects.count(), Event.objects.count())
    r = post_apply(client, world, drop="场所布局平面图")
    assert r.status_code == 400
    assert "缺少申报材料：场所布局平面图" in r.content.decode()
    assert (Case.objects.count(), Event.objects.count()) == n


def test_apr9_lookup_unknown_number_and_wrong_code_give_the_same_message(client, accepted):
    case, code = accepted
    unknown = client.post("/gk/approvals/lookup/", {"number": "LT-19990101-0001", "code": code})
    wrong = client.post("/gk/approvals/lookup/", {"number": case.receipt_no, "code": "XXXXXXXX"})
    assert unknown.status_code == wrong.status_code == 404
    msg = lambda r: re.search(r'id="lookup-error">([^<]+)<', r.content.decode()).group(1)  # noqa: E731
    assert msg(unknown) == msg(wrong)
    assert case.item.name not in wrong.content.decode()


def test_apr9_lookup_shows_step_deadline_and_posts_not_persons(client, world, accepted):
    case, code = accepted
    r = client.post(
        "/gk/approvals/lookup/", {"number": case.receipt_no.lower(), "code": code}, follow=True
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "承办审查" in html and "审批科承办岗" in html and str(case.due) in html
    assert "王磊" not in html and "t-chengban" not in html  # persons never on the portal
    assert "13812345678" not in html and "220203199001011230" not in html  # PUB-9 masking


def test_apr3_wrong_post_through_the_page_is_refused(client, world, accepted):
    case, _code = accepted
    step = case.steps.get(state=StepState.READY, unit__code="t-scjg")
    client.force_login(world.users["xf"])
    r = client.post(
        f"/staff/approvals/cases/{case.pk}/steps/{step.pk}/complete/", {"opinion": "越权"}
    )
    assert r.status_code == 403 and "审批科承办岗" in r.content.decode()
    step.refresh_from_db()
    assert step.state == StepState.READY


def test_apr3_double_completion_through_the_page_is_refused(client, world, accepted):
    case, _code = accepted
    step = case.steps.get(state=StepState.READY, unit__code="t-scjg")
    client.force_login(world.users["chengban"])
    url = f"/staff/approvals/cases/{case.pk}/steps/{step.pk}/complete/"
    assert client.post(url, {"opinion": "同意"}).status_code == 302
    n = Event.objects.count()
    r = client.post(url, {"opinion": "同意"})
    assert r.status_code == 409 and "不能重复办理" in r.content.decode()
    assert Event.objects.count() == n


def test_apr5_worklist_shows_my_steps_with_countdown(client, world, accepted):
    case, _code = accepted
    client.force_login(world.users["chengban"])
    html = client.get("/staff/approvals/").content.decode()
    assert case.receipt_no in html and "承办审查" in html
    client.force_login(world.users["shenhe"])
    assert case.receipt_no not in client.get("/staff/approvals/").content.decode()
    assert case.receipt_no in client.get("/staff/approvals/?tab=unit").content.decode()


def test_apr1_window_registers_checks_materials_and_prints_notice(client, world):
    client.force_login(world.users["window"])
    r = client.post(
        f"/staff/approvals/window/?item={world.item.code}",
        {"item": world.item.code, "applicant_name": "张三", "area_sqm": "50"},
    )
    assert r.status_code == 302
    case = Case.objects.get(applicant_name="张三")
    form = {f"mat-{m.pk}": "provided" for m in world.materials}
    form["action"] = "accept"
    r = client.post(f"/staff/approvals/cases/{case.pk}/accept/", form)
    assert r.status_code == 302
    notice = client.get(r["Location"]).content.decode()
    case.refresh_from_db()
    assert case.receipt_no in notice and "受理通知书" in notice and 'class="notice"' in notice
    code = re.search(r'id="query-code"[^>]*>([^<]+)<', notice).group(1)
    assert selectors.check_query_code(case, code)
    # issue 12, finding 3: the code stays on the notice when it is reloaded or printed again
    assert code in client.get(r["Location"]).content.decode()


def test_apr1_window_refusal_without_reason_is_refused(client, world):
    client.force_login(world.users["window"])
    client.post(
        f"/staff/approvals/window/?item={world.item.code}",
        {"item": world.item.code, "applicant_name": "李四", "area_sqm": "50"},
    )
    case = Case.objects.get(applicant_name="李四")
    r = client.post(f"/staff/approvals/cases/{case.pk}/accept/", {"action": "refuse", "reason": ""})
    assert r.status_code == 400
    case.refresh_from_db()
    assert case.status == "submitted"


def test_apr3_case_page_lists_events_with_proof_links(client, world, accepted):
    case, _code = accepted
    client.force_login(world.users["chengban"])
    html = client.get(f"/staff/approvals/cases/{case.pk}/").content.decode()
    ev = Event.objects.filter(action="approvals.case.accepted").get()
    assert f"/api/v1/log/events/{ev.index}" in html


def test_apr11_figures_page_has_a_table_and_an_svg_chart(client, world, accepted):
    case, _code = accepted
    for s in list(case.steps.filter(state=StepState.READY)):
        services.do_complete_step(
            s,
            "同意",
            actor=world.users["xf" if s.unit.code == "t-xf" else "chengban"],
        )
    client.force_login(world.users["deputy"])
    for by in ("item", "unit", "post"):
        html = client.get(f"/staff/approvals/figures/?by={by}").content.decode()
        assert 'id="figures"' in html
    assert "<svg" in client.get("/staff/approvals/figures/?by=post").content.decode()


def test_apr7_consultation_is_answered_by_the_unit_and_published_with_consent(client, world):
    client.post(
        f"/gk/approvals/items/{world.item.code}/ask/",
        {
            "asker_name": "王先生",
            "question": "需要健康证吗？",
            "contact": "139",
            "may_publish": "on",
        },
    )
    client.post(
        f"/gk/approvals/items/{world.item.code}/ask/",
        {"asker_name": "赵女士", "question": "私人问题", "contact": "138"},
    )
    a, b = Consultation.objects.order_by("asked_at")
    client.force_login(world.users["xf"])
    assert (
        client.post(
            "/staff/approvals/consultations/", {"consultation": a.pk, "answer": "需要"}
        ).status_code
        == 403
    )
    client.force_login(world.users["chengban"])
    client.post(
        "/staff/approvals/consultations/", {"consultation": a.pk, "answer": "需要从业人员健康证明"}
    )
    client.post("/staff/approvals/consultations/", {"consultation": b.pk, "answer": "已电话答复"})
    client.logout()
    html = client.get(f"/gk/approvals/items/{world.item.code}/").content.decode()
    assert "需要从业人员健康证明" in html and "已电话答复" not in html and "139" not in html


def test_apr5_staff_home_panel_counts_my_steps(client, world, accepted):
    client.force_login(world.users["chengban"])
    html = client.get("/staff/").content.decode()
    assert "我的审批待办 1 件" in html

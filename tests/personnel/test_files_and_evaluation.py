"""The supervision file per cadre (PER-6), its access, and 一报告两评议 (PER-7)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from wuquan.evaluation import services as evaluation
from wuquan.evaluation.models import EvaluationStatus
from wuquan.org.models import Person, Post
from wuquan.org.services import do_appoint
from wuquan.personnel import files, services
from wuquan.personnel.models import Selection, SelectionStatus
from wuquan.supervision.complaints import ComplaintInput, do_file_complaint

from .helpers import org_dept_user, person, setup_unit

pytestmark = pytest.mark.django_db


def test_per6_file_draws_complaints_decisions_and_checks_live_from_the_apps(demo_org):
    unit, post, _est = setup_unit()
    cadre = Person.objects.get(appointments__post__unit=unit, appointments__post__code="deputy-1")
    do_file_complaint(
        ComplaintInput(
            about="person",
            content="办事推诿，多次拖延不予答复",
            unit_code=unit.code,
            person_named=cadre.name,
            anonymous=True,
        ),
        count_rate=False,
    )
    from wuquan.personnel.models import SpotCheck

    check = SpotCheck.objects.create(
        person=cadre, year=2025, reason="random", opened_at=timezone.now()
    )
    services.do_conclude_check(check, "omission", "education", "漏报股票", actor=org_dept_user())
    sections = {s["title"]: s for s in files.file_for(cadre, timezone.now())}
    assert "投诉举报" in sections and "办事推诿" in sections["投诉举报"]["rows"][0]["text"]
    assert "个人有关事项查核" in sections
    assert {s["source"] for s in sections.values()} >= {"supervision", "personnel"}


def test_per6_file_is_for_the_org_department_and_the_commission_only(demo_org, client):
    from django.contrib.auth import get_user_model

    cadre = person("某干部")
    window = get_user_model().objects.get(username="window")
    client.force_login(window)
    assert client.get(f"/staff/personnel/cadres/{cadre.pk}/").status_code == 403
    client.force_login(get_user_model().objects.get(username="jiwei"))
    assert client.get(f"/staff/personnel/cadres/{cadre.pk}/").status_code == 200
    client.force_login(org_dept_user())
    assert client.get(f"/staff/personnel/cadres/{cadre.pk}/").status_code == 200


def test_per3_reports_page_is_for_the_org_department_only(demo_org, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="jiwei"))
    assert client.get("/staff/personnel/reports/").status_code == 403
    client.force_login(org_dept_user())
    assert client.get("/staff/personnel/reports/").status_code == 200


def test_per7_report_then_anonymous_ratings_of_the_work_and_new_cadres(demo_org, client):
    unit, post, _est = setup_unit(quota=3)
    newcomer = person("新提拔")
    appt = do_appoint(newcomer, post, date(2026, 3, 1), actor="test")
    Selection.objects.create(
        unit=unit,
        post=post,
        title="历史选拔",
        status=SelectionStatus.APPOINTED,
        candidate=newcomer,
        appointment=appt,
        opened_at=timezone.now() - timedelta(days=90),
    )
    report = services.do_report_selection_work(
        unit,
        2026,
        "本年度选拔科级干部 1 名，程序规范。",
        actor="test",
        reported_on=date(2026, 12, 20),
        eligible_voters=3,
    )
    ev = report.evaluation
    subjects = list(ev.subjects.order_by("id"))
    assert [s.person for s in subjects][1:] == [newcomer] and len(subjects) == 2
    evaluation.do_open_voting(ev, actor="test")
    codes = evaluation.do_issue_codes(ev, 3, actor="test")
    for code, grade in zip(codes, ["好", "好", "一般"], strict=True):
        evaluation.do_cast_online(ev, code, {s.pk: grade for s in subjects})
    evaluation.do_close_voting(ev, actor="test")
    ev.refresh_from_db()
    assert ev.status == EvaluationStatus.CLOSED
    assert client.get("/gk/personnel/evaluations/").content.decode().count("新提拔") == 0
    evaluation.do_publish_results(ev, actor="test")
    page = client.get("/gk/personnel/evaluations/").content.decode()
    assert "新提拔" in page and "好 2" in page


def test_per7_unit_without_a_head_cannot_report(demo_org):
    from wuquan.org.models import Unit

    unit = Unit.objects.get(code="longhua")
    with pytest.raises(Exception) as exc:
        services.do_report_selection_work(
            unit, 2026, "报告", actor="t", reported_on=date(2026, 12, 1), eligible_voters=3
        )
    assert getattr(exc.value, "field", None) == "unit"
    assert not Post.objects.filter(unit=unit, is_head=True).exists()

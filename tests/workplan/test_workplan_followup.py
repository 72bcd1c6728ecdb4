"""WRK-2 responsibility per task (recorded) and WRK-3 dispatch naming lagging units."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from wuquan.common.exceptions import InvalidInput
from wuquan.ledger.models import Event
from wuquan.org import roles
from wuquan.org import services as org_services
from wuquan.org.models import Post, Unit
from wuquan.workplan import demo as workplan_demo
from wuquan.workplan import selectors, services
from wuquan.workplan.models import Task, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(demo_org):
    workplan_demo.load()
    return Task.objects.all()


def test_wrk2_assigning_responsibility_is_recorded_with_changed_fields(tasks):
    task = Task.objects.get(seq=1)
    services.do_assign_task(
        task,
        actor="tester",
        responsible_leader="纪委副书记 王某",
        responsible_person="赵明",
        deadline=date(2015, 3, 31),
        quality_requirement="报区纪委备案",
        responsible_unit=task.lead_unit,
    )
    event = Event.objects.order_by("-index").first()
    assert event.action == "workplan.task.changed"
    assert '"deadline":"2015-03-31"' in event.leaf and "responsible_person" in event.leaf
    assert task.missing_assignment() == []
    before = Event.objects.count()
    services.do_save_task(task, actor="tester")  # nothing changed: no event
    assert Event.objects.count() == before


def test_wrk2_bad_edits_are_refused_and_not_written(tasks):
    task = Task.objects.get(seq=1)
    with pytest.raises(InvalidInput):
        services.do_assign_task(task, actor=None, status=TaskStatus.MADE, plan_title="")
    with pytest.raises(InvalidInput):
        services.do_assign_task(Task.objects.get(seq=1), actor=None, seq=99)
    assert Task.objects.get(seq=1).status == TaskStatus.NOT_YET


def test_wrk3_dispatch_names_units_with_overdue_tasks(tasks):
    services.do_assign_task(
        Task.objects.get(seq=39), actor=None, deadline=date(2015, 1, 31)
    )  # 审计局
    services.do_assign_task(
        Task.objects.get(seq=36), actor=None, deadline=date(2015, 6, 30)
    )  # 人大
    report = selectors.dispatch(date(2015, 3, 1))
    assert [r["unit"].short_name for r in report["lagging"]] == ["审计局"]
    assert [t.seq for t in report["overdue"]] == [39]
    assert len(report["not_made"]) == Task.objects.filter(status=TaskStatus.NOT_YET).count()
    later = selectors.dispatch(date(2015, 7, 1))
    assert {r["unit"].short_name for r in later["lagging"]} == {"审计局", "人大"}


def test_wrk3_made_on_time_is_not_lagging_but_made_late_is(tasks):
    t = Task.objects.get(seq=39)
    services.do_assign_task(t, actor=None, deadline=date(2015, 1, 31))
    services.do_mark_made(t, date(2015, 1, 20), "审计监督办法", actor="system")
    assert selectors.dispatch(date(2015, 3, 1))["lagging"] == []
    services.do_assign_task(t, actor=None, made_on=date(2015, 2, 10))
    assert [r["unit"].short_name for r in selectors.dispatch(date(2015, 3, 1))["lagging"]] == [
        "审计局"
    ]


def test_wrk3_dispatch_page_is_printable_and_scoped(client, tasks):
    services.do_assign_task(Task.objects.get(seq=39), actor=None, deadline=date(2015, 1, 31))
    client.force_login(get_user_model().objects.get(username="jiwei"))
    page = client.get("/staff/workplan/dispatch/", {"as_of": "2015-03-01"}).content.decode()
    assert "工作滞后单位" in page and 'data-action="print"' in page
    assert "龙潭区审计局" in page.split('id="lagging"')[1].split("</section>")[0]
    clerk = org_services.ensure_staff(
        "nr-clerk",
        "人大综合岗",
        Post.objects.get(unit__code="renda", code="clerk"),
        [roles.HANDLER],
    )
    client.force_login(clerk)
    page = client.get("/staff/workplan/dispatch/", {"as_of": "2015-03-01"}).content.decode()
    assert "龙潭区审计局" not in page and Unit.objects.get(code="renda").name in page


def test_wrk2_admin_edit_goes_through_the_service(client, tasks):
    client.force_login(get_user_model().objects.get(username="admin"))
    task = Task.objects.get(seq=2)
    data = {
        "seq": 2,
        "lead_unit": task.lead_unit_id,
        "five_power": task.five_power,
        "plan_title": task.plan_title,
        "requirement": task.requirement,
        "status": task.status,
        "made_on": "",
        "attachment": task.attachment,
        "responsible_leader": "区纪委书记",
        "responsible_unit": "",
        "responsible_person": "赵明",
        "deadline": "2014-12-31",
        "quality_requirement": "按方案推进",
        "progress_note": "",
    }
    response = client.post(f"/admin/workplan/task/{task.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Task.objects.get(seq=2).responsible_person == "赵明"
    assert Event.objects.order_by("-index").first().actor == "user:admin"

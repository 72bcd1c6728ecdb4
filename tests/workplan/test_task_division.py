"""WRK-1: the 40 tasks of 附件1 are loaded with their lead units and shown with filters."""

import pytest

from wuquan.workplan import demo as workplan_demo
from wuquan.workplan.models import Task


@pytest.mark.django_db
def test_wrk1_loads_all_40_tasks_with_lead_units_and_is_idempotent(demo_org):
    assert workplan_demo.load() == 40
    assert workplan_demo.load() == 0
    assert Task.objects.count() == 40
    assert Task.objects.get(seq=3).lead_unit.short_name == "纪委"
    assert Task.objects.get(seq=40).lead_unit.short_name == "项目建设单位"
    assert set(Task.objects.values_list("status", flat=True)) == {"已制定", "暂未制定"}


@pytest.mark.django_db
def test_wrk1_portal_table_filters_by_unit_and_category(client, demo_org):
    workplan_demo.load()
    page = client.get("/gk/workplan/", {"category": "阳光示权"}).content.decode()
    assert page.count("<tr><td>") == Task.objects.filter(five_power="阳光示权").count()
    page = client.get("/gk/workplan/", {"unit": "shenji"}).content.decode()
    assert page.count("<tr><td>") == Task.objects.filter(lead_unit__code="shenji").count() > 0

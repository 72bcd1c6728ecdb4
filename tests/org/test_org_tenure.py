"""ORG-4: tenure per post from appointments, and the rotation prompt (轮岗提示)."""

from datetime import date

import pytest
from django.test import override_settings

from wuquan.org import selectors, services
from wuquan.org.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(db):
    return services.ensure_unit("u", "测试局", "district_body")


def _person(name):
    return services.do_save_person(Person(name=name), actor="system")


def test_org4_back_to_back_appointments_count_as_one_tenure(unit):
    post = services.ensure_post(unit, "fin", "财务岗", "B")
    p = _person("甲")
    services.do_appoint(p, post, date(2015, 3, 1), actor="system", end=date(2018, 2, 28))
    services.do_appoint(p, post, date(2018, 3, 1), actor="system")
    [t] = selectors.tenures(date(2021, 3, 1), [post])
    assert t.since == date(2015, 3, 1)
    assert t.years == pytest.approx(6.0, abs=0.01)


def test_org4_a_gap_restarts_the_tenure(unit):
    post = services.ensure_post(unit, "fin", "财务岗", "B")
    p = _person("甲")
    services.do_appoint(p, post, date(2010, 1, 1), actor="system", end=date(2014, 12, 31))
    services.do_appoint(p, post, date(2016, 1, 1), actor="system")
    [t] = selectors.tenures(date(2020, 6, 1), [post])
    assert t.since == date(2016, 1, 1)


def test_org4_rotation_due_lists_b_post_holder_at_five_years_but_not_c_posts(unit):
    b_post = services.ensure_post(unit, "fin", "财务岗", "B")
    c_post = services.ensure_post(unit, "clerk", "综合岗", "C")
    a, c = _person("甲"), _person("丙")
    services.do_appoint(a, b_post, date(2019, 6, 1), actor="system")
    services.do_appoint(c, c_post, date(2000, 1, 1), actor="system")
    assert selectors.rotation_due(date(2024, 5, 31)) == []
    due = selectors.rotation_due(date(2024, 6, 1))
    assert [(t.person.name, t.limit) for t in due] == [("甲", 5)]


def test_org4_post_rotation_years_override_the_default(unit):
    post = services.ensure_post(unit, "fin", "财务岗", "B", rotation_years=3)
    services.do_appoint(_person("甲"), post, date(2021, 1, 1), actor="system")
    assert [t.person.name for t in selectors.rotation_due(date(2024, 1, 1))] == ["甲"]


@override_settings(WUQUAN_ROTATION_YEARS={"A": 8, "B": 10})
def test_org4_rotation_default_is_configurable_in_settings(unit):
    post = services.ensure_post(unit, "fin", "财务岗", "B")
    services.do_appoint(_person("甲"), post, date(2015, 1, 1), actor="system")
    assert selectors.rotation_due(date(2024, 12, 31)) == []
    assert len(selectors.rotation_due(date(2025, 1, 1))) == 1


def test_org4_ended_appointments_are_not_prompted(unit):
    post = services.ensure_post(unit, "fin", "财务岗", "A")
    services.do_appoint(_person("甲"), post, date(2010, 1, 1), actor="system", end=date(2020, 1, 1))
    assert selectors.rotation_due(date(2024, 1, 1)) == []


def test_org4_rotation_list_is_scoped_to_the_user(demo_org):
    from wuquan.org.models import Post

    services.do_appoint(
        _person("旧会计"),
        Post.objects.get(unit__code="jiujie", code="accountant"),
        date(2010, 1, 1),
        actor="system",
    )
    services.do_appoint(
        _person("老会计"),
        Post.objects.get(unit__code="jmf-village", code="accountant"),
        date(2010, 1, 1),
        actor="system",
    )
    clerk = services.ensure_staff(
        "wlj", "乌拉街综合岗", Post.objects.get(unit__code="wulajie", code="clerk"), []
    )
    names = {t.person.name for t in selectors.rotation_due(date(2024, 1, 1), user=clerk)}
    assert names == {"旧会计"}

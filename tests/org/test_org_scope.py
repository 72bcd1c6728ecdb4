"""ORG-1 scoping: a user sees their unit and the units below it, unless supervisory."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from wuquan.org import roles, selectors, services
from wuquan.org.models import Post, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def township_clerk(demo_org):
    post = Post.objects.get(unit__code="wulajie", code="clerk")
    return services.ensure_staff(
        "wlj-clerk", "乌拉街综合岗 钱七", post, [roles.HANDLER], start=date(2024, 1, 1)
    )


def _codes(qs):
    return set(qs.values_list("code", flat=True))


def test_org1_roles_exist_after_migrate_without_demo_data():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)
    admin = Group.objects.get(name=roles.ADMIN)
    assert admin.permissions.filter(codename="change_post").exists()


def test_org1_township_clerk_sees_its_villages_but_not_another_township(township_clerk):
    visible = _codes(selectors.units_visible_to(township_clerk))
    assert {"wulajie", "hantun", "jiujie"} <= visible
    assert not visible & {"jiangmifeng", "jmf-village", "longtan", "jiwei", "chengde"}


def test_org1_commission_sees_all(demo_org):
    jiwei = get_user_model().objects.get(username="jiwei")
    assert selectors.is_supervisory(jiwei)
    assert selectors.units_visible_to(jiwei).count() == Unit.objects.count()


def test_org1_a_post_in_a_supervisory_unit_sees_all_even_without_the_role(demo_org):
    post = Post.objects.get(unit__code="jiwei", code="clerk")
    user = services.ensure_staff("jw-clerk", "纪委综合岗", post, [roles.HANDLER])
    assert selectors.is_supervisory(user)


def test_org1_scope_helper_filters_any_queryset_by_unit_path(township_clerk):
    posts = selectors.scope(Post.objects.all(), township_clerk)
    assert {p.unit.code for p in posts} == {"wulajie", "hantun", "jiujie"}
    units = selectors.scope(Unit.objects.all(), township_clerk, unit_field="id")
    assert _codes(units) == {"wulajie", "hantun", "jiujie"}


def test_org1_scope_gives_nothing_to_anonymous_and_to_unposted_users(demo_org):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.scope(Post.objects.all(), AnonymousUser()).count() == 0
    lonely = get_user_model().objects.create_user("lonely", password="x")
    assert selectors.scope(Post.objects.all(), lonely).count() == 0


def test_org1_window_clerk_scope_excludes_townships(demo_org):
    window = get_user_model().objects.get(username="window")
    visible = _codes(selectors.units_visible_to(window))
    assert "zwfw" in visible
    assert "wulajie" not in visible and "hantun" not in visible


def test_org1_ended_appointment_no_longer_grants_visibility(township_clerk):
    appt = selectors.person_of(township_clerk).appointments.get()
    services.do_end_appointment(appt, date(2024, 6, 30), actor="system")
    assert selectors.units_visible_to(township_clerk).count() == 0


@pytest.mark.django_db
def test_org4_an_ended_appointment_is_not_a_held_post_even_while_another_person_holds_it():
    """ORG-4: tenure ends on the end date; a successor's current appointment on the same post
    must not make the predecessor a holder again (the conditions bind one appointment)."""
    from wuquan.org.models import Appointment, Person, UnitKind

    unit = Unit.objects.create(code="u", name="测试局", kind=UnitKind.DISTRICT_BODY)
    post = Post.objects.create(unit=unit, code="p", name="审核岗", risk_class="B")
    former = Person.objects.create(name="前任")
    current = Person.objects.create(name="现任")
    Appointment.objects.create(
        person=former, post=post, start=date(2020, 1, 1), end=date(2024, 12, 31)
    )
    Appointment.objects.create(person=current, post=post, start=date(2025, 1, 1))
    on = date(2026, 3, 2)
    assert list(selectors.posts_held(current, on)) == [post]
    assert list(selectors.posts_held(former, on)) == []
    assert list(selectors.holders_of(post, on)) == [current]
    assert list(selectors.posts_held(former, date(2024, 6, 1))) == [post]

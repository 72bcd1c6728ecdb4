"""ORG-2..4: post and appointment invariants, enforced by clean() and by the services alike,
and every change recorded in the log."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.ledger.models import Event
from wuquan.org import services
from wuquan.org.models import Appointment, Area, Person, Post, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(db):
    return services.ensure_unit("testunit", "测试局", "district_body")


def test_org3_head_post_with_a_hands_off_area_is_refused_by_clean_and_by_service(unit):
    post = Post(
        unit=unit, code="boss", name="局长", risk_class="A", is_head=True, areas=[Area.FINANCE]
    )
    with pytest.raises(ValidationError) as err:
        post.full_clean()
    assert "areas" in err.value.message_dict
    before = Event.objects.count()
    with pytest.raises(RuleViolation) as exc:
        services.do_save_post(post, actor="system")
    assert exc.value.field == "areas"
    assert not Post.objects.filter(code="boss").exists()
    assert Event.objects.count() == before


@pytest.mark.parametrize("area", sorted(Area.values))
def test_org3_head_never_holds_any_of_the_five_hands_off_areas(unit, area):
    post = Post(unit=unit, code="boss", name="局长", is_head=True, areas=[area])
    with pytest.raises(RuleViolation):
        services.do_save_post(post, actor="system")


def test_org3_areas_only_on_deputy_posts(unit):
    with pytest.raises(RuleViolation):
        services.do_save_post(
            Post(unit=unit, code="clerk", name="科员", areas=[Area.APPROVAL]), actor="system"
        )
    deputy = services.do_save_post(
        Post(unit=unit, code="dep", name="副局长", is_deputy=True, areas=[Area.APPROVAL]),
        actor="system",
    )
    assert deputy.area_labels() == ["行政审批"]


def test_org3_unknown_area_code_is_refused(unit):
    post = Post(unit=unit, code="dep", name="副局长", is_deputy=True, areas=["golf"])
    with pytest.raises(ValidationError):
        post.full_clean()


def test_org3_one_head_post_per_unit(unit):
    services.do_save_post(Post(unit=unit, code="head", name="局长", is_head=True), actor="system")
    with pytest.raises(RuleViolation):
        services.do_save_post(
            Post(unit=unit, code="head2", name="另一局长", is_head=True), actor="system"
        )


def test_org2_post_change_is_recorded_with_changed_fields(unit):
    post = services.do_save_post(
        Post(unit=unit, code="dep", name="副局长", is_deputy=True), actor="system"
    )
    post.areas = [Area.PERSONNEL]
    services.do_save_post(post, actor="tester")
    event = Event.objects.order_by("-index").first()
    assert event.action == "org.post.changed"
    assert '"changed":["areas"]' in event.leaf


def test_org4_appointment_end_before_start_is_refused(unit):
    post = services.ensure_post(unit, "clerk", "科员")
    person = services.do_save_person(Person(name="张三"), actor="system")
    with pytest.raises(InvalidInput) as exc:
        services.do_appoint(person, post, date(2024, 5, 1), actor="system", end=date(2024, 4, 30))
    assert exc.value.field == "end"
    assert not Appointment.objects.exists()


def test_org4_head_post_has_no_overlapping_holders(unit):
    head = services.ensure_post(unit, "head", "局长", "A", is_head=True)
    a = services.do_save_person(Person(name="甲"), actor="system")
    b = services.do_save_person(Person(name="乙"), actor="system")
    first = services.do_appoint(a, head, date(2020, 1, 1), actor="system")
    with pytest.raises(RuleViolation):
        services.do_appoint(b, head, date(2023, 1, 1), actor="system")
    services.do_end_appointment(first, date(2022, 12, 31), actor="system")
    services.do_appoint(b, head, date(2023, 1, 1), actor="system")
    # the earlier holder cannot be stretched back over the new one
    first.end = date(2023, 6, 1)
    with pytest.raises(RuleViolation):
        services.do_save_appointment(first, actor="system")


def test_org4_ordinary_posts_may_have_several_holders(unit):
    post = services.ensure_post(unit, "clerk", "科员")
    for name in ("甲", "乙"):
        services.do_appoint(
            services.do_save_person(Person(name=name), actor="system"),
            post,
            date(2024, 1, 1),
            actor="system",
        )
    assert Appointment.objects.filter(post=post).count() == 2


def test_org1_person_with_bad_id_number_is_refused_and_not_written():
    with pytest.raises(InvalidInput) as exc:
        services.do_save_person(Person(name="张三", id_number="110105194912310021"), actor="system")
    assert exc.value.field == "id_number"
    assert not Person.objects.exists()


def test_org1_person_id_is_normalised_and_code_generated_and_log_hides_private_data():
    person = services.do_save_person(
        Person(name="张三", id_number=" 11010519491231002x "), actor="system"
    )
    assert person.id_number == "11010519491231002X"
    assert person.code == f"P{person.pk:06d}"
    event = Event.objects.filter(action="org.person.created").last()
    assert "11010519491231002X" not in event.leaf


def test_org1_unit_cannot_sit_below_itself(unit):
    child = services.ensure_unit("child", "下级", "section", unit)
    unit.parent = child
    with pytest.raises(RuleViolation):
        services.do_save_unit(unit, actor="system")
    assert Unit.objects.get(pk=unit.pk).parent is None


def test_org1_delete_of_a_used_post_is_refused(unit):
    post = services.ensure_post(unit, "clerk", "科员")
    services.do_appoint(
        services.do_save_person(Person(name="甲"), actor="system"),
        post,
        date(2024, 1, 1),
        actor="system",
    )
    with pytest.raises(RuleViolation):
        services.do_delete(post, actor="system")
    assert Post.objects.filter(pk=post.pk).exists()


def test_org3_demo_leadership_obeys_the_rules(demo_org):
    for post in Post.objects.all():
        assert post.problems() == [], post
    heads = Post.objects.filter(is_head=True)
    assert heads.exists() and all(not p.areas for p in heads)


def test_org1_person_created_outside_the_services_still_gets_a_code_for_excel():
    person = Person.objects.create(name="外部创建")
    person.refresh_from_db()
    assert person.code == f"P{person.pk:06d}"

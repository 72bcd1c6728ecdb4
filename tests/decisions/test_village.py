"""The village six-step method (DEC-10; 附件15 二(一)2–3) and assembly quorums (村委会组织法 22, 26)."""

from datetime import date, timedelta

import pytest

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.decisions import village, voting
from wuquan.decisions.models import VillageMatterStatus, VillageStep
from wuquan.ledger.models import Event

pytestmark = pytest.mark.django_db
D0 = date(2025, 5, 6)
ASSEMBLY = dict(assembly_kind="representatives", eligible=30, attended=25, yes=20, no=3, abstain=2)


def hantun():
    from wuquan.org.models import Unit

    return Unit.objects.get(code="hantun")


def step(matter, n, on, **extra):
    kw = ASSEMBLY | extra if n == VillageStep.RESOLUTION else extra
    return village.do_record_village_step(
        matter, n, on, "两委成员", f"第{n}步记录", **kw, actor="clerk"
    )


def test_dec10_six_steps_in_order_resolve_and_publish(demo_org):
    matter = village.do_create_village_matter(
        hantun(), "村部维修工程", notice_days=5, actor="clerk"
    )
    for n, offset in zip(range(1, 7), [0, 2, 4, 5, 12, 13], strict=True):
        step(matter, n, D0 + timedelta(days=offset))
    matter.refresh_from_db()
    assert matter.status == VillageMatterStatus.PUBLISHED
    assert village.assert_village_decision_valid(matter) == matter
    assert Event.objects.filter(action="decisions.village.step").count() == 6


def test_dec10_a_skipped_step_voids_the_matter_and_finance_is_refused(demo_org):
    matter = village.do_create_village_matter(hantun(), "出租集体林地", actor="clerk")
    step(matter, 1, D0)
    step(matter, 2, D0 + timedelta(days=1))
    step(matter, 5, D0 + timedelta(days=9))  # no 党员大会, no 公告
    matter.refresh_from_db()
    assert matter.status == VillageMatterStatus.VOID
    assert "党员大会审议" in matter.void_reason and "议案公告" in matter.void_reason
    voided = Event.objects.get(action="decisions.village.voided")
    assert voided.payload["missing"] == [3, 4] and voided.payload["rule"] == "DEC-10-six-steps"
    with pytest.raises(RuleViolation):
        village.assert_village_decision_valid(matter)
    assert Event.objects.filter(action="decisions.refused").count() == 1
    with pytest.raises(InvalidInput):  # a void matter cannot be carried on
        step(matter, 6, D0 + timedelta(days=10))


def test_dec10_a_notice_period_cut_short_voids_the_matter(demo_org):
    matter = village.do_create_village_matter(hantun(), "宅基地审批", notice_days=7, actor="clerk")
    for n in range(1, 5):
        step(matter, n, D0 + timedelta(days=n))
    step(matter, 5, D0 + timedelta(days=6))  # notice on day 4, resolution 2 days later
    matter.refresh_from_db()
    assert matter.status == VillageMatterStatus.VOID and "公告期不足" in matter.void_reason


def test_dec10_an_assembly_without_quorum_is_refused_and_nothing_but_the_refusal_is_written(
    demo_org,
):
    matter = village.do_create_village_matter(hantun(), "土地调整", actor="clerk")
    for n in range(1, 5):
        step(matter, n, D0 + timedelta(days=n))
    before = Event.objects.count()
    with pytest.raises(RuleViolation) as err:
        step(matter, 5, D0 + timedelta(days=20), eligible=30, attended=19, yes=19, no=0, abstain=0)
    assert err.value.code == "DEC-10-assembly-quorum"
    assert not matter.steps.filter(step=5).exists()
    actions = [e.action for e in Event.objects.filter(index__gte=before)]
    assert [a for a in actions if not a.startswith("supervision.")] == ["decisions.refused"]


@pytest.mark.parametrize(
    "kind, eligible, attended, quorate",
    [
        ("villagers", 100, 50, False),
        ("villagers", 100, 51, True),
        ("households", 90, 59, False),
        ("households", 90, 60, True),
        ("representatives", 30, 19, False),
        ("representatives", 30, 20, True),
    ],
)
def test_dec10_assembly_quorum_follows_the_village_committee_law(kind, eligible, attended, quorate):
    assert voting.village_assembly(kind, eligible, attended, attended).quorate is quorate


def test_dec10_assembly_decides_by_more_than_half_of_those_present():
    assert voting.village_assembly("representatives", 30, 24, 13).passed is True
    assert voting.village_assembly("representatives", 30, 24, 12).passed is False


def test_dec10_only_the_supervision_committee_files_objections(demo_org):
    from django.contrib.auth import get_user_model

    matter = village.do_create_village_matter(hantun(), "救灾款物发放", actor="clerk")
    users = get_user_model().objects
    with pytest.raises(NotPermitted):
        village.do_file_objection(
            users.get(username="window"), matter, "程序有问题", actor="window"
        )
    village.do_file_objection(
        users.get(username="cunjian"), matter, "公告未张贴", step=4, actor="cunjian"
    )
    assert matter.objections.count() == 1


def test_dec10_bad_step_input_is_refused_and_writes_nothing(demo_org):
    matter = village.do_create_village_matter(hantun(), "集体举债", actor="clerk")
    before = Event.objects.count()
    with pytest.raises(InvalidInput):
        village.do_record_village_step(matter, 1, D0, "", "", actor="clerk")
    step(matter, 1, D0)
    with pytest.raises(InvalidInput):
        step(matter, 2, D0 - timedelta(days=1))
    assert Event.objects.count() == before + 1

"""Personal-matters reports and verifiable spot checks (PER-3)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuquan.common.exceptions import InvalidInput, NotPermitted
from wuquan.ledger import merkle
from wuquan.ledger.models import Event
from wuquan.ledger.services import do_create_checkpoint
from wuquan.personnel import events, services
from wuquan.personnel.models import PersonalReport, SpotCheck

from .helpers import org_dept_user, person

pytestmark = pytest.mark.django_db

RIC = "110101199003071233"  # not necessarily valid; only used where validity is not needed


def _reports(n: int, year: int = 2025):
    people = [person(f"干部{i:02d}") for i in range(n)]
    for p in people:
        services.do_file_report(
            p,
            year,
            actor="test",
            submitted_on=date(year + 1, 1, 20),
            marital_status="married",
            houses=[{"address": "龙潭区某小区", "area_m2": 90}],
        )
    return people


def recompute_draw_from_log(year: int) -> list[int]:
    """Everything from the ledger's stored leaves alone: the opening event (population, rate),
    the seed size the draw used, and the root of the tree of that size recomputed from the
    leaves (RFC 6962), then the published ranking."""
    import json

    opened = next(
        e
        for e in Event.objects.filter(action=events.ROUND_OPENED).order_by("index")
        if json.loads(e.leaf)["payload"]["year"] == year
    )
    drawn = Event.objects.get(action=events.ROUND_DRAWN, subject_id=opened.subject_id)
    seed_size = drawn.payload["seed_size"]
    assert seed_size > opened.index  # the seed covers the opening: fixed before it was known
    leaves = (
        Event.objects.filter(index__lt=seed_size).order_by("index").values_list("leaf", flat=True)
    )
    root = merkle.root([merkle.leaf_hash(leaf.encode()) for leaf in leaves]).hex()
    assert root == drawn.payload["seed_root"]
    p = opened.payload
    return services.draw_order(root, p["year"], p["population"], p["rate_permille"])


def test_per3_spot_check_draw_is_recomputed_from_the_log_alone(demo_org):
    user = org_dept_user()
    _reports(12)
    rnd = services.do_open_round(2025, 250, actor=user)
    with pytest.raises(InvalidInput):  # no signed checkpoint covers the opening yet
        services.do_draw_round(rnd, actor=user)
    do_create_checkpoint()
    rnd = services.do_draw_round(rnd, actor=user)
    assert len(rnd.drawn) == 3  # ceil(12 × 25 %)
    assert recompute_draw_from_log(2025) == rnd.drawn
    assert (
        sorted(SpotCheck.objects.filter(reason="random").values_list("person_id", flat=True))
        == rnd.drawn
    )


def test_per3_candidates_are_left_out_of_the_random_population(demo_org):
    people = _reports(4)
    SpotCheck.objects.create(
        person=people[0], year=2025, reason="candidate", opened_at="2025-06-01T00:00Z"
    )
    rnd = services.do_open_round(2025, 1000, actor="test")
    assert people[0].pk not in rnd.population and len(rnd.population) == 3


@settings(max_examples=50, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    population=st.lists(st.integers(1, 10_000), unique=True, min_size=1, max_size=60),
    rate=st.integers(1, 1000),
)
def test_per3_draw_takes_ceil_rate_of_population_and_is_deterministic(seed, population, rate):
    drawn = services.draw_order(seed.hex(), 2025, population, rate)
    assert len(drawn) == -(-len(population) * rate // 1000)
    assert set(drawn) <= set(population)
    assert drawn == services.draw_order(seed.hex(), 2025, list(reversed(population)), rate)


def test_per3_report_refuses_a_bad_relative_id_and_writes_nothing(demo_org):
    p = person("报告人")
    before = Event.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.do_file_report(
            p,
            2025,
            actor="test",
            submitted_on=date(2026, 1, 5),
            marital_status="married",
            relatives=[{"relation": "child", "name": "子", "id_number": "12345"}],
        )
    assert exc.value.field == "relatives"
    assert not PersonalReport.objects.exists() and Event.objects.count() == before


def test_per3_report_log_entry_holds_a_digest_not_the_contents(demo_org):
    p = person("报告人")
    services.do_file_report(
        p,
        2025,
        actor="test",
        submitted_on=date(2026, 1, 5),
        marital_status="married",
        relatives=[{"relation": "child", "name": "儿子甲"}],
        firms=[{"name": "龙潭甲建材有限公司", "uscc": "91220201MA0Y000001", "relative": 0}],
    )
    leaf = Event.objects.get(action=events.REPORT_FILED).leaf
    assert "儿子甲" not in leaf and "91220201MA0Y000001" not in leaf and "甲建材" not in leaf


def test_per3_findings_need_details_and_an_outcome_and_the_org_department(demo_org):
    user = org_dept_user()
    p = person("被查人")
    check = SpotCheck.objects.create(
        person=p, year=2025, reason="random", opened_at="2025-06-01T00:00Z"
    )
    with pytest.raises(NotPermitted):
        services.do_conclude_check(check, "omission", "education", "漏报房产一套", actor="test")
    with pytest.raises(InvalidInput):
        services.do_conclude_check(check, "omission", "none", "漏报房产一套", actor=user)
    check.refresh_from_db()
    assert not check.done
    services.do_conclude_check(check, "omission", "education", "漏报房产一套", actor=user)
    check.refresh_from_db()
    assert check.finding == "omission" and check.outcome == "education"

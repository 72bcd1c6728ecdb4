"""The district's procurement rules: each breach found, its lawful twin not (FIN-5, FIN-6,
FIN-10)."""

from datetime import timedelta

import pytest

from wuquan.org.models import Unit
from wuquan.procurement import rules, services
from wuquan.procurement.models import Category, Method
from wuquan.supervision.engine import run_sweeps
from wuquan.supervision.models import Alarm

from .helpers import YUAN, at, firm, process, tiers

AS_OF = at(2025, 12, 31)


@pytest.fixture
def fagai(demo_org):
    tiers()
    return Unit.objects.get(code="fagai")


def _subjects(rule, as_of=AS_OF):
    return {(f.subject_type, f.subject_id) for f in rule.sweep(as_of, rule.thresholds)}


def _tender_ids(rule):
    return {int(s) for t, s in _subjects(rule) if t == rules.TENDER}


def test_fin6_open_tender_awarded_on_two_valid_bids_is_flagged_three_is_not(fagai):
    bad, *_ = process(fagai, 2_500_000, (2_400_000, 2_450_000), method=Method.OPEN, days=21)
    good, *_ = process(
        fagai,
        2_500_000,
        (2_400_000, 2_450_000, 2_480_000),
        method=Method.OPEN,
        days=21,
        start=at(2025, 5, 5),
    )
    assert _tender_ids(rules.FEW_BIDS) == {bad.pk}
    assert good.pk not in _tender_ids(rules.FEW_BIDS)


def test_fin6_open_tender_with_19_day_period_is_flagged_20_is_not(fagai):
    bad, *_ = process(
        fagai, 2_500_000, (2_400_000, 2_450_000, 2_460_000), method=Method.OPEN, days=19
    )
    good, *_ = process(
        fagai,
        2_500_000,
        (2_400_000, 2_450_000, 2_460_000),
        method=Method.OPEN,
        days=20,
        start=at(2025, 6, 2),
    )
    assert _tender_ids(rules.SHORT_PERIOD) == {bad.pk}
    assert good.pk not in _tender_ids(rules.SHORT_PERIOD)


def test_fin5_split_direct_purchases_reaching_open_tender_threshold_are_flagged(fagai):
    # four direct purchases of furniture (A0601) of 600,000 yuan each: 2.4 M >= 2 M
    for month in (2, 4, 6, 8):
        process(
            fagai,
            600_000,
            (590_000,),
            method=Method.DIRECT,
            item_code="A060101",
            start=at(2025, month, 3),
            days=5,
            title="办公家具",
        )
    findings = list(rules.SPLIT.sweep(AS_OF, rules.SPLIT.thresholds))
    assert [(f.subject_id, f.key) for f in findings] == [(str(fagai.pk), "2025:goods:A0601")]
    assert findings[0].inputs["total_fen"] == 2_400_000 * YUAN


def test_fin5_split_twin_same_total_across_two_years_is_not_flagged(fagai):
    for year, month in ((2025, 10), (2025, 12), (2026, 2), (2026, 4)):
        process(
            fagai,
            600_000,
            (590_000,),
            method=Method.DIRECT,
            item_code="A060101",
            start=at(year, month, 3),
            days=5,
            title="办公家具",
        )
    assert list(rules.SPLIT.sweep(at(2026, 12, 31), rules.SPLIT.thresholds)) == []


def test_fin10_contract_raised_over_10_percent_is_flagged_10_percent_is_not(fagai):
    _, _, _, bad = process(fagai, 8_000, (7_000, 7_500, 7_900))
    _, _, _, good = process(fagai, 8_000, (7_000, 7_500, 7_900), start=at(2025, 5, 5))
    services.do_amend_contract(bad, 7_701 * YUAN, "增加数量", actor="t", at=at(2025, 4, 20))
    services.do_amend_contract(good, 7_700 * YUAN, "增加数量", actor="t", at=at(2025, 6, 20))
    found = {
        f.subject_id: f
        for f in rules.CONTRACT_CHANGES.sweep(AS_OF, rules.CONTRACT_CHANGES.thresholds)
    }
    assert set(found) == {str(bad.pk)}
    assert found[str(bad.pk)].inputs["reasons"] == ["raised"]


def test_fin10_two_price_changes_in_90_days_flagged_91_days_apart_not(fagai):
    _, _, _, bad = process(fagai, 8_000, (7_000, 7_500, 7_900))
    _, _, _, good = process(fagai, 8_000, (7_000, 7_500, 7_900), start=at(2025, 5, 5))
    services.do_amend_contract(bad, 7_100 * YUAN, "调价", actor="t", at=at(2025, 4, 20))
    services.do_amend_contract(bad, 7_050 * YUAN, "调价", actor="t", at=at(2025, 7, 18))
    services.do_amend_contract(good, 7_100 * YUAN, "调价", actor="t", at=at(2025, 6, 10))
    services.do_amend_contract(
        good, 7_050 * YUAN, "调价", actor="t", at=at(2025, 6, 10) + timedelta(days=91)
    )
    found = {
        f.subject_id: f
        for f in rules.CONTRACT_CHANGES.sweep(AS_OF, rules.CONTRACT_CHANGES.thresholds)
    }
    assert set(found) == {str(bad.pk)}
    assert found[str(bad.pk)].inputs["reasons"] == ["changed_often"]


def test_fin6_one_supplier_winning_most_of_a_buyers_goods_is_flagged(fagai):
    winner, others = firm(50), [firm(51), firm(52), firm(53)]
    for i in range(5):
        process(
            fagai, 8_000, (7_000, 7_500), firms=[winner, others[i % 3]], start=at(2025, 2 + i, 3)
        )
    # lawful twin: services bought from five different suppliers
    for i in range(5):
        process(
            fagai,
            8_000,
            (7_000, 7_500),
            firms=[firm(60 + i), firm(70 + i)],
            category=Category.SERVICES,
            start=at(2025, 2 + i, 10),
            item_code="C0101",
        )
    keys = {f.key for f in rules.CONCENTRATION.sweep(AS_OF, rules.CONCENTRATION.thresholds)}
    assert keys == {f"2025:A0201:{winner.uscc}"}


def test_fin6_tenderers_sharing_a_phone_are_flagged_and_the_phone_is_not_in_clear(fagai):
    a = firm(80, phone="0432-6200 1234", address="龙潭区一路1号")
    b = firm(81, phone="0432-62001234", address="龙潭区二路2号")
    c, d = firm(82, phone="0432-1111111"), firm(83, phone="0432-2222222")
    bad, *_ = process(fagai, 8_000, (7_000, 7_500), firms=[a, b])
    good, *_ = process(fagai, 8_000, (7_000, 7_500), firms=[c, d], start=at(2025, 6, 2))
    findings = list(rules.LINKED.sweep(AS_OF, rules.LINKED.thresholds))
    assert [(f.subject_id, f.key) for f in findings] == [(str(bad.pk), "phone")]
    assert "6200" not in str(findings[0].inputs)
    assert good.pk not in _tender_ids(rules.LINKED)


def test_fin6_rules_raise_alarms_through_the_engine(fagai):
    bad, *_ = process(fagai, 2_500_000, (2_400_000, 2_450_000), method=Method.OPEN, days=21)
    run_sweeps(AS_OF, codes=[rules.FEW_BIDS.code])
    alarm = Alarm.objects.get(rule_code=rules.FEW_BIDS.code)
    assert (alarm.subject_type, alarm.subject_id) == (rules.TENDER, str(bad.pk))
    assert alarm.unit_id == fagai.pk

"""FIN-5, FIN-6, FIN-10: each request routed to its tier by the dated settings; the wrong route
refused with nothing written."""

from datetime import date

import pytest

from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.common.identity import is_valid_uscc
from wuquan.ledger.models import Event
from wuquan.org.models import Unit
from wuquan.procurement import sample, services
from wuquan.procurement.models import Category, Method, ProcurementRequest, Tender, Tier

from .helpers import YUAN, at, tiers, uscc


@pytest.fixture
def fagai(demo_org):
    tiers()
    services.do_add_catalog_entry(
        Unit.objects.get(code="longtan"),
        "A0201",
        "计算机设备",
        date(2025, 1, 1),
        actor="test",
        source="测试集中采购目录",
    )
    return Unit.objects.get(code="fagai")


def _request(unit, amount_yuan, category=Category.GOODS, item="A0601", on=date(2025, 3, 1), **kw):
    return services.do_create_request(
        unit, "采购", category, item, amount_yuan * YUAN, actor="test", requested_on=on, **kw
    )


def _count():
    return (Event.objects.count(), ProcurementRequest.objects.count(), Tender.objects.count())


def test_fin5_tiers_by_amount_and_catalog(fagai):
    assert _request(fagai, 10_000).tier == Tier.DEPUTY
    assert _request(fagai, 10_001).tier == Tier.DEPUTY_HEAD
    assert _request(fagai, 50_001).tier == Tier.COMMITTEE
    assert _request(fagai, 500, item="A020101").tier == Tier.CENTRAL


def test_fin5_thresholds_are_dated_settings(fagai):
    services.do_set_tiers(
        Unit.objects.get(code="longtan"),
        date(2026, 1, 1),
        actor="test",
        source="2026年新标准",
        deputy_limit_fen=20_000 * YUAN,
        head_limit_fen=80_000 * YUAN,
        open_tender_fen=2_000_000 * YUAN,
        works_tender_fen=4_000_000 * YUAN,
        key_project_fen=10_000_000 * YUAN,
        village_limit_fen=100_000 * YUAN,
        township_limit_fen=500_000 * YUAN,
    )
    assert _request(fagai, 15_000, on=date(2025, 12, 31)).tier == Tier.DEPUTY_HEAD
    assert _request(fagai, 15_000, on=date(2026, 1, 1)).tier == Tier.DEPUTY


def test_fin5_no_settings_for_the_date_is_refused(fagai):
    before = _count()
    with pytest.raises(InvalidInput):
        _request(fagai, 100, on=date(2024, 6, 1))
    assert _count() == before


def test_fin5_larger_purchase_without_head_consent_is_refused(fagai):
    req = _request(fagai, 20_000)
    before = _count()
    with pytest.raises(RuleViolation) as err:
        services.do_approve_request(req, actor="test")
    assert err.value.code == "FIN-5-head-consent"
    assert _count() == before
    services.do_approve_request(req, actor="test", head_consent=True)


def test_fin5_above_limit_needs_a_passed_decision(fagai):
    req = _request(fagai, 60_000)
    before = _count()
    with pytest.raises(RuleViolation) as err:
        services.do_approve_request(req, actor="test", head_consent=True)
    assert err.value.code == "FIN-5-committee"
    assert _count() == before
    sample.decide(req, date(2025, 3, 10), actor="test")
    assert services.do_approve_request(req, actor="test").status == "approved"


def test_fin5_catalog_item_goes_to_central_procurement_not_a_local_tender(fagai):
    req = _request(fagai, 500, item="A020101")
    sample.decide(req, date(2025, 3, 10), actor="test")
    services.do_approve_request(req, actor="test")
    before = _count()
    with pytest.raises(RuleViolation) as err:
        services.do_open_tender(
            req, "", Method.QUOTATION, at(2025, 3, 12), at(2025, 3, 20), actor="test"
        )
    assert err.value.code == "FIN-5-central"
    assert _count() == before
    services.do_open_tender(
        req,
        "",
        Method.QUOTATION,
        at(2025, 3, 12),
        at(2025, 3, 20),
        actor="centre",
        by_central_centre=True,
    )


def test_fin6_works_above_threshold_must_be_open_tender_through_trading_centre(fagai):
    req = _request(fagai, 5_000_000, category=Category.WORKS, item="B0101")
    assert req.required_method == Method.OPEN and req.via_trading_centre
    sample.decide(req, date(2025, 3, 10), actor="test")
    services.do_approve_request(req, actor="test")
    before = _count()
    with pytest.raises(RuleViolation) as err:
        services.do_open_tender(
            req,
            "",
            Method.INVITED,
            at(2025, 3, 12),
            at(2025, 4, 2),
            actor="test",
            via_trading_centre=True,
        )
    assert err.value.code == "FIN-6-open-tender"
    with pytest.raises(RuleViolation) as err:
        services.do_open_tender(req, "", Method.OPEN, at(2025, 3, 12), at(2025, 4, 2), actor="test")
    assert err.value.code == "FIN-6-trading-centre"
    assert _count() == before
    services.do_open_tender(
        req, "", Method.OPEN, at(2025, 3, 12), at(2025, 4, 2), actor="test", via_trading_centre=True
    )


def test_fin6_key_project_needs_a_hearing_before_approval(fagai):
    req = _request(fagai, 12_000_000, category=Category.WORKS, item="B0101")
    sample.decide(req, date(2025, 3, 10), actor="test")
    before = _count()
    with pytest.raises(RuleViolation) as err:
        services.do_approve_request(req, actor="test")
    assert err.value.code == "FIN-6-hearing"
    assert _count() == before
    services.do_record_hearing(req, date(2025, 3, 5), actor="test")
    services.do_approve_request(req, actor="test")


def test_fin10_village_projects_are_tendered_by_level(fagai):
    hantun = Unit.objects.get(code="hantun")
    assert _request(hantun, 80_000).organiser_level == "village"
    assert _request(hantun, 300_000).organiser_level == "township"
    assert _request(hantun, 600_000).organiser_level == "district"


def test_uscc_with_registration_authority_n_passes_and_a_bad_check_character_fails():
    assert is_valid_uscc(uscc(1))
    village_collective = uscc(7, authority="N")
    assert village_collective.startswith("N") and is_valid_uscc(village_collective)
    bad = village_collective[:-1] + ("0" if village_collective[-1] != "0" else "1")
    assert not is_valid_uscc(bad)
    assert not is_valid_uscc(uscc(1)[:-1] + "I")


def test_bad_uscc_refused_nothing_written(fagai):
    before = _count()
    with pytest.raises(InvalidInput):
        services.ensure_firm("91220211MA0000000X", "某公司")
    assert _count() == before

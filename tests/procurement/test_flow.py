import pytest

from wuquan.ledger.models import Event
from wuquan.org.models import Unit
from wuquan.procurement import ocds, selectors, services
from wuquan.procurement.models import Release

from .helpers import YUAN, at, process, tiers


@pytest.fixture
def setup(demo_org):
    tiers()
    return Unit.objects.get(code="fagai")


def test_fin5_whole_process_publishes_valid_ocds(setup):
    tender, bids, award, contract = process(setup)
    services.do_amend_contract(contract, 7_500 * YUAN, "增加数量", actor="test", at=at(2025, 4, 20))
    services.do_record_payment(contract, 7_000 * YUAN, actor="test", at=at(2025, 5, 1))
    rels = list(Release.objects.filter(tender=tender).values_list("data", flat=True))
    assert [r["tag"][0] for r in rels] == [
        "tender",
        "tenderUpdate",  # the bids, published at opening (issue 16)
        "award",
        "contract",
        "contractAmendment",
        "implementation",
    ]
    package = ocds.release_package(rels, at(2025, 6, 1), "https://example.org/p.json")
    assert ocds.errors(package) == []
    recs = selectors.records([rels[0]["ocid"]], "https://example.org/p.json")
    rp = ocds.record_package(recs, at(2025, 6, 1), "https://example.org/r.json")
    assert ocds.errors(rp, "record-package") == []
    compiled = recs[0]["compiledRelease"]
    assert compiled["contracts"][0]["value"]["amount"] == 7_500
    assert len(compiled["bids"]["details"]) == 3
    assert Event.objects.filter(action="procurement.contract.amended").count() == 1
    opened = rels[1]
    assert len(opened["bids"]["details"]) == 3 and "awards" not in opened


def test_pub4_validation_catches_a_broken_release(setup):
    tender, *_ = process(setup)
    rel = dict(Release.objects.filter(tender=tender).last().data)
    rel["bids"] = {"details": [{"id": "1", "status": "won"}]}  # not a bidStatus code
    del rel["ocid"]
    package = ocds.release_package([rel], at(2025, 6, 1), "https://example.org/p.json")
    problems = ocds.errors(package)
    assert any("ocid" in p for p in problems)
    assert any("releases/0/bids/details/0/status" in p for p in problems)

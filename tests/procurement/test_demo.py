"""The demo year (one test: loading it costs seconds): about 200 processes, idempotent; every
planted red flag found; the lawful twins not flagged; the whole export (release package and
record package) validates against the local schemas; no person's name in the open data."""

import pytest
from django.utils import timezone

from wuquan.procurement import demo, exports, flags, ocds, selectors
from wuquan.procurement.models import Release, Tender

PLANTED = [
    "FIN-6-fewer-than-3-valid-bids",
    "FIN-6-tender-period-below-legal-minimum",
    "FIN-10-contract-raised-or-changed-often",
    "FIN-6-tenderers-linked",
    "R003",
    "R018",
    "R028",
    "R030",
    "R035",
    "R036",
]
TWINS = {
    "twin:few-bids": ["FIN-6-fewer-than-3-valid-bids", "R018"],
    "twin:short-period": ["FIN-6-tender-period-below-legal-minimum", "R003"],
    "twin:contract": ["FIN-10-contract-raised-or-changed-often"],
    "twin:village": ["FIN-6-tender-period-below-legal-minimum", "R003"],
}


@pytest.mark.django_db
def test_demo_year_planted_flags_found_twins_not_and_export_validates(monkeypatch, demo_org):
    from wuquan.decisions import demo as decisions_demo
    from wuquan.workdays import demo as workdays_demo

    workdays_demo.load(None)
    decisions_demo.load(None)
    planted: dict[str, list[int]] = {}
    original = demo._plant

    def plant(world, name, tender):
        planted.setdefault(name, []).append(tender.pk)
        original(world, name, tender)

    monkeypatch.setattr(demo, "_plant", plant)
    demo.load(None)
    n = Tender.objects.count()
    assert demo.ORDINARY + 20 <= n <= demo.ORDINARY + 40  # the ordinary year and the planted cases
    demo.load(None)
    assert Tender.objects.count() == n  # idempotent

    report = flags.report()

    def flagged(code):
        return {r.tender_id for r in report.rows if r.code == code}

    for code in PLANTED:
        assert set(planted[code]) <= flagged(code), code
    split = [r for r in report.rows if r.code == "FIN-5-split-purchase"]
    assert [sorted(r.inputs["tenders"]) for r in split] == [sorted(planted["FIN-5-split-purchase"])]
    concentration = [r for r in report.rows if r.code == "FIN-6-winner-concentration"]
    assert [(r.inputs["wins"], r.inputs["awards"]) for r in concentration] == [(5, 6)]
    for twin, codes in TWINS.items():
        for code in codes:
            assert not set(planted[twin]) & flagged(code), (twin, code)

    releases = list(Release.objects.order_by("date", "id").values_list("data", flat=True))
    package = ocds.release_package(releases, timezone.now(), "https://example.org/all.json")
    assert ocds.errors(package) == []
    ocids = sorted(set(Release.objects.values_list("ocid", flat=True)))
    assert len(selectors.records(ocids, "https://example.org/all.json")) == n
    exports.record_package(ocids, "https://example.org/records.json")  # raises if invalid
    text = str(releases)
    assert "赵某0" not in text and "韩某" not in text

"""FIN-7: registers of assets and resources set from a 清产核资 batch, reconciliation with the
books, disposals on six-step matters and the township exchange; the Excel export."""

from datetime import date

import pytest

from wuquan.collective import rules, selectors, services
from wuquan.collective.models import Asset, InventoryStatus
from wuquan.common.exceptions import InvalidInput, RuleViolation
from wuquan.ledger.models import Event

from .helpers import at, book, matter
from .part2 import ITEMS, REGISTER_OPENING, register

WHEN = at(2025, 6, 30)


@pytest.fixture
def rbook(users):
    return book(users, opening=REGISTER_OPENING)


def test_fin7_inventory_counted_published_confirmed_sets_register(rbook, users):
    batch = services.do_count_inventory(
        rbook, "2025年清产核资", date(2024, 12, 31), ITEMS, actor=users["centre"], at=at(2025, 1, 5)
    )
    assert batch.status == InventoryStatus.COUNTED and not Asset.objects.exists()
    m = matter(rbook.unit, "确认清产核资结果")
    with pytest.raises(RuleViolation):  # members see it first
        services.do_confirm_inventory(batch, m, actor=users["centre"], at=at(2025, 1, 6))
    services.do_publish_inventory(batch, actor=users["centre"], at=at(2025, 1, 6))
    void = matter(rbook.unit, "未经六步", valid=False)
    with pytest.raises(RuleViolation) as exc:
        services.do_confirm_inventory(batch, void, actor=users["centre"], at=at(2025, 1, 7))
    assert exc.value.field == "matter"
    services.do_confirm_inventory(batch, m, actor=users["centre"], at=at(2025, 1, 20))
    assert Asset.objects.filter(book=rbook).count() == 3
    land = Asset.objects.get(code="ZY-001")
    assert land.area_mu == pytest.approx(120.5) and land.get_asset_class_display() == "资源性资产"
    actions = set(Event.objects.values_list("action", flat=True))
    assert {
        "collective.inventory.counted",
        "collective.inventory.published",
        "collective.inventory.confirmed",
    } <= actions


def test_fin7_resource_needs_area_and_errors_name_the_row(rbook, users):
    bad = [dict(ITEMS[0], area_mu="0")]
    with pytest.raises(InvalidInput) as exc:
        services.do_count_inventory(
            rbook, "清查", date(2024, 12, 31), [{**bad[0], "_row": 3}], actor=users["centre"]
        )
    assert exc.value.field == "file" and "第 3 行" in exc.value.message


def test_fin7_register_mismatch_breach_and_lawful_twin(rbook, users):
    register(rbook, users)
    rows = {r["account"].code: r for r in selectors.register_totals(rbook)}
    assert rows["1301"]["difference"] == 0 and rows["1302"]["difference"] == 0
    assert list(rules.register_breaches(WHEN, {})) == []
    services.do_register_asset(
        rbook,
        {
            "code": "JY-002",
            "name": "拖拉机",
            "asset_class": "operating",
            "original_value": 5_000_000,
            "account": "1301",
        },
        [("发票.pdf", b"%PDF-1.4 invoice")],
        actor=users["centre"],
        at=at(2025, 2, 1),
    )
    found = list(rules.register_breaches(WHEN, {}))
    assert [f.key for f in found] == ["account:1301"]
    assert found[0].inputs["register"] - found[0].inputs["books"] == 5_000_000


def test_fin7_disposal_thresholds(rbook, users):
    register(rbook, users)
    store = Asset.objects.get(code="JY-001")  # net 680,000 yuan: above both thresholds
    with pytest.raises(RuleViolation) as exc:
        services.do_dispose_asset(store, date(2025, 6, 1), 70_000_000, actor=users["centre"])
    assert exc.value.field == "matter"
    m = matter(rbook.unit, "出售库房")
    with pytest.raises(RuleViolation) as exc:
        services.do_dispose_asset(
            store, date(2025, 6, 1), 70_000_000, actor=users["centre"], matter=m
        )
    assert exc.value.field == "exchange_ref" and exc.value.code == "FIN-7-property-exchange"
    services.do_dispose_asset(
        store,
        date(2025, 6, 1),
        70_000_000,
        actor=users["centre"],
        matter=m,
        exchange_ref="JL-2025-0001",
    )
    store.refresh_from_db()
    assert store.status == "disposed"


def test_fin7_small_disposal_needs_no_matter(rbook, users):
    services.do_register_asset(
        rbook,
        {
            "code": "JY-9",
            "name": "旧水泵",
            "asset_class": "operating",
            "original_value": 100_000,
            "depreciation": 90_000,
            "account": "1301",
        },
        actor=users["centre"],
    )
    a = services.do_dispose_asset(
        Asset.objects.get(code="JY-9"), date(2025, 6, 1), 5_000, actor=users["centre"]
    )
    assert a.status == "disposed"


def test_fin7_register_round_trips_through_excel(rbook, users, client):
    import io

    from openpyxl import Workbook

    register(rbook, users)
    wb = Workbook()
    ws = wb.active
    ws.append(selectors.REGISTER_COLUMNS)
    for row in selectors.register_rows(rbook):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    specs = services.parse_register(buf.getvalue(), "r.xlsx")
    assert [s["code"] for s in specs] == ["FJY-001", "JY-001", "ZY-001"]
    assert {s["asset_class"] for s in specs} == {"resource", "operating", "non_operating"}
    assert next(s for s in specs if s["code"] == "JY-001")["original_value"] == 80_000_000

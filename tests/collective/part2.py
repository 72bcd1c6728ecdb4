"""Set-up for the part-2 tests (issue 15): a register through a 清产核资 batch, contracts, the
district's tier settings and a completed procurement tender — all through the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from wuquan.collective import services

from .helpers import TZ, at, matter

PERSON_ID = "220203199001011230"
PERSON2_ID = "110101199003071233"
FIRM = "91220202MA0Y1D3M73"
SON_FIRM = "91220203MA0Y00001J"
FIRM2 = "91220203MA0Y00002M"

ITEMS = [
    {
        "code": "ZY-001",
        "name": "东大地耕地",
        "asset_class": "resource",
        "kind": "耕地",
        "area_mu": "120.50",
        "location": "韩屯村东",
        "boundaries": "东至河，西至路，南至林带，北至旧街村界",
        "status": "idle",
    },
    {
        "code": "JY-001",
        "name": "村集体库房",
        "asset_class": "operating",
        "kind": "房屋",
        "original_value": 80_000_000,
        "depreciation": 12_000_000,
        "account": "1301",
        "status": "idle",
    },
    {
        "code": "FJY-001",
        "name": "村部办公楼",
        "asset_class": "non_operating",
        "kind": "房屋",
        "original_value": 40_000_000,
        "depreciation": 6_000_000,
        "account": "1301",
    },
]
# the helpers' books open with no 固定资产; these balances make the register agree
REGISTER_OPENING = {
    "1001": 200_000,
    "1002": 30_000_000,
    "1301": 120_000_000,
    "1302": 18_000_000,
    "3001": 132_200_000,
}


def register(book, users, items=None, when=None):
    when = when or at(2025, 1, 5)
    batch = services.do_count_inventory(
        book, "2025年清产核资", date(2024, 12, 31), items or ITEMS, actor=users["centre"], at=when
    )
    services.do_publish_inventory(batch, actor=users["centre"], at=when)
    m = matter(book.unit, "确认2025年清产核资结果")
    services.do_confirm_inventory(batch, m, actor=users["centre"], at=when)
    return batch


def tiers():
    from wuquan.org.models import Unit
    from wuquan.procurement import services as procurement

    procurement.do_set_tiers(
        Unit.objects.get(code="longtan"),
        date(2024, 1, 1),
        actor="test",
        source="测试",
        deputy_limit_fen=100_000_000,
        head_limit_fen=150_000_000,
        open_tender_fen=200_000_000,
        works_tender_fen=400_000_000,
        key_project_fen=1_000_000_000,
        village_limit_fen=10_000_000,
        township_limit_fen=50_000_000,
    )


def tender(unit, amount=20_000_000, category="works", firm=FIRM):
    """A completed tender of the village (request → approval → tender → bid → award)."""
    from wuquan.procurement import services as procurement
    from wuquan.procurement.models import Method

    t0 = datetime(2025, 3, 1, 9, tzinfo=TZ)
    req = procurement.do_create_request(
        unit,
        "村道硬化工程",
        category,
        "B0101",
        amount,
        actor="test",
        requested_on=t0.date(),
        at=t0,
    )
    procurement.do_approve_request(req, actor="test", head_consent=True, at=t0)
    req.refresh_from_db()
    t = procurement.do_open_tender(
        req,
        "村道硬化工程",
        req.required_method or Method.INVITED,
        t0,
        t0 + timedelta(days=20),
        actor="test",
        via_trading_centre=req.via_trading_centre,
        at=t0,
    )
    f = procurement.ensure_firm(firm, "吉林某建设有限公司")
    bid = procurement.do_receive_bid(t, f, amount, t0 + timedelta(days=5), actor="test", at=t0)
    procurement.do_evaluate(t, "a" * 64, actor="test", at=t0 + timedelta(days=21))
    procurement.do_award(t, bid, actor="test", at=t0 + timedelta(days=21))
    t.refresh_from_db()
    return t


def contract(
    book,
    users,
    *,
    number="HT-2025-001",
    kind="lease",
    asset=None,
    amount=3_000_000,
    start=date(2025, 3, 1),
    end=date(2028, 2, 28),
    schedule=None,
    person=True,
    when=None,
    valid=True,
    **kw,
):
    when = when or at(2025, 3, 1)
    m = kw.pop("m", None) or matter(book.unit, f"{number} 合同", valid=valid)
    if schedule is None:
        schedule = [(date(start.year + i, start.month, 1), amount // 3) for i in range(3)]
        schedule[-1] = (schedule[-1][0], amount - sum(f for _d, f in schedule[:-1]))
    return services.do_record_contract(
        book,
        number=number,
        kind=kind,
        title=kw.pop("title", "东大地耕地租赁"),
        counterparty=kw.pop("counterparty", "王小明" if person else "吉林某农业有限公司"),
        counterparty_id=kw.pop("counterparty_id", PERSON_ID if person else FIRM),
        amount=amount,
        signed_on=kw.pop("signed_on", start),
        start=start,
        end=end,
        matter=m,
        schedule=schedule,
        asset=asset,
        actor=kw.pop("actor", users["centre"]),
        at=when,
        **kw,
    )

"""Set-up for procurement tests, through the services."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from stdnum.cn import uscc as stdnum_uscc

from wuquan.org.models import Unit
from wuquan.procurement import sample, services
from wuquan.procurement.models import Category, Method, Tier

SH = ZoneInfo("Asia/Shanghai")
YUAN = 100


def uscc(n: int, authority: str = "9") -> str:
    """A valid 统一社会信用代码 numbered `n` (authority 9 = 市场监管, N = 农业农村)."""
    body = f"{authority}1220211MA{n:07d}"[:17]
    return body + stdnum_uscc.calc_check_digit(body)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def at(y, m, d, h=9) -> datetime:
    return datetime(y, m, d, h, tzinfo=SH)


def tiers(district: Unit | None = None):
    district = district or Unit.objects.get(code="longtan")
    return services.do_set_tiers(
        district,
        date(2025, 1, 1),
        actor="test",
        source="测试用阈值",
        deputy_limit_fen=10_000 * YUAN,
        head_limit_fen=50_000 * YUAN,
        open_tender_fen=2_000_000 * YUAN,
        works_tender_fen=4_000_000 * YUAN,
        key_project_fen=10_000_000 * YUAN,
        village_limit_fen=100_000 * YUAN,
        township_limit_fen=500_000 * YUAN,
    )


def firm(n: int, **kw):
    return services.ensure_firm(uscc(n), kw.pop("name", f"测试供应商{n}有限公司"), **kw)


def process(
    buyer: Unit,
    amount_yuan: int = 8_000,
    bids=(7_000, 7_500, 7_900),
    *,
    method=Method.QUOTATION,
    start=None,
    days=20,
    category=Category.GOODS,
    item_code="A0201",
    firms=None,
    award_index=0,
    title="办公设备采购",
):
    """A whole process: request → approve → tender → bids → evaluate → award → contract."""
    start = start or at(2025, 3, 3)
    req = services.do_create_request(
        buyer,
        title,
        category,
        item_code,
        amount_yuan * YUAN,
        actor="test",
        requested_on=start.date(),
        at=start - timedelta(days=2),
    )
    if req.tier in (Tier.COMMITTEE, Tier.CENTRAL):
        sample.decide(req, (start - timedelta(days=2)).date(), actor="test")
    services.do_approve_request(req, actor="test", head_consent=True, at=start - timedelta(days=1))
    tender = services.do_open_tender(
        req,
        title,
        method,
        start,
        start + timedelta(days=days),
        actor="test",
        via_trading_centre=req.via_trading_centre,
        at=start,
    )
    made = []
    for i, amount in enumerate(bids):
        f = firms[i] if firms else firm(i + 1)
        made.append(
            services.do_receive_bid(
                tender, f, amount * YUAN, start + timedelta(days=days - 1), actor="test"
            )
        )
    services.do_evaluate(
        tender, digest("评标报告"), actor="test", at=start + timedelta(days=days, hours=2)
    )
    award = None
    contract = None
    if made:
        award = services.do_award(
            tender, made[award_index], actor="test", at=start + timedelta(days=days + 1)
        )
        contract = services.do_sign_contract(
            award, actor="test", at=start + timedelta(days=days + 5)
        )
    return tender, made, award, contract

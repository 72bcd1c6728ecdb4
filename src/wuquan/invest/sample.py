"""A project's contract through the procurement services, for the demo, tests and the
benchmark: request (tagged with the project's `project_ref`) → tier approval (a passed
三重一大 decision where the tier needs one) → tender → three bids → evaluation → award →
contract. The district's tier thresholds are set first when none is in force."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from stdnum.cn import uscc as stdnum_uscc

from wuquan.procurement import sample as procurement_sample
from wuquan.procurement import services as procurement
from wuquan.procurement.models import Method, Tier, TierSetting
from wuquan.procurement.selectors import district_of

SH = ZoneInfo("Asia/Shanghai")
YUAN = 100


def at(d: date, hour: int = 9) -> datetime:
    return datetime.combine(d, time(hour), SH)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def uscc(n: int) -> str:
    body = f"91220203MA{n:07d}"[:17]
    return body + stdnum_uscc.calc_check_digit(body)


def ensure_tiers(unit, on: date, actor="demo") -> None:
    """The procurement demo's thresholds (those of 2025), from 2024, when none is in force."""
    district = district_of(unit)
    if TierSetting.objects.filter(district=district, valid_from__lte=on).exists():
        return
    procurement.do_set_tiers(
        district,
        date(2024, 1, 1),
        actor=actor,
        source="龙潭区物资采购分级审批办法（演示数据，以区政府正式文件为准）",
        deputy_limit_fen=10_000 * YUAN,
        head_limit_fen=50_000 * YUAN,
        open_tender_fen=2_000_000 * YUAN,
        works_tender_fen=4_000_000 * YUAN,
        key_project_fen=10_000_000 * YUAN,
        village_limit_fen=100_000 * YUAN,
        township_limit_fen=500_000 * YUAN,
    )


def contract_for(
    project,
    title: str,
    category: str,
    amount_fen: int,
    on: date,
    *,
    method: str | None = None,
    item_code: str = "B0701",
    actor="demo",
    firm_base: int = 9000,
):
    """A signed contract of `amount_fen` for `project`, its tender opened the day after `on`
    and the contract signed 28 days after `on`."""
    buyer = project.construction_unit
    ensure_tiers(buyer, on, actor)
    req = procurement.do_create_request(
        buyer,
        title,
        category,
        item_code,
        amount_fen,
        actor=actor,
        requested_on=on,
        project_ref=project.ref,
        at=at(on, 8),
    )
    if req.tier in (Tier.COMMITTEE, Tier.CENTRAL):
        procurement_sample.decide(req, on, actor=actor)
    if req.is_key_project:
        procurement.do_record_hearing(req, on, actor=actor, at=at(on, 15))
    procurement.do_approve_request(req, actor=actor, head_consent=True, at=at(on, 16))
    method = method or req.required_method or Method.OPEN
    start = at(on + timedelta(days=1))
    end = start + timedelta(days=21)
    tender = procurement.do_open_tender(
        req,
        title,
        method,
        start,
        end,
        actor=actor,
        via_trading_centre=req.via_trading_centre,
        by_central_centre=req.tier == Tier.CENTRAL,
        at=start,
    )
    bids = []
    for i, share in enumerate((100, 103, 107)):
        firm = procurement.ensure_firm(
            uscc(firm_base + (project.pk * 7 + i) % 997), f"龙潭第{i + 1}建设有限公司{project.pk}"
        )
        when = end - timedelta(hours=3 + i)
        bids.append(
            procurement.do_receive_bid(
                tender, firm, amount_fen * share // 100, when, actor=actor, at=when
            )
        )
    procurement.do_evaluate(
        tender, sha(title + "评标报告"), actor=actor, at=end + timedelta(hours=2)
    )
    winner = min(bids, key=lambda b: b.amount_fen)
    award = procurement.do_award(tender, winner, actor=actor, at=end + timedelta(days=1))
    return procurement.do_sign_contract(award, actor=actor, at=at(on + timedelta(days=28)))

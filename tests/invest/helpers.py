"""Shared set-up for the invest tests: the demo organisation's units, permissive tier
thresholds (so contracts need no 三重一大 meeting: the procurement rules are not under test
here), and a project with its approvals through the services."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from wuquan.invest import sample, services
from wuquan.invest.models import ApprovalKind, FundLevel, Sector
from wuquan.org.models import Unit
from wuquan.procurement import services as procurement

SH = ZoneInfo("Asia/Shanghai")
WAN = 1_000_000  # fen in 10 000 yuan
BIG = 10**13


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), SH)


def units() -> dict[str, Unit]:
    return {u.code: u for u in Unit.objects.all()}


def permissive_tiers() -> None:
    procurement.do_set_tiers(
        Unit.objects.get(code="longtan"),
        date(2020, 1, 1),
        actor="test",
        source="测试",
        deputy_limit_fen=BIG,
        head_limit_fen=BIG,
        open_tender_fen=BIG,
        works_tender_fen=BIG,
        key_project_fen=BIG,
        village_limit_fen=BIG,
        township_limit_fen=BIG,
    )


_n = [0]


def project(code=None, sector=Sector.WATER, owner="nongshui"):
    u = units()
    _n[0] += 1
    code = code or f"2025-220203-76-01-{900000 + _n[0]:06d}"
    return services.do_register_project(
        code,
        f"测试项目{_n[0]}",
        u[owner],
        u["xmjs"],
        sector,
        "江密峰镇",
        actor="test",
        funding=[(FundLevel.DISTRICT, 100 * WAN, None)],
        at=at(date(2025, 1, 2)),
    )


def approve(p, kind, on: date, amount=None, authority="fagai", actor="test"):
    return services.do_record_approval(
        p,
        kind,
        f"龙发改〔2025〕{kind}-{on.isoformat()}号",
        units()[authority],
        on,
        actor=actor,
        file_sha256=sample.sha(f"{p.pk}{kind}{on}"),
        amount_fen=amount,
        at=at(on),
    )


def approved_project(estimate=100 * WAN, budget=105 * WAN, sector=Sector.WATER, permit=True):
    """A project with 可研 (估算) on 2025-02-03, 初步设计 (概算) on 02-10 and, if `permit`,
    施工许可 on 02-20."""
    p = project(sector=sector)
    approve(p, ApprovalKind.FEASIBILITY, date(2025, 2, 3), estimate)
    approve(p, ApprovalKind.DESIGN, date(2025, 2, 10), budget)
    if permit:
        approve(p, ApprovalKind.CONSTRUCTION, date(2025, 2, 20))
    return p


def fund(sector=Sector.WATER, amount=500 * WAN, deadline=date(2025, 12, 31), code=None):
    _n[0] += 1
    return services.do_create_fund(
        code or f"ZX-T-{_n[0]}",
        f"测试专项资金{_n[0]}",
        FundLevel.CENTRAL,
        "测试用途",
        sector,
        deadline,
        amount,
        units()["caizheng"],
        actor="test",
        at=at(date(2025, 1, 5)),
    )

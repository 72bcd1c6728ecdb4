"""Demo (idempotent): a year (2025) of the district's procurement — about 200 processes of
district bodies, townships, villages and an investment project, all through the services in
a few transactions — with planted red flags, each found by the red-flag page, and their lawful
twins, not flagged (tests/procurement/test_demo.py checks both)."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from stdnum.cn import uscc as stdnum_uscc

from wuquan.org import roles
from wuquan.org.models import Post, Unit
from wuquan.org.services import ensure_staff

from . import sample, services
from .models import Category, Method, ProcurementRequest, Tier

SH = ZoneInfo("Asia/Shanghai")
YUAN = 100
ACTOR = "demo"
MARK = "demo:procurement-2025"
ORDINARY = 90  # lawful small purchases in the demo year

BUYERS = [
    "fagai",
    "caizheng",
    "minzheng",
    "nongshui",
    "shenji",
    "wulajie",
    "jiangmifeng",
    "hantun",
    "jiujie",
    "jmf-village",
]
ITEMS = [
    ("A0202", "办公家电", Category.GOODS),
    ("A0601", "办公家具", Category.GOODS),
    ("A0901", "办公用品", Category.GOODS),
    ("A1001", "农用物资", Category.GOODS),
    ("C0201", "印刷服务", Category.SERVICES),
    ("C0801", "物业服务", Category.SERVICES),
    ("B0701", "维修工程", Category.WORKS),
]
FIRM_NAMES = [
    "龙潭",
    "江城",
    "松花",
    "北山",
    "丰满",
    "船营",
    "昌邑",
    "永吉",
    "蛟河",
    "桦甸",
    "舒兰",
    "磐石",
    "乌拉",
    "江密峰",
    "金珠",
    "缸窑",
    "大口钦",
    "阿拉底",
    "土城子",
    "九站",
]
TRADES = ["商贸", "办公设备", "建筑工程", "印务", "物业管理"]


def _uscc(n: int, authority: str = "9") -> str:
    body = f"{authority}{'2' if authority == 'N' else '1'}220203MA{n:07d}"[:17]
    return body + stdnum_uscc.calc_check_digit(body)


def _at(d: date, hour: int = 9) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=SH)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class World:
    def __init__(self):
        self.district = Unit.objects.get(code="longtan")
        self.units = {u.code: u for u in Unit.objects.filter(code__in=BUYERS + ["xmjs"])}
        self.firms = []
        self.rng = random.Random(16)
        self.planted: dict[str, list[int]] = {}

    def firm(self, i: int):
        return self.firms[i % len(self.firms)]


def _settings(w: World) -> None:
    services.do_set_tiers(
        w.district,
        date(2025, 1, 1),
        actor=ACTOR,
        source="龙潭区物资采购分级审批办法（演示数据，以区政府正式文件为准）",
        deputy_limit_fen=10_000 * YUAN,
        head_limit_fen=50_000 * YUAN,
        open_tender_fen=2_000_000 * YUAN,
        works_tender_fen=4_000_000 * YUAN,
        key_project_fen=10_000_000 * YUAN,
        village_limit_fen=100_000 * YUAN,
        township_limit_fen=500_000 * YUAN,
    )
    for code, name in (("A0201", "计算机设备及软件"), ("A0203", "复印机、打印机")):
        services.do_add_catalog_entry(
            w.district,
            code,
            name,
            date(2025, 1, 1),
            actor=ACTOR,
            source="龙潭区2025年政府集中采购目录（演示数据）",
        )


def _firms(w: World) -> None:
    for i in range(40):
        place, trade = FIRM_NAMES[i % 20], TRADES[i % 5]
        authority = "N" if i >= 36 else "9"  # the last four are farmers' cooperatives
        name = (
            f"{place}农民专业合作社{i}"
            if authority == "N"
            else f"吉林市{place}{trade}有限公司{'' if i < 20 else '第二'}"
        )
        w.firms.append(
            services.ensure_firm(
                _uscc(1000 + i, authority),
                name,
                address=f"龙潭区{place}路{i + 1}号",
                phone=f"0432-6{i:03d}{i:04d}",
                legal_rep=f"{'赵钱孙李周吴郑王冯陈'[i % 10]}某{i}",
            )
        )


def _process(
    w: World,
    buyer: str,
    amount: int,
    bids: list[int],
    *,
    on: date,
    method=Method.QUOTATION,
    days: int = 7,
    item=ITEMS[0],
    firms=None,
    award=None,
    title=None,
    late=False,
    disqualify=(),
    project_ref="",
    cancel=False,
    document=True,
):
    """One process through the services; returns (tender, bids, contract)."""
    unit = w.units[buyer]
    code, name, category = item
    title = title or f"{unit.short_name or unit.name}{name}采购"
    req = services.do_create_request(
        unit,
        title,
        category,
        code + "01",
        amount * YUAN,
        actor=ACTOR,
        requested_on=on,
        project_ref=project_ref,
        at=_at(on, 8),
    )
    if req.tier in (Tier.COMMITTEE, Tier.CENTRAL):
        sample.decide(req, on, actor=ACTOR)
    if req.is_key_project:
        services.do_record_hearing(req, on, actor=ACTOR, at=_at(on, 15))
    services.do_approve_request(req, actor=ACTOR, head_consent=True, at=_at(on, 16))
    start = _at(on + timedelta(days=1))
    end = start + timedelta(days=days)
    tender = services.do_open_tender(
        req,
        title,
        method,
        start,
        end,
        actor=ACTOR,
        via_trading_centre=req.via_trading_centre,
        by_central_centre=req.tier == Tier.CENTRAL,
        at=start,
    )
    if document:
        services.do_add_document(
            tender,
            "招标文件",
            _sha(title + "招标文件"),
            actor=ACTOR,
            at=start + timedelta(minutes=5),
        )
    if cancel:
        services.do_cancel_tender(
            tender, "预算调整，终止采购", actor=ACTOR, at=start + timedelta(days=2)
        )
        return tender, [], None
    firms = firms or [w.firm(w.rng.randrange(40)) for _ in bids]
    made = []
    for i, (f, b) in enumerate(zip(firms, bids, strict=True)):
        when = end + timedelta(hours=3) if (late and i == 0) else end - timedelta(hours=2 + i)
        made.append(
            services.do_receive_bid(
                tender,
                f,
                b * YUAN,
                when,
                actor=ACTOR,
                valid_until=(end + timedelta(days=90)).date(),
                at=when,
            )
        )
    for i in disqualify:
        services.do_disqualify_bid(
            made[i], "资格证明文件不全", actor=ACTOR, at=end + timedelta(hours=4)
        )
    services.do_evaluate(tender, _sha(title + "评标报告"), actor=ACTOR, at=end + timedelta(hours=5))
    if not made:
        return tender, made, None
    valid = [b for b in made if b.status == "valid"]
    winner = made[award] if award is not None else min(valid, key=lambda b: b.amount_fen)
    a = services.do_award(tender, winner, actor=ACTOR, at=end + timedelta(days=1))
    contract = services.do_sign_contract(a, actor=ACTOR, at=end + timedelta(days=5))
    return tender, made, contract


def _plant(w: World, name: str, tender) -> None:
    w.planted.setdefault(name, []).append(tender.pk)


def _ordinary(w: World) -> None:
    """About 90 lawful small purchases across the year (quotation, 3–5 bids): enough for
    Cardinal's distributions, few enough for a quick `make demo`."""
    rng = w.rng
    day = date(2025, 1, 6)
    n = 0
    while n < ORDINARY:
        buyer = BUYERS[n % len(BUYERS)]
        item = rng.choice([ITEMS[0], ITEMS[1], ITEMS[2], ITEMS[4], ITEMS[5]])
        amount = rng.randrange(3_000, 45_000)
        k = rng.randrange(3, 6)
        base = amount * rng.uniform(0.80, 0.95)
        bids = sorted({int(base * rng.uniform(1.0, 1.12)) for _ in range(k)})
        firms = rng.sample(w.firms[:36], len(bids))
        tender, made, contract = _process(
            w,
            buyer,
            amount,
            bids,
            on=day,
            item=item,
            firms=firms,
            days=rng.randrange(5, 12),
            document=n % 4 == 0,
        )
        if n % 9 == 0 and contract is not None:
            services.do_record_payment(
                contract, contract.amount_fen // 2, actor=ACTOR, at=_at(day + timedelta(days=40))
            )
        n += 1
        day += timedelta(days=2 if n % 3 else 3)
        if day.year > 2025:
            day = date(2025, 1, 6)


def _planted(w: World) -> None:
    f = w.firms
    on = date(2025, 4, 14)
    # FIN-6 fewer than 3 valid bids (and Cardinal R018 would need one) — twin: three bids
    t, *_ = _process(
        w,
        "fagai",
        2_500_000,
        [2_380_000, 2_410_000],
        on=on,
        method=Method.OPEN,
        days=21,
        firms=[f[2], f[3]],
        title="区级政务信息平台运维服务（两家投标）",
        item=ITEMS[5],
    )
    _plant(w, "FIN-6-fewer-than-3-valid-bids", t)
    t, *_ = _process(
        w,
        "fagai",
        2_500_000,
        [2_300_000, 2_350_000, 2_450_000],
        on=on,
        method=Method.OPEN,
        days=21,
        firms=[f[4], f[5], f[6]],
        title="区级档案数字化服务（三家投标）",
        item=ITEMS[4],
    )
    _plant(w, "twin:few-bids", t)
    # FIN-6 short period + Cardinal R003 (open tender, 12 days) — twin: 20 days
    t, *_ = _process(
        w,
        "caizheng",
        2_200_000,
        [2_000_000, 2_050_000, 2_100_000],
        on=date(2025, 5, 12),
        method=Method.OPEN,
        days=12,
        firms=[f[7], f[8], f[9]],
        title="财政一体化系统升级（等标期12天）",
        item=ITEMS[4],
    )
    _plant(w, "FIN-6-tender-period-below-legal-minimum", t)
    _plant(w, "R003", t)
    t, *_ = _process(
        w,
        "caizheng",
        2_200_000,
        [2_000_000, 2_050_000, 2_100_000],
        on=date(2025, 6, 9),
        method=Method.OPEN,
        days=20,
        firms=[f[10], f[11], f[12]],
        title="财政票据系统升级（等标期20天）",
        item=ITEMS[4],
    )
    _plant(w, "twin:short-period", t)
    # FIN-5 split purchases: an investment project's four direct purchases of furniture
    for month in (3, 5, 7, 9):
        t, *_ = _process(
            w,
            "xmjs",
            600_000,
            [590_000],
            on=date(2025, month, 3),
            method=Method.DIRECT,
            days=3,
            firms=[f[13]],
            item=ITEMS[1],
            title=f"项目部办公家具（第{month}月）",
            project_ref="invest.project:demo-1",
        )
        _plant(w, "FIN-5-split-purchase", t)
    # FIN-10 contract raised 15 % — twin raised 5 %; changed twice in 90 days
    _, _, c = _process(
        w,
        "minzheng",
        40_000,
        [36_000, 37_000, 38_500],
        on=date(2025, 3, 3),
        firms=[f[14], f[15], f[16]],
        title="社区养老设施配置（合同增加15%）",
        item=ITEMS[0],
    )
    services.do_amend_contract(
        c, c.amount_fen * 115 // 100, "追加同类设备", actor=ACTOR, at=_at(date(2025, 4, 20))
    )
    _plant(w, "FIN-10-contract-raised-or-changed-often", c.tender)
    _, _, c = _process(
        w,
        "minzheng",
        40_000,
        [36_000, 37_000, 38_500],
        on=date(2025, 3, 10),
        firms=[f[17], f[18], f[19]],
        title="救助站物资配置（合同增加5%）",
        item=ITEMS[0],
    )
    services.do_amend_contract(
        c, c.amount_fen * 105 // 100, "追加同类设备", actor=ACTOR, at=_at(date(2025, 4, 25))
    )
    _plant(w, "twin:contract", c.tender)
    _, _, c = _process(
        w,
        "minzheng",
        30_000,
        [26_000, 27_000, 28_000],
        on=date(2025, 5, 5),
        firms=[f[20], f[21], f[22]],
        title="社区服务中心物业（90日内两次调价）",
        item=ITEMS[5],
    )
    services.do_amend_contract(
        c, c.amount_fen - 50_000, "调整服务面积", actor=ACTOR, at=_at(date(2025, 6, 10))
    )
    services.do_amend_contract(
        c, c.amount_fen + 20_000, "调整服务频次", actor=ACTOR, at=_at(date(2025, 8, 1))
    )
    _plant(w, "FIN-10-contract-raised-or-changed-often", c.tender)
    # FIN-6 winner concentration: 农业水利局 farm supplies, one cooperative wins 5 of 6
    for i in range(6):
        winner_first = i < 5
        firms = [f[37], f[38], f[39]] if winner_first else [f[38], f[37], f[39]]
        t, *_ = _process(
            w,
            "nongshui",
            20_000,
            [17_000 + i * 10, 18_000, 18_800],
            on=date(2025, 2 + i, 17),
            firms=firms,
            item=ITEMS[3],
            title=f"农业水利局农用物资（第{i + 1}批）",
        )
    _plant(w, "FIN-6-winner-concentration", t)
    # FIN-6 linked tenderers: two firms sharing a phone bid in one tender
    linked = services.ensure_firm(
        _uscc(2001),
        "吉林市龙潭同心商贸有限公司",
        address="龙潭区新城路8号",
        phone=f[23].phone,
        legal_rep="韩某",
    )
    t, *_ = _process(
        w,
        "fagai",
        30_000,
        [26_000, 26_500, 27_900],
        on=date(2025, 8, 4),
        firms=[f[23], linked, f[24]],
        title="会议室音响设备（投标人电话相同）",
        item=ITEMS[0],
    )
    _plant(w, "FIN-6-tenderers-linked", t)
    # Cardinal: R030 late bid won, R036 lowest bid disqualified, R028 identical prices,
    # R035 all but the winner disqualified, R018 single bid in an open tender
    t, *_ = _process(
        w,
        "shenji",
        30_000,
        [25_000, 27_000, 28_000],
        on=date(2025, 9, 1),
        firms=[f[25], f[26], f[27]],
        late=True,
        award=0,
        title="审计软件服务（逾期投标中标）",
        item=ITEMS[4],
    )
    _plant(w, "R030", t)
    t, *_ = _process(
        w,
        "shenji",
        30_000,
        [24_000, 27_000, 28_000],
        on=date(2025, 9, 8),
        firms=[f[28], f[29], f[30]],
        disqualify=(0,),
        title="审计档案装具（最低价被否决）",
        item=ITEMS[1],
    )
    _plant(w, "R036", t)
    t, *_ = _process(
        w,
        "wulajie",
        30_000,
        [26_000, 26_000, 28_000],
        on=date(2025, 9, 15),
        firms=[f[31], f[32], f[33]],
        title="镇政府办公用品（报价相同）",
        item=ITEMS[2],
    )
    _plant(w, "R028", t)
    t, *_ = _process(
        w,
        "jiangmifeng",
        30_000,
        [27_000, 25_000, 26_000],
        on=date(2025, 9, 22),
        firms=[f[34], f[35], f[0]],
        disqualify=(1, 2),
        award=0,
        title="镇综合服务中心家具（仅中标人有效）",
        item=ITEMS[1],
    )
    _plant(w, "R035", t)
    t, *_ = _process(
        w,
        "caizheng",
        2_100_000,
        [2_050_000],
        on=date(2025, 10, 13),
        method=Method.OPEN,
        days=20,
        firms=[f[1]],
        title="财政大楼节能改造设备（一家投标）",
        item=ITEMS[0],
    )
    _plant(w, "R018", t)
    _plant(w, "FIN-6-fewer-than-3-valid-bids", t)
    # a village project above the village's own level (township organises), lawful
    t, *_ = _process(
        w,
        "hantun",
        300_000,
        [270_000, 280_000, 290_000],
        on=date(2025, 6, 16),
        firms=[f[36], f[37], f[39]],
        method=Method.CONSULTATION,
        days=12,
        title="韩屯村村路维修工程",
        item=ITEMS[6],
    )
    _plant(w, "twin:village", t)
    # central catalog: computers go to the district procurement centre
    t, *_ = _process(
        w,
        "fagai",
        45_000,
        [41_000, 42_000, 43_500],
        on=date(2025, 7, 7),
        firms=[f[0], f[1], f[2]],
        item=("A0201", "计算机设备", Category.GOODS),
        title="发改局计算机（集中采购）",
    )
    _plant(w, "twin:central", t)
    # a cancelled tender
    t, *_ = _process(
        w,
        "jiujie",
        20_000,
        [],
        on=date(2025, 11, 3),
        cancel=True,
        title="旧街村文化广场设备（已终止）",
        item=ITEMS[0],
    )
    _plant(w, "cancelled", t)


def ensure_clerk():
    """The procurement clerk of 发改局 (`caigou`), who records the unit's purchases."""
    return ensure_staff(
        "caigou",
        "发改局采购经办 吴芳",
        Post.objects.get(unit__code="fagai", code="clerk"),
        [roles.HANDLER, roles.DEPUTY],
    )


def load(stdout) -> None:
    ensure_clerk()
    if ProcurementRequest.objects.filter(project_ref=MARK).exists():
        if stdout:
            stdout.write("procurement: demo data already loaded")
        return
    w = World()
    with transaction.atomic():
        _settings(w)
        _firms(w)
        services.do_create_request(
            w.district,
            "演示数据标记（采购年度计划）",
            Category.SERVICES,
            "C9901",
            1_000 * YUAN,
            actor=ACTOR,
            requested_on=date(2025, 1, 2),
            project_ref=MARK,
            at=_at(date(2025, 1, 2)),
        )
    with transaction.atomic():
        _planted(w)
    with transaction.atomic():
        _ordinary(w)
    if stdout:
        from .models import Tender

        stdout.write(f"procurement: {Tender.objects.count()} processes of 2025 loaded")

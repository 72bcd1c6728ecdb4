"""Demo (idempotent, through the services): six government investment projects of 2025 at
different stages and three special funds with allocations and disbursements (FIN-16..18,
SUP-7). Two breaches are planted — a works contract signed before the 初步设计及概算批复
(未批先建) and contracts above the approved 概算 — and each is found by its rule, nothing else
(tests/invest/test_demo.py). Accounts: `fagai-tz` (发改局投资科), `caizheng-zj` (财政局专项资金科),
`xmjs` (项目建设单位), and the org demo's `shenji` (审计) and `jiwei` (纪委)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from wuquan.org.models import Unit
from wuquan.org.services import ensure_post, ensure_post_account

from . import sample, services
from .models import (
    ApprovalKind,
    EstimateStage,
    FieldGroup,
    FundLevel,
    FundRole,
    GrantScope,
    InspectionKind,
    Project,
    ProjectRole,
    ProjectStatus,
    Sector,
)

ACTOR = "demo"
YUAN = 100
WAN = 10_000 * YUAN
MARK = "2025-220203-76-01-000010"
# planted breach -> (project code, rule code)
PLANTED = {
    "built-before-approval": ("2025-220203-48-01-000040", "FIN-16-built-before-approval"),
    "over-budget-estimate": ("2025-220203-48-01-000050", "FIN-16-spending-over-budget-estimate"),
}
ACCOUNTS = [
    ("fagai", "invest-clerk", "投资科科员", "fagai-tz", "发改局投资科 钱伟"),
    ("caizheng", "invest-clerk", "专项资金科科员", "caizheng-zj", "财政局专项资金科 孙红"),
    ("xmjs", "invest-clerk", "工程管理员", "xmjs", "项目建设单位工程管理员 郑刚"),
    ("shenji", "inspector", "审计巡查岗", "shenji", "审计局巡查员 周强"),
]
ALL_APPROVALS = [
    ApprovalKind.PROPOSAL,
    ApprovalKind.LAND_PREREVIEW,
    ApprovalKind.EIA,
    ApprovalKind.ENERGY,
    ApprovalKind.FEASIBILITY,
    ApprovalKind.PLANNING,
    ApprovalKind.LAND,
    ApprovalKind.DESIGN,
    ApprovalKind.TENDERING,
    ApprovalKind.CONSTRUCTION,
]
AUTHORITY = {
    ApprovalKind.LAND_PREREVIEW: "nongshui",
    ApprovalKind.LAND: "nongshui",
}
DOC = {
    ApprovalKind.PROPOSAL: "龙发改审批〔2025〕{n}号",
    ApprovalKind.FEASIBILITY: "龙发改审批〔2025〕{n}号",
    ApprovalKind.DESIGN: "龙发改审批〔2025〕{n}号",
    ApprovalKind.LAND_PREREVIEW: "龙自然资预审字〔2025〕{n}号",
    ApprovalKind.LAND: "龙自然资用地字〔2025〕{n}号",
    ApprovalKind.PLANNING: "建字第220203202500{n}号",
    ApprovalKind.EIA: "龙环审〔2025〕{n}号",
    ApprovalKind.ENERGY: "龙发改能审〔2025〕{n}号",
    ApprovalKind.CONSTRUCTION: "220203202500{n}0101",
    ApprovalKind.TENDERING: "龙发改招标核〔2025〕{n}号",
}


def ensure_accounts() -> dict[str, object]:
    users = {}
    for unit_code, post_code, post_name, username, name in ACCOUNTS:
        unit = Unit.objects.get(code=unit_code)
        post = ensure_post(unit, post_code, post_name, "B")
        users[username] = ensure_post_account(post, username, name)
    return users


class World:
    def __init__(self):
        self.units = {u.code: u for u in Unit.objects.all()}
        self.n = 0

    def doc(self, kind) -> str:
        self.n += 1
        return DOC[kind].format(n=self.n)


def _approve(w: World, project, kinds, on: date, amounts=None, step=3):
    """The approvals `kinds` from `on`, `step` days apart; returns the day after the last."""
    amounts = amounts or {}
    for kind in kinds:
        services.do_record_approval(
            project,
            kind,
            w.doc(kind),
            w.units[AUTHORITY.get(kind, "fagai")],
            on,
            actor=ACTOR,
            file_sha256=sample.sha(f"{project.code}:{kind}"),
            file_name=f"{ApprovalKind(kind).label}.pdf",
            amount_fen=amounts.get(kind),
            at=sample.at(on, 10),
        )
        on += timedelta(days=step)
    return on


def _project(w: World, code, name, owner, sector, location, funding):
    return services.do_register_project(
        code,
        name,
        w.units[owner],
        w.units["xmjs"],
        sector,
        location,
        actor=ACTOR,
        funding=funding,
        at=sample.at(date(2025, 1, 15)),
    )


def _duties(w: World, project, owner: str):
    for role, unit in (
        (ProjectRole.APPROVAL, "fagai"),
        (ProjectRole.INVESTMENT, "caizheng"),
        (ProjectRole.CONSTRUCTION, "xmjs"),
        (ProjectRole.SUPERVISION, "shenji"),
        (ProjectRole.ACCEPTANCE, owner),
    ):
        services.do_assign_duty(
            project,
            role,
            w.units[unit],
            date(2025, 2, 10),
            actor=ACTOR,
            at=sample.at(date(2025, 2, 10), 11),
        )


def _pay(w: World, allocation, contract, project, percent, certified, paid, on: date, n=1):
    cert = services.do_certify_progress(
        project,
        contract,
        f"JL-{project.pk:03d}-{n:02d}",
        percent,
        certified,
        on,
        w.units["xmjs"],
        actor=ACTOR,
        file_sha256=sample.sha(f"{project.code}:cert:{n}"),
        at=sample.at(on, 10),
    )
    return services.do_disburse(
        allocation,
        contract,
        paid,
        on + timedelta(days=5),
        actor=ACTOR,
        certificate=cert,
        at=sample.at(on + timedelta(days=5), 14),
    )


def _build(w: World) -> None:
    u = w.units
    funds = {}
    for code, name, level, purpose, sector, amount in (
        (
            "ZX-2025-SL-01",
            "2025年中央水利发展资金",
            FundLevel.CENTRAL,
            "灌区续建配套与节水改造",
            Sector.WATER,
            1500,
        ),
        (
            "ZX-2025-JT-01",
            "2025年省级农村公路建设补助资金",
            FundLevel.PROVINCIAL,
            "农村公路提质改造",
            Sector.TRANSPORT,
            1200,
        ),
        (
            "ZX-2025-WS-01",
            "2025年区级公共卫生服务能力提升专项资金",
            FundLevel.DISTRICT,
            "医疗卫生机构基础设施改造",
            Sector.HEALTH,
            400,
        ),
    ):
        fund = services.do_create_fund(
            code,
            name,
            level,
            purpose,
            sector,
            date(2026, 12, 31),
            amount * WAN,
            u["caizheng"],
            actor=ACTOR,
            source_doc=f"龙财预〔2025〕{len(funds) + 11}号",
            at=sample.at(date(2025, 1, 20)),
        )
        funds[sector] = fund
        for role, unit in (
            (FundRole.REVIEW, "caizheng"),
            (FundRole.DECISION, "longtan"),
            (FundRole.EVALUATION, "shenji"),
        ):
            services.do_assign_duty(
                fund,
                role,
                u[unit],
                date(2025, 1, 20),
                actor=ACTOR,
                at=sample.at(date(2025, 1, 20), 11),
            )

    # 1. 立项 only
    p1 = _project(
        w,
        MARK,
        "乌拉街镇农村饮水安全巩固提升工程",
        "wulajie",
        Sector.WATER,
        "乌拉街满族镇",
        [(FundLevel.DISTRICT, 180 * WAN, None)],
    )
    _approve(w, p1, [ApprovalKind.PROPOSAL], date(2025, 10, 15))
    # 2. 前期工作: 可研 with its 估算
    p2 = _project(
        w,
        "2025-220203-83-01-000020",
        "江密峰镇中心小学教学楼改扩建工程",
        "jiangmifeng",
        Sector.EDUCATION,
        "江密峰镇",
        [(FundLevel.BOND, 1200 * WAN, None)],
    )
    _approve(
        w,
        p2,
        [
            ApprovalKind.PROPOSAL,
            ApprovalKind.LAND_PREREVIEW,
            ApprovalKind.EIA,
            ApprovalKind.FEASIBILITY,
        ],
        date(2025, 6, 2),
        {ApprovalKind.FEASIBILITY: 1200 * WAN},
    )
    services.do_set_project_status(
        p2, ProjectStatus.PREPARATION, actor=ACTOR, at=sample.at(date(2025, 7, 1))
    )
    _duties(w, p2, "jiangmifeng")

    # 3. 在建, lawful: every approval, one works contract, a certificate and a disbursement
    p3 = _project(
        w,
        "2025-220203-76-01-000030",
        "龙潭区农田水利灌区续建配套工程",
        "nongshui",
        Sector.WATER,
        "江密峰镇、乌拉街满族镇",
        [
            (FundLevel.CENTRAL, 500 * WAN, funds[Sector.WATER]),
            (FundLevel.DISTRICT, 350 * WAN, None),
        ],
    )
    _duties(w, p3, "nongshui")
    after = _approve(
        w,
        p3,
        ALL_APPROVALS,
        date(2025, 2, 20),
        {ApprovalKind.FEASIBILITY: 800 * WAN, ApprovalKind.DESIGN: 850 * WAN},
    )
    c3 = sample.contract_for(p3, "灌区续建配套工程施工", "works", 600 * WAN, after)
    services.do_set_project_status(
        p3,
        ProjectStatus.IMPLEMENTATION,
        progress_percent=40,
        actor=ACTOR,
        at=sample.at(date(2025, 8, 1)),
    )
    a3 = services.do_allocate(
        funds[Sector.WATER],
        p3,
        500 * WAN,
        "龙财农指〔2025〕21号",
        date(2025, 6, 10),
        actor=ACTOR,
        at=sample.at(date(2025, 6, 10)),
    )
    _pay(w, a3, c3, p3, 40, 240 * WAN, 200 * WAN, date(2025, 9, 1))

    # 4. PLANTED 未批先建: the works contract is signed before the 初步设计及概算批复
    p4 = _project(
        w,
        PLANTED["built-before-approval"][0],
        "承德街道老旧小区改造工程",
        "chengde",
        Sector.URBAN,
        "承德街道",
        [(FundLevel.DISTRICT, 520 * WAN, None)],
    )
    _duties(w, p4, "chengde")
    _approve(
        w,
        p4,
        [ApprovalKind.PROPOSAL, ApprovalKind.FEASIBILITY],
        date(2025, 3, 3),
        {ApprovalKind.FEASIBILITY: 500 * WAN},
    )
    sample.contract_for(p4, "老旧小区改造工程施工", "works", 450 * WAN, date(2025, 4, 1))
    _approve(
        w,
        p4,
        [ApprovalKind.DESIGN, ApprovalKind.CONSTRUCTION],
        date(2025, 6, 16),
        {ApprovalKind.DESIGN: 520 * WAN},
    )
    services.do_set_project_status(
        p4,
        ProjectStatus.IMPLEMENTATION,
        progress_percent=25,
        actor=ACTOR,
        at=sample.at(date(2025, 7, 1)),
    )

    # 5. PLANTED over 概算: works and design-supervision contracts above the approved 概算
    p5 = _project(
        w,
        PLANTED["over-budget-estimate"][0],
        "龙潭区乡村道路提质改造工程",
        "jiangmifeng",
        Sector.TRANSPORT,
        "江密峰镇",
        [
            (FundLevel.PROVINCIAL, 800 * WAN, funds[Sector.TRANSPORT]),
            (FundLevel.OWN, 150 * WAN, None),
        ],
    )
    _duties(w, p5, "jiangmifeng")
    after = _approve(
        w,
        p5,
        ALL_APPROVALS,
        date(2025, 2, 24),
        {ApprovalKind.FEASIBILITY: 900 * WAN, ApprovalKind.DESIGN: 950 * WAN},
    )
    c5 = sample.contract_for(p5, "乡村道路提质改造工程施工", "works", 900 * WAN, after)
    sample.contract_for(
        p5,
        "乡村道路提质改造工程设计及监理",
        "services",
        80 * WAN,
        after + timedelta(days=3),
        item_code="C1801",
    )
    services.do_set_project_status(
        p5,
        ProjectStatus.IMPLEMENTATION,
        progress_percent=45,
        actor=ACTOR,
        at=sample.at(date(2025, 8, 1)),
    )
    a5 = services.do_allocate(
        funds[Sector.TRANSPORT],
        p5,
        800 * WAN,
        "龙财建指〔2025〕33号",
        date(2025, 6, 12),
        actor=ACTOR,
        at=sample.at(date(2025, 6, 12)),
    )
    _pay(w, a5, c5, p5, 45, 400 * WAN, 350 * WAN, date(2025, 9, 15))

    # 6. 竣工: contract paid in full, 预算 → 结算 → 决算
    p6 = _project(
        w,
        "2025-220203-84-01-000060",
        "龙潭区人民医院发热门诊改造工程",
        "longtan",
        Sector.HEALTH,
        "龙潭区",
        [(FundLevel.DISTRICT, 310 * WAN, funds[Sector.HEALTH])],
    )
    _duties(w, p6, "zwfw")
    after = _approve(
        w,
        p6,
        ALL_APPROVALS,
        date(2025, 1, 22),
        {ApprovalKind.FEASIBILITY: 300 * WAN, ApprovalKind.DESIGN: 310 * WAN},
        step=2,
    )
    c6 = sample.contract_for(p6, "发热门诊改造工程施工", "works", 290 * WAN, after)
    a6 = services.do_allocate(
        funds[Sector.HEALTH],
        p6,
        300 * WAN,
        "龙财社指〔2025〕8号",
        date(2025, 4, 1),
        actor=ACTOR,
        at=sample.at(date(2025, 4, 1)),
    )
    for stage, amount, on in (
        (EstimateStage.BUDGET, 295 * WAN, after),
        (EstimateStage.SETTLEMENT, 290 * WAN, date(2025, 11, 20)),
        (EstimateStage.FINAL, 290 * WAN, date(2025, 12, 10)),
    ):
        services.do_record_estimate(p6, stage, amount, on, actor=ACTOR, at=sample.at(on, 15))
    _pay(w, a6, c6, p6, 100, 290 * WAN, 290 * WAN, date(2025, 10, 20))
    services.do_set_project_status(
        p6,
        ProjectStatus.COMPLETION,
        progress_percent=100,
        actor=ACTOR,
        at=sample.at(date(2025, 12, 12)),
    )

    # inspections (SUP-7): 审计 on p3 with a problem rectified in time; 财政 on a fund; 发改 on p6
    services.do_file_inspection(
        p3,
        u["shenji"],
        InspectionKind.PROBLEM,
        date(2025, 10, 10),
        "抽查灌区工程进度款拨付资料，监理计量签证不全。",
        actor=ACTOR,
        problems=[("两期计量签证缺少监理工程师签字", date(2025, 11, 10))],
        at=sample.at(date(2025, 10, 10), 16),
    )
    problem = p3.inspections.get().problems.get()
    services.do_rectify_problem(
        problem,
        date(2025, 11, 3),
        "已补齐监理签字并重新归档。",
        actor=ACTOR,
        at=sample.at(date(2025, 11, 3), 10),
    )
    services.do_file_inspection(
        funds[Sector.WATER],
        u["caizheng"],
        InspectionKind.RECORD,
        date(2025, 11, 18),
        "专项资金下达、拨付与台账一致。",
        actor=ACTOR,
        at=sample.at(date(2025, 11, 18), 16),
    )
    services.do_file_inspection(
        p6,
        u["fagai"],
        InspectionKind.RECORD,
        date(2025, 12, 15),
        "竣工项目按批复内容建成，决算已录入。",
        actor=ACTOR,
        at=sample.at(date(2025, 12, 15), 16),
    )

    # graded access (FIN-18)
    for unit, fields in (
        (
            "fagai",
            [
                FieldGroup.APPROVALS,
                FieldGroup.ESTIMATES,
                FieldGroup.CONTRACTS,
                FieldGroup.INSPECTIONS,
            ],
        ),
        (
            "caizheng",
            [FieldGroup.MONEY, FieldGroup.ESTIMATES, FieldGroup.CONTRACTS, FieldGroup.INSPECTIONS],
        ),
        ("shenji", list(FieldGroup.values)),
    ):
        services.do_grant_access(
            u[unit], GrantScope.ALL, fields, actor=ACTOR, at=sample.at(date(2025, 1, 5))
        )


def load(stdout) -> None:
    ensure_accounts()
    if Project.objects.filter(code=MARK).exists():
        if stdout:
            stdout.write("invest: demo data already loaded")
        return
    with transaction.atomic():
        _build(World())
    if stdout:
        stdout.write(f"invest: {Project.objects.count()} projects, 3 special funds loaded")

"""A small self-contained approval world for tests, the benchmark and the docs: a window, a
licensing body with 承办/审核/分管 posts, a second body for the parallel review, one item whose
flow has a parallel pair (并联审批) and a conditional site check, its materials and a fee.

Idempotent (every object is found by its code first). Not the demo: `demo.py` uses the
catalog's 22 demo items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from wuquan.catalog import flows
from wuquan.catalog.models import (
    ApprovalItem,
    Fee,
    FeeKind,
    FlowStatus,
    FlowVersion,
    Material,
    MaterialReuse,
)
from wuquan.org import roles
from wuquan.org.models import Area, UnitKind
from wuquan.org.services import ensure_post, ensure_staff, ensure_unit


@dataclass
class World:
    item: ApprovalItem
    flow: FlowVersion
    fee: Fee
    materials: list[Material]
    users: dict


ROWS = [
    ("窗口受理", "受理", 1, "t-zwfw", "window", ""),
    ("承办审查", "审查", 3, "t-scjg", "chengban", "并联"),
    ("消防会审", "会商", 3, "t-xf", "chengban", "并联"),
    ("现场核查", "现场勘查", 1, "t-scjg", "chengban", "", "area_sqm > 500"),
    ("科长审核", "审核", 1, "t-scjg", "shenhe", ""),
    ("分管领导审批", "审批", 1, "t-scjg", "deputy-1", ""),
    ("制证送达", "送达", 0, "t-zwfw", "window", ""),
]


def build(code: str = "t-spjy", promised_days: int = 8) -> World:
    district = ensure_unit("t-district", "测试区", UnitKind.DISTRICT)
    zwfw = ensure_unit("t-zwfw", "测试区政务服务中心", UnitKind.DISTRICT_BODY, district)
    scjg = ensure_unit("t-scjg", "测试区市场监管局", UnitKind.DISTRICT_BODY, district)
    xf = ensure_unit("t-xf", "测试区消防大队", UnitKind.DISTRICT_BODY, district)
    window = ensure_post(zwfw, "window", "综合受理窗口", "B")
    chengban = ensure_post(scjg, "chengban", "审批科承办岗", "B")
    shenhe = ensure_post(scjg, "shenhe", "审批科科长", "B")
    deputy = ensure_post(
        scjg, "deputy-1", "副局长", "A", is_deputy=True, areas=[Area.APPROVAL, Area.ENFORCEMENT]
    )
    head = ensure_post(scjg, "head", "局长", "A", is_head=True)
    xf_chengban = ensure_post(xf, "chengban", "防火监督岗", "B")
    start = date(2024, 1, 1)
    users = {
        "window": ensure_staff("t-window", "窗口 李娜", window, [roles.WINDOW], start=start),
        "chengban": ensure_staff("t-chengban", "承办 王磊", chengban, [roles.HANDLER], start=start),
        "shenhe": ensure_staff("t-shenhe", "审核 陈静", shenhe, [roles.REVIEWER], start=start),
        "deputy": ensure_staff("t-deputy", "副局长 刘建国", deputy, [roles.DEPUTY], start=start),
        "head": ensure_staff("t-head", "局长 赵大海", head, [roles.HEAD], start=start),
        "xf": ensure_staff("t-xf", "消防 曹阳", xf_chengban, [roles.HANDLER], start=start),
    }
    item = ApprovalItem.objects.filter(code=code).first()
    if item is None:
        item = ApprovalItem.objects.create(
            code=code,
            name=f"测试食品经营许可（{code}）",
            unit=scjg,
            basis="《中华人民共和国食品安全法》第三十五条",
            promised_days=promised_days,
            legal_days=20,
            fees_text="按收费目录",
        )
        for k, (name, reuse) in enumerate(
            [
                ("食品经营许可申请书", MaterialReuse.NONE),
                ("营业执照复印件", MaterialReuse.RECORDS),
                ("场所布局平面图", MaterialReuse.NONE),
            ]
        ):
            Material.objects.create(item=item, name=name, reuse=reuse, sort=k)
    flow = item.published_flow()
    if flow is None:
        rows = [
            flows.StepRow(
                r[0], r[1], r[2], r[3], r[4], group=r[5], condition=r[6] if len(r) > 6 else ""
            )
            for r in ROWS
        ]
        xml = flows.build_bpmn(f"flow_{code.replace('-', '_')}", item.name, rows)
        errors = flows.validate(xml, promised_days)
        if errors:
            raise ValueError(errors)
        flow = FlowVersion.objects.create(
            item=item, number=1, bpmn_xml=xml, status=FlowStatus.PUBLISHED, published_by="sample"
        )
    fee = Fee.objects.filter(code=f"{code}-fee").first() or Fee.objects.create(
        kind=FeeKind.ADMINISTRATIVE,
        code=f"{code}-fee",
        name="证照工本费",
        basis="国家计委、财政部计价格〔1992〕1099号",
        payer="申请人",
        scope="发证时",
        amount=Decimal("10.00"),
        frequency="按件",
        term="长期",
        unit=scjg,
        item=item,
    )
    return World(item, flow, fee, list(item.materials.all()), users)

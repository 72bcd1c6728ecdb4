"""Demo catalog for Longtan: district bodies that approve, their posts and accounts, 22 approval
items with materials and published flows (并联 and conditional ones), fees, risk points and
discretion standards (CAT-1..9). Idempotent: a second run reuses everything by code.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from wuquan.org import roles
from wuquan.org.models import Area, Post, Unit, UnitKind
from wuquan.org.services import ensure_post, ensure_staff, ensure_unit

from . import flows, services
from .models import (
    ApprovalItem,
    DiscretionStandard,
    Fee,
    FlowStatus,
    FormField,
    Material,
    Power,
    PowerCategory,
    PowerLevel,
    RiskPoint,
)

ACTOR = "system:demo"
REASON = "演示数据：按区政府公布的行政审批项目目录录入"

# code, name, short name (bodies added here when org's demo does not have them)
BODIES = [
    ("scjg", "龙潭区市场监督管理局", "市场监管局"),
    ("zhujian", "龙潭区住房和城乡建设局", "住建局"),
    ("ziranziyuan", "龙潭区自然资源局", "自然资源局"),
    ("chengguan", "龙潭区城市管理行政执法局", "城管局"),
    ("jiaoyu", "龙潭区教育局", "教育局"),
    ("weijian", "龙潭区卫生健康局", "卫健局"),
    ("xiaofang", "龙潭区消防救援大队", "消防大队"),
]
APPROVING_UNITS = [b[0] for b in BODIES] + ["nongshui", "minzheng"]

PERSON_NAMES = {
    "scjg": ("王磊", "陈静", "刘建国"),
    "zhujian": ("张伟", "杨帆", "赵志刚"),
    "ziranziyuan": ("孙浩", "周敏", "吴国庆"),
    "chengguan": ("郑强", "冯丽", "何振华"),
    "jiaoyu": ("许文", "林晓", "高德明"),
    "weijian": ("马超", "韩雪", "宋立新"),
    "xiaofang": ("曹阳", "彭丹", "邓海峰"),
    "nongshui": ("谢军", "唐颖", "董春生"),
    "minzheng": ("袁博", "潘婷", "蒋卫东"),
}

COMPLAINT = "龙潭区纪委监委举报电话 12388；区政务服务中心投诉电话 0432-12345；龙潭区人民政府网站“阳光示权”栏目在线投诉"
RIGHTS = "申请人享有陈述、申辩权；对决定不服的，可自收到决定之日起六十日内向龙潭区人民政府申请行政复议，或六个月内向人民法院提起行政诉讼。"
COMMITMENT = (
    "一次告知、限时办结；材料齐全当场受理；超时默认、首问负责；不收取任何未列入收费目录的费用。"
)
WINDOW = "龙潭区政务服务中心一楼综合受理窗口（遵义东路 28 号）"

# (code, name, unit, category, law, article, promised, legal, materials, flow, fee, area)
# flow: "seq" | ("par", [other unit codes]) | ("cond", field, expr, step name)
ITEMS = [
    (
        "jsgcgh",
        "建设工程规划许可",
        "ziranziyuan",
        PowerCategory.LICENSING,
        "中华人民共和国城乡规划法",
        "第四十条",
        20,
        20,
        [
            "建设工程规划许可申请表",
            "建设项目用地批准文件",
            "建设工程设计方案总平面图",
            "使用土地的有关证明文件",
        ],
        ("par", ["zhujian", "xiaofang"]),
        None,
        Area.APPROVAL,
    ),
    (
        "spjy",
        "食品经营许可",
        "scjg",
        PowerCategory.LICENSING,
        "中华人民共和国食品安全法",
        "第三十五条",
        10,
        20,
        [
            "食品经营许可申请书",
            "营业执照复印件",
            "与食品经营相适应的主要设备设施布局、操作流程等文件",
            "食品安全自查、从业人员健康管理等规章制度",
        ],
        ("cond", "area_sqm", "area_sqm > 500", "经营场所现场核查"),
        None,
        Area.APPROVAL,
    ),
    (
        "lszydl",
        "临时占用城市道路审批",
        "chengguan",
        PowerCategory.LICENSING,
        "城市道路管理条例",
        "第三十一条",
        5,
        20,
        ["临时占用城市道路申请表", "占道平面示意图", "申请人身份证明"],
        "seq",
        "zdf",
        Area.APPROVAL,
    ),
    (
        "psxk",
        "城镇污水排入排水管网许可",
        "zhujian",
        PowerCategory.LICENSING,
        "城镇排水与污水处理条例",
        "第二十一条",
        10,
        20,
        ["排水许可申请表", "排水户内部排水管网、专用检测井等平面图", "排水水质检测报告"],
        "seq",
        None,
        Area.APPROVAL,
    ),
    (
        "mbxxsl",
        "民办学校设立审批",
        "jiaoyu",
        PowerCategory.LICENSING,
        "中华人民共和国民办教育促进法",
        "第十二条",
        30,
        60,
        [
            "申办报告",
            "举办者资格证明文件",
            "拟任校长及教师资格证明",
            "校舍产权或租赁证明",
            "资产及经费来源证明文件",
        ],
        ("par", ["xiaofang", "weijian"]),
        None,
        Area.APPROVAL,
    ),
    (
        "hwgg",
        "户外广告设施设置审批",
        "chengguan",
        PowerCategory.LICENSING,
        "城市市容和环境卫生管理条例",
        "第十一条",
        7,
        20,
        ["户外广告设置申请表", "设置地点实景照片及效果图", "场地使用权证明"],
        ("cond", "height_m", "height_m > 10", "结构安全审查"),
        None,
        Area.APPROVAL,
    ),
    (
        "dwfy",
        "动物防疫条件合格证核发",
        "nongshui",
        PowerCategory.LICENSING,
        "中华人民共和国动物防疫法",
        "第二十五条",
        15,
        20,
        [
            "动物防疫条件审查申请表",
            "场所地理位置图、各功能区布局平面图",
            "设施设备清单",
            "管理制度文本",
        ],
        "seq",
        None,
        Area.APPROVAL,
    ),
    (
        "ggcsws",
        "公共场所卫生许可",
        "weijian",
        PowerCategory.LICENSING,
        "公共场所卫生管理条例",
        "第八条",
        10,
        20,
        ["公共场所卫生许可申请表", "营业执照复印件", "卫生检测报告", "从业人员健康合格证明"],
        "seq",
        None,
        Area.APPROVAL,
    ),
    (
        "yplsxk",
        "药品零售企业许可",
        "scjg",
        PowerCategory.LICENSING,
        "中华人民共和国药品管理法",
        "第五十二条",
        15,
        30,
        [
            "药品经营许可证申请表",
            "执业药师资格证书",
            "经营场所和仓库平面布置图",
            "质量管理文件目录",
        ],
        ("cond", "cold_chain", "cold_chain == True", "冷链设施现场检查"),
        None,
        Area.APPROVAL,
    ),
    (
        "jzsgxk",
        "建筑工程施工许可",
        "zhujian",
        PowerCategory.LICENSING,
        "中华人民共和国建筑法",
        "第七条",
        7,
        15,
        [
            "建筑工程施工许可申请表",
            "建设工程规划许可证",
            "施工图设计文件审查合格书",
            "中标通知书及施工合同",
        ],
        ("par", ["xiaofang"]),
        None,
        Area.CONSTRUCTION,
    ),
    (
        "csdlwj",
        "挖掘城市道路审批",
        "chengguan",
        PowerCategory.LICENSING,
        "城市道路管理条例",
        "第三十条",
        5,
        20,
        ["挖掘城市道路申请表", "施工方案及交通疏导方案", "管线设计图"],
        "seq",
        "wjf",
        Area.APPROVAL,
    ),
    (
        "bzss",
        "殡葬设施建设审批",
        "minzheng",
        PowerCategory.LICENSING,
        "殡葬管理条例",
        "第八条",
        20,
        20,
        ["建设殡葬设施申请报告", "选址意见书", "环境影响评价文件"],
        ("par", ["ziranziyuan"]),
        None,
        Area.APPROVAL,
    ),
    (
        "sttdj",
        "社会团体成立登记",
        "minzheng",
        PowerCategory.CONFIRMATION,
        "社会团体登记管理条例",
        "第九条",
        30,
        60,
        ["登记申请书", "业务主管单位批准文件", "验资报告、场所使用权证明", "章程草案"],
        "seq",
        None,
        Area.APPROVAL,
    ),
    (
        "qsxk",
        "取水许可",
        "nongshui",
        PowerCategory.LICENSING,
        "取水许可和水资源费征收管理条例",
        "第十一条",
        20,
        45,
        ["取水许可申请书", "建设项目水资源论证报告书", "与第三者利害关系的说明"],
        ("cond", "volume_m3", "volume_m3 > 100000", "专家评审"),
        None,
        Area.APPROVAL,
    ),
    (
        "gtgsdj",
        "个体工商户设立登记",
        "scjg",
        PowerCategory.CONFIRMATION,
        "促进个体工商户发展条例",
        "第八条",
        3,
        15,
        ["个体工商户登记申请书", "经营者身份证明", "经营场所证明"],
        "seq",
        None,
        Area.APPROVAL,
    ),
    (
        "lhsmkf",
        "城市绿地、树木砍伐审批",
        "chengguan",
        PowerCategory.LICENSING,
        "城市绿化条例",
        "第二十条",
        10,
        20,
        ["砍伐树木申请表", "树木位置图及照片", "补植方案"],
        "seq",
        None,
        Area.APPROVAL,
    ),
    (
        "yyjgzy",
        "医疗机构执业登记",
        "weijian",
        PowerCategory.LICENSING,
        "医疗机构管理条例",
        "第十五条",
        30,
        45,
        [
            "医疗机构执业登记申请书",
            "设置医疗机构批准书",
            "医疗机构用房产权证明",
            "卫生技术人员名录及执业证书",
        ],
        ("par", ["xiaofang"]),
        None,
        Area.APPROVAL,
    ),
    (
        "xwpx",
        "校外培训机构设立审批",
        "jiaoyu",
        PowerCategory.LICENSING,
        "中华人民共和国民办教育促进法实施条例",
        "第十六条",
        20,
        30,
        ["设立申请书", "培训场所证明", "师资情况及资格证明", "章程及管理制度"],
        "seq",
        None,
        Area.APPROVAL,
    ),
    (
        "tdsyq",
        "临时用地审批",
        "ziranziyuan",
        PowerCategory.LICENSING,
        "中华人民共和国土地管理法",
        "第五十七条",
        15,
        20,
        ["临时用地申请书", "临时使用土地合同", "土地复垦方案"],
        "seq",
        None,
        Area.APPROVAL,
    ),
    (
        "xfyshb",
        "建设工程消防验收备案",
        "xiaofang",
        PowerCategory.CONFIRMATION,
        "建设工程消防设计审查验收管理暂行规定",
        "第三十四条",
        5,
        15,
        ["消防验收备案表", "工程竣工验收报告", "涉及消防的建设工程竣工图纸"],
        "seq",
        None,
        Area.APPROVAL,
    ),
    (
        "ncjmzj",
        "农村村民住宅用地审批",
        "ziranziyuan",
        PowerCategory.LICENSING,
        "中华人民共和国土地管理法",
        "第六十二条",
        20,
        20,
        ["农村宅基地和建房（规划许可）申请表", "村民小组会议记录", "宅基地使用承诺书"],
        ("cond", "area_sqm", "area_sqm > 200", "超标面积复核"),
        None,
        Area.APPROVAL,
    ),
    (
        "ypscjy",
        "小餐饮经营备案",
        "scjg",
        PowerCategory.CONFIRMATION,
        "吉林省食品小作坊小餐饮店小食杂店和食品摊贩管理条例",
        "第十八条",
        3,
        10,
        ["小餐饮备案登记表", "从业人员健康证明", "经营场所证明"],
        "seq",
        None,
        Area.APPROVAL,
    ),
]

FEES = [
    (
        "zdf",
        "城市道路占用费",
        "administrative",
        "chengguan",
        "城市道路管理条例第三十七条；吉林省价格主管部门核定的城市道路占用费标准（演示数据：文号未经核实，上线前由收费单位填写）",
        "吉收许字第 022001 号",
        "经批准临时占用城市道路的单位和个人",
        "龙潭区城区主次干道及人行道",
        Decimal("3.00"),
        "元/平方米·日",
        "按占用天数计收",
        "批准占用期间",
    ),
    (
        "wjf",
        "城市道路挖掘修复费",
        "administrative",
        "chengguan",
        "城市道路管理条例第三十三条",
        "吉收许字第 022002 号",
        "经批准挖掘城市道路的单位",
        "龙潭区城市道路",
        Decimal("280.00"),
        "元/平方米",
        "每次挖掘计收一次",
        "长期",
    ),
    (
        "bdcdj",
        "不动产登记费（住宅）",
        "administrative",
        "ziranziyuan",
        "国家发展改革委 财政部 发改价格规〔2016〕2559号",
        "吉收许字第 022010 号",
        "申请不动产登记的权利人",
        "住宅类不动产登记",
        Decimal("80.00"),
        "元/件",
        "每件一次",
        "长期",
    ),
    (
        "sjtsc",
        "施工图设计文件审查服务费",
        "commercial",
        "zhujian",
        "吉林省发展改革委有关放开收费的规定（市场调节价，明码标价；演示数据：文号未经核实，上线前由收费单位填写）",
        "",
        "建设单位",
        "房屋建筑和市政基础设施工程",
        Decimal("1.20"),
        "元/平方米",
        "每项工程一次",
        "工程审查期间",
    ),
    (
        "jcjy",
        "公共场所卫生检测费",
        "commercial",
        "weijian",
        "吉林省价格主管部门备案收费标准（经营服务性收费）",
        "",
        "申请公共场所卫生许可的经营者",
        "住宿、沐浴、美容美发等公共场所",
        Decimal("600.00"),
        "元/次",
        "每次检测",
        "许可申请期间",
    ),
]

PENALTIES = [
    (
        "scjg",
        "cf-wzjy",
        "对未取得食品经营许可从事食品经营活动的处罚",
        "中华人民共和国食品安全法",
        "第一百二十二条",
        [
            (
                "违法经营货值金额不足一万元",
                "一般",
                "没收违法所得和食品，并处五万元以上十万元以下罚款",
                50000,
                100000,
            ),
            ("货值金额一万元以上", "严重", "并处货值金额十倍以上二十倍以下罚款", None, None),
        ],
    ),
    (
        "chengguan",
        "cf-zydl",
        "对擅自占用城市道路的处罚",
        "城市道路管理条例",
        "第四十二条",
        [
            (
                "占用面积 10 平方米以下且及时改正",
                "轻微",
                "责令限期改正，可处二千元以下罚款",
                0,
                2000,
            ),
            ("占用面积 10 平方米以上或拒不改正", "一般", "处二千元以上二万元以下罚款", 2000, 20000),
        ],
    ),
    (
        "zhujian",
        "cf-wxkg",
        "对未取得施工许可证擅自施工的处罚",
        "中华人民共和国建筑法",
        "第六十四条",
        [
            ("已改正且未造成后果", "轻微", "责令改正，处工程合同价款百分之一的罚款", None, None),
            ("拒不改正", "严重", "处工程合同价款百分之二的罚款", None, None),
        ],
    ),
    (
        "weijian",
        "cf-wzggcs",
        "对未取得公共场所卫生许可证擅自营业的处罚",
        "公共场所卫生管理条例实施细则",
        "第三十五条",
        [
            ("擅自营业不足三个月", "一般", "警告，并处五百元以上五千元以下罚款", 500, 5000),
            ("擅自营业三个月以上", "严重", "处五千元以上三万元以下罚款", 5000, 30000),
        ],
    ),
    (
        "nongshui",
        "cf-wzqs",
        "对未经批准擅自取水的处罚",
        "中华人民共和国水法",
        "第六十九条",
        [
            (
                "取水量较小且主动停止",
                "一般",
                "责令停止违法行为，处二万元以上五万元以下罚款",
                20000,
                50000,
            ),
            (
                "拒不停止或造成水资源严重破坏",
                "严重",
                "处五万元以上十万元以下罚款，吊销取水许可证",
                50000,
                100000,
            ),
        ],
    ),
]


# The application-form fields each item asks for (issue 12, finding 2): the names are what the
# flow conditions read; people only ever see the label, unit and help text.
FORM_FIELDS = {
    "spjy": [
        (
            "area_sqm",
            "经营场所面积",
            "number",
            "平方米",
            "按营业执照或租赁合同填写；超过 500 平方米的须现场核查。",
            0,
            None,
        ),
    ],
    "hwgg": [
        (
            "height_m",
            "广告设施高度",
            "number",
            "米",
            "从地面到设施顶端；超过 10 米的须进行结构安全审查。",
            0,
            None,
        ),
    ],
    "yplsxk": [
        (
            "cold_chain",
            "经营冷藏冷冻药品",
            "bool",
            "",
            "经营疫苗、胰岛素等须冷链储存的药品时勾选。",
            None,
            None,
        ),
    ],
    "qsxk": [
        (
            "volume_m3",
            "年取水量",
            "number",
            "立方米",
            "按取水工程设计能力填写；超过 10 万立方米的须专家评审。",
            0,
            None,
        ),
    ],
    "ncjmzj": [
        (
            "area_sqm",
            "宅基地面积",
            "number",
            "平方米",
            "申请使用的宅基地面积；超过 200 平方米的须复核。",
            0,
            None,
        ),
    ],
}


def _form_fields(item: ApprovalItem) -> None:
    for k, (name, label, kind, unit, help_text, lo, hi) in enumerate(
        FORM_FIELDS.get(item.code, [])
    ):
        if item.form_fields.filter(name=name).exists():
            continue
        services.do_save(
            FormField(
                item=item,
                name=name,
                label=label,
                kind=kind,
                unit=unit,
                required=kind != "bool",
                help_text=help_text,
                min_value=lo,
                max_value=hi,
                sort=k,
            ),
            REASON,
            actor=ACTOR,
        )


def _staff_for(unit: Unit) -> None:
    """Approving posts for a body (承办 → 审核 → 审批 by a deputy with the approval area)."""
    chengban = ensure_post(
        unit, "chengban", "审批科承办岗", "B", duties="审查申请材料、现场核查、提出承办意见"
    )
    shenhe = ensure_post(unit, "shenhe", "审批科科长（审核岗）", "B", duties="审核承办意见")
    deputy = ensure_post(
        unit,
        "deputy-1",
        "副局长（分管行政审批、行政执法）",
        "A",
        is_deputy=True,
        areas=[Area.APPROVAL, Area.ENFORCEMENT],
    )
    ensure_post(
        unit,
        "head",
        "局长（主要负责人）",
        "A",
        is_head=True,
        duties="主持全面工作；不直接分管行政审批、财务、干部人事、建筑工程、物资采购",
    )
    names = PERSON_NAMES.get(unit.code, ("承办员", "审核员", "分管领导"))
    short = unit.short_name or unit.name
    ensure_staff(f"{unit.code}-chengban", f"{short}承办员 {names[0]}", chengban, [roles.HANDLER])
    ensure_staff(f"{unit.code}-shenhe", f"{short}审核员 {names[1]}", shenhe, [roles.REVIEWER])
    ensure_staff(f"{unit.code}-deputy", f"{short}副局长 {names[2]}", deputy, [roles.DEPUTY])


def _lane(unit_code: str, post_code: str) -> str:
    post = Post.objects.select_related("unit").get(unit__code=unit_code, code=post_code)
    return str(post)


def _rows(unit_code: str, flow, promised: int) -> list[flows.StepRow]:
    """A realistic step table fitting the promised limit."""

    def row(name, kind, days, u, p, **kw):
        return flows.StepRow(name, kind, days, u, p, _lane(u, p), **kw)

    # why: the window and delivery days are fixed (1 + 0); the rest splits the promise.
    body = promised - 1
    review, check, approve = max(body // 5, 1), max(body // 5, 1), max(body // 5, 1)
    handle = body - review - approve
    rows = [row("窗口受理", "受理", 1, "zwfw", "window", checkpoint=True)]
    if isinstance(flow, tuple) and flow[0] == "par":
        share = max(handle - check, 1)
        rows.append(row("承办审查", "审查", share, unit_code, "chengban", group="并联"))
        for other in flow[1]:
            other_name = Unit.objects.get(code=other).short_name
            rows.append(row(f"{other_name}会审", "会商", share, other, "chengban", group="并联"))
        handle -= share
        rows.append(row("综合审查", "审查", max(handle, 0), unit_code, "chengban"))
    elif isinstance(flow, tuple) and flow[0] == "cond":
        rows.append(row("承办审查", "审查", handle - check, unit_code, "chengban"))
        rows.append(row(flow[3], "现场勘查", check, unit_code, "chengban", condition=flow[2]))
    else:
        rows.append(row("承办审查", "审查", handle, unit_code, "chengban"))
    rows.append(row("科长审核", "审核", review, unit_code, "shenhe"))
    rows.append(row("分管领导审批", "审批", approve, unit_code, "deputy-1", checkpoint=True))
    rows.append(row("制证送达", "送达", 0, "zwfw", "window"))
    return rows


@transaction.atomic
def load(stdout=None) -> None:
    district = Unit.objects.get(code="longtan")
    for i, (code, name, short) in enumerate(BODIES, start=40):
        ensure_unit(code, name, UnitKind.DISTRICT_BODY, district, short_name=short, sort=i)
    for code in APPROVING_UNITS:
        _staff_for(Unit.objects.get(code=code))
    created = 0
    for (
        code,
        name,
        unit_code,
        category,
        law,
        article,
        promised,
        legal,
        materials,
        flow,
        fee,
        area,
    ) in ITEMS:
        unit = Unit.objects.get(code=unit_code)
        power = Power.objects.filter(code=f"qz-{code}").first()
        if power is None:
            power = services.do_save(
                Power(
                    code=f"qz-{code}",
                    name=name,
                    category=category,
                    level=PowerLevel.POST,
                    law=law,
                    article=article,
                    subject=unit.name,
                    unit=unit,
                    post=Post.objects.get(unit=unit, code="chengban"),
                ),
                REASON,
                actor=ACTOR,
            )
        item = ApprovalItem.objects.filter(code=code).first()
        if item is None:
            created += 1
            item = services.do_save(
                ApprovalItem(
                    code=code,
                    name=name,
                    power=power,
                    unit=unit,
                    basis=f"《{law}》{article}",
                    effective_from=date(2024, 1, 1),
                    area=area,
                    promised_days=promised,
                    legal_days=legal,
                    conditions=f"申请人符合《{law}》规定的条件，材料齐全、符合法定形式。",
                    fees_text="按收费目录收取，详见下表。" if fee else "不收费",
                    service_commitment=COMMITMENT,
                    rights=RIGHTS,
                    complaint_channel=COMPLAINT,
                    window=WINDOW,
                ),
                REASON,
                actor=ACTOR,
            )
            for k, m in enumerate(materials):
                reuse = "records" if "营业执照" in m or "规划许可证" in m else "none"
                services.do_save(
                    Material(
                        item=item,
                        name=m,
                        sort=k,
                        reuse=reuse,
                        form="复印件" if "复印件" in m else "原件",
                    ),
                    REASON,
                    actor=ACTOR,
                )
        _form_fields(item)
        if not item.flows.filter(status=FlowStatus.PUBLISHED).exists():
            xml = flows.build_bpmn(f"flow_{code}", f"{name}流程", _rows(unit_code, flow, promised))
            version = services.do_add_flow_version(item, xml, REASON, note="初始版本", actor=ACTOR)
            services.do_publish_flow(version, REASON, actor=ACTOR)
    for (
        code,
        name,
        kind,
        unit_code,
        basis,
        licence,
        payer,
        scope,
        amount,
        amount_unit,
        frequency,
        term,
    ) in FEES:
        if not Fee.objects.filter(code=code).exists():
            item = next((it[0] for it in ITEMS if it[10] == code), None)
            services.do_save(
                Fee(
                    code=code,
                    name=name,
                    kind=kind,
                    unit=Unit.objects.get(code=unit_code),
                    basis=basis,
                    licence=licence,
                    payer=payer,
                    scope=scope,
                    amount=amount,
                    amount_unit=amount_unit,
                    frequency=frequency,
                    term=term,
                    item=ApprovalItem.objects.get(code=item) if item else None,
                ),
                REASON,
                actor=ACTOR,
            )
    for unit_code, code, name, law, article, rows in PENALTIES:
        unit = Unit.objects.get(code=unit_code)
        if Power.objects.filter(code=code).exists():
            continue
        power = services.do_save(
            Power(
                code=code,
                name=name,
                category=PowerCategory.PENALTY,
                level=PowerLevel.UNIT,
                law=law,
                article=article,
                subject=unit.name,
                unit=unit,
                post=Post.objects.get(unit=unit, code="chengban"),
            ),
            REASON,
            actor=ACTOR,
        )
        for k, (violation, circ, rng, lo, hi) in enumerate(rows):
            services.do_save(
                DiscretionStandard(
                    power=power,
                    violation=violation,
                    circumstance=circ,
                    penalty_range=rng,
                    min_amount=lo,
                    max_amount=hi,
                    sort=k,
                    mitigating="主动消除或者减轻违法行为危害后果的；受他人胁迫有违法行为的；配合查处有立功表现的",
                    aggravating="一年内再次实施同类违法行为的；隐匿、销毁违法证据的；造成严重社会影响的",
                ),
                REASON,
                actor=ACTOR,
            )
        services.do_save(
            RiskPoint(
                unit=unit,
                power=power,
                post=Post.objects.get(unit=unit, code="chengban"),
                description=f"{name}中随意选择处罚幅度、以罚代管、人情执法",
                harm=3,
                likelihood=2,
                prevention="细化自由裁量基准并公开；执法人员廉政承诺；定期轮岗",
                in_process="处罚决定须经法制审核，罚款幅度偏离基准须书面说明理由；全程记录",
                after_fact="案卷评查；对群众举报及时核查，发现问题提醒、诫勉、追责",
            ),
            REASON,
            actor=ACTOR,
        )
        services.do_save(
            RiskPoint(
                unit=unit,
                post=Post.objects.get(unit=unit, code="deputy-1"),
                power=power,
                description="分管领导对处罚案件打招呼、说情干预",
                harm=3,
                likelihood=1,
                prevention="领导干部干预执法活动记录报告制度",
                in_process="重大处罚集体讨论决定",
                after_fact="纪委专项检查，违规干预依纪追责",
            ),
            REASON,
            actor=ACTOR,
        )
    if stdout is not None:
        stdout.write(
            f"catalog: {ApprovalItem.objects.count()} items ({created} new), "
            f"{Fee.objects.count()} fees, {Power.objects.count()} powers\n"
        )

"""Longtan District demo organisation: the district, the 18 bodies of 附件1, townships,
villages, a street and a community, leadership posts, and the demo accounts (ORG-1..4)."""

from __future__ import annotations

from . import roles
from .models import Area, UnitKind
from .services import ensure_post, ensure_roles, ensure_staff, ensure_unit

# The 18 district bodies of 附件1, in its order (ORG-1). (code, full name, short name)
DISTRICT_BODIES = [
    ("jiwei", "中共龙潭区纪律检查委员会", "纪委"),
    ("zuzhibu", "中共龙潭区委组织部", "区委组织部"),
    ("xuanchuanbu", "中共龙潭区委宣传部", "区委宣传部"),
    ("zhengfawei", "中共龙潭区委政法委员会", "区委政法委"),
    ("bianban", "龙潭区机构编制委员会办公室", "编办"),
    ("zwgk", "龙潭区政务公开办公室", "政务公开办"),
    ("zwfw", "龙潭区政务服务中心", "政务服务中心"),
    ("fazhiban", "龙潭区人民政府法制办公室", "法制办"),
    ("fagai", "龙潭区发展和改革局", "发改局"),
    ("caizheng", "龙潭区财政局", "财政局"),
    ("minzheng", "龙潭区民政局", "民政局"),
    ("nongshui", "龙潭区农业水利局", "农业水利局"),
    ("gonghui", "龙潭区总工会", "工会"),
    ("renda", "龙潭区人大常委会", "人大"),
    ("zhengxie", "政协龙潭区委员会", "政协"),
    ("jianchayuan", "龙潭区人民检察院", "检察院"),
    ("shenji", "龙潭区审计局", "审计局"),
    ("xmjs", "龙潭区政府投资项目建设单位", "项目建设单位"),
]

TOWNSHIPS = [
    ("wulajie", "乌拉街满族镇", UnitKind.TOWNSHIP, [("hantun", "韩屯村"), ("jiujie", "旧街村")]),
    ("jiangmifeng", "江密峰镇", UnitKind.TOWNSHIP, [("jmf-village", "江密峰村")]),
    ("chengde", "承德街道", UnitKind.STREET, []),
]

DEMO_PASSWORD = "wuquan2026"

# username, name, unit code, post code, roles — printed by `wuquan demo`.
ACCOUNTS = [
    ("admin", "系统管理员", None, None, [roles.ADMIN]),
    ("jiwei", "纪委监察员 赵明", "jiwei", "inspector", [roles.COMMISSION]),
    ("window", "窗口受理员 李娜", "zwfw", "window", [roles.WINDOW]),
    ("shenji", "审计局巡查员 周强", "shenji", "inspector", [roles.AUDIT]),
    ("sanzi", "三资中心会计 孙丽", "wulajie", "sanzi-accountant", [roles.SANZI_CENTRE]),
    (
        "cunjian",
        "韩屯村监委会主任 吴刚",
        "hantun",
        "supervision-chair",
        [roles.VILLAGE_SUPERVISION],
    ),
]


def _leadership(unit, head_title: str = "局长", deputy_title: str = "副局长"):
    """Head and deputies splitting the five hands-off areas among them (ORG-3, 附件3)."""
    ensure_post(
        unit,
        "head",
        f"{head_title}（主要负责人）",
        "A",
        is_head=True,
        duties="主持全面工作；不直接分管行政审批、财务、干部人事、建筑工程、物资采购（一把手“五个不直接管”）",
    )
    ensure_post(
        unit,
        "deputy-1",
        f"{deputy_title}（分管行政审批、行政执法）",
        "A",
        is_deputy=True,
        areas=[Area.APPROVAL, Area.ENFORCEMENT],
    )
    ensure_post(
        unit,
        "deputy-2",
        f"{deputy_title}（分管财务、物资采购、建筑工程）",
        "A",
        is_deputy=True,
        areas=[Area.FINANCE, Area.PROCUREMENT, Area.CONSTRUCTION],
    )
    ensure_post(
        unit,
        "deputy-3",
        f"{deputy_title}（分管干部人事）",
        "A",
        is_deputy=True,
        areas=[Area.PERSONNEL],
    )
    ensure_post(unit, "finance", "财务岗", "B")
    ensure_post(unit, "clerk", "综合岗", "C")


def load(stdout) -> None:
    ensure_roles()
    district = ensure_unit("longtan", "吉林市龙潭区", UnitKind.DISTRICT, sort=0)
    _leadership(district, "区长", "副区长")
    for i, (code, name, short) in enumerate(DISTRICT_BODIES, start=1):
        unit = ensure_unit(
            code,
            name,
            UnitKind.DISTRICT_BODY,
            district,
            short_name=short,
            sort=i,
            is_supervisory=code == "jiwei",
        )
        _leadership(unit)
    ensure_post(district.children.get(code="jiwei"), "inspector", "监察员", "B")
    ensure_post(district.children.get(code="shenji"), "inspector", "审计巡查岗", "B")
    zwfw = district.children.get(code="zwfw")
    ensure_post(zwfw, "window", "综合受理窗口", "B")
    for j, (code, name, kind, villages) in enumerate(TOWNSHIPS, start=100):
        town = ensure_unit(code, name, kind, district, sort=j)
        _leadership(
            town,
            "镇长" if kind == UnitKind.TOWNSHIP else "主任",
            "副镇长" if kind == UnitKind.TOWNSHIP else "副主任",
        )
        ensure_post(town, "sanzi-accountant", "三资代理服务中心会计", "B")
        # the township reviewers of village affairs bulletins (附件13 三(三)3; PUB-6)
        ensure_post(town, "civil-affairs", "民政科科员", "C")
        ensure_post(town, "agri-economics", "农经站站长", "B")
        ensure_post(town, "discipline", "乡镇纪委书记", "B")
        for k, (vcode, vname) in enumerate(villages, start=1):
            village = ensure_unit(vcode, vname, UnitKind.VILLAGE, town, sort=j * 100 + k)
            ensure_post(village, "secretary", "党支部书记", "A", is_head=True)
            ensure_post(
                village, "director", "村委会主任", "A", is_deputy=True, areas=[Area.FINANCE]
            )
            ensure_post(village, "accountant", "报账员", "B")
            ensure_post(village, "supervision-chair", "村务监督委员会主任", "B")
            ensure_post(village, "supervision-member", "村务监督委员会委员", "C")
    ensure_unit(
        "longhua", "龙华社区", UnitKind.COMMUNITY, district.children.get(code="chengde"), sort=1000
    )
    from .models import Post

    for username, name, unit_code, post_code, role_list in ACCOUNTS:
        post = Post.objects.get(unit__code=unit_code, code=post_code) if unit_code else None
        ensure_staff(
            username,
            name,
            post,
            role_list,
            password=DEMO_PASSWORD,
            is_superuser=username == "admin",
        )
    _enrol_demo_two_factor()


def _enrol_demo_two_factor() -> None:
    """The demo's commission, audit and administrator accounts get a TOTP device named "demo"
    (org/twofactor.py), so their second factor can be typed from `print_accounts`' secret or
    from `wuquan totp USERNAME`. Idempotent: a second run keeps the devices."""
    from django.contrib.auth import get_user_model

    from . import twofactor

    for user in get_user_model().objects.filter(username__in=[a[0] for a in ACCOUNTS]):
        if twofactor.needs_two_factor(user):
            twofactor.enrol_device(user, name=twofactor.DEMO_DEVICE, confirmed=True)


def print_accounts(stdout) -> None:
    from django.contrib.auth import get_user_model

    from .selectors import person_of, posts_held

    stdout.write(f"\n演示账号 demo accounts (password / 密码: {DEMO_PASSWORD})")
    for user in get_user_model().objects.filter(is_staff=True).order_by("id"):
        person = person_of(user)
        posts = ", ".join(str(p) for p in posts_held(person)) if person else ""
        groups = ", ".join(user.groups.values_list("name", flat=True))
        stdout.write(
            f"  {user.username:<14} {person.name if person else '':<16} {groups:<12} {posts}"
        )
    from . import twofactor

    devices = [
        (u.username, twofactor.confirmed_device(u))
        for u in get_user_model().objects.filter(is_staff=True).order_by("id")
        if twofactor.needs_two_factor(u)
    ]
    if devices:
        stdout.write(
            "\n双因素登录 two-factor (纪检监察/审计/系统管理员): 把密钥加入验证器 App，"
            "或运行 `wuquan totp 用户名` 取当前验证码"
        )
        for username, device in devices:
            if device is not None:
                stdout.write(f"  {username:<14} TOTP 密钥 secret: {twofactor.secret_of(device)}")
    stdout.write("")

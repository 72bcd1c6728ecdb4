"""Demo data of the portal (idempotent): every demo village's quarterly bulletins from 2026 Q1
to the last quarter due — one planted late (江密峰村, found by PUB-6-bulletin-late) — a
spokesperson per village with answered questions, answered suggestions beside bulletins, the
key-area catalog with published items, and the approving unit's own inspection (APR-10).

Accounts printed by `wuquan demo`: 韩屯村党支部书记 `hantun-shuji`, and 乌拉街镇 民政科
`wulajie-mz`, 农经站 `wulajie-nj`, 纪委 `wulajie-jw`; the 韩屯村 supervision chair is `cunjian`.
The other villages' and township's people act through accounts that cannot log in.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from wuquan.org.models import Person, Post, Unit, UnitKind

from . import services
from .models import Bulletin, KeyArea, KeyAreaEntry
from .rules import BULLETIN_LATE, _parse_quarter, _quarters

LATE_VILLAGE = "jmf-village"
STAFF = {  # (unit code, post code): (username, name) — printed demo logins
    ("hantun", "secretary"): ("hantun-shuji", "韩屯村党支部书记 郑国平"),
    ("wulajie", "civil-affairs"): ("wulajie-mz", "乌拉街镇民政科 何芳"),
    ("wulajie", "agri-economics"): ("wulajie-nj", "乌拉街镇农经站 马强"),
    ("wulajie", "discipline"): ("wulajie-jw", "乌拉街镇纪委书记 林涛"),
}
QUESTIONS = [
    (
        "今年村里的机动地是怎么发包的？",
        "按“六步工作法”经村民代表会议决议，公开竞价发包，结果已在村务公开栏张贴。",
    ),
    (
        "低保名单在哪里能看到？",
        "每季度在村部公开栏和本平台的村务公开简报中公布，本季度名单已公开。",
    ),
]
SUGGESTION = ("建议把简报同时张贴到各屯的公告栏。", "已采纳，下季度起在各屯公告栏同步张贴。")
KEY_AREAS = [
    (
        KeyArea.TENDERING,
        "xmjs",
        "政府投资工程招标公告和中标结果",
        "项目名称、招标方式、投标人数、中标人、中标金额",
        "区政府门户网站、阳光示权平台",
        "procurement-public:list",
    ),
    (
        KeyArea.PERSONNEL,
        "zuzhibu",
        "干部任前公示",
        "拟任人选姓名、现任职务、拟任职务、公示期限和举报方式",
        "阳光示权平台、单位公示栏",
        "personnel-public:notices",
    ),
    (
        KeyArea.PROCUREMENT,
        "caizheng",
        "政府采购结果",
        "采购项目名称、采购方式、供应商、成交金额",
        "中国政府采购网地方分网、阳光示权平台",
        "procurement-public:list",
    ),
]


def _tz_at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def _actor(post: Post, username: str | None = None, name: str | None = None):
    """A user whose person holds `post`: the printed demo account (staff, demo password) when
    `username` is given, else an account that cannot log in."""
    from wuquan.org.services import ensure_post_account

    return ensure_post_account(
        post,
        username or f"demo-{post.unit.code}-{post.code}",
        name or f"{post.unit.name}{post.name}",
        can_log_in=bool(username),
    )


def _people(village: Unit) -> dict:
    town = village.parent
    out = {}
    for unit, code, key in [
        (village, "supervision-chair", "chair"),
        (village, "secretary", "secretary"),
        (town, "civil-affairs", "civil"),
        (town, "agri-economics", "agri"),
        (town, "discipline", "discipline"),
    ]:
        post = Post.objects.get(unit=unit, code=code)
        username, name = STAFF.get((unit.code, code), (None, None))
        if (unit.code, code) == ("hantun", "supervision-chair"):
            username, name = "cunjian", "韩屯村监委会主任 吴刚"
        out[key] = _actor(post, username, name)
    return out


def _due_quarters(today: date):
    first = _parse_quarter(BULLETIN_LATE.thresholds["from_quarter"])
    current = (today.year, (today.month - 1) // 3 + 1)
    day = BULLETIN_LATE.thresholds["day_of_month"]
    return [
        (y, q)
        for y, q in _quarters(first, current)
        if services.quarter_bounds(y, q)[1].replace(day=day) < today
    ]


def _bulletin(village: Unit, people: dict, year: int, quarter: int, now: datetime) -> Bulletin:
    start, end = services.quarter_bounds(year, quarter)
    late = village.code == LATE_VILLAGE and (year, quarter) == _due_quarters(now.date())[-1]
    publish_at = _tz_at(end.replace(day=20 if late else 10))
    publish_at = min(publish_at, now - timedelta(minutes=5))
    drafted = publish_at - timedelta(days=6)
    books = services.finance_from_books(village, year, quarter)  # the 三资 books, when kept
    b = services.do_draft_bulletin(
        village,
        services.BulletinContent(
            title=f"{village.name}{year}年第{quarter}季度村务公开简报",
            party_affairs="召开党员大会1次，开展主题党日活动3次；确定入党积极分子1名。",
            village_affairs="低保金按月发放；宅基地审批2户；惠农补贴（耕地地力保护补贴）已通过一卡通发放到户。",
            finance_affairs=books["text"]
            if books
            else "本季度村集体收入3笔（机动地发包款、集体房屋租金、上级转移支付），支出5笔（道路维修、办公费、村干部报酬等），明细见月度财务公开。",
            economy="集体经济合作社本季度实现经营收入，较上年同期有所增长。",
            other_matters="“六步工作法”事项：村部维修，已完成决议公告。",
            cash_balance_fen=books["cash_fen"] if books else 80_000 + quarter * 1_234,
            deposit_balance_fen=books["deposit_fen"] if books else 12_345_600 + quarter * 250_000,
            meeting_at=publish_at + timedelta(days=2),
            meeting_place=f"{village.name}村部会议室",
        ),
        actor=people["chair"],
        year=year,
        quarter=quarter,
        at=drafted,
    )
    for i, who in enumerate(("secretary", "civil", "agri", "discipline"), start=1):
        b = services.do_review_bulletin(b, actor=people[who], at=drafted + timedelta(days=i))
    return services.do_publish_bulletin(b, actor=people["discipline"], at=publish_at)


def _ask_and_answer(target: str, question: str, answer: str, who, asked: datetime) -> None:
    inquiry, _code = services.do_submit_inquiry(
        services.InquiryInput(target=target, text=question), count_rate=False, at=asked
    )
    services.do_answer_inquiry(inquiry, answer, actor=who, at=asked + timedelta(days=1))


def _key_areas(now: datetime) -> None:
    for area, unit_code, title, content, method, live in KEY_AREAS:
        unit = Unit.objects.get(code=unit_code)
        entry = services.do_save_key_area_entry(
            KeyAreaEntry(
                area=area,
                title=title,
                content=content,
                publisher=unit,
                method=method,
                time_limit_working_days=20,
                basis="附件4；《政府信息公开条例》第二十六条",
                live_url_name=live,
            ),
            actor="system:demo",
            at=now - timedelta(days=90),
        )
        formed = (now - timedelta(days=60)).date()
        item = services.do_register_key_area_item(
            entry, f"{title}（{formed:%Y年%m月}）", formed, actor="system:demo", at=_tz_at(formed)
        )
        services.do_publish_key_area_item(
            item,
            f"{content}：详见本平台相关栏目。",
            actor="system:demo",
            at=_tz_at(formed + timedelta(days=7)),
        )


def _inspection(now: datetime) -> None:
    """The approving unit inspects its own open cases of the last month (APR-10)."""
    from wuquan.approvals import services as approvals
    from wuquan.approvals.models import Case, InspectionKind

    unit = Unit.objects.filter(code="scjg").first()
    if unit is None or not Case.objects.filter(unit=unit).exists():
        return
    deputy = Post.objects.filter(unit=unit, code="deputy-1").first()
    if deputy is None:
        return
    user = _actor(deputy)
    today = timezone.localdate(now)
    inspection = approvals.do_open_approval_inspection(
        unit,
        InspectionKind.IN_PROCESS,
        today - timedelta(days=40),
        today,
        3,
        actor=user,
        at=now - timedelta(minutes=3),
    )
    for pk in inspection.sample:
        approvals.do_record_inspection_finding(
            inspection,
            Case.objects.get(pk=pk),
            "ok",
            actor=user,
            note="材料齐全，环节按流程办理。",
            at=now - timedelta(minutes=2),
        )
    if inspection.sample:
        approvals.do_close_approval_inspection(
            inspection, actor=user, at=now - timedelta(minutes=1)
        )


def load(stdout) -> None:
    if Bulletin.objects.exists():
        if stdout is not None:
            stdout.write("村务公开：已存在，未重复生成")
        return
    now = timezone.now()
    villages = list(Unit.objects.filter(kind=UnitKind.VILLAGE).select_related("parent"))
    count = 0
    for village in villages:
        people = _people(village)
        spokesperson = services.do_appoint_spokesperson(
            village,
            Person.objects.get(user=people["chair"]),
            actor=people["discipline"],
            start=date(2026, 1, 1),
            at=_tz_at(date(2026, 1, 4)),
        )
        last = None
        for year, quarter in _due_quarters(now.date()):
            last = _bulletin(village, people, year, quarter, now)
            count += 1
        for i, (question, answer) in enumerate(QUESTIONS):
            _ask_and_answer(
                f"spokesperson:{village.code}",
                question,
                answer,
                Person.objects.get(pk=spokesperson.person_id).user,
                now - timedelta(days=20 - 5 * i),
            )
        if last is not None:
            _ask_and_answer(
                f"bulletin:{last.pk}", *SUGGESTION, people["secretary"], now - timedelta(days=8)
            )
    _key_areas(now)
    _inspection(now)
    if stdout is not None:
        stdout.write(
            f"村务公开：{count} 期简报（{LATE_VILLAGE} 最近一期故意逾期发布），"
            f"{len(villages)} 名发言人，问答与意见建议已答复；重点领域公开目录 {len(KEY_AREAS)} 项"
        )

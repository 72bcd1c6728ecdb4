"""Demo data (idempotent): 发改局's 三重一大 catalog and leadership, two past meetings with results
(one appointment by secret ballot), a village matter through the six steps, one void village
matter, and the meeting clerk account `huiyi`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from wuquan.org import roles
from wuquan.org.models import Person, Post, Unit
from wuquan.org.selectors import holders_of
from wuquan.org.services import do_appoint, ensure_staff

from . import services, village
from .models import Choice, MatterKind, Meeting, VillageMatter

SH = ZoneInfo("Asia/Shanghai")
BODY = [("head", "王建国"), ("deputy-1", "刘洋"), ("deputy-2", "陈静"), ("deputy-3", "张伟")]
CATALOG = [
    (MatterKind.MAJOR_DECISION, "年度工作计划和重大改革事项", "", None),
    (MatterKind.APPOINTMENT, "科级干部任免、推荐", "", None),
    (MatterKind.MAJOR_PROJECT, "政府投资项目立项审核", "", None),
    (MatterKind.LARGE_SUM, "单笔 5 万元以上资金使用", "预算内外单笔支出", Decimal("50000")),
]


def _body(unit: Unit) -> None:
    for post_code, name in BODY:
        post = Post.objects.get(unit=unit, code=post_code)
        if not holders_of(post, date(2025, 1, 1)).exists():
            do_appoint(Person.objects.create(name=name), post, date(2024, 1, 1), actor="system")


def _run_meeting(actor, unit, title, on, item_title, kind, votes, summary):
    meeting = services.do_create_meeting(unit, title, on, "局机关会议室", actor=actor)
    item = services.do_add_agenda_item(meeting, item_title, kind, "方案及说明", actor=actor)
    friday = services.materials_deadline(meeting)
    services.do_send_materials(
        item,
        at=datetime.combine(friday, datetime.min.time(), SH) + timedelta(hours=15),
        actor=actor,
    )
    services.do_record_attendance(
        meeting, meeting.members.values_list("person_id", flat=True), actor=actor
    )
    services.do_open_item(item, actor=actor)
    members = list(meeting.members.order_by("is_head", "id"))
    for member in members:
        services.do_make_statement(
            item, member, "同意" if not member.is_head else "综合意见，同意", actor=actor
        )
    services.do_start_vote(item, actor=actor)
    for member, choice in zip(members, votes, strict=True):
        services.do_cast_vote(item, member, choice, actor=actor)
    services.do_close_vote(
        item, at=datetime.combine(on, datetime.min.time(), SH) + timedelta(hours=11), actor=actor
    )
    services.do_file_with_superior(item, actor=actor)
    services.do_publish(item, summary, actor=actor)
    services.do_close_meeting(meeting, actor=actor)
    return item


def _village(actor) -> None:
    hantun = Unit.objects.get(code="hantun")
    if not VillageMatter.objects.filter(village=hantun, title="韩屯村村部维修工程").exists():
        matter = village.do_create_village_matter(
            hantun, "韩屯村村部维修工程", notice_days=5, actor=actor
        )
        d0 = date(2025, 4, 7)
        texts = [
            "支委会提出维修方案",
            "两委联席会议商议预算 12 万元",
            "党员大会审议通过",
            "议案在村务公开栏公告 5 日",
            "村民代表会议表决",
            "决议结果在公开栏公布",
        ]
        for n, (offset, text) in enumerate(zip([0, 2, 4, 5, 11, 12], texts, strict=True), start=1):
            extra = {}
            if n == 5:
                extra = dict(
                    assembly_kind="representatives",
                    eligible=35,
                    attended=30,
                    yes=26,
                    no=2,
                    abstain=2,
                )
            village.do_record_village_step(
                matter,
                n,
                d0 + timedelta(days=offset),
                "村两委成员、党员、村民代表",
                text,
                "会议记录.pdf",
                **extra,
                actor=actor,
            )
    jiujie = Unit.objects.get(code="jiujie")
    if not VillageMatter.objects.filter(village=jiujie, title="旧街村集体林地出租").exists():
        matter = village.do_create_village_matter(jiujie, "旧街村集体林地出租", actor=actor)
        village.do_record_village_step(
            matter, 1, date(2025, 5, 6), "支委会", "提议出租林地", actor=actor
        )
        village.do_record_village_step(
            matter,
            5,
            date(2025, 5, 9),
            "村民代表",
            "直接表决",
            assembly_kind="representatives",
            eligible=30,
            attended=22,
            yes=15,
            no=5,
            abstain=2,
            actor=actor,
        )


def load(stdout) -> None:
    fagai = Unit.objects.get(code="fagai")
    ensure_staff(
        "huiyi", "会议记录员 郑敏", Post.objects.get(unit=fagai, code="clerk"), [roles.HANDLER]
    )
    for kind, title, description, threshold in CATALOG:
        services.ensure_catalog_entry(fagai, kind, title, description, threshold, actor="demo")
    _body(fagai)
    if not Meeting.objects.filter(unit=fagai, title="2025年第12次党组会议").exists():
        _run_meeting(
            "demo",
            fagai,
            "2025年第12次党组会议",
            date(2025, 6, 16),
            "购置项目评审系统（38 万元）",
            MatterKind.LARGE_SUM,
            [Choice.YES, Choice.YES, Choice.NO, Choice.YES],
            "同意购置项目评审系统，预算 38 万元，按政府采购程序实施。",
        )
    if not Meeting.objects.filter(unit=fagai, title="2025年第15次党组会议").exists():
        item = _run_meeting(
            "demo",
            fagai,
            "2025年第15次党组会议",
            date(2025, 9, 8),
            "任命投资科科长",
            MatterKind.APPOINTMENT,
            [Choice.YES, Choice.YES, Choice.YES, Choice.ABSTAIN],
            "经无记名投票，同意任命李某为投资科科长。",
        )
        services.do_report_execution(
            item, "已按程序办理任职手续。", date(2025, 9, 20), actor="demo"
        )
    _village("demo")

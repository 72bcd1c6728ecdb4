"""Demo data of personnel (idempotent): the organisation department's account `zuzhibu`, two
complete selections in 发改局 (one district-reviewed), one refused for over-quota, a year of
personal-matters reports with a verifiable spot-check draw, planted flags (超职数, 突击提拔,
混岗, A类岗位超期, an imported selection out of order) and a planted conflict of interest (a
deputy director's son's firm applying to his own bureau), 一报告两评议 for 发改局.

Everything goes through the services; the supervision sweeps (run by supervision's demo and
`wuquan sweep`) raise the alarms."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from wuquan.common.exceptions import RuleViolation
from wuquan.org.models import Person, Post, Unit
from wuquan.org.services import (
    do_appoint,
    do_end_appointment,
    do_save_person,
    ensure_holder,
    ensure_post,
    ensure_staff,
)

from . import index, services
from .models import Finding, Outcome, Rank, Selection, SpotCheck, StaffingKind, Step

SH = ZoneInfo("Asia/Shanghai")
MARK = "（演示）"
SON_FIRM = "91220202MA0Y1D3M73"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, datetime.min.time(), SH) + timedelta(hours=hour)


def _person(name: str) -> Person:
    found = Person.objects.filter(name=name).first()
    return found or do_save_person(Person(name=name), actor="system:demo")


STEP = {"participants": "局党组成员、干部监督室", "documents": "会议记录、推荐票统计表"}


def _select(user, post, title, candidate, nominator, day: date, votes_yes=True):
    """One selection from 动议 to 任职, every step dated from `day`."""
    a = services
    sel = a.do_open_selection(
        post, title, actor=user, on=day, outcome="职位空缺，按条例启动选拔", at=_at(day), **STEP
    )
    d = day + timedelta(days=3)
    a.do_nominate(
        sel,
        candidate,
        nominator=nominator,
        kind="leader",
        reason="政治素质好，业务能力强，群众公认度高",
        signature=nominator.name,
        signed_on=d,
        actor=user,
        at=_at(d),
    )
    a.do_record_recommendation(
        sel, actor=user, on=d, outcome="会议推荐 18 票，谈话推荐 15 人", at=_at(d, 15), **STEP
    )
    d += timedelta(days=2)
    a.do_shortlist(sel, candidate, actor=user, on=d, outcome="确定为考察对象", at=_at(d), **STEP)
    check = sel.checks.get()
    a.do_conclude_check(
        check,
        Finding.CONSISTENT,
        Outcome.NONE,
        "与房产、投资查询结果一致",
        actor=user,
        at=_at(d, 15),
    )
    d += timedelta(days=5)
    a.do_record_inspection(
        sel, actor=user, on=d, outcome="个别谈话 20 人，考察结论：优秀", at=_at(d), **STEP
    )
    if sel.review_status:
        a.do_submit_review(sel, actor=user, at=_at(d, 15))
        a.do_decide_review(sel, True, "程序完整，同意", actor=user, at=_at(d + timedelta(days=1)))
    d += timedelta(days=4)
    _meeting(user, sel, d)
    a.do_record_decision(sel, actor=user, at=_at(d, 14))
    d += timedelta(days=1)
    a.do_publish_notice(sel, d, actor=user, at=_at(d))
    objection = a.do_file_objection(
        sel, "反映该同志工作作风问题，请核实。", at=_at(d + timedelta(days=1))
    )
    a.do_handle_objection(
        objection, "经核实，反映问题不属实", False, actor=user, at=_at(d + timedelta(days=2))
    )
    sel.refresh_from_db()
    end = sel.notice_end
    a.do_close_notice(sel, actor=user, on=end, participants="干部监督室", at=_at(end, 17))
    start = sel.notice_end + timedelta(days=1)
    a.do_appoint_candidate(sel, start, actor=user, participants="干部监督室", at=_at(start))
    a.do_archive_dossier(sel, actor=user, at=_at(start, 11))
    return sel


def _meeting(user, sel, day):
    from wuquan.decisions import services as decisions
    from wuquan.decisions.models import Choice

    meeting = decisions.do_create_meeting(
        sel.unit, f"局党组会议{MARK}", day, "局机关会议室", actor="huiyi"
    )
    item = services.do_request_decision(sel, meeting, actor=user, at=_at(day, 8))
    decisions.do_record_attendance(
        meeting, meeting.members.values_list("person_id", flat=True), actor="huiyi"
    )
    decisions.do_open_item(item, actor="huiyi")
    members = list(meeting.members.order_by("is_head", "id"))
    for member in members:
        decisions.do_make_statement(
            item, member, "同意" if not member.is_head else "综合大家意见，同意", actor="huiyi"
        )
    decisions.do_start_vote(item, actor="huiyi")
    for member in members:
        decisions.do_cast_vote(item, member, Choice.YES, actor="huiyi")
    decisions.do_close_vote(item, at=_at(day, 11), actor="huiyi")
    decisions.do_close_meeting(meeting, actor="huiyi")


def load(stdout) -> None:
    if Selection.objects.filter(title__endswith=MARK).exists():
        if stdout is not None:
            stdout.write("选拔任用：演示数据已存在，未重复生成")
        return
    zuzhibu = Unit.objects.get(code="zuzhibu")
    user = ensure_staff(
        "zuzhibu",
        "干部监督室 孙敏",
        ensure_post(zuzhibu, "cadre-supervision", "干部监督室", "B"),
        [],
    )
    fagai = Unit.objects.get(code="fagai")
    for code, name in [
        ("head", "王建国"),
        ("deputy-1", "刘洋"),
        ("deputy-2", "陈静"),
        ("deputy-3", "张伟"),
    ]:
        ensure_holder(Post.objects.get(unit=fagai, code=code), name, date(2024, 1, 1))
    planning = ensure_post(fagai, "planning-chief", "规划科科长", "B")
    invest = ensure_post(fagai, "invest-chief", "投资科科长", "B")
    office = ensure_post(fagai, "office-chief", "办公室主任", "B")
    deputy_sec = ensure_post(fagai, "planning-deputy", "规划科副科长", "C")
    finance = Post.objects.get(unit=fagai, code="finance")
    for post, rank, extra in [
        (planning, Rank.SECTION, {}),
        (invest, Rank.SECTION, {"district_reviewed": True, "restricted": True}),
        (office, Rank.SECTION, {}),
        (deputy_sec, Rank.DEPUTY_SECTION, {}),
        (finance, Rank.DEPUTY_SECTION, {}),
    ]:
        services.do_set_post_profile(post, actor=user, rank=rank, **extra)
    services.do_set_establishment(
        fagai,
        "正科级领导职数（规划、投资）",
        2,
        [planning, invest],
        actor=user,
        basis="龙编〔2024〕3号",
    )
    services.do_set_establishment(fagai, "办公室主任职数", 1, [office], actor=user)
    services.do_set_establishment(fagai, "副科级领导职数", 1, [deputy_sec], actor=user)

    # personal-matters reports for 2025 (filed January 2026)
    li, zhao, sun = _person("李明远"), _person("赵晓芳"), _person("孙志刚")
    nominator = Person.objects.filter(name="张伟").first() or _person("张伟")
    cadres = [*Person.objects.filter(name__in=["王建国", "刘洋", "陈静", "张伟"]), li, zhao, sun]
    cadres += [_person(n) for n in ["周文斌", "吴海燕", "郑立新", "冯晓东", "褚红梅"]]
    jiang = Person.objects.filter(name__contains="蒋卫东").first()
    if jiang is not None:
        cadres.append(jiang)
    for p in cadres:
        firms, relatives = [], [{"relation": "spouse", "name": f"{p.name}之配偶"}]
        if p == jiang:
            relatives.append({"relation": "child", "name": "蒋小龙"})
            firms = [
                {
                    "name": "龙潭小龙殡葬服务有限公司",
                    "uscc": SON_FIRM,
                    "role": "法定代表人",
                    "relative": 1,
                }
            ]
        services.do_file_report(
            p,
            2025,
            actor=user,
            submitted_on=date(2026, 1, 20),
            marital_status="married",
            children_count=1,
            houses=[{"address": "龙潭区某小区", "area_m2": 96}],
            investments=[{"name": "基金", "amount_yuan": 50000}],
            relatives=relatives,
            firms=firms,
            at=_at(date(2026, 1, 20)),
        )

    # two complete selections, one district-reviewed
    a = _select(user, planning, f"规划科科长选拔{MARK}", li, nominator, date(2026, 9, 1))
    b = _select(user, invest, f"投资科科长选拔{MARK}", zhao, nominator, date(2026, 10, 8))

    # 突击提拔 and the over-quota refusal: 孙志刚 promoted to 办公室主任 after 6 months
    first = do_appoint(sun, finance, date(2026, 2, 2), actor=user)
    do_end_appointment(first, date(2026, 7, 31), actor=user)
    do_appoint(sun, office, date(2026, 8, 1), actor=user)
    try:
        services.do_open_selection(
            office,
            f"办公室主任选拔（超职数）{MARK}",
            actor=user,
            on=date(2026, 11, 2),
            outcome="拟增配办公室主任",
            at=_at(date(2026, 11, 2)),
            **STEP,
        )
    except RuleViolation:
        pass  # refused and recorded (personnel.selection.refused)

    # 超职数配备 and 混岗 in the org data: two deputy section chiefs on a quota of one, one of
    # them on a 事业编制
    for name, kind in [
        ("周文斌", StaffingKind.ADMINISTRATIVE),
        ("吴海燕", StaffingKind.INSTITUTION),
    ]:
        p = _person(name)
        services.do_set_cadre_profile(p, kind, actor=user)
        do_appoint(p, deputy_sec, date(2025, 3, 1), actor=user)
    services.do_set_post_profile(deputy_sec, actor=user, staffing_kind=StaffingKind.ADMINISTRATIVE)

    # A类岗位超期未轮岗: a township approval office head in post since 2019
    wulajie = Unit.objects.get(code="wulajie")
    approval_head = ensure_post(wulajie, "approval-office", "镇便民服务中心主任（审批）", "A")
    if not approval_head.appointments.exists():
        do_appoint(_person("冯晓东"), approval_head, date(2019, 6, 1), actor=user)

    # history imported from the old system, with 考察 missing and 讨论决定 before 民主推荐
    services.do_import_selection(
        office,
        f"2022年办公室主任选拔（历史导入）{MARK}",
        [
            {"step": Step.MOTION, "on": date(2022, 3, 1)},
            {"step": Step.DECISION, "on": date(2022, 3, 8)},
            {"step": Step.RECOMMENDATION, "on": date(2022, 3, 10)},
            {"step": Step.APPOINTMENT, "on": date(2022, 3, 20)},
        ],
        actor="import:legacy",
        candidate=_person("褚红梅"),
        at=_at(date(2026, 11, 20)),
    )

    # the yearly spot-check draw, seeded by a signed checkpoint made after the opening
    from wuquan.ledger.services import do_create_checkpoint

    rnd = services.do_open_round(2025, 250, actor=user, at=_at(date(2026, 3, 2)))
    do_create_checkpoint()
    rnd = services.do_draw_round(rnd, actor=user, at=_at(date(2026, 3, 3)))
    random_checks = list(SpotCheck.objects.filter(round=rnd).order_by("id"))
    if random_checks:
        services.do_conclude_check(
            random_checks[0],
            Finding.OMISSION,
            Outcome.EDUCATION,
            "漏报配偶名下房产一套",
            actor=user,
            at=_at(date(2026, 4, 10)),
        )

    # the conflict of interest: 蒋卫东's son's firm applies to 民政局, where he is deputy
    _planted_conflict(jiang)
    links = index.do_rebuild_index(actor=user)

    # 一报告两评议 for 发改局 2026
    _work_evaluation(user, fagai)
    if stdout is not None:
        stdout.write(
            f"选拔任用：完整选拔 2 次（#{a.pk}、#{b.pk}，其中 1 次经任前审核），超职数动议 1 次被拒；"
            f"2025 年度个人事项报告 {len(cadres)} 份，随机抽中 {len(rnd.drawn)} 人；"
            f"关联方索引 {links} 条（含 1 处利益冲突）"
        )


def _planted_conflict(jiang: Person | None) -> None:
    from django.contrib.auth import get_user_model

    from wuquan.approvals.models import ApprovalItem, Channel
    from wuquan.approvals.services import do_submit_application

    item = ApprovalItem.objects.filter(code="bzss").first()
    window = get_user_model().objects.filter(username="window").first()
    if jiang is None or item is None or item.published_flow() is None or window is None:
        return
    do_submit_application(
        item,
        applicant_name="龙潭小龙殡葬服务有限公司",
        applicant_id_number=SON_FIRM,
        title="经营性公墓扩建",
        channel=Channel.WINDOW,
        actor=window,
        at=_at(date(2026, 11, 24), 9),
    )


def _work_evaluation(user, unit: Unit) -> None:
    from wuquan.evaluation import services as evaluation

    report = services.do_report_selection_work(
        unit,
        2026,
        "2026 年度选拔任用科级干部 2 名，均按条例程序全程记实，任前公示期间收到反映 2 件，均已核实办结。",
        actor=user,
        reported_on=date(2026, 11, 25),
        eligible_voters=6,
        at=_at(date(2026, 11, 25)),
    )
    ev = report.evaluation
    subjects = list(ev.subjects.order_by("id"))
    evaluation.do_open_voting(ev, actor=user)
    codes = evaluation.do_issue_codes(ev, 6, actor=user)
    for i, code in enumerate(codes):
        grade = ["好", "好", "较好", "好", "一般", "较好"][i]
        evaluation.do_cast_online(ev, code, {s.pk: grade for s in subjects})
    evaluation.do_close_voting(ev, actor=user)
    evaluation.do_publish_results(ev, actor=user)

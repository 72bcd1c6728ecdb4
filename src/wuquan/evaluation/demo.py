"""Demo data (idempotent): the evaluation clerks ceping-a/ceping-b (乌拉街满族镇) and 韩屯村's 2025 勤廉双述 evaluation with published results (EVA-1..2, PUB-10)."""

from __future__ import annotations

from datetime import date

from wuquan.org.models import Person, Post, Unit
from wuquan.org.selectors import holders_of
from wuquan.org.services import do_appoint, ensure_post, ensure_staff

from . import services
from .models import Evaluation

CADRES = [("secretary", "韩志刚", "党支部书记"), ("director", "李春生", "村委会主任")]
VOTES = (
    [("优秀", "称职")] * 14
    + [("称职", "称职")] * 9
    + [("基本称职", "优秀")] * 4
    + [("不称职", "称职")] * 3
)


# Two clerks of 乌拉街满族镇 who run evaluations and key paper ballots in pairs (EVA-1).
CLERKS = [("ceping-a", "测评录入员 赵敏"), ("ceping-b", "测评录入员 钱进")]


def load_clerks() -> None:
    """The evaluation clerks' post in the township and their accounts (idempotent)."""
    township = Unit.objects.get(code="wulajie")
    post = ensure_post(township, "ceping-clerk", "民主测评工作人员")
    for username, name in CLERKS:
        ensure_staff(username, name, post, [])


def load(stdout) -> None:
    load_clerks()
    hantun = Unit.objects.get(code="hantun")
    if Evaluation.objects.filter(unit=hantun, year=2025).exists():
        return
    ev = services.do_create_evaluation(
        hantun,
        2025,
        "韩屯村2025年度村干部勤廉双述民主评议",
        "village_cadres",
        eligible_voters=40,
        actor="demo",
    )
    subjects = []
    for post_code, name, title in CADRES:
        post = Post.objects.get(unit=hantun, code=post_code)
        person = holders_of(post, date(2025, 1, 1)).first()
        if person is None:
            person = Person.objects.create(name=name)
            do_appoint(person, post, date(2024, 1, 1), actor="system")
        subject = services.do_add_subject(ev, person, title, actor="demo")
        services.do_record_commitment(
            subject, "签订《职务履行和廉洁从政承诺书》", date(2025, 1, 15), actor="demo"
        )
        services.do_record_report(
            subject, "述履职情况、廉洁自律情况和为群众办实事情况", date(2025, 12, 26), actor="demo"
        )
        subjects.append(subject)
    q = services.do_ask_question(subjects[1], "村民代表", "村部维修工程何时完工？", actor="demo")
    services.do_answer_question(q, "预计明年五月完工，进度在公开栏每月公布。", actor="demo")
    codes = services.do_issue_codes(ev, len(VOTES), actor="demo")
    services.do_open_voting(ev, actor="demo")
    for code, (g1, g2) in zip(codes, VOTES, strict=True):
        services.do_cast_online(ev, code, {subjects[0].pk: g1, subjects[1].pk: g2})
    services.do_close_voting(ev, actor="demo")
    services.do_publish_results(ev, actor="demo")

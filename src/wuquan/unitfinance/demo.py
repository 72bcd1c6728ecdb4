"""Demo (FIN-1..4): two district bodies keep their finance controls here in 2026 — 编办 with
reimbursements in every state (a draft, one signing, one returned, one approved, paid ones of
several classes, a 6 万元 repair passed by the leadership meeting), three quarterly reports
presented and received and the first half-year disclosed to staff; 法制办 with paid
reimbursements and the old system's history imported, planting one breach per rule of
unitfinance/rules.py (PLANTED), each found by its rule as of AS_OF; nothing else is flagged.

Everything goes through the services; `load` is idempotent (a second run finds the data).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from wuquan.org.models import Post, Unit

from . import services
from .models import REQUIRED_ATTACHMENTS, Reimbursement

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
AS_OF = datetime(2026, 12, 1, 12, tzinfo=TZ)
CLEAN, PLANTED_UNIT = "bianban", "fazhiban"

# rule code → what was planted in 法制办 (imported history, or a report/disclosure not made)
PLANTED = {
    "FIN-1-sign-off-chain": "导入的历史报销：分管财务领导在审核人之前签字",
    "FIN-2-vouchers-complete": "导入的历史报销：公务接待费无派出单位公函",
    "FIN-2-duplicate-invoice": "导入的历史报销：同一发票号码报销两次",
    "FIN-3-over-limit": "导入的历史报销：办公费单笔超过 5000 元限额",
    "FIN-3-large-sum-decision": "导入的历史报销：维修费 8 万元未经班子会议",
    "FIN-4-report-late": "第三季度财务收支情况未向班子报告",
    "FIN-4-disclosure-late": "上半年财务情况未向干部职工公开",
}

POSTS = [
    ("clerk", "clerk"),
    ("reviewer", "finance"),
    ("deputy1", "deputy-1"),
    ("finance_deputy", "deputy-2"),
    ("deputy3", "deputy-3"),
    ("head", "head"),
    ("cashier", "cashier"),
]


def at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=TZ)


def officers(code: str) -> dict:
    from wuquan.org.services import ensure_post, ensure_post_account

    unit = Unit.objects.get(code=code)
    ensure_post(unit, "cashier", "出纳岗", "B")
    out = {"unit": unit}
    for key, pcode in POSTS:
        post = Post.objects.get(unit=unit, code=pcode)
        out[key] = ensure_post_account(post, f"{code}-{pcode}", f"{unit.short_name}{post.name}")
        out[f"{key}_post"] = post
    return out


def _pdf(label: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"{label}.pdf", b"%PDF-1.4 demo " + label.encode())


def _file(o, klass, summary, amount, on, *, invoice, attach=True, decision=None):
    r = services.do_file_reimbursement(
        o["unit"],
        klass,
        summary,
        amount,
        on,
        o["deputy1_post"],
        actor=o["clerk"],
        at=at(on, 9),
        decision=decision,
    )
    if attach:
        for kind in REQUIRED_ATTACHMENTS[klass]:
            services.do_attach_voucher(
                r,
                kind,
                _pdf(f"{r.number}-{kind}"),
                actor=o["clerk"],
                at=at(on, 10),
                invoice_no=invoice if kind == "invoice" else "",
                invoice_amount=amount if kind == "invoice" else None,
            )
    return r


def _sign(o, r, on, upto=4):
    when = at(on, 14)
    services.do_submit_reimbursement(r, actor=o["clerk"], at=when)
    for step, key in (
        ("reviewer", "reviewer"),
        ("responsible", "deputy1"),
        ("finance", "finance_deputy"),
    )[: upto - 1]:
        services.do_sign_reimbursement(r, step, actor=o[key], at=when)


def _paid(o, klass, summary, amount, on, invoice, decision=None):
    r = _file(o, klass, summary, amount, on, invoice=invoice, decision=decision)
    _sign(o, r, on)
    services.do_pay_reimbursement(r, actor=o["cashier"], at=at(on + timedelta(days=2), 15))
    return r


def _pass(o, item, on: date):
    """Put `item` to the unit's leadership meeting on `on` and pass it (all vote yes)."""
    from wuquan.decisions import services as decisions
    from wuquan.decisions.models import Choice

    meeting = decisions.do_create_meeting(
        o["unit"], f"{on.isoformat()} 党组会议", on, "会议室", actor="demo"
    )
    decisions.do_schedule_item(item, meeting, actor="demo")
    decisions.do_send_materials(
        item, at=datetime.combine(on - timedelta(days=14), time(9), TZ), actor="demo"
    )
    decisions.do_record_attendance(
        meeting, meeting.members.values_list("person_id", flat=True), actor="demo"
    )
    decisions.do_open_item(item, actor="demo")
    members = list(meeting.members.filter(present=True).order_by("is_head", "id"))
    for m in members:
        decisions.do_make_statement(item, m, "同意", actor="demo")
    decisions.do_start_vote(item, actor="demo")
    for m in members:
        decisions.do_cast_vote(item, m, Choice.YES, actor="demo")
    decisions.do_close_vote(item, at=datetime.combine(on, time(11), TZ), actor="demo")


def _budget(o):
    for klass, yuan in (
        ("travel", 60_000),
        ("meeting", 30_000),
        ("training", 40_000),
        ("reception", 20_000),
        ("office", 80_000),
        ("works", 150_000),
    ):
        services.do_enter_budget(
            o["unit"], YEAR, klass, yuan * 100, actor=o["finance_deputy"], at=at(date(YEAR, 1, 6))
        )


def _limits(o):
    for klass, item, year in (
        ("office", 5_000, 80_000),
        ("reception", 3_000, 20_000),
        ("travel", 10_000, 60_000),
    ):
        services.do_set_class_limit(
            o["unit"],
            klass,
            item * 100,
            year * 100,
            date(YEAR, 1, 1),
            "本单位内部控制制度（演示数值）",
            actor=o["finance_deputy"],
            at=at(date(YEAR, 1, 5)),
        )


def _report(o, quarter: int, presented: date):
    rep = services.do_prepare_report(
        o["unit"], YEAR, quarter, actor=o["reviewer"], at=at(presented - timedelta(days=3))
    )
    services.do_present_report(rep, actor=o["finance_deputy"], on=presented, at=at(presented, 16))
    services.do_receive_report(rep, actor=o["head"], at=at(presented, 17))


def _clean_unit():
    o = officers(CLEAN)
    _budget(o)
    _limits(o)
    _paid(o, "office", "购买打印纸、墨盒", 186_000, date(YEAR, 1, 12), "25220000001")
    _paid(
        o,
        "travel",
        "赴长春参加编制工作培训往返车票及住宿",
        243_600,
        date(YEAR, 2, 26),
        "25220000002",
    )
    _paid(o, "reception", "接待市编办调研组工作餐", 68_000, date(YEAR, 4, 8), "25220000003")
    _paid(o, "meeting", "全区机构编制工作会议场地费", 520_000, date(YEAR, 5, 19), "25220000004")
    large = _file(
        o, "works", "办公楼屋面防水维修", 6_000_000, date(YEAR, 7, 3), invoice="25220000005"
    )
    _pass(o, large.decision, date(YEAR, 7, 8))
    _sign(o, large, date(YEAR, 7, 10))
    services.do_pay_reimbursement(large, actor=o["cashier"], at=at(date(YEAR, 7, 13)))
    _paid(o, "training", "档案管理业务培训", 360_000, date(YEAR, 8, 20), "25220000006")
    _report(o, 1, date(YEAR, 4, 15))
    _report(o, 2, date(YEAR, 7, 14))
    _report(o, 3, date(YEAR, 10, 16))
    services.do_publish_disclosure(
        o["unit"], YEAR, 1, actor=o["finance_deputy"], at=at(date(YEAR, 7, 20))
    )
    # the states a reimbursement passes through
    _file(
        o,
        "office",
        "购买文件柜（凭证待补）",
        98_000,
        date(YEAR, 11, 20),
        invoice="25220000007",
        attach=False,
    )
    signing = _file(
        o, "travel", "赴吉林市报送编制材料", 32_000, date(YEAR, 11, 18), invoice="25220000008"
    )
    _sign(o, signing, date(YEAR, 11, 23), upto=2)
    returned = _file(
        o, "reception", "接待省编办检查组", 75_000, date(YEAR, 11, 16), invoice="25220000009"
    )
    _sign(o, returned, date(YEAR, 11, 24), upto=2)
    services.do_return_reimbursement(
        returned,
        "接待清单未列明陪餐人员，请补充后重新提交",
        actor=o["deputy1"],
        at=at(date(YEAR, 11, 25)),
    )
    approved = _file(o, "office", "购买硒鼓", 45_000, date(YEAR, 11, 19), invoice="25220000010")
    _sign(o, approved, date(YEAR, 11, 26))


def _history(o, ref, klass, summary, amount, on, invoice, *, chain=None, kinds=None):
    from wuquan.org.selectors import person_of

    people = {k: person_of(o[k]) for k in ("clerk", "reviewer", "deputy1", "finance_deputy")}
    order = chain or ("clerk", "reviewer", "deputy1", "finance_deputy")
    steps = {
        "clerk": "handler",
        "reviewer": "reviewer",
        "deputy1": "responsible",
        "finance_deputy": "finance",
    }
    files = [
        (
            k,
            f"{ref}-{k}.pdf",
            b"%PDF-1.4 old " + f"{ref}{k}".encode(),
            invoice if k == "invoice" else "",
            amount if k == "invoice" else None,
        )
        for k in (kinds or REQUIRED_ATTACHMENTS[klass])
    ]
    return services.do_import_reimbursement(
        o["unit"],
        klass,
        summary,
        amount,
        on,
        o["deputy1_post"],
        people["clerk"],
        [(steps[k], people[k]) for k in order],
        files,
        on + timedelta(days=3),
        ref,
        actor=o["reviewer"],
        at=at(date(YEAR, 3, 2)),
    )


def _planted_unit():
    o = officers(PLANTED_UNIT)
    _budget(o)
    _limits(o)
    _history(
        o, "OLD-001", "office", "购买办公用品（原系统）", 120_000, date(YEAR, 1, 8), "25229900001"
    )
    _history(
        o,
        "OLD-002",
        "office",
        "购买电脑耗材（原系统）",
        88_000,
        date(YEAR, 1, 15),
        "25229900002",
        chain=("clerk", "finance_deputy", "reviewer", "deputy1"),
    )
    _history(
        o,
        "OLD-003",
        "reception",
        "接待工作餐（原系统）",
        56_000,
        date(YEAR, 1, 20),
        "25229900003",
        kinds=("invoice", "list"),
    )
    _history(
        o, "OLD-004", "travel", "出差住宿费（原系统）", 96_000, date(YEAR, 1, 22), "25229900004"
    )
    _history(
        o,
        "OLD-005",
        "travel",
        "出差住宿费（原系统，重复）",
        96_000,
        date(YEAR, 2, 5),
        "25229900004",
    )
    _history(
        o, "OLD-006", "office", "购买复印机（原系统）", 680_000, date(YEAR, 2, 10), "25229900006"
    )
    _history(
        o,
        "OLD-007",
        "works",
        "机关院内道路维修（原系统）",
        8_000_000,
        date(YEAR, 2, 18),
        "25229900007",
    )
    _paid(o, "office", "购买法律法规汇编", 126_000, date(YEAR, 3, 9), "25229900101")
    _paid(o, "training", "行政执法人员培训", 280_000, date(YEAR, 5, 12), "25229900102")
    _report(o, 1, date(YEAR, 4, 20))
    _report(o, 2, date(YEAR, 7, 21))
    # planted: no Q3 report, no first-half disclosure


def load(stdout) -> None:
    if Reimbursement.objects.filter(unit__code=CLEAN).exists():
        return
    with transaction.atomic():
        _clean_unit()
    with transaction.atomic():
        _planted_unit()
    if stdout is not None:
        stdout.write(
            f"unitfinance: {Reimbursement.objects.count()} 报销单（编办、法制办），"
            f"{len(PLANTED)} 处预设违规\n"
        )

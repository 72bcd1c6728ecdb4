"""Supervision rules over the unit finance controls (FIN-1..4; 附件3 第二). Sweeps over state,
each taking `as_of`. Live work cannot break FIN-1..3 (the services refuse); these rules judge
what came in as imported history and anything changed outside the services. FIN-4's deadlines
are the rules' thresholds (district default 30 days; the seed sets none), which the district
may version through the supervision engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuquan.common.rules import DAILY, SEVERITY_RED, SEVERITY_YELLOW, Finding, Rule

REIMBURSEMENT = "unitfinance.reimbursement"
UNIT = "org.unit"


def _day(as_of: datetime) -> date:
    return timezone.localdate(as_of) if timezone.is_aware(as_of) else as_of.date()


def _yuan(fen: int) -> str:
    from .selectors import yuan

    return yuan(fen)


def _paid(as_of: datetime):
    from .models import Reimbursement, Status

    return (
        Reimbursement.objects.filter(status=Status.PAID, paid_on__lte=_day(as_of))
        .select_related("unit", "responsible_post", "decision")
        .order_by("unit_id", "occurred_on", "pk")
    )


def _finding(r, message: str, inputs: dict, key: str = "") -> Finding:
    return Finding(
        subject_type=REIMBURSEMENT,
        subject_id=str(r.pk),
        message=str(message),
        inputs={"number": r.number, "amount": r.amount, **inputs},
        unit_id=r.unit_id,
        key=key,
    )


# ---- FIN-1 the sign-off chain ------------------------------------------------------------------


def chain_problem(r) -> str:
    """What is wrong with the paid reimbursement's last round of signatures, or ""."""
    from .models import STEPS, Step
    from .selectors import person_held, step_posts

    sigs = list(r.signatures.filter(round=r.round).order_by("seq"))
    steps = [s.step for s in sigs]
    if steps != [str(s) for s in STEPS]:
        return _("签字顺序或环节不符：%s") % (
            " → ".join(str(Step(s).label) for s in steps if s in Step.values) or "—"
        )
    people = [s.person_id for s in sigs]
    if len(set(people)) != len(people):
        return _("同一人签字两次")
    if r.claimant_id in people[1:]:
        return _("报销人审批自己的报销单")
    for s in sigs[1:]:
        if not person_held(s.person, step_posts(r, s.step), s.at.date()):
            return _("“%s”签字人不担任该岗位") % Step(s.step).label
    return ""


def chain_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    for r in _paid(as_of).prefetch_related("signatures"):
        problem = chain_problem(r)
        if problem:
            yield _finding(
                r,
                _("%(u)s 报销单 %(n)s（%(a)s 元）未经完整签字审批：%(p)s")
                % {"u": r.unit.name, "n": r.number, "a": _yuan(r.amount), "p": problem},
                {"problem": str(problem)},
            )


# ---- FIN-2 vouchers ---------------------------------------------------------------------------


def voucher_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    from .models import AttachmentKind
    from .selectors import invoice_total, missing_attachments

    for r in _paid(as_of):
        missing = missing_attachments(r)
        total = invoice_total(r)
        if missing or total < r.amount:
            what = "、".join(str(AttachmentKind(k).label) for k in missing)
            yield _finding(
                r,
                _("%(u)s 报销单 %(n)s 凭证不全：%(w)s")
                % {
                    "u": r.unit.name,
                    "n": r.number,
                    "w": what or _("发票合计 %s 元少于报销金额") % _yuan(total),
                },
                {"missing": missing, "invoice_total": total},
            )


def duplicate_invoice_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """Every later use of an invoice number already used in the unit (the first use stands)."""
    from .models import Attachment, AttachmentKind, Status

    first: dict[tuple[int, str], object] = {}
    rows = (
        Attachment.objects.filter(kind=AttachmentKind.INVOICE, uploaded_at__lte=as_of)
        .exclude(invoice_no="")
        .exclude(reimbursement__status=Status.DRAFT)
        .select_related("reimbursement__unit")
        .order_by("unit_id", "invoice_no", "reimbursement__occurred_on", "pk")
    )
    for a in rows:
        key = (a.unit_id, a.invoice_no)
        if key not in first:
            first[key] = a.reimbursement
            continue
        earlier = first[key]
        if earlier.pk == a.reimbursement_id:
            continue
        r = a.reimbursement
        yield _finding(
            r,
            _("%(u)s 发票 %(i)s 重复报销：已在报销单 %(e)s 中报销，又见于 %(n)s")
            % {"u": r.unit.name, "i": a.invoice_no, "e": earlier.number, "n": r.number},
            {"invoice_no": a.invoice_no, "first": earlier.number},
            key=f"invoice:{a.invoice_no}",
        )


# ---- FIN-3 limits and large sums --------------------------------------------------------------


def limit_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A paid reimbursement above its class's per-item limit, or the one that took the class's
    paid total of the year above the per-year limit (limits in force on the day it occurred)."""
    from .models import SpendingClass
    from .selectors import class_limit

    spent: dict[tuple, int] = defaultdict(int)
    for r in _paid(as_of):
        key = (r.unit_id, r.spending_class, r.occurred_on.year)
        before = spent[key]
        spent[key] += r.amount
        lim = class_limit(r.unit_id, r.spending_class, r.occurred_on)
        if lim is None:
            continue
        label = SpendingClass(r.spending_class).label
        if lim.per_item is not None and r.amount > lim.per_item:
            yield _finding(
                r,
                _("%(u)s 报销单 %(n)s %(c)s %(a)s 元，超过单笔限额 %(l)s 元")
                % {
                    "u": r.unit.name,
                    "n": r.number,
                    "c": label,
                    "a": _yuan(r.amount),
                    "l": _yuan(lim.per_item),
                },
                {"limit": lim.per_item, "kind": "per_item"},
                key="per_item",
            )
        if lim.per_year is not None and before <= lim.per_year < spent[key]:
            yield _finding(
                r,
                _("%(u)s %(y)d 年%(c)s累计 %(s)s 元，超过年度限额 %(l)s 元（自报销单 %(n)s 起）")
                % {
                    "u": r.unit.name,
                    "y": r.occurred_on.year,
                    "c": label,
                    "s": _yuan(spent[key]),
                    "l": _yuan(lim.per_year),
                    "n": r.number,
                },
                {"limit": lim.per_year, "kind": "per_year", "total": spent[key]},
                key="per_year",
            )


def large_sum_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    from .selectors import decision_stands, large_sum_threshold

    for r in _paid(as_of):
        threshold = large_sum_threshold(r.unit_id)
        if r.amount >= threshold and not decision_stands(r.decision, r.unit_id):
            yield _finding(
                r,
                _(
                    "%(u)s 报销单 %(n)s 支付 %(a)s 元，达到“三重一大”标准 %(t)s 元，未经领导班子会议集体审定"
                )
                % {"u": r.unit.name, "n": r.number, "a": _yuan(r.amount), "t": _yuan(threshold)},
                {"threshold": threshold, "decision_id": r.decision_id},
            )


# ---- FIN-4 the quarterly report and the half-yearly disclosure --------------------------------


def _late(as_of: datetime, days: int, periods, bounds, model, field: str, done_field: str, label):
    from .selectors import finance_units

    today = _day(as_of)
    for year in range(2020, today.year + 1):
        units = list(finance_units(year))
        if not units:
            continue
        done = {
            (x["unit_id"], x[field]): x[done_field]
            for x in model.objects.filter(year=year, unit__in=units).values(
                "unit_id", field, done_field
            )
        }
        for n in periods:
            due = bounds(year, n)[1] + timedelta(days=days)
            if due >= today:
                continue
            for unit in units:
                when = done.get((unit.pk, n))
                if (
                    when is not None
                    and (when.date() if isinstance(when, datetime) else when) <= due
                ):
                    continue
                yield Finding(
                    subject_type=UNIT,
                    subject_id=str(unit.pk),
                    message=str(label(unit, year, n, due)),
                    inputs={
                        "year": year,
                        "period": n,
                        "due": due.isoformat(),
                        "done": str(when or ""),
                    },
                    unit_id=unit.pk,
                    key=f"{year}-{n}",
                )


def report_late_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    from .models import FinanceReport
    from .selectors import quarter_bounds

    def label(unit, year, q, due):
        return _("%(u)s %(y)d 年第 %(q)d 季度财务收支情况未在 %(d)s 前向班子报告") % {
            "u": unit.name,
            "y": year,
            "q": q,
            "d": due.isoformat(),
        }

    yield from _late(
        as_of,
        int(thresholds["days"]),
        (1, 2, 3, 4),
        quarter_bounds,
        FinanceReport,
        "quarter",
        "presented_on",
        label,
    )


def disclosure_late_breaches(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    from .models import StaffDisclosure
    from .selectors import half_bounds

    def label(unit, year, h, due):
        return _("%(u)s %(y)d 年%(h)s半年财务情况未在 %(d)s 前向干部职工公开") % {
            "u": unit.name,
            "y": year,
            "h": "上" if h == 1 else "下",
            "d": due.isoformat(),
        }

    yield from _late(
        as_of,
        int(thresholds["days"]),
        (1, 2),
        half_bounds,
        StaffDisclosure,
        "half",
        "published_at",
        label,
    )


SIGN_OFF_CHAIN = Rule(
    code="FIN-1-sign-off-chain",
    name=_("报销未按经办人、审核人、分管领导、分管财务领导程序签字审批"),
    clause="附件3 第二 三（财务报账按经办人、审核人、分管领导、分管财务工作领导的程序履行签字审批后方能报销）；第二 一",
    severity=SEVERITY_RED,
    sweep=chain_breaches,
    clock=DAILY,
)
VOUCHERS_COMPLETE = Rule(
    code="FIN-2-vouchers-complete",
    name=_("报销凭证不全"),
    clause=(
        "附件3 第二 二（报销凭证要项目齐全、内容真实、字迹清晰）；公务接待凭财务票据、派出单位公函和"
        "接待清单（《党政机关国内公务接待管理规定》，条号未经核实）；差旅凭出差审批单和票据"
        "（《中央和国家机关差旅费管理办法》财行〔2013〕531号 第二十四条）"
    ),
    severity=SEVERITY_YELLOW,
    sweep=voucher_breaches,
    clock=DAILY,
)
DUPLICATE_INVOICE = Rule(
    code="FIN-2-duplicate-invoice",
    name=_("同一发票重复报销"),
    clause="附件3 第二 二（报销凭证内容真实）",
    severity=SEVERITY_RED,
    sweep=duplicate_invoice_breaches,
    clock=DAILY,
)
OVER_LIMIT = Rule(
    code="FIN-3-over-limit",
    name=_("支出超过分类限额"),
    clause="附件3 第二 四（对各项支出进行分类和限额规定）；限额为各单位按规定设定的日期化参数",
    severity=SEVERITY_YELLOW,
    sweep=limit_breaches,
    clock=DAILY,
)
LARGE_SUM = Rule(
    code="FIN-3-large-sum-decision",
    name=_("大额支出未经领导班子会议集体审定"),
    clause="附件3 第二 四（大额的需要经过领导班子会议集体审定）；标准取本单位“三重一大”事项目录，未设时为本平台默认 5 万元",
    severity=SEVERITY_RED,
    sweep=large_sum_breaches,
    clock=DAILY,
)
REPORT_LATE = Rule(
    code="FIN-4-report-late",
    name=_("季度财务收支情况未按期向班子报告"),
    clause="附件3 第二 五（每个季度，分管财务工作的副职领导向全体班子成员报告）；期限为本平台默认季度结束后 30 日，原文未规定",
    severity=SEVERITY_YELLOW,
    thresholds={"days": 30},
    sweep=report_late_breaches,
    clock=DAILY,
)
DISCLOSURE_LATE = Rule(
    code="FIN-4-disclosure-late",
    name=_("半年财务情况未按期向干部职工公开"),
    clause="附件3 第二 五（每半年向本部门（单位）干部职工进行公开）；期限为本平台默认半年结束后 30 日，原文未规定",
    severity=SEVERITY_YELLOW,
    thresholds={"days": 30},
    sweep=disclosure_late_breaches,
    clock=DAILY,
)

RULES: list[Rule] = [
    SIGN_OFF_CHAIN,
    VOUCHERS_COMPLETE,
    DUPLICATE_INVOICE,
    OVER_LIMIT,
    LARGE_SUM,
    REPORT_LATE,
    DISCLOSURE_LATE,
]


def run_all(as_of: datetime) -> dict[str, list[Finding]]:
    """Every rule's findings as of `as_of`, with its default thresholds (tests, demo check)."""
    return {r.code: list(r.sweep(as_of, dict(r.thresholds))) for r in RULES}

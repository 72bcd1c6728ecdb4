"""Supervision rules over government investment projects and special funds (FIN-16, FIN-17,
SUP-7), run by the supervision engine as sweeps over current state as of a time (the engine
discovers `RULES`; thresholds are defaults a district may override, versioned by the engine).

Each sweep is a few set-based queries (sums and first dates grouped by project), so its cost
follows the number of rows, not the number of standing breaches (bench/invest_sweep.py).

Legal bases were checked with the search tool where marked "checked"; the others say
"not confirmed here". Inputs hold ids, codes, dates and amounts only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuquan.common.rules import DAILY, SEVERITY_RED, SEVERITY_YELLOW, Finding, Rule
from wuquan.procurement.models import Category, Contract, Method, Payment

from .models import (
    Approval,
    ApprovalKind,
    Disbursement,
    Duty,
    EstimateStage,
    Problem,
    Project,
)
from .selectors import REF_PREFIX, in_force_estimates, project_id_of_ref

PROJECT = "invest.project"
FUND = "invest.specialfund"
DISBURSEMENT = "invest.disbursement"
PROBLEM = "invest.problem"
TENDER_METHODS = (Method.OPEN.value, Method.INVITED.value)
MAX_LISTED = 10


def _day(as_of: datetime) -> date:
    return timezone.localdate(as_of)


def _units(ids) -> dict[int, int]:
    """project id -> construction unit id."""
    return dict(Project.objects.filter(pk__in=list(ids)).values_list("pk", "construction_unit_id"))


def _contract_rows(as_of: datetime, contracts=None):
    """Contracts of investment projects signed by `as_of` (of `contracts`, default all), with
    the project id parsed."""
    rows = (
        (Contract.objects.all() if contracts is None else contracts)
        .filter(tender__request__project_ref__startswith=REF_PREFIX, signed_at__lte=as_of)
        .exclude(status="cancelled")
        .values(
            "pk",
            "signed_at",
            "amount_fen",
            "original_amount_fen",
            "tender__method",
            "tender__request__category",
            "tender__request__amount_fen",
            "tender__request__project_ref",
        )
    )
    for r in rows:
        pid = project_id_of_ref(r["tender__request__project_ref"])
        if pid is not None:
            yield pid, r


def _first_approvals(as_of: datetime, kinds) -> dict[int, dict[str, date]]:
    out: dict[int, dict[str, date]] = defaultdict(dict)
    for pid, kind, first in (
        Approval.objects.filter(kind__in=list(kinds), approved_on__lte=_day(as_of))
        .values("project_id", "kind")
        .annotate(first=Min("approved_on"))
        .values_list("project_id", "kind", "first")
    ):
        out[pid][kind] = first
    return out


def _in_force(as_of: datetime, stage: str) -> dict[int, int]:
    """project id -> amount of the version of `stage` in force on the day of `as_of`."""
    return dict(in_force_estimates(stage, _day(as_of)).values_list("project_id", "amount_fen"))


# ---- 未批先建: a contract or a payment before the approvals it needs --------------------------


def sweep_built_before_approval(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A contract of a project signed before its `before_contract` approvals (可研, 初步设计及
    概算), or its first payment before them, or the first payment on a works contract before
    the 施工许可 (`before_works_payment`)."""
    need_contract = list(thresholds["before_contract"])
    need_works = list(thresholds["before_works_payment"])
    first = _first_approvals(as_of, need_contract + need_works)
    tz = timezone.get_current_timezone()  # why once: localdate() reads it per call
    contracts: dict[int, tuple[int, str]] = {}
    found: dict[int, dict[str, list]] = defaultdict(lambda: {"contracts": [], "payments": []})
    for pid, r in _contract_rows(as_of):
        contracts[r["pk"]] = (pid, r["tender__request__category"])
        signed = r["signed_at"].astimezone(tz).date()
        missing = [k for k in need_contract if not (first[pid].get(k) and first[pid][k] <= signed)]
        if missing:
            found[pid]["contracts"].append(
                {"contract": r["pk"], "signed_on": signed.isoformat(), "missing": missing}
            )
    if contracts:
        # why the first payment only: a later one cannot need fewer approvals, and one row per
        # contract keeps the sweep's cost at the number of contracts (bench/invest_sweep.py);
        # why `contract_id__in` a subquery: a semi-join, not three joins per payment row
        signed = (
            Contract.objects.filter(
                tender__request__project_ref__startswith=REF_PREFIX, signed_at__lte=as_of
            )
            .exclude(status="cancelled")
            .values("pk")
        )
        for cid, paid_at in (
            Payment.objects.filter(contract_id__in=signed, paid_at__lte=as_of)
            .values("contract_id")
            .annotate(first=Min("paid_at"))
            .values_list("contract_id", "first")
        ):
            if cid not in contracts:
                continue
            pid, category = contracts[cid]
            paid = paid_at.astimezone(tz).date()
            needed = need_contract + (need_works if category == Category.WORKS else [])
            missing = [k for k in needed if not (first[pid].get(k) and first[pid][k] <= paid)]
            if missing:
                found[pid]["payments"].append(
                    {"contract": cid, "paid_on": paid.isoformat(), "missing": missing}
                )
    units = _units(found)
    for pid in sorted(found):
        f = found[pid]
        f["contracts"] = f["contracts"][:MAX_LISTED]
        f["payments"] = sorted(f["payments"], key=lambda p: p["paid_on"])[:MAX_LISTED]
        yield Finding(
            subject_type=PROJECT,
            subject_id=str(pid),
            message=str(_("未批先建：%(c)d 份合同的签订、%(p)d 份合同的首笔支付早于所需审批"))
            % {"c": len(f["contracts"]), "p": len(f["payments"])},
            inputs=dict(f),
            unit_id=units.get(pid),
        )


BUILT_BEFORE_APPROVAL = Rule(
    code="FIN-16-built-before-approval",
    name=_("未批先建（合同或支付早于所需审批）"),
    clause=(
        "附件6 三(三) 第二步；《政府投资条例》第二十条（不符合规定的建设条件的，不得开工建设；"
        "checked）、第十一条（初步设计在可研批复后审批：not confirmed here）；"
        "《建筑法》第七条（开工前领取施工许可证：not confirmed here）"
    ),
    severity=SEVERITY_RED,
    thresholds={
        "before_contract": [ApprovalKind.FEASIBILITY.value, ApprovalKind.DESIGN.value],
        "before_works_payment": [ApprovalKind.CONSTRUCTION.value],
    },
    sweep=sweep_built_before_approval,
    clock=DAILY,
)


# ---- 概算 above 估算 by more than 10 % without re-approval ----------------------------------


def sweep_estimate_over(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """The 概算 in force above the 估算 in force by more than `percent`, unless the 概算 rests
    on a re-approval (概算调整核定): one query, the comparison made in the database (a project
    without a 估算 compares as NULL, never a breach)."""
    pct = int(thresholds["percent"])
    day = _day(as_of)
    # why order_by(): the model's ordering would sort inside the correlated subquery
    estimate = (
        in_force_estimates(EstimateStage.ESTIMATE, day)
        .filter(project_id=OuterRef("project_id"))
        .order_by()
    )
    reapproved = Approval.objects.filter(
        pk=OuterRef("approval_id"), kind=ApprovalKind.REAPPROVAL, approved_on__lte=day
    )
    hits = list(
        in_force_estimates(EstimateStage.BUDGET_ESTIMATE, day)
        .annotate(estimate=Subquery(estimate.values("amount_fen")[:1]))
        .filter(~Exists(reapproved))
        .alias(over=F("amount_fen") * 100 - F("estimate") * (100 + pct))
        .filter(over__gt=0)
        .order_by("project_id")
        .values_list("project_id", "amount_fen", "estimate")
    )
    units = _units(p for p, _b, _e in hits)
    for pid, budget, estimate in hits:
        yield Finding(
            subject_type=PROJECT,
            subject_id=str(pid),
            message=str(_("概算超过估算 %(x).1f%%（限 %(p)d%%），未重新核定"))
            % {"x": 100 * (budget - estimate) / estimate, "p": pct},
            inputs={"budget_estimate_fen": budget, "estimate_fen": estimate, "percent": pct},
            unit_id=units.get(pid),
        )


ESTIMATE_OVER = Rule(
    code="FIN-16-budget-estimate-over-estimate",
    name=_("初步设计概算超过可研估算10%未重新报批"),
    clause=(
        "《政府投资条例》第十一条（初步设计提出的投资概算超过经批准的可行性研究报告提出的"
        "投资估算10%的，项目单位应当向投资主管部门报告，可以要求重新报送可行性研究报告）："
        "not confirmed here（the search found the rule in local regulations, not the article）"
    ),
    severity=SEVERITY_YELLOW,
    thresholds={"percent": 10},
    sweep=sweep_estimate_over,
    clock=DAILY,
)


# ---- contracts or payments above the approved 概算 -----------------------------------------


def over_budget_rows(as_of: datetime) -> list[tuple[int, int, int, int]]:
    """(project, 概算, contracts, payments) of the projects whose contracts or payments as of
    `as_of` exceed the 概算 in force: three grouped queries (bench/invest_sweep.py)."""
    budgets = _in_force(as_of, EstimateStage.BUDGET_ESTIMATE)
    if not budgets:
        return []
    contracted: dict[int, int] = defaultdict(int)
    for ref, total in (
        Contract.objects.filter(
            tender__request__project_ref__startswith=REF_PREFIX, signed_at__lte=as_of
        )
        .exclude(status="cancelled")
        .values("tender__request__project_ref")
        .annotate(s=Sum("amount_fen"))
        .values_list("tender__request__project_ref", "s")
    ):
        pid = project_id_of_ref(ref)
        if pid is not None:
            contracted[pid] += total or 0
    paid: dict[int, int] = defaultdict(int)
    for ref, total in (
        Payment.objects.filter(
            contract__tender__request__project_ref__startswith=REF_PREFIX, paid_at__lte=as_of
        )
        .values("contract__tender__request__project_ref")
        .annotate(s=Sum("amount_fen"))
        .values_list("contract__tender__request__project_ref", "s")
    ):
        pid = project_id_of_ref(ref)
        if pid is not None:
            paid[pid] += total or 0
    return [
        (pid, budget, contracted.get(pid, 0), paid.get(pid, 0))
        for pid, budget in sorted(budgets.items())
        if contracted.get(pid, 0) > budget or paid.get(pid, 0) > budget
    ]


def sweep_over_budget(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    rows = over_budget_rows(as_of)
    units = _units(r[0] for r in rows)
    for pid, budget, contracted, paid in rows:
        yield Finding(
            subject_type=PROJECT,
            subject_id=str(pid),
            message=str(_("合同总额 %(c).2f 元、累计支付 %(p).2f 元，超过批准概算 %(b).2f 元"))
            % {"c": contracted / 100, "p": paid / 100, "b": budget / 100},
            inputs={"budget_estimate_fen": budget, "contracts_fen": contracted, "paid_fen": paid},
            unit_id=units.get(pid),
        )


OVER_BUDGET = Rule(
    code="FIN-16-spending-over-budget-estimate",
    name=_("合同或支付总额超过批准概算"),
    clause=(
        "《政府投资条例》第二十三条（政府投资项目建设投资原则上不得超过经核定的投资概算；"
        "确需增加的，报原初步设计审批部门或者投资概算核定部门核定；checked）"
    ),
    severity=SEVERITY_RED,
    sweep=sweep_over_budget,
    clock=DAILY,
)


# ---- above the must-tender thresholds without a tender ---------------------------------------


def sweep_must_tender(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A contract whose estimated value (the larger of its original amount and the request's
    budget) reaches its category's threshold, awarded by a method other than tendering. The
    database selects them (one query); nothing is read for the contracts within the law."""
    limits = thresholds["thresholds_fen"]
    reaches = Q(pk__in=[])
    for category, limit in limits.items():
        reaches |= Q(tender__request__category=category) & (
            Q(original_amount_fen__gte=limit) | Q(tender__request__amount_fen__gte=limit)
        )
    candidates = Contract.objects.filter(reaches).exclude(tender__method__in=TENDER_METHODS)
    hits = []
    for pid, r in _contract_rows(as_of, candidates):
        category = r["tender__request__category"]
        value = max(r["original_amount_fen"], r["tender__request__amount_fen"] or 0)
        hits.append((pid, r, value, limits[category]))
    units = _units(h[0] for h in hits)
    for pid, r, value, limit in hits:
        yield Finding(
            subject_type=PROJECT,
            subject_id=str(pid),
            message=str(_("单项合同估算价 %(v).2f 元达到必须招标标准 %(l).2f 元，未招标（%(m)s）"))
            % {"v": value / 100, "l": limit / 100, "m": Method(r["tender__method"]).label},
            inputs={
                "contract": r["pk"],
                "category": r["tender__request__category"],
                "value_fen": value,
                "threshold_fen": limit,
                "method": r["tender__method"],
            },
            unit_id=units.get(pid),
            key=f"contract:{r['pk']}",
        )


MUST_TENDER = Rule(
    code="FIN-16-must-tender-without-tender",
    name=_("达到必须招标标准未招标"),
    clause=(
        "《必须招标的工程项目规定》（国家发展改革委令第16号）第五条：施工单项合同估算价400万元"
        "以上，重要设备、材料等货物200万元以上，勘察、设计、监理等服务100万元以上，必须招标"
        "（thresholds checked; the article number not confirmed here）；《招标投标法》第三条"
    ),
    severity=SEVERITY_RED,
    thresholds={
        "thresholds_fen": {
            Category.WORKS.value: 4_000_000 * 100,
            Category.GOODS.value: 2_000_000 * 100,
            Category.SERVICES.value: 1_000_000 * 100,
        }
    },
    sweep=sweep_must_tender,
    clock=DAILY,
)


# ---- disbursements: no certificate, outside the purpose, after the deadline ------------------


def _disbursements(as_of: datetime):
    return Disbursement.objects.filter(paid_on__lte=_day(as_of), recorded_at__lte=as_of)


def _disbursement_findings(qs, message, extra) -> Iterable[Finding]:
    for d in qs.select_related("project", "fund").order_by("pk"):
        yield Finding(
            subject_type=DISBURSEMENT,
            subject_id=str(d.pk),
            message=str(message) % extra(d),
            inputs={
                "project": d.project_id,
                "fund": d.fund_id,
                "contract": d.contract_id,
                "amount_fen": d.amount_fen,
                "paid_on": d.paid_on.isoformat(),
                "imported": d.imported,
                "source_ref": d.source_ref,
            },
            unit_id=d.project.construction_unit_id,
        )


def sweep_no_certificate(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    return _disbursement_findings(
        _disbursements(as_of).filter(certificate__isnull=True),
        _("资金拨付无进度款支付证书：%(a).2f 元"),
        lambda d: {"a": d.amount_fen / 100},
    )


NO_CERTIFICATE = Rule(
    code="FIN-16-disbursement-without-certificate",
    name=_("无进度款支付证书拨付资金"),
    clause=(
        "附件6 三(三) 第二步（资金分配、拨付、管理、支出信息实时录入）；"
        "《建设工程价款结算暂行办法》（财建〔2004〕369号）第十三条（根据确定的工程计量结果"
        "支付工程进度款）：not confirmed here"
    ),
    severity=SEVERITY_YELLOW,
    sweep=sweep_no_certificate,
    clock=DAILY,
)


def sweep_outside_purpose(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    return _disbursement_findings(
        _disbursements(as_of).exclude(project__sector=F("fund__sector")),
        _("专项资金用于限定用途以外的项目：%(a).2f 元"),
        lambda d: {"a": d.amount_fen / 100},
    )


OUTSIDE_PURPOSE = Rule(
    code="FIN-16-fund-outside-purpose",
    name=_("专项资金超范围使用"),
    clause=(
        "附件1 #28（财政专项资金）；《预算法》第五十七条（各级政府、各部门、各单位的支出必须"
        "按照预算执行）：not confirmed here"
    ),
    severity=SEVERITY_RED,
    sweep=sweep_outside_purpose,
    clock=DAILY,
)


def sweep_after_deadline(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    return _disbursement_findings(
        _disbursements(as_of).filter(paid_on__gt=F("fund__deadline")),
        _("专项资金超过使用期限（%(d)s）拨付"),
        lambda d: {"d": d.fund.deadline.isoformat()},
    )


AFTER_DEADLINE = Rule(
    code="FIN-16-fund-after-deadline",
    name=_("专项资金超过使用期限支出"),
    clause="附件6 二(三)；专项资金管理办法规定的使用期限：not confirmed here",
    severity=SEVERITY_YELLOW,
    sweep=sweep_after_deadline,
    clock=DAILY,
)


# ---- SUP-7: a problem not rectified by its deadline -----------------------------------------


def sweep_not_rectified(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A problem whose deadline has passed with no rectification by then; one rectified late
    stays a fact for the commission (as SUP-8: a late record does not cure the lateness)."""
    day = _day(as_of)
    qs = (
        Problem.objects.filter(recorded_at__lte=as_of, deadline__lt=day)
        .exclude(rectified_on__isnull=False, rectified_on__lte=F("deadline"))
        .select_related("inspection__project", "inspection__fund", "inspection__unit")
        .order_by("pk")
    )
    for p in qs:
        i = p.inspection
        unit = i.project.construction_unit_id if i.project_id else i.fund.managing_unit_id
        yield Finding(
            subject_type=PROBLEM,
            subject_id=str(p.pk),
            message=str(_("%(who)s巡查发现的问题逾期未整改（期限 %(d)s）"))
            % {"who": i.get_inspector_display(), "d": p.deadline.isoformat()},
            inputs={
                "inspection": i.pk,
                "inspector": i.inspector,
                "project": i.project_id,
                "fund": i.fund_id,
                "deadline": p.deadline.isoformat(),
                "rectified_on": p.rectified_on.isoformat() if p.rectified_on else None,
            },
            unit_id=unit,
        )


NOT_RECTIFIED = Rule(
    code="SUP-7-problem-not-rectified",
    name=_("巡查发现问题逾期未整改"),
    clause="附件6 三(三) 第三步（纪检监察机关对集中监管平台报警信息和发生的问题进行督查督办）",
    severity=SEVERITY_YELLOW,
    sweep=sweep_not_rectified,
    clock=DAILY,
)


# ---- FIN-17: one unit or person holding two separated roles ----------------------------------


def sweep_duties_combined(as_of: datetime, thresholds: dict) -> Iterable[Finding]:
    """A unit or a person holding two or more separated roles on one project or fund on the
    day: the holders are found by a GROUP BY (subject, holder) counting distinct roles; only
    their duties are read."""
    day = _day(as_of)
    in_force = Duty.objects.filter(assigned_on__lte=day, recorded_at__lte=as_of).exclude(
        revoked_on__isnull=False, revoked_on__lte=day
    )
    held: dict[tuple, set[str]] = defaultdict(set)
    for who, column in (("unit", "unit_id"), ("person", "person_id")):
        combined = {
            tuple(g)
            for g in in_force.filter(**{f"{column}__isnull": False})
            .values("project_id", "fund_id", column)
            .annotate(roles=Count("role", distinct=True))
            .filter(roles__gte=2)
            .values_list("project_id", "fund_id", column)
            .order_by()
        }
        if not combined:
            continue
        subjects = Q(project_id__in={g[0] for g in combined if g[0]}) | Q(
            fund_id__in={g[1] for g in combined if g[1]}
        )
        for project_id, fund_id, role, who_id in in_force.filter(subjects).values_list(
            "project_id", "fund_id", "role", column
        ):
            if (project_id, fund_id, who_id) not in combined:
                continue
            subject = (PROJECT, project_id) if project_id else (FUND, fund_id)
            held[(subject, who, who_id)].add(role)
    for (subject, who, who_id), held_roles in sorted(held.items(), key=str):
        if len(held_roles) < 2:
            continue
        yield Finding(
            subject_type=subject[0],
            subject_id=str(subject[1]),
            message=str(_("同一%(w)s兼任分离职责：%(r)s"))
            % {
                "w": _("单位") if who == "unit" else _("责任人"),
                "r": "、".join(sorted(held_roles)),
            },
            inputs={"holder": who, "holder_id": who_id, "roles": sorted(held_roles)},
            unit_id=who_id if who == "unit" else None,
            key=f"{who}:{who_id}",
        )


DUTIES_COMBINED = Rule(
    code="FIN-17-separated-duties-combined",
    name=_("同一单位或个人兼任应分离的职责"),
    clause=(
        "附件1 #28（财政专项资金评审、决定和绩效评估分离）、#40（政府投资项目审批、投资、建设、"
        "监管、验收分离）"
    ),
    severity=SEVERITY_RED,
    sweep=sweep_duties_combined,
    clock=DAILY,
)


RULES = [
    BUILT_BEFORE_APPROVAL,
    ESTIMATE_OVER,
    OVER_BUDGET,
    MUST_TENDER,
    NO_CERTIFICATE,
    OUTSIDE_PURPOSE,
    AFTER_DEADLINE,
    NOT_RECTIFIED,
    DUTIES_COMBINED,
]


def run_all(as_of: datetime) -> dict[str, list[Finding]]:
    """Every rule's findings with its default thresholds (tests, the demo check)."""
    return {r.code: list(r.sweep(as_of, r.thresholds)) for r in RULES}

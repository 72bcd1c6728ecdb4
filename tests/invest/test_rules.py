"""Each invest rule (FIN-16, FIN-17, SUP-7): its breach and its lawful twin, set up through
the services (imported history where the live service refuses the breach)."""

from datetime import date, timedelta

import pytest

from wuquan.invest import rules, sample, services
from wuquan.invest.models import (
    ApprovalKind,
    EstimateStage,
    FundRole,
    InspectionKind,
    ProjectRole,
    Sector,
)
from wuquan.invest.selectors import in_force_estimates
from wuquan.procurement import services as procurement
from wuquan.procurement.models import Method, ProcurementRequest

from .helpers import WAN, approve, approved_project, at, fund, project, units

AS_OF = at(date(2026, 3, 1))


def hits(rule, as_of=AS_OF):
    return {(f.subject_id, f.key) for f in rule.sweep(as_of, rule.thresholds)}


def subjects(rule, as_of=AS_OF):
    return {s for s, _k in hits(rule, as_of)}


def test_fin16_contract_before_design_approval_is_built_before_approval(world):
    early = project()
    approve(early, ApprovalKind.FEASIBILITY, date(2025, 2, 3), 100 * WAN)
    sample.contract_for(early, "施工", "works", 50 * WAN, date(2025, 2, 5))  # signed 03-05
    approve(early, ApprovalKind.DESIGN, date(2025, 3, 20), 105 * WAN)
    lawful = approved_project()
    sample.contract_for(lawful, "施工", "works", 50 * WAN, date(2025, 2, 21))
    found = {
        f.subject_id: f
        for f in rules.BUILT_BEFORE_APPROVAL.sweep(AS_OF, rules.BUILT_BEFORE_APPROVAL.thresholds)
    }
    assert set(found) == {str(early.pk)}
    assert found[str(early.pk)].inputs["contracts"][0]["missing"] == ["design"]
    # replay: before the contract was signed there was nothing to find
    assert subjects(rules.BUILT_BEFORE_APPROVAL, at(date(2025, 3, 1))) == set()


def test_fin16_works_payment_before_construction_permit(world):
    no_permit = approved_project(permit=False)
    c = sample.contract_for(no_permit, "施工", "works", 50 * WAN, date(2025, 2, 11))
    procurement.do_record_payment(c, 10 * WAN, actor="test", at=at(date(2025, 4, 1)))
    with_permit = approved_project()
    c2 = sample.contract_for(with_permit, "施工", "works", 50 * WAN, date(2025, 2, 11))
    procurement.do_record_payment(c2, 10 * WAN, actor="test", at=at(date(2025, 4, 1)))
    found = list(rules.BUILT_BEFORE_APPROVAL.sweep(AS_OF, rules.BUILT_BEFORE_APPROVAL.thresholds))
    assert [f.subject_id for f in found] == [str(no_permit.pk)]
    assert found[0].inputs["payments"][0]["missing"] == ["construction"]


def test_fin16_budget_estimate_over_estimate_by_more_than_10_percent(world):
    over = approved_project(estimate=100 * WAN, budget=110 * WAN + 1)
    at_limit = approved_project(estimate=100 * WAN, budget=110 * WAN)
    reapproved = approved_project(estimate=100 * WAN, budget=115 * WAN)
    assert subjects(rules.ESTIMATE_OVER) == {str(over.pk), str(reapproved.pk)}
    approve(reapproved, ApprovalKind.REAPPROVAL, date(2025, 3, 1), 118 * WAN)
    assert subjects(rules.ESTIMATE_OVER) == {str(over.pk)}
    assert str(at_limit.pk) not in subjects(rules.ESTIMATE_OVER)


def test_fin16_contracts_above_the_approved_budget_estimate(world):
    over = approved_project(budget=100 * WAN)
    sample.contract_for(over, "施工", "works", 70 * WAN, date(2025, 2, 21))
    sample.contract_for(over, "监理", "services", 31 * WAN, date(2025, 2, 22), item_code="C1801")
    within = approved_project(budget=100 * WAN)
    sample.contract_for(within, "施工", "works", 70 * WAN, date(2025, 2, 21))
    sample.contract_for(within, "监理", "services", 30 * WAN, date(2025, 2, 22), item_code="C1801")
    found = list(rules.OVER_BUDGET.sweep(AS_OF, {}))
    assert [f.subject_id for f in found] == [str(over.pk)]
    assert found[0].inputs == {
        "budget_estimate_fen": 100 * WAN,
        "contracts_fen": 101 * WAN,
        "paid_fen": 0,
    }


def test_fin16_budget_estimate_in_force_is_the_newest_version_on_the_day(world):
    p = approved_project(estimate=100 * WAN, budget=105 * WAN)  # 初步设计 on 2025-02-10
    approve(p, ApprovalKind.DESIGN, date(2025, 4, 1), 120 * WAN)  # a second 初步设计, no 核定
    before = date(2025, 3, 1)
    assert [e.amount_fen for e in in_force_estimates(EstimateStage.BUDGET_ESTIMATE, before)] == [
        105 * WAN
    ]
    assert [
        e.amount_fen for e in in_force_estimates(EstimateStage.BUDGET_ESTIMATE, AS_OF.date())
    ] == [120 * WAN]
    assert subjects(rules.ESTIMATE_OVER, at(before)) == set()
    found = list(rules.ESTIMATE_OVER.sweep(AS_OF, rules.ESTIMATE_OVER.thresholds))
    assert [(f.subject_id, f.inputs["budget_estimate_fen"]) for f in found] == [
        (str(p.pk), 120 * WAN)
    ]


def test_fin16_must_tender_reads_the_request_budget_above_the_contract_amount(world):
    p = approved_project(budget=2000 * WAN, estimate=2000 * WAN)
    c = sample.contract_for(p, "施工", "works", 300 * WAN, date(2025, 2, 21), method=Method.DIRECT)
    assert hits(rules.MUST_TENDER) == set()
    # why a direct update: the request was budgeted above the threshold, the bid came in below
    ProcurementRequest.objects.filter(pk=c.tender.request_id).update(amount_fen=500 * WAN)
    found = list(rules.MUST_TENDER.sweep(AS_OF, rules.MUST_TENDER.thresholds))
    assert [(f.key, f.inputs["value_fen"]) for f in found] == [(f"contract:{c.pk}", 500 * WAN)]


@pytest.mark.parametrize(
    "category,amount,method,breach",
    [
        ("works", 400 * WAN, Method.DIRECT, True),
        ("works", 400 * WAN - 1, Method.DIRECT, False),
        ("works", 900 * WAN, Method.OPEN, False),
        ("goods", 200 * WAN, Method.QUOTATION, True),
        ("goods", 199 * WAN, Method.QUOTATION, False),
        ("services", 100 * WAN, Method.NEGOTIATION, True),
        ("services", 100 * WAN, Method.INVITED, False),
    ],
)
def test_fin16_must_tender_thresholds_of_order_16(world, category, amount, method, breach):
    p = approved_project(budget=2000 * WAN, estimate=2000 * WAN)
    c = sample.contract_for(
        p, "采购", category, amount, date(2025, 2, 21), method=method, item_code="A1001"
    )
    expected = {(str(p.pk), f"contract:{c.pk}")} if breach else set()
    assert hits(rules.MUST_TENDER) == expected


def _money(sector=Sector.WATER, deadline=date(2025, 12, 31), history=None, certified=True):
    p = approved_project(sector=sector)
    c = sample.contract_for(p, "施工", "works", 80 * WAN, date(2025, 2, 21))
    f = fund(sector=Sector.WATER, deadline=deadline)
    a = services.do_allocate(
        f,
        p,
        50 * WAN,
        "龙财〔2025〕1号",
        date(2025, 4, 1),
        actor="test",
        history=history,
        at=at(date(2025, 4, 1)),
    )
    cert = None
    if certified:
        cert = services.do_certify_progress(
            p,
            c,
            "JL-01",
            30,
            24 * WAN,
            date(2025, 5, 1),
            units()["xmjs"],
            actor="test",
            file_sha256="a" * 64,
            at=at(date(2025, 5, 1)),
        )
    paid_on = (
        min(deadline + timedelta(days=1), date(2026, 1, 5))
        if history and deadline < date(2025, 6, 1)
        else date(2025, 5, 6)
    )
    d = services.do_disburse(
        a, c, 20 * WAN, paid_on, actor="test", certificate=cert, history=history, at=at(paid_on)
    )
    return p, d


def test_fin16_disbursement_without_certificate(world):
    _p, bare = _money(history=services.ImportedHistory("legacy-1"), certified=False)
    _p2, lawful = _money()
    assert subjects(rules.NO_CERTIFICATE) == {str(bare.pk)}
    assert lawful.certificate_id is not None


def test_fin16_fund_spent_outside_its_purpose(world):
    _p, outside = _money(sector=Sector.EDUCATION, history=services.ImportedHistory("legacy-2"))
    _p2, inside = _money()
    assert subjects(rules.OUTSIDE_PURPOSE) == {str(outside.pk)}
    assert str(inside.pk) not in subjects(rules.OUTSIDE_PURPOSE)


def test_fin16_fund_spent_after_its_deadline(world):
    _p, late = _money(deadline=date(2025, 5, 1), history=services.ImportedHistory("legacy-3"))
    _p2, on_time = _money(deadline=date(2025, 5, 6))
    assert subjects(rules.AFTER_DEADLINE) == {str(late.pk)}
    assert on_time.paid_on == on_time.fund.deadline


def _problem(p, deadline):
    i = services.do_file_inspection(
        p,
        units()["shenji"],
        InspectionKind.PROBLEM,
        date(2025, 6, 1),
        "抽查发现问题",
        actor="test",
        problems=[("签证不全", deadline)],
        at=at(date(2025, 6, 1)),
    )
    return i.problems.get()


def test_sup7_problem_not_rectified_in_time(world):
    p = project()
    open_ = _problem(p, date(2025, 7, 1))
    in_time = _problem(p, date(2025, 7, 1))
    late = _problem(p, date(2025, 7, 1))
    services.do_rectify_problem(
        in_time, date(2025, 7, 1), "已整改", actor="test", at=at(date(2025, 7, 1))
    )
    services.do_rectify_problem(
        late, date(2025, 7, 2), "已整改", actor="test", at=at(date(2025, 7, 2))
    )
    assert subjects(rules.NOT_RECTIFIED, at(date(2025, 7, 1))) == set()  # the deadline day itself
    assert subjects(rules.NOT_RECTIFIED) == {str(open_.pk), str(late.pk)}


def test_fin17_two_separated_roles_in_one_hand_from_imported_history(world):
    u = units()
    combined = project()
    services.do_assign_duty(
        combined,
        ProjectRole.APPROVAL,
        u["fagai"],
        date(2025, 1, 2),
        actor="test",
        at=at(date(2025, 1, 2)),
    )
    services.do_assign_duty(
        combined,
        ProjectRole.ACCEPTANCE,
        u["fagai"],
        date(2025, 1, 2),
        actor="test",
        history=services.ImportedHistory("old-7"),
        at=at(date(2025, 1, 2)),
    )
    separated = project()
    services.do_assign_duty(
        separated,
        ProjectRole.APPROVAL,
        u["fagai"],
        date(2025, 1, 2),
        actor="test",
        at=at(date(2025, 1, 2)),
    )
    services.do_assign_duty(
        separated,
        ProjectRole.ACCEPTANCE,
        u["nongshui"],
        date(2025, 1, 2),
        actor="test",
        at=at(date(2025, 1, 2)),
    )
    f = fund()
    services.do_assign_duty(
        f, FundRole.REVIEW, u["caizheng"], date(2025, 1, 2), actor="test", at=at(date(2025, 1, 2))
    )
    services.do_assign_duty(
        f,
        FundRole.EVALUATION,
        u["caizheng"],
        date(2025, 1, 2),
        actor="test",
        history=services.ImportedHistory("old-8"),
        at=at(date(2025, 1, 2)),
    )
    found = {(x.subject_type, x.subject_id) for x in rules.DUTIES_COMBINED.sweep(AS_OF, {})}
    assert found == {("invest.project", str(combined.pk)), ("invest.specialfund", str(f.pk))}


def test_fin17_a_revoked_duty_no_longer_combines_roles(world):
    u = units()
    p = project()
    services.do_assign_duty(
        p, ProjectRole.APPROVAL, u["fagai"], date(2025, 1, 2), actor="test", at=at(date(2025, 1, 2))
    )
    second = services.do_assign_duty(
        p,
        ProjectRole.ACCEPTANCE,
        u["fagai"],
        date(2025, 1, 2),
        actor="test",
        history=services.ImportedHistory("old-9"),
        at=at(date(2025, 1, 2)),
    )
    services.do_revoke_duty(second, date(2025, 6, 1), actor="test", at=at(date(2025, 6, 1)))
    assert hits(rules.DUTIES_COMBINED, at(date(2025, 5, 1))) == {
        (str(p.pk), f"unit:{u['fagai'].pk}")
    }
    assert hits(rules.DUTIES_COMBINED) == set()


def test_rules_are_registered_with_clauses_and_requirement_ids():
    from wuquan.supervision import registry

    codes = {r.code for r in registry.all_rules()}
    for rule in rules.RULES:
        assert rule.code in codes
        assert rule.code.split("-")[0] in ("FIN", "SUP") and rule.clause


def test_sup8_round_answered_by_an_invest_inspection_in_time(world):
    """A SUP-8 inspection round set for 审计 over a project is answered by the 审计 inspection
    filed on the investment platform that names it (supervision reads invest); a round with
    no record by its due day stays overdue."""
    from django.contrib.auth import get_user_model

    from wuquan.supervision import rules as sup_rules
    from wuquan.supervision import services as sup

    jiwei = get_user_model().objects.get(username="jiwei")
    u = units()
    p = project()
    answered = sup.do_create_inspection_round(
        u["shenji"],
        "投资项目巡查",
        date(2025, 6, 30),
        subject=("invest.project", p.pk),
        at=at(date(2025, 6, 1)),
        actor=jiwei,
    )
    unanswered = sup.do_create_inspection_round(
        u["shenji"], "专项资金巡查", date(2025, 6, 30), at=at(date(2025, 6, 1)), actor=jiwei
    )
    services.do_file_inspection(
        p,
        u["shenji"],
        InspectionKind.RECORD,
        date(2025, 6, 20),
        "按任务巡查",
        actor="test",
        round_id=answered.pk,
        at=at(date(2025, 6, 20)),
    )
    rule = sup_rules.INSPECTION_OVERDUE
    found = {f.subject_id for f in rule.sweep(at(date(2025, 7, 2)), rule.thresholds)}
    assert found == {str(unanswered.pk)}

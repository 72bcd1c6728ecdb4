"""Reads of the investment app: a project's contracts and payments (procurement's, found by
`project_ref`), its estimates in force, payment rates, and graded access (FIN-18).

Who sees what (FIN-18, 附件6 三(三) 第三步 监管部门和业务主管部门按分级授权实现网络信息资源共享):
- the commission (纪检监察), the platform's administrators and superusers: everything;
- the project's owner and construction unit (and the units above them), and a unit holding a
  separated duty on the project or fund: everything of that project or fund;
- any other unit: the field groups its grants open (unit × scope × fields), nothing else;
- everybody, signed in or not: the public page (public particulars only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from wuquan.org import roles
from wuquan.org.models import Unit
from wuquan.org.selectors import descendant_ids, person_of, posts_held, role_names
from wuquan.procurement.models import Contract, Payment, Tender

from .models import (
    STAGE_ORDER,
    Allocation,
    Disbursement,
    Duty,
    Estimate,
    EstimateStage,
    FieldGroup,
    Grant,
    GrantScope,
    InspectorKind,
    Problem,
    Project,
    SpecialFund,
)

REF_PREFIX = "invest.project:"
FULL = frozenset(FieldGroup.values)
NONE: frozenset[str] = frozenset()

# unit code -> who inspects (附件6 三(三) 第三步: 发改、财政、审计); setting to override.
DEFAULT_INSPECTORS = {
    "fagai": InspectorKind.NDRC,
    "caizheng": InspectorKind.FINANCE,
    "shenji": InspectorKind.AUDIT,
}


def inspector_kind_of(unit: Unit) -> str | None:
    mapping = getattr(settings, "WUQUAN_INVEST_INSPECTORS", DEFAULT_INSPECTORS)
    value = mapping.get(unit.code)
    return str(value) if value else None


def project_id_of_ref(ref: str) -> int | None:
    if ref and ref.startswith(REF_PREFIX):
        tail = ref[len(REF_PREFIX) :]
        if tail.isdigit() and 0 < int(tail) < 2**31:
            return int(tail)
    return None


# ----------------------------------------------------------------- contracts and payments


def tenders_of(project: Project) -> QuerySet:
    return Tender.objects.filter(request__project_ref=project.ref)


def contracts_of(project: Project) -> QuerySet:
    return Contract.objects.filter(tender__request__project_ref=project.ref)


def payments_of(project: Project) -> QuerySet:
    return Payment.objects.filter(contract__tender__request__project_ref=project.ref)


def estimates_in_force(project: Project, on: date | None = None) -> dict[str, Estimate]:
    """The newest version of each stage (as of `on`)."""
    qs = project.estimates.all()
    if on is not None:
        qs = qs.filter(recorded_on__lte=on)
    out: dict[str, Estimate] = {}
    for e in qs.order_by("recorded_on", "version", "id"):
        out[e.stage] = e
    return {s: out[s] for s in STAGE_ORDER if s in out}


def in_force_estimates(stage: str, on: date) -> QuerySet:
    """The version of `stage` in force on `on` for every project that has one: the newest
    recorded by then (by date, then version, then id — as `estimates_in_force`), chosen in
    the database (one row per project, no row read per version)."""
    newer = Estimate.objects.filter(
        project_id=OuterRef("project_id"), stage=stage, recorded_on__lte=on
    ).filter(
        Q(recorded_on__gt=OuterRef("recorded_on"))
        | Q(recorded_on=OuterRef("recorded_on"), version__gt=OuterRef("version"))
        | Q(recorded_on=OuterRef("recorded_on"), version=OuterRef("version"), pk__gt=OuterRef("pk"))
    )
    return Estimate.objects.filter(stage=stage, recorded_on__lte=on).filter(~Exists(newer))


@dataclass(frozen=True)
class Rate:
    label: str
    planned_fen: int  # the fund's amount, or what was allocated to the project
    allocated_fen: int
    disbursed_fen: int

    @property
    def percent(self) -> float:
        return (
            round(100 * self.disbursed_fen / self.allocated_fen, 1) if self.allocated_fen else 0.0
        )


def project_rate(project: Project) -> Rate:
    """支付率 of a project: disbursed over allocated."""
    allocated = project.allocations.aggregate(s=Sum("amount_fen"))["s"] or 0
    disbursed = project.disbursements.aggregate(s=Sum("amount_fen"))["s"] or 0
    budget = estimates_in_force(project).get(EstimateStage.BUDGET_ESTIMATE)
    return Rate(project.name, budget.amount_fen if budget else 0, allocated, disbursed)


def fund_rate(fund: SpecialFund) -> Rate:
    allocated = fund.allocations.aggregate(s=Sum("amount_fen"))["s"] or 0
    disbursed = fund.disbursements.aggregate(s=Sum("amount_fen"))["s"] or 0
    return Rate(fund.name, fund.amount_fen, allocated, disbursed)


def rates(projects) -> list[Rate]:
    """Rates of many projects in two queries."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    alloc = dict(
        Allocation.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("project_id", "s")
    )
    paid = dict(
        Disbursement.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("project_id", "s")
    )
    return [Rate(p.name, 0, alloc.get(p.pk, 0), paid.get(p.pk, 0)) for p in projects]


def open_problems(on: date | None = None) -> QuerySet:
    return Problem.objects.filter(rectified_on__isnull=True).select_related(
        "inspection__project", "inspection__fund", "inspection__unit"
    )


# --------------------------------------------------------------------- access (FIN-18)


def sees_all(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    if role_names(user) & {roles.COMMISSION, roles.ADMIN}:
        return True
    return posts_held(person_of(user)).filter(unit__is_supervisory=True).exists()


def own_unit_ids(user) -> set[int]:
    """The units the user holds a post in, and those below them (not the supervisory
    widening of org.units_visible_to: graded access is by grant)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return descendant_ids(set(posts_held(person_of(user)).values_list("unit_id", flat=True)))


def _active_grants(unit_ids, on=None):
    return Grant.objects.filter(unit_id__in=unit_ids, revoked_at__isnull=True)


def _duty_units(flt: dict, on: date) -> set[int]:
    return set(
        Duty.objects.filter(**flt, assigned_on__lte=on)
        .exclude(revoked_on__isnull=False, revoked_on__lte=on)
        .values_list("unit_id", flat=True)
    )


def project_access(user, project: Project) -> frozenset[str]:
    """The field groups of `project` the user may see (empty: only the public page)."""
    if sees_all(user):
        return FULL
    units = own_unit_ids(user)
    if not units:
        return NONE
    if {project.owner_id, project.construction_unit_id} & units:
        return FULL
    if _duty_units({"project": project}, timezone.localdate()) & units:
        return FULL
    fields: set[str] = set()
    for g in _active_grants(units):
        if (
            g.scope == GrantScope.ALL
            or (g.scope == GrantScope.PROJECT and g.project_id == project.pk)
            or (
                g.scope == GrantScope.UNIT
                and g.scope_unit_id in (project.owner_id, project.construction_unit_id)
            )
        ):
            fields.update(g.fields)
    return frozenset(fields)


def fund_access(user, fund: SpecialFund) -> frozenset[str]:
    if sees_all(user):
        return FULL
    units = own_unit_ids(user)
    if not units:
        return NONE
    if fund.managing_unit_id in units:
        return FULL
    if _duty_units({"fund": fund}, timezone.localdate()) & units:
        return FULL
    fields: set[str] = set()
    for g in _active_grants(units):
        if (
            g.scope == GrantScope.ALL
            or (g.scope == GrantScope.FUND and g.fund_id == fund.pk)
            or (g.scope == GrantScope.UNIT and g.scope_unit_id == fund.managing_unit_id)
        ):
            fields.update(g.fields)
    return frozenset(fields)


def projects_visible_to(user) -> QuerySet:
    """Projects whose staff page the user may open (any field group)."""
    qs = Project.objects.select_related("owner", "construction_unit")
    if sees_all(user):
        return qs
    units = own_unit_ids(user)
    if not units:
        return qs.none()
    grants = list(_active_grants(units))
    if any(g.scope == GrantScope.ALL for g in grants):
        return qs
    today = timezone.localdate()
    duty_projects = (
        Duty.objects.filter(unit_id__in=units, project__isnull=False, assigned_on__lte=today)
        .exclude(revoked_on__isnull=False, revoked_on__lte=today)
        .values("project_id")
    )
    scope_units = [g.scope_unit_id for g in grants if g.scope == GrantScope.UNIT]
    granted = [g.project_id for g in grants if g.scope == GrantScope.PROJECT]
    return qs.filter(
        Q(owner_id__in=units)
        | Q(construction_unit_id__in=units)
        | Q(owner_id__in=scope_units)
        | Q(construction_unit_id__in=scope_units)
        | Q(pk__in=granted)
        | Q(pk__in=duty_projects)
    ).distinct()


def funds_visible_to(user) -> QuerySet:
    qs = SpecialFund.objects.select_related("managing_unit")
    if sees_all(user):
        return qs
    units = own_unit_ids(user)
    if not units:
        return qs.none()
    grants = list(_active_grants(units))
    if any(g.scope == GrantScope.ALL for g in grants):
        return qs
    today = timezone.localdate()
    duty_funds = (
        Duty.objects.filter(unit_id__in=units, fund__isnull=False, assigned_on__lte=today)
        .exclude(revoked_on__isnull=False, revoked_on__lte=today)
        .values("fund_id")
    )
    scope_units = [g.scope_unit_id for g in grants if g.scope == GrantScope.UNIT]
    granted = [g.fund_id for g in grants if g.scope == GrantScope.FUND]
    return qs.filter(
        Q(managing_unit_id__in=units)
        | Q(managing_unit_id__in=scope_units)
        | Q(pk__in=granted)
        | Q(pk__in=duty_funds)
    ).distinct()


# ------------------------------------------------------------------------- public view


def public_projects() -> QuerySet:
    return Project.objects.filter(is_public=True).select_related("owner", "construction_unit")

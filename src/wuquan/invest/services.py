"""Writes of the investment app (FIN-16, FIN-17, FIN-18, SUP-7): one `record()` per exercise
of power, validation first with the field it concerns (shown beside the field).

What the live services refuse (each a `RuleViolation` naming its field):
- FIN-17: one unit or one person holding two of the separated roles on the same project
  (审批、投资、建设、监管、验收) or fund (评审、决定、绩效评估);
- FIN-16: an allocation or a disbursement outside the fund's purpose or after its deadline,
  beyond the fund or the allocation; a disbursement with no progress certificate, or beyond
  what the certificates of the contract allow; a 初步设计 approved before the 可研;
- FIN-18: a grant naming no field group, or a scope that does not fit.

History from a legacy system (`history=ImportedHistory(...)`) is the one named way a service
accepts what live work refuses (docs/decisions/0010): it records the fact as it happened, the
event carries the import marker, and the rules in `rules.py` raise the alarm.

A contract or a payment before the approvals it needs (未批先建), a 概算 above the 估算, spending
above the 概算, and a contract above the must-tender thresholds without a tender are not refused
here: the contracts and payments are the procurement app's, and the rules judge them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wuquan.common.exceptions import InvalidInput, NotPermitted, RuleViolation
from wuquan.common.uploads import check_upload
from wuquan.ledger import record
from wuquan.org import roles
from wuquan.org.models import Person, Unit
from wuquan.org.selectors import role_names
from wuquan.procurement import services as procurement
from wuquan.procurement.models import Contract

from . import events
from .models import (
    STAGE_ORDER,
    Allocation,
    Approval,
    ApprovalKind,
    Disbursement,
    Duty,
    Estimate,
    EstimateStage,
    FieldGroup,
    FundLevel,
    FundRole,
    Grant,
    GrantScope,
    Inspection,
    InspectionKind,
    InspectorKind,
    Problem,
    ProgressCertificate,
    Project,
    ProjectFunding,
    ProjectRole,
    ProjectStatus,
    Sector,
    SpecialFund,
)
from .selectors import contracts_of, inspector_kind_of, own_unit_ids

# GB/T 40058-2021 全国固定资产投资项目代码编码规范 (checked with the search tool: 24 characters,
# 4-digit time code, 6-digit region code, 2-digit central department code, 2-digit project
# type code, 5-character random code and 1 check character, written in hyphenated groups).
# The check character's algorithm could not be confirmed here and is not verified.
PROJECT_CODE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-([0-9A-Z]{6})$")


@dataclass(frozen=True)
class ImportedHistory:
    """History from a legacy system replayed through the live services (the one way a
    service accepts what a live call would refuse): `source_ref` is the legacy reference."""

    source_ref: str


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _who(actor) -> str:
    return str(actor)[:120] if isinstance(actor, str) else actor.get_username()


def _may_act_for(actor, unit: Unit, message: str | None = None) -> None:
    """A user acts only for a unit they hold a post in (or one below it): seeing every unit
    (the commission, audit) is not acting for it — an auditor does not record 发改's approval.
    A string actor is the system (imports, the demo); a superuser may act for any unit."""
    if isinstance(actor, str) or getattr(actor, "is_superuser", False):
        return
    if unit.pk not in own_unit_ids(actor):
        raise NotPermitted(message or _("您无权以该单位名义办理。"))


def _positive_fen(value, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidInput(_("金额必须是正的整数（分）。"), field=field)
    return value


def _text(value, field: str, message: str, max_length: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message, field=field)
    if len(value) > max_length:
        raise InvalidInput(_("不能超过 %(n)d 个字。") % {"n": max_length}, field=field)
    return value


def _sha(value: str, field: str = "file") -> str:
    value = (value or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise InvalidInput(_("文件摘要值必须是64位SHA-256。"), field=field)
    return value


def normalise_project_code(value: str) -> str:
    """The 项目代码 in its hyphenated form, or InvalidInput on `code`."""
    raw = re.sub(r"\s", "", value or "").upper()
    if re.fullmatch(r"\d{18}[0-9A-Z]{2}", raw):
        raw = f"{raw[:4]}-{raw[4:10]}-{raw[10:12]}-{raw[12:14]}-{raw[14:]}"
    m = PROJECT_CODE.match(raw)
    if not m or not 1990 <= int(m.group(1)) <= 2100 or not 11 <= int(m.group(2)[:2]) <= 82:
        raise InvalidInput(
            _(
                "项目代码格式不正确（全国投资项目在线审批监管平台赋码，如 2025-220203-48-01-00012X）。"
            ),
            field="code",
        )
    return raw


# ------------------------------------------------------------------ projects and funds


@transaction.atomic
def do_register_project(
    code: str,
    name: str,
    owner: Unit,
    construction_unit: Unit,
    sector: str,
    location: str,
    *,
    actor,
    funding: list[tuple[str, int, SpecialFund | None]] = (),
    is_public: bool = True,
    withheld_basis: str = "",
    at: datetime | None = None,
) -> Project:
    """A project on the platform with its 项目代码 and fund sources (FIN-16)."""
    _may_act_for(actor, owner, _("您无权为该单位登记项目。"))
    code = normalise_project_code(code)
    name = _text(name, "name", _("请填写项目名称。"))
    if sector not in Sector.values:
        raise InvalidInput(_("请选择行业领域。"), field="sector")
    location = _text(location, "location", _("请填写建设地点。"))
    if Project.objects.filter(code=code).exists():
        raise InvalidInput(_("该项目代码已登记。"), field="code")
    for level, amount, _fund in funding:
        if level not in FundLevel.values:
            raise InvalidInput(_("资金来源不正确。"), field="funding")
        _positive_fen(amount, "funding")
    if not is_public and not (withheld_basis or "").strip():
        raise InvalidInput(_("不予公开须写明法律依据。"), field="withheld_basis")
    when = _now(at)
    project = Project.objects.create(
        code=code,
        name=name,
        owner=owner,
        construction_unit=construction_unit,
        sector=sector,
        location=location,
        is_public=is_public,
        withheld_basis=(withheld_basis or "").strip(),
        registered_at=when,
    )
    for level, amount, fund in funding:
        ProjectFunding.objects.create(project=project, level=level, amount_fen=amount, fund=fund)
    record(actor, events.PROJECT_REGISTERED, project, events.project_payload(project), at=when)
    return project


@transaction.atomic
def do_set_project_status(
    project: Project, status: str, *, actor, progress_percent: int | None = None, at=None
) -> Project:
    """The project's phase and 形象进度 as the construction unit reports them."""
    _may_act_for(actor, project.construction_unit, _("只有建设单位可以更新项目进度。"))
    if status not in ProjectStatus.values:
        raise InvalidInput(_("请选择项目状态。"), field="status")
    if progress_percent is not None and not 0 <= progress_percent <= 100:
        raise InvalidInput(_("形象进度应在0到100之间。"), field="progress_percent")
    project.status = status
    if progress_percent is not None:
        project.progress_percent = progress_percent
    project.save(update_fields=["status", "progress_percent"])
    record(
        actor,
        events.PROJECT_STATUS,
        project,
        {"project": project.pk, "status": status, "progress_percent": project.progress_percent},
        at=at,
    )
    return project


@transaction.atomic
def do_create_fund(
    code: str,
    name: str,
    level: str,
    purpose: str,
    sector: str,
    deadline: date,
    amount_fen: int,
    managing_unit: Unit,
    *,
    actor,
    sources: list[tuple[str, int]] | None = None,
    source_doc: str = "",
    at: datetime | None = None,
) -> SpecialFund:
    """A special fund with its purpose, deadline, amount and sources (FIN-16)."""
    _may_act_for(actor, managing_unit, _("您无权为该单位登记专项资金。"))
    code = _text(code, "code", _("请填写资金编号。"), 40)
    name = _text(name, "name", _("请填写资金名称。"))
    if level not in FundLevel.values:
        raise InvalidInput(_("请选择资金级次。"), field="level")
    purpose = _text(purpose, "purpose", _("请填写资金用途。"))
    if sector not in Sector.values:
        raise InvalidInput(_("请选择限定用途领域。"), field="sector")
    if not isinstance(deadline, date):
        raise InvalidInput(_("请填写使用期限。"), field="deadline")
    _positive_fen(amount_fen, "amount_fen")
    sources = list(sources or [(level, amount_fen)])
    for lv, amount in sources:
        if lv not in FundLevel.values:
            raise InvalidInput(_("资金来源不正确。"), field="sources")
        _positive_fen(amount, "sources")
    if sum(a for _lv, a in sources) != amount_fen:
        raise InvalidInput(_("各来源金额之和应等于资金总额。"), field="sources")
    if SpecialFund.objects.filter(code=code).exists():
        raise InvalidInput(_("该资金编号已登记。"), field="code")
    when = _now(at)
    fund = SpecialFund.objects.create(
        code=code,
        name=name,
        level=level,
        purpose=purpose,
        sector=sector,
        deadline=deadline,
        amount_fen=amount_fen,
        sources=[{"level": lv, "amount_fen": a} for lv, a in sources],
        managing_unit=managing_unit,
        source_doc=(source_doc or "").strip()[:100],
        created_at=when,
    )
    record(actor, events.FUND_CREATED, fund, events.fund_payload(fund), at=when)
    return fund


# ---------------------------------------------------------------- approvals and estimates

# The stage an approval's amount fixes (政府投资条例 第九至第十一条: 可研 → 估算, 初步设计 → 概算).
APPROVAL_STAGE = {
    ApprovalKind.FEASIBILITY: EstimateStage.ESTIMATE,
    ApprovalKind.DESIGN: EstimateStage.BUDGET_ESTIMATE,
    ApprovalKind.REAPPROVAL: EstimateStage.BUDGET_ESTIMATE,
}


def _add_estimate(project, stage, amount_fen, recorded_on, when, approval=None) -> Estimate:
    version = Estimate.objects.filter(project=project, stage=stage).count() + 1
    return Estimate.objects.create(
        project=project,
        stage=stage,
        version=version,
        amount_fen=amount_fen,
        approval=approval,
        recorded_on=recorded_on,
        recorded_at=when,
    )


@transaction.atomic
def do_record_approval(
    project: Project,
    kind: str,
    doc_no: str,
    authority: Unit,
    approved_on: date,
    *,
    actor,
    file=None,
    file_sha256: str = "",
    file_name: str = "",
    amount_fen: int | None = None,
    withheld: bool = False,
    at: datetime | None = None,
) -> Approval:
    """An approval as it happens (FIN-16, 附件6 三(三) 第二步), entered by the authority that
    gave it, with its document number, date and the digest of the file. The 可研's amount is
    the 估算, the 初步设计's (and a 概算调整核定's) the 概算: each a new estimate version."""
    _may_act_for(actor, authority, _("审批信息由审批机关录入。"))
    if kind not in ApprovalKind.values:
        raise InvalidInput(_("请选择审批事项。"), field="kind")
    doc_no = _text(doc_no, "doc_no", _("请填写批准文号。"), 100)
    if not isinstance(approved_on, date):
        raise InvalidInput(_("请填写批准日期。"), field="approved_on")
    when = _now(at)
    if approved_on > timezone.localdate(when):
        raise InvalidInput(_("批准日期不能晚于今天。"), field="approved_on")
    if file is not None:
        checked = check_upload(file, field="file", label=_("批复文件"))
        file_sha256, file_name = checked.sha256, getattr(file, "name", "")[:200]
    elif not file_sha256:
        raise InvalidInput(_("请上传批复文件。"), field="file")
    file_sha256 = _sha(file_sha256)
    stage = APPROVAL_STAGE.get(kind)
    if stage is not None:
        _positive_fen(amount_fen, "amount_fen")
    elif amount_fen is not None:
        raise InvalidInput(_("该审批事项不填写金额。"), field="amount_fen")
    earlier = project.approvals.filter(approved_on__lte=approved_on)
    if kind == ApprovalKind.DESIGN and not earlier.filter(kind=ApprovalKind.FEASIBILITY).exists():
        # 政府投资条例 第十一条: the 初步设计 follows the approved 可行性研究报告
        raise RuleViolation(
            _("初步设计须在可行性研究报告批复之后审批（政府投资条例第十一条）。"),
            field="kind",
            code="FIN-16-design-after-feasibility",
        )
    if kind == ApprovalKind.REAPPROVAL and not earlier.filter(kind=ApprovalKind.DESIGN).exists():
        raise RuleViolation(
            _("概算调整核定须在初步设计及概算批复之后（政府投资条例第二十三条）。"),
            field="kind",
            code="FIN-16-reapproval-after-design",
        )
    approval = Approval(
        project=project,
        kind=kind,
        doc_no=doc_no,
        authority=authority,
        approved_on=approved_on,
        amount_fen=amount_fen if stage is not None else None,
        file_name=(file_name or "")[:200],
        file_sha256=file_sha256,
        withheld=bool(withheld),
        recorded_at=when,
        recorded_by=_who(actor),
    )
    if file is not None:
        approval.file = file
    approval.save()
    record(actor, events.APPROVAL_RECORDED, project, events.approval_payload(approval), at=when)
    if stage is not None:
        est = _add_estimate(project, stage, amount_fen, approved_on, when, approval)
        record(actor, events.ESTIMATE_RECORDED, project, events.estimate_payload(est), at=when)
    return approval


@transaction.atomic
def do_record_estimate(
    project: Project,
    stage: str,
    amount_fen: int,
    recorded_on: date,
    *,
    actor,
    at: datetime | None = None,
) -> Estimate:
    """预算, 结算 or 决算 (估算 and 概算 come with their approvals), each after the stage before."""
    _may_act_for(actor, project.construction_unit, _("只有建设单位可以录入预算、结算、决算。"))
    if stage not in STAGE_ORDER:
        raise InvalidInput(_("请选择阶段。"), field="stage")
    if stage in (EstimateStage.ESTIMATE, EstimateStage.BUDGET_ESTIMATE):
        raise InvalidInput(_("估算、概算随可研、初步设计批复录入。"), field="stage")
    _positive_fen(amount_fen, "amount_fen")
    previous = STAGE_ORDER[STAGE_ORDER.index(stage) - 1]
    if not project.estimates.filter(stage=previous).exists():
        raise RuleViolation(
            _("须先有%(p)s，再录入%(s)s。")
            % {"p": EstimateStage(previous).label, "s": EstimateStage(stage).label},
            field="stage",
            code="FIN-16-estimate-order",
        )
    when = _now(at)
    est = _add_estimate(project, stage, amount_fen, recorded_on, when)
    record(actor, events.ESTIMATE_RECORDED, project, events.estimate_payload(est), at=when)
    return est


# ----------------------------------------------------------------- separated duties (FIN-17)


def _active_duties(subject_filter: dict, on: date):
    return Duty.objects.filter(**subject_filter, assigned_on__lte=on).exclude(
        revoked_on__isnull=False, revoked_on__lte=on
    )


@transaction.atomic
def do_assign_duty(
    subject: Project | SpecialFund,
    role: str,
    unit: Unit,
    assigned_on: date,
    *,
    actor,
    person: Person | None = None,
    history: ImportedHistory | None = None,
    at: datetime | None = None,
) -> Duty:
    """A unit (and optionally its responsible person) takes one of the separated roles on a
    project or a fund (FIN-17, 附件1 #28, #40). Live work refuses a unit or a person holding
    two of the roles on the same subject; imported history keeps it and the rule raises it."""
    is_project = isinstance(subject, Project)
    allowed = ProjectRole.values if is_project else FundRole.values
    if role not in allowed:
        raise InvalidInput(_("请选择职责。"), field="role")
    if history is None:
        _may_grant(actor)
    flt = {"project": subject} if is_project else {"fund": subject}
    active = _active_duties(flt, assigned_on)
    if active.filter(role=role, unit=unit).exists():
        raise RuleViolation(_("该单位已承担此职责。"), field="unit", code="FIN-17-once")
    clash = active.exclude(role=role).filter(unit=unit)
    if person is not None:
        clash = active.exclude(role=role).filter(unit=unit) | active.exclude(role=role).filter(
            person=person
        )
    combined = sorted(set(clash.values_list("role", flat=True)))
    if combined and history is None:
        labels = "、".join(
            str((ProjectRole if is_project else FundRole)(r).label) for r in combined
        )
        raise RuleViolation(
            _("同一单位或个人不得在同一%(what)s上兼任%(roles)s与%(role)s（职责分离，FIN-17）。")
            % {
                "what": _("项目") if is_project else _("专项资金"),
                "roles": labels,
                "role": (ProjectRole if is_project else FundRole)(role).label,
            },
            field="unit",
            code="FIN-17-separated-duties",
        )
    when = _now(at)
    duty = Duty.objects.create(
        **flt,
        role=role,
        unit=unit,
        person=person,
        assigned_on=assigned_on,
        imported=history is not None,
        source_ref=history.source_ref if history else "",
        recorded_at=when,
    )
    record(
        actor,
        events.DUTY_ASSIGNED,
        subject,
        events.duty_payload(duty, combined_with=combined),
        at=when,
    )
    return duty


@transaction.atomic
def do_revoke_duty(duty: Duty, revoked_on: date, *, actor, at=None) -> Duty:
    _may_grant(actor)
    if duty.revoked_on is not None:
        raise RuleViolation(_("该职责已终止。"), code="FIN-17-once")
    if revoked_on < duty.assigned_on:
        raise InvalidInput(_("终止日期不能早于起始日期。"), field="revoked_on")
    duty.revoked_on = revoked_on
    duty.save(update_fields=["revoked_on"])
    record(
        actor,
        events.DUTY_REVOKED,
        duty.project or duty.fund,
        {"duty": duty.pk, "role": duty.role, "revoked_on": revoked_on.isoformat()},
        at=at,
    )
    return duty


# ------------------------------------------------------------------------- money (FIN-16)


@transaction.atomic
def do_allocate(
    fund: SpecialFund,
    project: Project,
    amount_fen: int,
    doc_no: str,
    allocated_on: date,
    *,
    actor,
    history: ImportedHistory | None = None,
    at: datetime | None = None,
) -> Allocation:
    """The finance bureau allocates (下达) part of a fund to a project (附件6 三(三) 第二步:
    财政部门要将专项资金审批及资金拨付情况及时录入). Refused outside the fund's purpose,
    after its deadline or beyond what is left of it."""
    _may_act_for(actor, fund.managing_unit, _("专项资金由其主管部门下达。"))
    _positive_fen(amount_fen, "amount_fen")
    doc_no = _text(doc_no, "doc_no", _("请填写下达文号。"), 100)
    fund = SpecialFund.objects.select_for_update().get(pk=fund.pk)
    within_purpose = project.sector == fund.sector
    within_deadline = allocated_on <= fund.deadline
    if history is None:
        if not within_purpose:
            raise RuleViolation(
                _("该项目不属于本专项资金限定的用途（%(s)s），不得下达。")
                % {"s": Sector(fund.sector).label},
                field="project",
                code="FIN-16-fund-purpose",
            )
        if not within_deadline:
            raise RuleViolation(
                _("已超过专项资金使用期限（%(d)s）。") % {"d": fund.deadline.isoformat()},
                field="allocated_on",
                code="FIN-16-fund-deadline",
            )
    allocated = fund.allocations.aggregate(s=Sum("amount_fen"))["s"] or 0
    if allocated + amount_fen > fund.amount_fen:
        raise RuleViolation(
            _("累计下达不得超过资金总额（尚可下达 %(left).2f 元）。")
            % {"left": (fund.amount_fen - allocated) / 100},
            field="amount_fen",
            code="FIN-16-within-fund",
        )
    when = _now(at)
    allocation = Allocation.objects.create(
        fund=fund,
        project=project,
        amount_fen=amount_fen,
        doc_no=doc_no,
        allocated_on=allocated_on,
        imported=history is not None,
        recorded_at=when,
    )
    record(
        actor,
        events.ALLOCATED,
        fund,
        events.allocation_payload(
            allocation, within_purpose=within_purpose, within_deadline=within_deadline
        ),
        at=when,
    )
    return allocation


def _contract_of(project: Project, contract: Contract, field: str = "contract") -> Contract:
    if not contracts_of(project).filter(pk=contract.pk).exists():
        raise InvalidInput(_("该合同不属于本项目。"), field=field)
    return contract


@transaction.atomic
def do_certify_progress(
    project: Project,
    contract: Contract,
    number: str,
    percent: int,
    certified_fen: int,
    certified_on: date,
    certifier: Unit,
    *,
    actor,
    file_sha256: str,
    at: datetime | None = None,
) -> ProgressCertificate:
    """A progress certificate for a contract of the project, signed by the supervising
    unit: the basis of each disbursement (FIN-16)."""
    _may_act_for(actor, certifier, _("进度款支付证书由核定单位录入。"))
    _contract_of(project, contract)
    number = _text(number, "number", _("请填写证书编号。"), 60)
    if not isinstance(percent, int) or not 0 < percent <= 100:
        raise InvalidInput(_("累计完成比例应在1到100之间。"), field="percent")
    _positive_fen(certified_fen, "certified_fen")
    file_sha256 = _sha(file_sha256, "file_sha256")
    certs = ProgressCertificate.objects.filter(contract=contract)
    if certs.filter(number=number).exists():
        raise InvalidInput(_("该证书编号已录入。"), field="number")
    total = certs.aggregate(s=Sum("certified_fen"))["s"] or 0
    if total + certified_fen > contract.amount_fen:
        raise RuleViolation(
            _("累计核定金额不得超过合同金额。"),
            field="certified_fen",
            code="FIN-16-within-contract",
        )
    when = _now(at)
    cert = ProgressCertificate.objects.create(
        project=project,
        contract=contract,
        number=number,
        percent=percent,
        certified_fen=certified_fen,
        certified_on=certified_on,
        certifier=certifier,
        file_sha256=file_sha256,
        recorded_at=when,
    )
    record(actor, events.CERTIFIED, project, events.certificate_payload(cert), at=when)
    return cert


@transaction.atomic
def do_disburse(
    allocation: Allocation,
    contract: Contract,
    amount_fen: int,
    paid_on: date,
    *,
    actor,
    certificate: ProgressCertificate | None = None,
    history: ImportedHistory | None = None,
    at: datetime | None = None,
) -> Disbursement:
    """The construction unit disburses (拨付) allocated money to a contractor on a progress
    certificate (FIN-16); the payment on the contract is procurement's (`do_record_payment`),
    recorded here once. Live work refuses no certificate, a certificate of another contract,
    more than the certificate leaves, more than the allocation leaves, a payment after the
    fund's deadline or outside its purpose."""
    project = allocation.project
    fund = allocation.fund
    _may_act_for(actor, project.construction_unit, _("资金拨付由项目建设单位录入。"))
    _positive_fen(amount_fen, "amount_fen")
    _contract_of(project, contract)
    if not isinstance(paid_on, date):
        raise InvalidInput(_("请填写拨付日期。"), field="paid_on")
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    within_purpose = project.sector == fund.sector
    within_deadline = paid_on <= fund.deadline
    if history is None:
        if certificate is None:
            raise RuleViolation(
                _("拨付须附进度款支付证书。"),
                field="certificate",
                code="FIN-16-certificate-required",
            )
        if not within_purpose:
            raise RuleViolation(
                _("该项目不属于本专项资金限定的用途，不得拨付。"),
                field="allocation",
                code="FIN-16-fund-purpose",
            )
        if not within_deadline:
            raise RuleViolation(
                _("已超过专项资金使用期限（%(d)s）。") % {"d": fund.deadline.isoformat()},
                field="paid_on",
                code="FIN-16-fund-deadline",
            )
    if certificate is not None:
        if certificate.contract_id != contract.pk:
            raise InvalidInput(_("该证书不是本合同的。"), field="certificate")
        used = certificate.disbursements.aggregate(s=Sum("amount_fen"))["s"] or 0
        if used + amount_fen > certificate.certified_fen:
            raise RuleViolation(
                _("拨付金额超过该证书核定金额（尚余 %(left).2f 元）。")
                % {"left": (certificate.certified_fen - used) / 100},
                field="amount_fen",
                code="FIN-16-within-certificate",
            )
    paid = allocation.disbursements.aggregate(s=Sum("amount_fen"))["s"] or 0
    if paid + amount_fen > allocation.amount_fen:
        raise RuleViolation(
            _("累计拨付不得超过下达金额（尚余 %(left).2f 元）。")
            % {"left": (allocation.amount_fen - paid) / 100},
            field="amount_fen",
            code="FIN-16-within-allocation",
        )
    when = _now(at)
    payment = procurement.do_record_payment(contract, amount_fen, actor=actor, at=when)
    d = Disbursement.objects.create(
        allocation=allocation,
        project=project,
        fund=fund,
        contract=contract,
        certificate=certificate,
        payment=payment,
        amount_fen=amount_fen,
        paid_on=paid_on,
        imported=history is not None,
        source_ref=history.source_ref if history else "",
        recorded_at=when,
    )
    record(
        actor,
        events.DISBURSED,
        project,
        events.disbursement_payload(
            d, within_purpose=within_purpose, within_deadline=within_deadline
        ),
        at=when,
    )
    return d


# ----------------------------------------------------------------------- inspections (SUP-7)


@transaction.atomic
def do_file_inspection(
    subject: Project | SpecialFund,
    unit: Unit,
    kind: str,
    inspected_on: date,
    summary: str,
    *,
    actor,
    file_sha256: str = "",
    round_id: int | None = None,
    problems: list[tuple[str, date]] = (),
    at: datetime | None = None,
) -> Inspection:
    """发改, 财政 or 审计 files an inspection record or a problem report against a project or a
    fund (SUP-7, 附件6 三(三) 第三步), each problem with its rectification deadline.
    `round_id` names the SUP-8 inspection round the record answers."""
    _may_act_for(actor, unit, _("巡查记录由巡查单位报送。"))
    inspector = inspector_kind_of(unit)
    if inspector is None:
        raise NotPermitted(_("只有发改、财政、审计部门报送巡查记录（附件6 三(三) 第三步）。"))
    if kind not in InspectionKind.values:
        raise InvalidInput(_("请选择类别。"), field="kind")
    summary = _text(summary, "summary", _("请填写检查情况。"), 4000)
    if file_sha256:
        file_sha256 = _sha(file_sha256, "file_sha256")
    when = _now(at)
    if inspected_on > timezone.localdate(when):
        raise InvalidInput(_("巡查日期不能晚于今天。"), field="inspected_on")
    if kind == InspectionKind.PROBLEM and not problems:
        raise InvalidInput(_("问题处理报告须列明问题及整改期限。"), field="problem")
    for description, deadline in problems:
        _text(description, "problem", _("请填写问题描述。"), 2000)
        if not isinstance(deadline, date):
            raise InvalidInput(_("请填写整改期限。"), field="deadline")
        if deadline < inspected_on:
            raise InvalidInput(_("整改期限不能早于巡查日期。"), field="deadline")
    if round_id is not None and not 0 < round_id < 2**31:
        raise InvalidInput(_("巡查任务编号不正确。"), field="round_id")
    is_project = isinstance(subject, Project)
    inspection = Inspection.objects.create(
        project=subject if is_project else None,
        fund=None if is_project else subject,
        unit=unit,
        inspector=inspector,
        kind=kind,
        inspected_on=inspected_on,
        summary=summary,
        file_sha256=file_sha256,
        round_id=round_id,
        filed_at=when,
        filed_by=_who(actor),
    )
    record(
        actor, events.INSPECTION_FILED, inspection, events.inspection_payload(inspection), at=when
    )
    for description, deadline in problems:
        problem = Problem.objects.create(
            inspection=inspection,
            description=description.strip(),
            deadline=deadline,
            recorded_at=when,
        )
        record(actor, events.PROBLEM_REPORTED, problem, events.problem_payload(problem), at=when)
    return inspection


@transaction.atomic
def do_rectify_problem(
    problem: Problem, rectified_on: date, rectification: str, *, actor, at=None
) -> Problem:
    """The project's construction unit (or the fund's managing unit) reports the problem
    rectified (整改到位)."""
    inspection = problem.inspection
    responsible = (
        inspection.project.construction_unit
        if inspection.project_id
        else inspection.fund.managing_unit
    )
    _may_act_for(actor, responsible, _("整改情况由责任单位报告。"))
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.rectified_on is not None:
        raise RuleViolation(_("该问题已整改。"), code="SUP-7-once")
    rectification = _text(rectification, "rectification", _("请填写整改情况。"), 4000)
    if not isinstance(rectified_on, date) or rectified_on < inspection.inspected_on:
        raise InvalidInput(_("整改完成日期不能早于巡查日期。"), field="rectified_on")
    problem.rectified_on = rectified_on
    problem.rectification = rectification
    problem.save(update_fields=["rectified_on", "rectification"])
    record(actor, events.PROBLEM_RECTIFIED, problem, events.rectified_payload(problem), at=at)
    return problem


# ------------------------------------------------------------------- graded access (FIN-18)


def _may_grant(actor) -> None:
    """Grants and duties are set by the platform's administrators and the commission."""
    if isinstance(actor, str):
        return
    if getattr(actor, "is_superuser", False):
        return
    if role_names(actor) & {roles.ADMIN, roles.COMMISSION}:
        return
    raise NotPermitted(_("只有平台管理员或纪检监察机关可以设定授权和职责。"))


@transaction.atomic
def do_grant_access(
    unit: Unit,
    scope: str,
    fields: list[str],
    *,
    actor,
    scope_unit: Unit | None = None,
    project: Project | None = None,
    fund: SpecialFund | None = None,
    at: datetime | None = None,
) -> Grant:
    """A unit may see `fields` of the projects and funds in `scope` (FIN-18, 分级授权)."""
    _may_grant(actor)
    if scope not in GrantScope.values:
        raise InvalidInput(_("请选择授权范围。"), field="scope")
    fields = sorted(set(fields or []))
    if not fields or set(fields) - set(FieldGroup.values):
        raise InvalidInput(_("请至少选择一项授权内容。"), field="fields")
    need = {
        GrantScope.UNIT: ("scope_unit", scope_unit, _("请选择范围单位。")),
        GrantScope.PROJECT: ("project", project, _("请选择项目。")),
        GrantScope.FUND: ("fund", fund, _("请选择专项资金。")),
    }.get(scope)
    if need and need[1] is None:
        raise InvalidInput(need[2], field=need[0])
    when = _now(at)
    grant = Grant.objects.create(
        unit=unit,
        scope=scope,
        scope_unit=scope_unit if scope == GrantScope.UNIT else None,
        project=project if scope == GrantScope.PROJECT else None,
        fund=fund if scope == GrantScope.FUND else None,
        fields=fields,
        granted_at=when,
        granted_by=_who(actor),
    )
    record(actor, events.ACCESS_GRANTED, grant, events.grant_payload(grant), at=when)
    return grant


@transaction.atomic
def do_revoke_access(grant: Grant, *, actor, at: datetime | None = None) -> Grant:
    _may_grant(actor)
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise RuleViolation(_("该授权已撤销。"), code="FIN-18-once")
    when = _now(at)
    grant.revoked_at = when
    grant.revoked_by = _who(actor)
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record(actor, events.ACCESS_REVOKED, grant, {"grant": grant.pk}, at=when)
    return grant


__all__ = [
    "InspectorKind",
    "ImportedHistory",
    "normalise_project_code",
]

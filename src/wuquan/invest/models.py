"""Government investment projects and special funds (政府性投资项目和财政专项资金监管平台,
附件6 二(三), 三(三); FIN-16, FIN-17, FIN-18, SUP-7).

A project is followed from its approvals (立项, 可研, 初步设计及概算, 用地, 规划, 环评, 能评,
施工许可, 招标方案) through its estimates (估算 → 概算 → 预算 → 结算 → 决算) to the money:
a special fund is allocated (下达) to a project, and disbursed (拨付) on a progress certificate
against a contract. Tenders, contracts and payments are the procurement app's: a project's
tenders carry `project_ref = "invest.project:<pk>"`, and each disbursement records the
procurement payment it made (no second copy of either).

Money is integer fen everywhere.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundLevel(models.TextChoices):
    """Where a project's money comes from (附件6 二(三): 中央、省、市和区本级投入)."""

    CENTRAL = "central", _("中央专项资金")
    PROVINCIAL = "provincial", _("省级专项资金")
    MUNICIPAL = "municipal", _("市级专项资金")
    DISTRICT = "district", _("区级专项资金")
    BOND = "special_bond", _("地方政府专项债券")
    OWN = "own", _("自筹资金")


class Sector(models.TextChoices):
    """The project's field, also a special fund's purpose (OC4IDS projectSector in `ocds`)."""

    TRANSPORT = "transport", _("交通")
    WATER = "water", _("水利与供排水")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("卫生健康")
    AGRICULTURE = "agriculture", _("农业农村")
    URBAN = "urban", _("城市建设")
    GOVERNANCE = "governance", _("政务设施")


class ProjectStatus(models.TextChoices):
    """OC4IDS projectStatus codes (closed codelist)."""

    IDENTIFICATION = "identification", _("立项")
    PREPARATION = "preparation", _("前期工作")
    IMPLEMENTATION = "implementation", _("在建")
    COMPLETION = "completion", _("竣工")
    CANCELLED = "cancelled", _("终止")


class Project(models.Model):
    """A government investment project, identified by its 项目代码 from the national
    investment-project online approval and supervision platform (全国投资项目在线审批监管平台:
    year-province-industry-serial, e.g. 2025-220203-48-01-000123; validated in services)."""

    code = models.CharField(_("项目代码"), max_length=24, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    owner = models.ForeignKey(
        "org.Unit", verbose_name=_("项目单位（业主）"), on_delete=models.PROTECT, related_name="+"
    )
    construction_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("建设单位"), on_delete=models.PROTECT, related_name="+"
    )
    sector = models.CharField(_("行业领域"), max_length=20, choices=Sector.choices)
    location = models.CharField(_("建设地点"), max_length=200)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.IDENTIFICATION,
    )
    progress_percent = models.PositiveSmallIntegerField(_("形象进度（%）"), default=0)
    is_public = models.BooleanField(_("公开"), default=True)
    withheld_basis = models.CharField(_("不予公开依据"), max_length=200, blank=True)
    registered_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("政府投资项目")
        verbose_name_plural = _("政府投资项目")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def ref(self) -> str:
        """What procurement's `project_ref` holds for this project."""
        return f"invest.project:{self.pk}"


class SpecialFund(models.Model):
    """A special fund (财政专项资金): its purpose (a sector the money may go to), its deadline
    and its amount, made of `sources` [{"level": FundLevel, "amount_fen": int}]."""

    code = models.CharField(_("资金编号"), max_length=40, unique=True)
    name = models.CharField(_("资金名称"), max_length=200)
    level = models.CharField(_("资金级次"), max_length=20, choices=FundLevel.choices)
    purpose = models.CharField(_("资金用途"), max_length=200)
    sector = models.CharField(_("限定用途领域"), max_length=20, choices=Sector.choices)
    deadline = models.DateField(_("使用期限"))
    amount_fen = models.BigIntegerField(_("资金总额（分）"))
    sources = models.JSONField(_("资金来源"), default=list)
    managing_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="+"
    )
    source_doc = models.CharField(_("下达文号"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("财政专项资金")
        verbose_name_plural = _("财政专项资金")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class ProjectFunding(models.Model):
    """One of a project's fund sources, planned (资金来源)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding")
    level = models.CharField(_("资金来源"), max_length=20, choices=FundLevel.choices)
    amount_fen = models.BigIntegerField(_("计划金额（分）"))
    fund = models.ForeignKey(
        SpecialFund, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["project_id", "id"]

    def __str__(self):
        return f"{self.project_id}/{self.level}"


class ApprovalKind(models.TextChoices):
    """The approvals of a project (附件6 三(三) 第二步: 用地审批、规划审批、环评、能评、招投标)."""

    PROPOSAL = "proposal", _("项目建议书批复")
    FEASIBILITY = "feasibility", _("可行性研究报告批复")
    DESIGN = "design", _("初步设计及概算批复")
    LAND_PREREVIEW = "land_prereview", _("用地预审")
    LAND = "land", _("建设用地批准")
    PLANNING = "planning", _("建设工程规划许可")
    EIA = "eia", _("环境影响评价批复")
    ENERGY = "energy", _("节能审查意见")
    CONSTRUCTION = "construction", _("施工许可")
    TENDERING = "tendering", _("招标方案核准")
    REAPPROVAL = "reapproval", _("概算调整核定")


class Approval(models.Model):
    """One approval as it happened: document number, authority, date and the file's digest."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="approvals")
    kind = models.CharField(_("审批事项"), max_length=20, choices=ApprovalKind.choices)
    doc_no = models.CharField(_("批准文号"), max_length=100)
    authority = models.ForeignKey(
        "org.Unit", verbose_name=_("审批机关"), on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(_("批准日期"))
    amount_fen = models.BigIntegerField(_("批复金额（分）"), null=True, blank=True)
    file = models.FileField(_("批复文件"), upload_to="invest/approvals/%Y/%m/", blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    file_sha256 = models.CharField(_("文件摘要值（SHA-256）"), max_length=64)
    withheld = models.BooleanField(_("依法不予公开"), default=False)
    recorded_at = models.DateTimeField(_("录入时间"))
    recorded_by = models.CharField(_("录入人"), max_length=120)

    class Meta:
        verbose_name = _("审批")
        verbose_name_plural = _("审批")
        ordering = ["project_id", "approved_on", "id"]
        indexes = [models.Index(fields=["project", "kind", "approved_on"], name="inv_appr_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.doc_no}"


class EstimateStage(models.TextChoices):
    ESTIMATE = "estimate", _("投资估算")
    BUDGET_ESTIMATE = "budget_estimate", _("投资概算")
    BUDGET = "budget", _("施工图预算")
    SETTLEMENT = "settlement", _("工程结算")
    FINAL = "final", _("竣工决算")


STAGE_ORDER = [s.value for s in EstimateStage]


class Estimate(models.Model):
    """A version of the project's cost at one stage (估算 → 概算 → 预算 → 结算 → 决算): rows are
    only added; the newest version of a stage is the one in force."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="estimates")
    stage = models.CharField(_("阶段"), max_length=20, choices=EstimateStage.choices)
    version = models.PositiveIntegerField(_("版本"))
    amount_fen = models.BigIntegerField(_("金额（分）"))
    approval = models.ForeignKey(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="estimates"
    )
    recorded_on = models.DateField(_("日期"))
    recorded_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("投资估概预结决算")
        verbose_name_plural = _("投资估概预结决算")
        ordering = ["project_id", "recorded_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stage", "version"], name="inv_estimate_version"
            )
        ]

    def __str__(self):
        return f"{self.project_id} {self.stage} v{self.version}"


class ProjectRole(models.TextChoices):
    """FIN-17 (附件1 #40): approval, investment, construction, supervision and acceptance of a
    project by different units."""

    APPROVAL = "approval", _("审批")
    INVESTMENT = "investment", _("投资")
    CONSTRUCTION = "construction", _("建设")
    SUPERVISION = "supervision", _("监管")
    ACCEPTANCE = "acceptance", _("验收")


class FundRole(models.TextChoices):
    """FIN-17 (附件1 #28): review, decision and performance evaluation of a special fund."""

    REVIEW = "review", _("评审")
    DECISION = "decision", _("决定")
    EVALUATION = "evaluation", _("绩效评估")


class Duty(models.Model):
    """A unit (and optionally a person) holding one of the separated roles on a project or a
    fund, from a date. `imported` marks history taken over from a legacy system, which may
    hold what the live service refuses (two roles in one hand): the FIN-17 rule raises it."""

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="duties"
    )
    fund = models.ForeignKey(
        SpecialFund, null=True, blank=True, on_delete=models.PROTECT, related_name="duties"
    )
    role = models.CharField(_("职责"), max_length=20)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_on = models.DateField(_("起始日期"))
    revoked_on = models.DateField(_("终止日期"), null=True, blank=True)
    imported = models.BooleanField(_("导入的历史"), default=False)
    source_ref = models.CharField(_("来源编号"), max_length=80, blank=True)
    recorded_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("职责分离")
        verbose_name_plural = _("职责分离")
        ordering = ["project_id", "fund_id", "role", "id"]

    def __str__(self):
        return f"{self.role} {self.unit_id}"

    @property
    def role_label(self) -> str:
        enum = ProjectRole if self.project_id else FundRole
        return str(enum(self.role).label) if self.role in enum.values else self.role


class Allocation(models.Model):
    """A special fund allocated (下达) to a project by the finance bureau."""

    fund = models.ForeignKey(SpecialFund, on_delete=models.PROTECT, related_name="allocations")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="allocations")
    amount_fen = models.BigIntegerField(_("下达金额（分）"))
    doc_no = models.CharField(_("下达文号"), max_length=100)
    allocated_on = models.DateField(_("下达日期"))
    imported = models.BooleanField(_("导入的历史"), default=False)
    recorded_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("资金下达")
        verbose_name_plural = _("资金下达")
        ordering = ["fund_id", "allocated_on", "id"]

    def __str__(self):
        return f"{self.fund_id}→{self.project_id}"


class ProgressCertificate(models.Model):
    """A progress certificate (工程进度款支付证书 / 计量证书) signed by the supervising engineer
    for a contract: the basis of a disbursement."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="certificates")
    contract = models.ForeignKey("procurement.Contract", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("证书编号"), max_length=60)
    percent = models.PositiveSmallIntegerField(_("累计完成（%）"))
    certified_fen = models.BigIntegerField(_("本期核定金额（分）"))
    certified_on = models.DateField(_("核定日期"))
    certifier = models.ForeignKey(
        "org.Unit", verbose_name=_("核定单位"), on_delete=models.PROTECT, related_name="+"
    )
    file_sha256 = models.CharField(_("文件摘要值（SHA-256）"), max_length=64)
    recorded_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("进度款支付证书")
        verbose_name_plural = _("进度款支付证书")
        ordering = ["project_id", "certified_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="inv_cert_number")
        ]

    def __str__(self):
        return self.number


class Disbursement(models.Model):
    """Money of an allocation paid out (拨付) to a contractor against a progress certificate:
    the procurement payment it made is `payment` (the spending on the contract)."""

    allocation = models.ForeignKey(
        Allocation, on_delete=models.PROTECT, related_name="disbursements"
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="disbursements")
    fund = models.ForeignKey(SpecialFund, on_delete=models.PROTECT, related_name="disbursements")
    contract = models.ForeignKey("procurement.Contract", on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(
        ProgressCertificate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    payment = models.OneToOneField(
        "procurement.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount_fen = models.BigIntegerField(_("拨付金额（分）"))
    paid_on = models.DateField(_("拨付日期"))
    imported = models.BooleanField(_("导入的历史"), default=False)
    source_ref = models.CharField(_("来源编号"), max_length=80, blank=True)
    recorded_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("资金拨付")
        verbose_name_plural = _("资金拨付")
        ordering = ["project_id", "paid_on", "id"]
        indexes = [
            models.Index(fields=["project", "paid_on"], name="inv_disb_project"),
            models.Index(fields=["fund", "paid_on"], name="inv_disb_fund"),
        ]

    def __str__(self):
        return f"{self.allocation_id}/{self.pk}"


class InspectorKind(models.TextChoices):
    """附件6 三(三) 第三步: 发改、财政、审计部门按照职责要求开展巡查工作."""

    NDRC = "ndrc", _("发改")
    FINANCE = "finance", _("财政")
    AUDIT = "audit", _("审计")


class InspectionKind(models.TextChoices):
    RECORD = "record", _("检查记录")
    PROBLEM = "problem", _("问题处理报告")


class Inspection(models.Model):
    """An inspection record or problem report filed against a project or a fund (SUP-7).
    `round_id` names the SUP-8 inspection round it answers (supervision's InspectionRound;
    an id, not a key: invest does not import supervision, supervision reads this)."""

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    fund = models.ForeignKey(
        SpecialFund, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("巡查单位"), on_delete=models.PROTECT, related_name="+"
    )
    inspector = models.CharField(_("部门类别"), max_length=10, choices=InspectorKind.choices)
    kind = models.CharField(_("类别"), max_length=10, choices=InspectionKind.choices)
    inspected_on = models.DateField(_("巡查日期"))
    summary = models.TextField(_("检查情况"))
    file_sha256 = models.CharField(_("文件摘要值（SHA-256）"), max_length=64, blank=True)
    round_id = models.PositiveIntegerField(_("巡查任务编号"), null=True, blank=True)
    filed_at = models.DateTimeField(_("报送时间"))
    filed_by = models.CharField(_("报送人"), max_length=120)

    class Meta:
        verbose_name = _("巡查记录")
        verbose_name_plural = _("巡查记录")
        ordering = ["-inspected_on", "-id"]

    def __str__(self):
        return f"{self.get_inspector_display()} {self.inspected_on}"


class Problem(models.Model):
    """A problem an inspection found, with its rectification deadline (整改期限)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="problems")
    description = models.TextField(_("问题描述"))
    deadline = models.DateField(_("整改期限"))
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    rectification = models.TextField(_("整改情况"), blank=True)
    recorded_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("问题整改")
        verbose_name_plural = _("问题整改")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["deadline"], name="inv_problem_deadline")]

    def __str__(self):
        return f"{self.inspection_id}/{self.pk}"


class GrantScope(models.TextChoices):
    ALL = "all", _("全部项目和资金")
    UNIT = "unit", _("某单位的项目和资金")
    PROJECT = "project", _("单个项目")
    FUND = "fund", _("单个专项资金")


class FieldGroup(models.TextChoices):
    """What a grant opens, beyond a project's or fund's public particulars (FIN-18)."""

    APPROVALS = "approvals", _("审批信息")
    ESTIMATES = "estimates", _("估概预结决算")
    MONEY = "money", _("资金下达与拨付")
    CONTRACTS = "contracts", _("合同与进度")
    DUTIES = "duties", _("职责分离")
    INSPECTIONS = "inspections", _("巡查与整改")


class Grant(models.Model):
    """Graded access (分级授权, 附件6 三(三) 第三步; FIN-18): a supervising or line unit sees
    the field groups `fields` of the projects and funds in `scope`. Recorded when granted and
    when revoked; never deleted."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("被授权单位"), on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(_("授权范围"), max_length=10, choices=GrantScope.choices)
    scope_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("范围单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    fund = models.ForeignKey(
        SpecialFund, null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    fields = models.JSONField(_("授权内容"), default=list)
    granted_at = models.DateTimeField(_("授权时间"))
    granted_by = models.CharField(_("授权人"), max_length=120)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.CharField(_("撤销人"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("分级授权")
        verbose_name_plural = _("分级授权")
        ordering = ["unit_id", "-granted_at", "id"]

    def __str__(self):
        return f"{self.unit_id} {self.scope}"

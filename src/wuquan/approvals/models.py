"""Cases (办件) from the window to the result (APR-1..11).

A case runs on the flow version it started on (`catalog.FlowVersion`, immutable once
published). The SpiffWorkflow state is serialised per case in `Case.workflow_state`; its user
tasks are mirrored in `CaseStep` rows so worklists, figures and supervision rules are plain SQL.
Writes go through `services.py` (each records exactly one ledger event).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuquan.catalog.models import ApprovalItem, Fee, FlowVersion, Material
from wuquan.org.models import Post, Unit


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口申请")
    IMPORT = "import", _("历史导入")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已申请，待受理")
    RUNNING = "running", _("办理中")
    SUSPENDED = "suspended", _("中止计时")
    FINISHED = "finished", _("已办结")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    WITHDRAWN = "withdrawn", _("申请人撤回")


class CaseResult(models.TextChoices):
    NONE = "", _("—")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    WITHDRAWN = "withdrawn", _("撤回")


OPEN_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.RUNNING, CaseStatus.SUSPENDED)


class Case(models.Model):
    """One application (办件) for an approval item (APR-1).

    `application_no` is given at submission (online or at the window); `receipt_no`
    (受理编号, e.g. LT-20261129-0001) at acceptance. The query code is stored only as a salted
    HMAC; it is shown once to the applicant.
    """

    item = models.ForeignKey(
        ApprovalItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="cases"
    )
    flow = models.ForeignKey(
        FlowVersion,
        verbose_name=_("流程版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("实施机关"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    application_no = models.CharField(_("申请编号"), max_length=32, unique=True)
    receipt_no = models.CharField(_("受理编号"), max_length=32, unique=True, null=True, blank=True)
    query_salt = models.CharField(max_length=32, blank=True)
    query_hash = models.CharField(max_length=64, blank=True)
    applicant_name = models.CharField(_("申请人"), max_length=200)
    applicant_id_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    applicant_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    title = models.CharField(_("申请事由"), max_length=300, blank=True)
    data = models.JSONField(_("申请表数据"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("申请时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("窗口登记人"),
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("受理人"),
    )
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    promised_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"), default=0)
    due = models.DateField(_("承诺办结日"), null=True, blank=True)
    provisional = models.BooleanField(_("按临时日历计算"), default=False)
    deadline = models.ForeignKey(
        "workdays.TrackedDeadline",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    workflow_state = models.TextField(_("流程状态（SpiffWorkflow）"), blank=True)
    result = models.CharField(
        _("办理结果"), max_length=20, choices=CaseResult.choices, blank=True, default=""
    )
    result_reason = models.TextField(_("结果理由"), blank=True)
    result_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    certificate_no = models.CharField(_("证照/决定书编号"), max_length=60, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    source_ref = models.CharField(_("原系统编号"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="approvals_case_unit_status"),
            models.Index(fields=["item", "status"], name="approvals_case_item_status"),
            # why: SUP-2-case-overdue reads the cases open (finished_at null) or, for a replay,
            # finished after the replayed time, and past their promised day: both arms from
            # this one index (bench/sweep.py: a scan of every case otherwise)
            models.Index(fields=["finished_at", "due"], name="approvals_case_finished_due"),
        ]

    def __str__(self):
        return f"{self.receipt_no or self.application_no} {self.item.name}"

    @property
    def number(self) -> str:
        return self.receipt_no or self.application_no

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MaterialStatus(models.TextChoices):
    PROVIDED = "provided", _("已提交")
    REUSED = "reused", _("已有，不再提交（前一环节或已入库证照）")
    NOT_NEEDED = "not_needed", _("本件不需要")
    MISSING = "missing", _("未提交")
    DEMANDED = "demanded", _("待补正")


class CaseMaterial(models.Model):
    """One catalog material of a case and how the window found it (CAT-5)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=20, choices=MaterialStatus.choices, default=MaterialStatus.MISSING
    )
    file = models.FileField(_("文件"), upload_to="approvals/%Y/%m/", blank=True)
    # why: the digest recorded in the ledger event of the upload, shown beside the file so a
    # clerk can see the file is the one the applicant sent (issue 12, finding 1)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "material__sort", "material_id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "material"], name="approvals_material_once")
        ]

    def __str__(self):
        return f"{self.case_id}:{self.material.name}"


class StepState(models.TextChoices):
    READY = "ready", _("待办")
    CLAIMED = "claimed", _("办理中")
    DONE = "done", _("已办")
    CANCELLED = "cancelled", _("已取消")


class CaseStep(models.Model):
    """A user task of a case's flow, mirrored from SpiffWorkflow for SQL (APR-3).

    `deadline` is the step's own limit in working days from when it became ready, pushed by
    the case's suspensions; `provisional` when it rests on the provisional calendar.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    task_id = models.CharField(_("任务标识"), max_length=64)
    step_id = models.CharField(_("环节编号"), max_length=64)  # BPMN task id
    name = models.CharField(_("环节"), max_length=200)
    kind = models.CharField(_("环节类型"), max_length=20)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="case_steps")
    limit_days = models.PositiveSmallIntegerField(_("时限（工作日）"), default=0)
    state = models.CharField(
        _("状态"), max_length=20, choices=StepState.choices, default=StepState.READY
    )
    deadline = models.DateField(_("环节时限"), null=True, blank=True)
    provisional = models.BooleanField(_("按临时日历计算"), default=False)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("办理人"),
    )
    opinion = models.TextField(_("办理意见"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="approvals/steps/%Y/%m/", blank=True)
    attachment_sha256 = models.CharField(_("附件 SHA-256"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    event_index = models.BigIntegerField(_("记录序号"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case", "started_at", "id"]
        indexes = [
            models.Index(fields=["post", "state"], name="approvals_step_post_state"),
            models.Index(fields=["state", "deadline"], name="approvals_step_state_deadline"),
            # why: the step-time sweeps (SUP-2, APR-5) read open steps by deadline, and all they
            # need from the index alone (bench/sweep.py); key columns rather than INCLUDE, which
            # SQLite lacks (Django warns on every migrate)
            models.Index(
                fields=["deadline", "case", "started_at", "id"],
                condition=Q(state__in=(StepState.READY, StepState.CLAIMED)),
                name="approvals_step_open_deadline",
            ),
            # why: a replay of a past time also reads the steps done after it (bench/sweep.py:
            # every done step otherwise)
            models.Index(fields=["completed_at"], name="approvals_step_completed"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "task_id"], name="approvals_step_task_once"),
        ]

    def __str__(self):
        return f"{self.case.number} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.state in (StepState.READY, StepState.CLAIMED)


class SuspensionKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("补正材料")
    HEARING = "hearing", _("听证")
    INSPECTION = "inspection", _("检验检测")
    EXPERT = "expert", _("专家评审")


class Suspension(models.Model):
    """A pause of the case's clock (补正 or a special procedure) with its reason (APR-2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(_("类型"), max_length=20, choices=SuspensionKind.choices)
    reason = models.TextField(_("理由"))
    demanded = models.ManyToManyField(Material, blank=True, related_name="+")
    started_at = models.DateTimeField(_("中止时间"))
    started_by = models.CharField(_("中止人"), max_length=120)
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    ended_by = models.CharField(_("恢复人"), max_length=120, blank=True)
    resume_note = models.TextField(_("恢复说明"), blank=True)

    class Meta:
        verbose_name = _("中止计时")
        verbose_name_plural = _("中止计时")
        ordering = ["case", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="approvals_one_open_pause"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d}"


class Charge(models.Model):
    """A fee charged for a case at the window; only as the fee catalog allows (APR-8)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="charges")
    fee = models.ForeignKey(Fee, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fee_name = models.CharField(_("收费名称"), max_length=200)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    charged_at = models.DateTimeField(_("收费时间"))
    charged_by = models.CharField(_("收费人"), max_length=120)
    event_index = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("收费记录")
        verbose_name_plural = _("收费记录")
        ordering = ["case", "charged_at"]

    def __str__(self):
        return f"{self.fee_name} {self.amount}"


class Consultation(models.Model):
    """An online question about an item, answered by its unit (APR-7); published only when the
    asker agreed (PUB-9: the asker's contact is never shown)."""

    item = models.ForeignKey(ApprovalItem, on_delete=models.CASCADE, related_name="consultations")
    asker_name = models.CharField(_("咨询人"), max_length=60)
    asker_contact = models.CharField(_("联系方式"), max_length=60, blank=True)
    question = models.TextField(_("咨询内容"))
    may_publish = models.BooleanField(_("同意公开"), default=False)
    asked_at = models.DateTimeField(_("咨询时间"))
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("网上咨询")
        verbose_name_plural = _("网上咨询")
        ordering = ["-asked_at"]

    def __str__(self):
        return self.question[:40]

    @property
    def published(self) -> bool:
        return self.may_publish and bool(self.answer)


class ApiToken(models.Model):
    """A machine token of a department's own system, scoped to its unit (APR-6 interfaces)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("系统名称"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked = models.BooleanField(_("已停用"), default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return self.name


class DailySequence(models.Model):
    """Per-day counters for numbers like LT-20261129-0001 (row-locked increments)."""

    kind = models.CharField(max_length=20)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "day"], name="approvals_sequence_once")
        ]

    def __str__(self):
        return f"{self.kind} {self.day} {self.last}"


class InspectionKind(models.TextChoices):
    """谁审批、谁监管 (附件11 二(四)): in-process inspection and after-the-fact audit."""

    IN_PROCESS = "in_process", _("事中检查")
    AFTER_AUDIT = "after_audit", _("事后稽查")


class ApprovalInspection(models.Model):
    """An approving unit's own inspection of its cases (APR-10): a reproducible random
    sample drawn from the cases of a period, each sampled case given a finding."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("审批单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=InspectionKind.choices)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    sample_size = models.PositiveSmallIntegerField(_("抽查件数"))
    population_size = models.PositiveIntegerField(_("可抽办件数"))
    population_sha256 = models.CharField(max_length=64)
    seed = models.CharField(_("抽样种子"), max_length=64)
    sample = models.JSONField(_("抽中办件"), default=list)
    opened_at = models.DateTimeField(_("开始时间"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审批监管检查")
        verbose_name_plural = _("审批监管检查")
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return f"{self.unit} {self.get_kind_display()} {self.period_start}–{self.period_end}"


class FindingOutcome(models.TextChoices):
    OK = "ok", _("未发现问题")
    PROBLEM = "problem", _("发现问题")


class InspectionFinding(models.Model):
    inspection = models.ForeignKey(
        ApprovalInspection, on_delete=models.CASCADE, related_name="findings"
    )
    case = models.ForeignKey(Case, verbose_name=_("办件"), on_delete=models.PROTECT)
    outcome = models.CharField(_("结论"), max_length=10, choices=FindingOutcome.choices)
    note = models.TextField(_("检查情况"), blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "case"], name="approvals_finding_one_per_case"
            )
        ]

    def __str__(self):
        return f"{self.case} {self.get_outcome_display()}"

"""Tables of cadre selection supervision (PER-1..7).

Private data (names of relatives, ID numbers, houses, reasons, opinions) lives here, in ordinary
tables; the log gets ids, enums, dates and SHA-256 digests only (see events.py).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StaffingKind(models.TextChoices):
    """编制类别: the kind of establishment a post belongs to and a cadre is on (混岗, PER-5)."""

    ADMINISTRATIVE = "admin", _("行政编制")
    CIVIL_MANAGED = "civil", _("参照公务员法管理事业编制")
    INSTITUTION = "institution", _("事业编制")
    WORKER = "worker", _("工勤编制")


class Rank(models.IntegerChoices):
    """职级 (ordinal), enough to tell a promotion from a lateral move (突击提拔, PER-5)."""

    STAFF = 1, _("科员")
    DEPUTY_SECTION = 2, _("副科级")
    SECTION = 3, _("正科级")
    DEPUTY_DIVISION = 4, _("副处级")
    DIVISION = 5, _("正处级")


class Establishment(models.Model):
    """职数核定: how many people may hold a group of posts at once (PER-5 超职数配备).

    org has no establishment quota, so it is kept here (the task: "model it in personnel
    rather than changing org")."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT)
    title = models.CharField(_("职数名称"), max_length=100)
    quota = models.PositiveSmallIntegerField(_("核定职数"))
    posts = models.ManyToManyField("org.Post", verbose_name=_("岗位"), related_name="+")
    basis = models.CharField(_("核定依据（文号）"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("职数核定")
        verbose_name_plural = _("职数核定")
        ordering = ["unit_id", "id"]

    def __str__(self):
        return f"{self.unit}·{self.title}（{self.quota}）"


class PostProfile(models.Model):
    """What personnel needs to know about an org.Post: rank, establishment kind, whether the
    district reviews appointments to it (任前审核, PER-4), whether it is closed to 裸官
    (职位限入, PER-3) and whether a 试用期 applies."""

    post = models.OneToOneField(
        "org.Post", verbose_name=_("岗位"), on_delete=models.CASCADE, related_name="personnel"
    )
    rank = models.PositiveSmallIntegerField(_("职级"), choices=Rank.choices, default=Rank.SECTION)
    staffing_kind = models.CharField(
        _("编制类别"),
        max_length=12,
        choices=StaffingKind.choices,
        default=StaffingKind.ADMINISTRATIVE,
    )
    district_reviewed = models.BooleanField(_("须区委组织部任前审核"), default=False)
    restricted = models.BooleanField(_("配偶已移居国（境）外人员限入岗位"), default=False)
    probation = models.BooleanField(_("提拔任职试用期一年"), default=True)

    class Meta:
        verbose_name = _("岗位任用属性")
        verbose_name_plural = _("岗位任用属性")

    def __str__(self):
        return str(self.post)


class CadreProfile(models.Model):
    """A cadre's establishment kind (for 混岗)."""

    person = models.OneToOneField(
        "org.Person", verbose_name=_("干部"), on_delete=models.CASCADE, related_name="cadre"
    )
    staffing_kind = models.CharField(
        _("编制类别"),
        max_length=12,
        choices=StaffingKind.choices,
        default=StaffingKind.ADMINISTRATIVE,
    )

    class Meta:
        verbose_name = _("干部信息")
        verbose_name_plural = _("干部信息")

    def __str__(self):
        return f"{self.person} {self.get_staffing_kind_display()}"


# ------------------------------------------------------------------------- selections (PER-1)


class Step(models.IntegerChoices):
    """The steps of a selection in the order of 《党政领导干部选拔任用工作条例》 (2014): 动议,
    民主推荐, 确定考察对象, 考察, 讨论决定, 任前公示, 任职 (see docs/personnel.md)."""

    MOTION = 1, _("动议")
    RECOMMENDATION = 2, _("民主推荐")
    SHORTLIST = 3, _("确定考察对象")
    INSPECTION = 4, _("考察")
    DECISION = 5, _("讨论决定")
    NOTICE = 6, _("任前公示")
    APPOINTMENT = 7, _("任职")


class SelectionStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    NOTICE = "notice", _("公示中")
    APPOINTED = "appointed", _("已任职")
    STOPPED = "stopped", _("已终止")
    IMPORTED = "imported", _("历史导入")


class ReviewStatus(models.TextChoices):
    NOT_NEEDED = "", _("无需任前审核")
    PENDING = "pending", _("待提交")
    SUBMITTED = "submitted", _("审核中")
    APPROVED = "approved", _("审核通过")
    SENT_BACK = "sent_back", _("退回")


class Selection(models.Model):
    """One selection for a post (选拔任用), from 动议 to 任职 (PER-1)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        "org.Post", verbose_name=_("拟任岗位"), on_delete=models.PROTECT, related_name="+"
    )
    establishment = models.ForeignKey(
        Establishment, verbose_name=_("职数"), null=True, on_delete=models.PROTECT
    )
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=SelectionStatus.choices, default=SelectionStatus.OPEN
    )
    candidate = models.ForeignKey(
        "org.Person",
        verbose_name=_("考察对象/拟任人选"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_status = models.CharField(
        _("任前审核"), max_length=10, choices=ReviewStatus.choices, default="", blank=True
    )
    decision_item = models.ForeignKey(
        "decisions.AgendaItem",
        verbose_name=_("讨论决定议题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示期满"), null=True, blank=True)
    appointment = models.ForeignKey(
        "org.Appointment",
        verbose_name=_("任职记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    probation_until = models.DateField(_("试用期至"), null=True, blank=True)
    opened_at = models.DateTimeField(_("动议时间"))
    stopped_reason = models.TextField(_("终止原因"), blank=True)
    dossier_digest = models.CharField(_("文书档案摘要（SHA-256）"), max_length=64, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("选拔任用")
        verbose_name_plural = _("选拔任用")
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def done_steps(self) -> list[int]:
        return sorted(s.step for s in self.steps.all())

    @property
    def next_step(self) -> int | None:
        done = set(self.done_steps)
        for step in Step.values:
            if step not in done:
                return step
        return None


class StepRecord(models.Model):
    """One step of a selection: date, participants, documents, outcome (全程记实, PER-1)."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField(_("环节"), choices=Step.choices)
    on = models.DateField(_("日期"))
    participants = models.TextField(_("参加人员"))
    documents = models.TextField(_("文书材料"), blank=True)
    outcome = models.TextField(_("结果"))
    recorded_at = models.DateTimeField(_("登记时间"))
    event_index = models.BigIntegerField(_("记录序号"), null=True, blank=True)

    class Meta:
        verbose_name = _("选拔环节")
        verbose_name_plural = _("选拔环节")
        ordering = ["selection_id", "recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "step"], name="personnel_one_record_per_step"
            )
        ]

    def __str__(self):
        return f"{self.selection} · {self.get_step_display()}"


class NominationKind(models.TextChoices):
    """提名主体 of 附件3 第三: 领导举荐、组织推荐、个人自荐."""

    LEADER = "leader", _("领导举荐")
    ORGANISATION = "organisation", _("组织推荐")
    SELF = "self", _("个人自荐")
    MEETING = "meeting", _("会议推荐")


class Nomination(models.Model):
    """A real-name nomination (实名推荐, PER-2): who nominates whom, why, signed."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="nominations")
    kind = models.CharField(_("推荐方式"), max_length=12, choices=NominationKind.choices)
    nominee = models.ForeignKey(
        "org.Person", verbose_name=_("被推荐人"), on_delete=models.PROTECT, related_name="+"
    )
    nominator = models.ForeignKey(
        "org.Person", verbose_name=_("推荐人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("推荐理由"))
    signature = models.CharField(_("推荐人签名"), max_length=50)
    signed_on = models.DateField(_("签名日期"))
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("实名推荐")
        verbose_name_plural = _("实名推荐")
        ordering = ["selection_id", "id"]

    def __str__(self):
        return f"{self.nominator} → {self.nominee}"


class Objection(models.Model):
    """An objection received during 任前公示, and how it was handled."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("收到日期"))
    channel = models.CharField(_("渠道"), max_length=20, default="portal")
    content = models.TextField(_("反映内容"))
    contact = models.CharField(_("联系方式（可不填）"), max_length=60, blank=True)
    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True)
    handled_on = models.DateField(_("办结日期"), null=True, blank=True)
    finding = models.TextField(_("核查情况"), blank=True)
    affects_appointment = models.BooleanField(_("影响任职"), null=True)

    class Meta:
        verbose_name = _("公示期反映")
        verbose_name_plural = _("公示期反映")
        ordering = ["selection_id", "id"]

    def __str__(self):
        return f"{self.selection} · {self.received_on}"


class Review(models.Model):
    """任前审核 (PER-4): one submission of the whole record to the organisation department."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="reviews")
    submitted_at = models.DateTimeField(_("报送时间"))
    dossier_digest = models.CharField(max_length=64)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved = models.BooleanField(_("通过"), null=True)
    reasons = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("任前审核")
        verbose_name_plural = _("任前审核")
        ordering = ["selection_id", "id"]

    def __str__(self):
        return f"{self.selection} · {self.submitted_at:%Y-%m-%d}"


# -------------------------------------------------------------- personal-matters reports (PER-3)


class MaritalStatus(models.TextChoices):
    MARRIED = "married", _("已婚")
    SINGLE = "single", _("未婚")
    DIVORCED = "divorced", _("离异")
    WIDOWED = "widowed", _("丧偶")


class PersonalReport(models.Model):
    """领导干部个人有关事项报告, one per cadre and year (PER-3). Visible only to the
    organisation department (personnel.access)."""

    person = models.ForeignKey("org.Person", verbose_name=_("报告人"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    submitted_on = models.DateField(_("报告日期"))
    marital_status = models.CharField(_("婚姻状况"), max_length=10, choices=MaritalStatus.choices)
    spouse_emigrated = models.BooleanField(_("配偶已移居国（境）外"), default=False)
    children_count = models.PositiveSmallIntegerField(_("子女人数"), default=0)
    children_emigrated = models.PositiveSmallIntegerField(_("已移居国（境）外子女人数"), default=0)
    houses = models.JSONField(_("房产"), default=list, blank=True)
    investments = models.JSONField(_("投资（股票、基金、保险等）"), default=list, blank=True)
    attachment = models.FileField(_("附件"), upload_to="personnel/reports/%Y/", blank=True)
    attachment_digest = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("个人有关事项报告")
        verbose_name_plural = _("个人有关事项报告")
        ordering = ["-year", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="personnel_one_report_per_year")
        ]

    def __str__(self):
        return f"{self.year} {self.person}"

    @property
    def is_naked_official(self) -> bool:
        """配偶已移居国（境）外，或没有配偶、子女均已移居国（境）外."""
        if self.spouse_emigrated:
            return True
        no_spouse = self.marital_status != MaritalStatus.MARRIED
        return (
            no_spouse and self.children_count > 0 and self.children_emigrated >= self.children_count
        )


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    CHILD_SPOUSE = "child_spouse", _("子女配偶")
    PARENT = "parent", _("父母")
    SIBLING = "sibling", _("兄弟姐妹")


class ReportedRelative(models.Model):
    """A close relative named in a report."""

    report = models.ForeignKey(PersonalReport, on_delete=models.CASCADE, related_name="relatives")
    relation = models.CharField(_("关系"), max_length=12, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    abroad = models.BooleanField(_("已移居国（境）外"), default=False)

    def __str__(self):
        return f"{self.get_relation_display()} {self.name}"


class ReportedFirm(models.Model):
    """A firm a cadre or a close relative runs or owns (经商办企业), named in a report."""

    report = models.ForeignKey(PersonalReport, on_delete=models.CASCADE, related_name="firms")
    relative = models.ForeignKey(
        ReportedRelative, null=True, blank=True, on_delete=models.CASCADE, related_name="firms"
    )
    name = models.CharField(_("企业名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    role = models.CharField(_("任职/持股情况"), max_length=100, blank=True)

    def __str__(self):
        return self.name


class SpotCheckRound(models.Model):
    """A yearly random draw of reports to check (随机抽查). The seed is the log's root at the
    size just after the round was opened (which fixes population and rate), so it was
    committed in the log before anyone could know it (docs/decisions/0072)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    rate_permille = models.PositiveSmallIntegerField(_("抽查比例（‰）"))
    population = models.JSONField(_("抽查范围（报告人编号）"), default=list)
    opened_at = models.DateTimeField(_("启动时间"))
    seed_size = models.BigIntegerField(_("种子树大小"), null=True, blank=True)
    seed_root = models.CharField(_("种子（树根）"), max_length=64, blank=True)
    drawn = models.JSONField(_("抽中（报告人编号）"), default=list)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("随机抽查")
        verbose_name_plural = _("随机抽查")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} {self.rate_permille}‰"


class CheckReason(models.TextChoices):
    CANDIDATE = "candidate", _("拟提拔考察对象（必查）")
    RANDOM = "random", _("随机抽查")
    REPORTED = "reported", _("有举报反映")


class Finding(models.TextChoices):
    CONSISTENT = "consistent", _("如实报告")
    OMISSION = "omission", _("漏报")
    CONCEALMENT = "concealment", _("瞒报")


class Outcome(models.TextChoices):
    NONE = "none", _("无需处理")
    EDUCATION = "education", _("批评教育")
    ADMONISH = "admonish", _("诫勉")
    DISQUALIFY = "disqualify", _("暂停/取消提拔资格")
    TRANSFER = "transfer", _("调离岗位")
    REFERRED = "referred", _("移送纪检监察机关")


class SpotCheck(models.Model):
    """One check of a cadre's report (查核) and its finding and outcome (PER-3)."""

    person = models.ForeignKey("org.Person", verbose_name=_("被查核人"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.CharField(_("查核原因"), max_length=10, choices=CheckReason.choices)
    round = models.ForeignKey(SpotCheckRound, null=True, blank=True, on_delete=models.PROTECT)
    selection = models.ForeignKey(
        Selection, null=True, blank=True, on_delete=models.PROTECT, related_name="checks"
    )
    report = models.ForeignKey(PersonalReport, null=True, blank=True, on_delete=models.PROTECT)
    opened_at = models.DateTimeField(_("启动时间"))
    checked_on = models.DateField(_("查核日期"), null=True, blank=True)
    finding = models.CharField(_("查核结果"), max_length=12, choices=Finding.choices, blank=True)
    details = models.TextField(_("查核情况"), blank=True)
    outcome = models.CharField(_("处理"), max_length=12, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("个人事项查核")
        verbose_name_plural = _("个人事项查核")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "reason"],
                condition=Q(selection__isnull=True),
                name="personnel_one_check_per_reason_year",
            )
        ]

    def __str__(self):
        return f"{self.year} {self.person} {self.get_reason_display()}"

    @property
    def done(self) -> bool:
        return bool(self.finding)


# ------------------------------------------------------------ evaluation of selection work (PER-7)


class WorkReport(models.Model):
    """一报告两评议: a unit's yearly report on its selection work, then the anonymous rating of
    the work and of each newly appointed cadre on an evaluation ballot (PER-7)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    text = models.TextField(_("选人用人工作报告"))
    reported_on = models.DateField(_("报告日期"))
    digest = models.CharField(max_length=64)
    evaluation = models.ForeignKey(
        "evaluation.Evaluation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    publish = models.BooleanField(_("结果可公开"), default=True)

    class Meta:
        verbose_name = _("选人用人工作报告")
        verbose_name_plural = _("选人用人工作报告")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="personnel_one_work_report")
        ]

    def __str__(self):
        return f"{self.year} {self.unit}"


# ------------------------------------------------------------------ conflict-of-interest index


class PartyLink(models.Model):
    """One appearance of a person or firm on some platform, keyed by an HMAC of the resident ID
    or 统一社会信用代码 under the instance's secret, so the index itself reveals no ID.

    `official` is the org.Person on the official side of the appearance (the approver of a case,
    the holder of a post, the cadre whose report names the relative), when there is one."""

    key = models.CharField(max_length=64, db_index=True)
    party_kind = models.CharField(max_length=6)  # person / firm
    role = models.CharField(_("角色"), max_length=24)
    source = models.CharField(_("来源"), max_length=40)
    source_type = models.CharField(max_length=60)
    source_id = models.CharField(max_length=64)
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE)
    official = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    relation = models.CharField(max_length=12, blank=True)
    label = models.CharField(_("名称"), max_length=200)
    on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("关联方索引")
        verbose_name_plural = _("关联方索引")
        indexes = [models.Index(fields=["role", "key"], name="personnel_partylink_role_key")]

    def __str__(self):
        return f"{self.source_type}#{self.source_id} {self.role}"

    @property
    def role_label(self) -> str:
        from .index import ROLE_LABELS

        return ROLE_LABELS.get(self.role, self.role)

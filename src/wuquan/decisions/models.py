"""三重一大 meetings, speaking order, ballots, reconsideration; the village six-step method (DEC-1..11).

Models hold data and invariants; the workflows (what may happen when) live in services.py.
Secret ballots (`SecretBallot`) deliberately carry no voter, no time and a random key, so no row
can be joined back to the `VoteMarker` that says who voted (DEC-5, 附件3 第三).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MatterKind(models.TextChoices):
    """The four kinds of 三重一大 matters (附件2 二(二)4; 附件8 一1)."""

    MAJOR_DECISION = "major_decision", _("重大决策")
    APPOINTMENT = "appointment", _("重要干部任免")
    MAJOR_PROJECT = "major_project", _("重大项目安排")
    LARGE_SUM = "large_sum", _("大额度资金使用")


class CatalogEntry(models.Model):
    """One line of a unit's 三重一大 事项目录 (DEC-1)."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="decision_catalog",
    )
    kind = models.CharField(_("类别"), max_length=20, choices=MatterKind.choices)
    title = models.CharField(_("事项"), max_length=200)
    description = models.TextField(_("范围说明"), blank=True)
    amount_threshold = models.DecimalField(
        _("金额标准（元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("大额资金：达到该金额须集体决策。"),
    )

    class Meta:
        verbose_name = _("三重一大事项目录")
        verbose_name_plural = _("三重一大事项目录")
        ordering = ["unit_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "title"], name="decisions_catalog_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    HELD = "held", _("已召开（已签到）")
    CLOSED = "closed", _("已结束")


class Meeting(models.Model):
    """A leadership meeting (领导班子会议) of a unit; the only place a 三重一大 matter is decided (DEC-2)."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="decision_meetings",
    )
    title = models.CharField(_("会议名称"), max_length=200)
    date = models.DateField(_("会议日期"))
    location = models.CharField(_("地点"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # the legacy reference of an imported meeting (wuquan import; empty for live ones)
    source_ref = models.CharField(_("来源编号"), max_length=120, blank=True, db_index=True)

    class Meta:
        verbose_name = _("决策会议")
        verbose_name_plural = _("决策会议")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.title}"

    @property
    def expected_count(self) -> int:
        """应到会人数: every member of the body, present or not (附件8 二7)."""
        return self.members.count()

    @property
    def present_count(self) -> int:
        return self.members.filter(present=True).count()


class MeetingMember(models.Model):
    """A member of the deciding body for one meeting; `is_head` from org.Post.is_head (DEC-4)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("org.Person", verbose_name=_("成员"), on_delete=models.PROTECT)
    is_head = models.BooleanField(_("主要负责人"), default=False)
    present = models.BooleanField(_("出席"), null=True)

    class Meta:
        ordering = ["-is_head", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="decisions_member_once"),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(is_head=True), name="decisions_one_head_per_meeting"
            ),
        ]

    def __str__(self):
        return str(self.person)


class VoteMode(models.TextChoices):
    OPEN = "open", _("记名表决")
    SECRET = "secret", _("无记名投票")


class ItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("待上会")
    SCHEDULED = "scheduled", _("已列入议程")
    OPEN = "open", _("讨论中")
    VOTING = "voting", _("表决中")
    DECIDED = "decided", _("已表决")
    DEFERRED = "deferred", _("暂缓决定")


class AgendaItem(models.Model):
    """An agenda item (议题). Its result, once recorded, is final (DEC-6) unless a later item
    reconsiders it (复议). `subject_type`/`subject_id` link the matter to another app's object
    (an expense, a project) that needs this decision."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="decision_items"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    seq = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("议题"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=MatterKind.choices)
    catalog_entry = models.ForeignKey(
        CatalogEntry, verbose_name=_("目录事项"), null=True, blank=True, on_delete=models.PROTECT
    )
    subject_type = models.CharField(_("关联对象类型"), max_length=60, blank=True)
    subject_id = models.CharField(_("关联对象编号"), max_length=64, blank=True)
    materials = models.TextField(_("议题材料"), blank=True)
    vote_mode = models.CharField(_("表决方式"), max_length=10, choices=VoteMode.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PROPOSED
    )
    passed = models.BooleanField(_("通过"), null=True)
    yes_count = models.PositiveSmallIntegerField(null=True)
    no_count = models.PositiveSmallIntegerField(null=True)
    abstain_count = models.PositiveSmallIntegerField(null=True)
    expected_count = models.PositiveSmallIntegerField(null=True)
    present_count = models.PositiveSmallIntegerField(null=True)
    result_text = models.CharField(_("表决结果"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("表决时间"), null=True, blank=True)
    deferred_reason = models.TextField(_("暂缓理由"), blank=True)
    reconsiders = models.ForeignKey(
        "self",
        verbose_name=_("复议对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reconsiderations",
    )
    head_consent = models.CharField(_("班长同意复议"), max_length=200, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_with = models.ForeignKey(
        "org.Unit",
        verbose_name=_("备案单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    public_summary = models.TextField(_("公开内容"), blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting_id", "seq", "id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="decisions_item_subject")
        ]

    def __str__(self):
        return self.title


class MaterialDelivery(models.Model):
    """When an item's materials reached one member (DEC-3, 附件8 二5)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="deliveries")
    member = models.ForeignKey(MeetingMember, on_delete=models.CASCADE, related_name="deliveries")
    delivered_at = models.DateTimeField(_("送达时间"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="decisions_delivery_once")
        ]

    def __str__(self):
        return f"{self.item} → {self.member}"


class Statement(models.Model):
    """A member's statement on an item, in speaking order (DEC-4 末位表态)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="statements")
    member = models.ForeignKey(MeetingMember, on_delete=models.PROTECT)
    seq = models.PositiveSmallIntegerField()
    text = models.TextField(_("发言要点"))

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["item", "seq"], name="decisions_statement_seq"),
            models.UniqueConstraint(fields=["item", "member"], name="decisions_statement_once"),
        ]

    def __str__(self):
        return f"{self.seq}. {self.member}"


class Choice(models.TextChoices):
    YES = "yes", _("赞成")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")


class OpenVote(models.Model):
    """A named vote (记名表决), for items that are not appointments."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="open_votes")
    member = models.ForeignKey(MeetingMember, on_delete=models.PROTECT)
    choice = models.CharField(max_length=10, choices=Choice.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="decisions_open_vote_once")
        ]

    def __str__(self):
        return f"{self.member}: {self.choice}"


class VoteMarker(models.Model):
    """That a member has cast a secret ballot — and nothing about the choice."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="vote_markers")
    member = models.ForeignKey(MeetingMember, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="decisions_marker_once")
        ]

    def __str__(self):
        return f"{self.member} 已投票"


class SealedBallot(models.Model):
    """One secret ballot while the vote is open (DEC-5): its choice sealed under the vote's
    key, which is kept outside the database and destroyed at the count (common/sealing.py).
    Random key, no voter, no timestamp; all rows the same length."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="sealed_ballots")
    sealed = models.BinaryField()

    def __str__(self):
        return str(self.id)


class SecretBallot(models.Model):
    """One counted secret ballot: the choice only. Written at the count, all at once and in
    random order, from the sealed box (no row exists while the vote is open)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="secret_ballots")
    choice = models.CharField(max_length=10, choices=Choice.choices)

    def __str__(self):
        return self.get_choice_display()


class ExecutionReport(models.Model):
    """A report on how a decision is being carried out (DEC-9, 附件8 三11)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="execution_reports")
    text = models.TextField(_("执行情况"))
    reported_on = models.DateField(_("报告日期"))
    public = models.BooleanField(_("公开"), default=True)

    class Meta:
        ordering = ["reported_on", "id"]

    def __str__(self):
        return f"{self.reported_on} {self.item}"


# ---------------------------------------------------------------- village six-step method (DEC-10)


class VillageStep(models.IntegerChoices):
    """The 六步工作法 of 附件15 二(一)2, in order."""

    PROPOSAL = 1, _("党支部提议")
    JOINT_MEETING = 2, _("村“两委”联席会议商议")
    PARTY_MEETING = 3, _("党员大会审议")
    NOTICE = 4, _("议案公告")
    RESOLUTION = 5, _("村民会议或村民代表会议决议")
    PUBLICATION = 6, _("结果公布")


class VillageMatterStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已决议")
    REJECTED = "rejected", _("未通过")
    PUBLISHED = "published", _("结果已公布")
    VOID = "void", _("无效（未经六步工作法）")


class VillageMatter(models.Model):
    """A village matter decided by the six-step method; a 三重一大 matter that skips a step is
    void (附件15 二(一)3)."""

    village = models.ForeignKey(
        "org.Unit", verbose_name=_("村"), on_delete=models.PROTECT, related_name="village_matters"
    )
    title = models.CharField(_("事项"), max_length=200)
    is_major = models.BooleanField(_("属“三重一大”事项"), default=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=VillageMatterStatus.choices,
        default=VillageMatterStatus.IN_PROGRESS,
    )
    void_reason = models.TextField(_("无效原因"), blank=True)
    notice_days = models.PositiveSmallIntegerField(_("公告期（日）"), default=5)

    class Meta:
        verbose_name = _("村级民主决策事项")
        verbose_name_plural = _("村级民主决策事项")
        ordering = ["-id"]

    def __str__(self):
        return self.title


class AssemblyKind(models.TextChoices):
    VILLAGERS = "villagers", _("村民会议（十八周岁以上村民）")
    HOUSEHOLDS = "households", _("村民会议（户代表）")
    REPRESENTATIVES = "representatives", _("村民代表会议")


class VillageStepRecord(models.Model):
    """One step of the six, with date, participants, minutes and attachments."""

    matter = models.ForeignKey(VillageMatter, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField(_("步骤"), choices=VillageStep.choices)
    date = models.DateField(_("日期"))
    participants = models.TextField(_("参加人员"))
    minutes = models.TextField(_("记录"))
    attachments = models.TextField(_("附件"), blank=True)
    assembly_kind = models.CharField(
        _("会议形式"), max_length=16, choices=AssemblyKind.choices, blank=True
    )
    eligible_count = models.PositiveIntegerField(_("应到人数（户数）"), null=True, blank=True)
    attended_count = models.PositiveIntegerField(_("实到人数（户数）"), null=True, blank=True)
    yes_count = models.PositiveIntegerField(null=True, blank=True)
    no_count = models.PositiveIntegerField(null=True, blank=True)
    abstain_count = models.PositiveIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    result_text = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["step", "id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "step"], name="decisions_village_step_once")
        ]

    def __str__(self):
        return f"{self.matter} · {self.get_step_display()}"


class VillageObjection(models.Model):
    """An objection filed by the village supervision committee (村务监督委员会, 附件15 二(四)2(2))."""

    matter = models.ForeignKey(VillageMatter, on_delete=models.CASCADE, related_name="objections")
    step = models.PositiveSmallIntegerField(choices=VillageStep.choices, null=True, blank=True)
    author = models.CharField(_("提出人"), max_length=120)
    text = models.TextField(_("意见"))
    filed_on = models.DateField(_("日期"))

    def __str__(self):
        return f"{self.matter} · {self.author}"


class PreDecisionKind(models.TextChoices):
    """The steps before a 三重一大 decision (附件8 一2)."""

    STUDY = "study", _("调查研究、初步审核评估")
    EXPERT_REVIEW = "expert_review", _("专家论证（可行性研究、技术咨询、决策评估）")
    HEARING = "hearing", _("社会听证")
    PUBLIC_NOTICE = "public_notice", _("社会公示")


class PreDecisionProfile(models.Model):
    """What an agenda item must go through before it is decided (DEC-8, 附件8 一2): every
    classified item a study; a major investment or works project an expert review; a matter
    touching the public's interests a public notice or a hearing."""

    item = models.OneToOneField(
        AgendaItem, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="pre_decision"
    )
    major_investment = models.BooleanField(_("涉及重大投资和工程项目"), default=False)
    affects_public = models.BooleanField(_("涉及群众利益的重大事项"), default=False)
    classified_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("决策前程序要求")
        verbose_name_plural = _("决策前程序要求")

    def __str__(self):
        return str(self.item)


class PreDecisionStep(models.Model):
    """A recorded step before the decision: who held it, when, and what it concluded."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="pre_steps"
    )
    kind = models.CharField(_("程序"), max_length=20, choices=PreDecisionKind.choices)
    held_on = models.DateField(_("日期"))
    summary = models.TextField(_("结论摘要"))
    document_sha256 = models.CharField(_("材料摘要（SHA-256）"), max_length=64, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("决策前程序")
        verbose_name_plural = _("决策前程序")
        ordering = ["held_on", "id"]

    def __str__(self):
        return self.get_kind_display()

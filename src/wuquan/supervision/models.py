"""Rule settings, alarms (预警/黄牌/红牌) and their 督查督办 lifecycle, inspections, complaints and
the in-app inbox (SUP-1..11).

Alarms are never deleted: the admin is read-only and every change goes through `services`,
each of which records the exercise of power in the ledger.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from wuquan.common.rules import SEVERITIES


class RuleSetting(models.Model):
    """A district's override of a rule's thresholds, versioned (ARCHITECTURE: Supervision rules).

    The engine uses the newest version whose `valid_from` is not after the run's `as_of`, so a
    replay of a past day uses the thresholds in force that day. Rows are only ever added.
    """

    rule_code = models.CharField(_("规则编号"), max_length=80)
    version = models.PositiveIntegerField(_("版本"))
    thresholds = models.JSONField(_("阈值"), default=dict, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    changed_by = models.CharField(_("修改人"), max_length=120)
    reason = models.TextField(_("修改理由"))
    valid_from = models.DateTimeField(_("生效时间"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规则阈值设置")
        verbose_name_plural = _("规则阈值设置")
        ordering = ["rule_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "version"], name="sup_rulesetting_version"
            ),
        ]

    def __str__(self):
        return f"{self.rule_code} v{self.version}"


@receiver([post_save, post_delete], sender=RuleSetting, dispatch_uid="sup-rulesetting-forget")
def _forget_cached_settings(sender, **kwargs):
    """The inline checks keep the settings while the log says nobody else wrote
    (engine._settings_rows); a change made on this connection drops them here."""
    from wuquan.ledger import forget

    from .engine import SETTINGS_CACHE_KEY

    forget(SETTINGS_CACHE_KEY)


class AlarmStatus(models.TextChoices):
    RAISED = "raised", _("已报警")
    ASSIGNED = "assigned", _("已交办")
    ANSWERED = "answered", _("已回复")
    CHECKED = "checked", _("已审核")
    CLOSED = "closed", _("已办结")


class Outcome(models.TextChoices):
    """Closing outcomes: the graded responses of 附件5 三(三) (SUP-6) and the accountability of
    附件2 四(三) by gravity (SUP-10), plus the engine's own closings."""

    WARNING_NOTICE = "预警告知", _("预警告知")
    RISK_HINT = "风险提示", _("风险提示")
    ADMONITION = "诫勉谈话", _("诫勉谈话")
    RECTIFY = "督促整改", _("督促整改")
    CORRECT = "责令纠错", _("责令纠错")
    WRITTEN_CHECK = "书面检查", _("问责（情节较轻）：责令书面检查")
    NOTICE_CRITICISM = "通报批评", _("问责（情节较轻）：通报批评")
    NO_AWARDS = "取消评优", _("问责（情节较重）：取消当年评优评先资格")
    UNQUALIFIED = "不称职", _("问责（情节较重）：年度考核定为不称职")
    ORG_HANDLING = "组织处理", _("问责（情节严重）：组织处理")
    DISCIPLINE = "党政纪处分", _("问责（情节严重）：党政纪处分")
    UNFOUNDED = "不属实", _("经核查不属实")
    DEADLINE_MOVED = "期限调整", _("期限经正式日历调整，已不构成违规")

    @classmethod
    def accountability_grade(cls, outcome: str) -> str:
        """附件2 四(三): 较轻 / 较重 / 严重, or "" for the graded responses of 附件5."""
        return {
            cls.WRITTEN_CHECK: "较轻",
            cls.NOTICE_CRITICISM: "较轻",
            cls.NO_AWARDS: "较重",
            cls.UNQUALIFIED: "较重",
            cls.ORG_HANDLING: "严重",
            cls.DISCIPLINE: "严重",
        }.get(outcome, "")


SEVERITY_CHOICES = [(s, s) for s in SEVERITIES]


class Alarm(models.Model):
    """One breach found by a rule, supervised to closure by the commission (SUP-2, SUP-5).

    Keeps what is needed to replay it: rule code and version, the setting version and the
    thresholds used, the inputs, and the ledger events it rests on.
    """

    rule_code = models.CharField(_("规则编号"), max_length=80, db_index=True)
    rule_version = models.PositiveIntegerField(_("规则版本"))
    setting_version = models.PositiveIntegerField(_("阈值版本"), null=True, blank=True)
    severity = models.CharField(_("等级"), max_length=4, choices=SEVERITY_CHOICES)
    thresholds = models.JSONField(_("所用阈值"), default=dict, blank=True)
    inputs = models.JSONField(_("输入"), default=dict, blank=True)
    message = models.TextField(_("说明"))
    subject_type = models.CharField(_("对象类型"), max_length=60)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    breach_key = models.CharField(_("违规标识"), max_length=120, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("涉及单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alarms",
    )
    post = models.ForeignKey(
        "org.Post",
        verbose_name=_("涉及岗位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alarms",
    )
    event_indices = models.JSONField(_("关联运行记录"), default=list, blank=True)
    raised_at = models.DateTimeField(_("报警时间"), db_index=True)
    # why the index: a bulk raise finds its new alarms' ids by their event indices
    raised_event = models.BigIntegerField(_("报警记录序号"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=AlarmStatus.choices, default=AlarmStatus.RAISED
    )
    condition_cleared_at = models.DateTimeField(_("条件消除时间"), null=True, blank=True)
    # 督查督办 (SUP-5)
    assigned_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("交办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_alarms",
    )
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    assigned_by = models.CharField(_("交办人"), max_length=120, blank=True)
    instructions = models.TextField(_("交办要求"), blank=True)
    answer_due = models.DateField(_("回复期限"), null=True, blank=True)
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    answered_by = models.CharField(_("回复人"), max_length=120, blank=True)
    explanation = models.TextField(_("情况说明"), blank=True)
    correction = models.TextField(_("整改纠正情况"), blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="supervision/evidence/%Y/%m/", blank=True)
    checked_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    check_note = models.TextField(_("审核意见"), blank=True)
    sent_back_count = models.PositiveIntegerField(_("退回次数"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.CharField(_("办结人"), max_length=120, blank=True)
    outcome = models.CharField(_("处理结果"), max_length=10, choices=Outcome.choices, blank=True)
    close_note = models.TextField(_("办结说明"), blank=True)

    class Meta:
        verbose_name = _("报警")
        verbose_name_plural = _("报警")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "subject_type", "subject_id"],
                condition=~Q(status="closed"),
                name="sup_one_open_alarm_per_rule_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "severity"], name="sup_alarm_status_sev"),
            # why: a sweep compares a rule's breaches with its open alarms from this index
            # alone (engine.COMPARE_SQL; bench/sweep.py)
            models.Index(
                fields=[
                    "rule_code",
                    "subject_type",
                    "subject_id",
                    "raised_at",
                    "condition_cleared_at",
                    "id",
                ],  # fmt: skip
                condition=~Q(status="closed"),
                name="sup_alarm_open_subject",
            ),
            # why: the alarms of a subject, closed ones included (a closed breach key is not
            # raised again; reevaluate_subject)
            models.Index(fields=["subject_type", "subject_id"], name="sup_alarm_subject"),
            # why: SUP-5-answer-overdue reads assigned alarms by due day (bench/sweep.py)
            models.Index(
                fields=["answer_due"],
                condition=Q(answer_due__isnull=False),
                name="sup_alarm_answer_due",
            ),
        ]

    def __str__(self):
        return f"{self.rule_code} {self.subject_type}:{self.subject_id}"

    @property
    def is_open(self) -> bool:
        return self.status != AlarmStatus.CLOSED

    @property
    def severity_class(self) -> str:
        return {"红牌": "red", "黄牌": "yellow"}.get(self.severity, "")


class InspectionKind(models.TextChoices):
    RECORD = "record", _("检查记录")
    PROBLEM = "problem", _("问题处理报告")


class InspectionRound(models.Model):
    """A round of inspection a supervising unit (发改, 财政, 审计) owes by a date (SUP-8)."""

    supervising_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("监管单位"),
        on_delete=models.PROTECT,
        related_name="inspection_rounds",
    )
    title = models.CharField(_("巡查任务"), max_length=200)
    scope = models.TextField(_("巡查范围"), blank=True)
    subject_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    subject_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    due = models.DateField(_("完成期限"))
    created_by = models.CharField(_("布置人"), max_length=120)
    created_at = models.DateTimeField(_("布置时间"))

    class Meta:
        verbose_name = _("巡查任务")
        verbose_name_plural = _("巡查任务")
        ordering = ["due", "id"]

    def __str__(self):
        return self.title


class InspectionRecord(models.Model):
    """An inspection record or problem-handling report uploaded by 发改/财政/审计 (SUP-7)."""

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("报送单位"),
        on_delete=models.PROTECT,
        related_name="inspection_records",
    )
    round = models.ForeignKey(
        InspectionRound,
        verbose_name=_("巡查任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    kind = models.CharField(_("类别"), max_length=10, choices=InspectionKind.choices)
    subject_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    subject_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    findings = models.TextField(_("检查发现"))
    attachment = models.FileField(_("附件"), upload_to="supervision/inspections/%Y/%m/", blank=True)
    filed_by = models.CharField(_("报送人"), max_length=120)
    filed_at = models.DateTimeField(_("报送时间"))

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-filed_at", "-id"]

    def __str__(self):
        return f"{self.unit} {self.get_kind_display()} {self.filed_at:%Y-%m-%d}"


class ComplaintAbout(models.TextChoices):
    CASE = "case", _("办件（受理编号）")
    UNIT = "unit", _("单位")
    PERSON = "person", _("工作人员")
    OTHER = "other", _("其他")


class Complaint(models.Model):
    """A public complaint or report (投诉举报) with an unguessable tracking code (SUP-9).

    The complainant's name and phone are shown only to the commission (selectors, views)."""

    tracking_code = models.CharField(_("查询码"), max_length=32, unique=True)
    about = models.CharField(_("投诉对象类别"), max_length=10, choices=ComplaintAbout.choices)
    receipt_no = models.CharField(_("办件受理编号"), max_length=40, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("被投诉单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    person_named = models.CharField(_("被投诉人"), max_length=50, blank=True)
    content = models.TextField(_("投诉内容"))
    anonymous = models.BooleanField(_("匿名"), default=False)
    complainant_name = models.CharField(_("投诉人姓名"), max_length=50, blank=True)
    complainant_phone = models.CharField(_("投诉人电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("提交时间"))
    alarm = models.OneToOneField(
        Alarm,
        verbose_name=_("督办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaint",
    )
    published_answer = models.TextField(_("公开答复"), blank=True)

    class Meta:
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_about_display()} {self.created_at:%Y-%m-%d}"


class Notification(models.Model):
    """An in-app inbox message for a staff user (SUP-5: the people concerned are told)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="supervision_notifications",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class SweepState(models.Model):
    """Where the incremental sweep of a rule stands (SUP-1, SUP-2; engine.run_sweeps).

    The time of the last sweep that brought the rule's alarms up to date and the ledger size
    read at its start: the next incremental sweep looks only at the events recorded from that
    index on and the deadlines the clock passed since `as_of`. Engine bookkeeping, not an
    exercise of power (nothing here is recorded in the ledger); a full sweep rewrites it, a
    replay (a full sweep of an earlier time) deletes it, so the next sweep is full again.
    """

    rule_code = models.CharField(_("规则编号"), max_length=80, primary_key=True)
    as_of = models.DateTimeField(_("巡检时点"))
    ledger_size = models.BigIntegerField(_("运行记录条数"))
    rule_version = models.PositiveIntegerField(_("规则版本"))
    setting_version = models.PositiveIntegerField(_("阈值版本"), null=True, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    mode = models.CharField(_("方式"), max_length=12)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("巡检进度")
        verbose_name_plural = _("巡检进度")

    def __str__(self):
        return f"{self.rule_code} @ {self.as_of:%Y-%m-%d %H:%M}"

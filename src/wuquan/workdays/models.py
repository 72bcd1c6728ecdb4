"""The working-day calendar's tables (APR-2): official schedules loaded by an administrator,
deadlines other apps track (recomputed when a schedule arrives), and in-app notices."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficialSchedule(models.Model):
    """One year's holiday schedule as published by the State Council (国务院办公厅关于某年部分
    节假日安排的通知): layer 1, the most authoritative. Load it with
    `services.do_load_official_schedule` so open deadlines are recomputed and logged."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    notice_number = models.CharField(_("通知文号"), max_length=80)
    notice_date = models.DateField(_("通知日期"))
    loaded_by = models.CharField(_("载入人"), max_length=120)
    loaded_at = models.DateTimeField(_("载入时间"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("法定节假日安排")
        verbose_name_plural = _("法定节假日安排")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} {self.notice_number}"


class ScheduleDay(models.Model):
    """A day the notice names: a holiday (放假) or a makeup workday (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        MAKEUP_WORKDAY = "makeup_workday", _("调休上班")

    schedule = models.ForeignKey(
        OfficialSchedule, on_delete=models.CASCADE, related_name="days", verbose_name=_("安排")
    )
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("安排日")
        verbose_name_plural = _("安排日")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "day"], name="workdays_scheduleday_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.get_kind_display()} {self.name}"


class TrackedDeadline(models.Model):
    """A deadline in working days that another app (approvals, supervision, decisions) keeps
    open; recomputed when an official schedule for a year it touches is loaded (APR-2)."""

    subject_type = models.CharField(_("对象类型"), max_length=60)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    purpose = models.CharField(_("时限用途"), max_length=60)
    start = models.DateTimeField(_("起算时刻"))
    working_days = models.PositiveIntegerField(_("工作日数"))
    # [[from, to], …] ISO moments; `to` is null while the clock is stopped (补正).
    suspensions = models.JSONField(_("暂停计时"), default=list, blank=True)
    due = models.DateField(_("截止日"), null=True, blank=True)  # null while suspended
    provisional = models.BooleanField(_("临时日历"), default=False)
    layer = models.CharField(_("依据"), max_length=60, blank=True)  # e.g. "package,provisional"
    # ",2026,2027," — the years the computation read, and those answered provisionally.
    years = models.CharField(max_length=120, blank=True)
    provisional_years = models.CharField(max_length=120, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )
    closed = models.BooleanField(_("已结束"), default=False)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("跟踪时限")
        verbose_name_plural = _("跟踪时限")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="workdays_deadline_subject"),
            models.Index(fields=["closed", "due"], name="workdays_deadline_open_due"),
        ]

    def __str__(self):
        return f"{self.subject_type}:{self.subject_id} {self.purpose} → {self.due}"

    @property
    def suspended(self) -> bool:
        return any(to is None for _from, to in self.suspensions)


class Notice(models.Model):
    """An in-app notice (e.g. "your deadline moved"), shown on the staff home page."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("接收人"),
    )  # null: every administrator
    text = models.CharField(_("内容"), max_length=300)
    deadline = models.ForeignKey(
        TrackedDeadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作日历通知")
        verbose_name_plural = _("工作日历通知")
        ordering = ["-created_at"]

    def __str__(self):
        return self.text

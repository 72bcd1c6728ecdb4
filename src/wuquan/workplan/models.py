"""The 40-task division table of 附件1 and its follow-up (WRK-1..3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FivePower(models.TextChoices):
    LIMIT = "改革限权", _("改革限权")
    CONFIRM = "依法确权", _("依法确权")
    ALLOCATE = "科学配权", _("科学配权")
    SHOW = "阳光示权", _("阳光示权")
    CONTROL = "全程控权", _("全程控权")


class TaskStatus(models.TextChoices):
    MADE = "已制定", _("已制定")
    NOT_YET = "暂未制定", _("暂未制定")


class Task(models.Model):
    """One row of 附件1 (WRK-1); responsible leader/person and deadline follow WRK-2."""

    seq = models.PositiveSmallIntegerField(_("序号"), unique=True)
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="tasks"
    )
    five_power = models.CharField(_("五权类别"), max_length=8, choices=FivePower.choices)
    plan_title = models.CharField(_("制度名称"), max_length=200, blank=True)
    requirement = models.TextField(_("制度要求"))
    status = models.CharField(_("状态"), max_length=8, choices=TaskStatus.choices)
    attachment = models.CharField(_("附件"), max_length=20, blank=True)
    responsible_leader = models.CharField(_("责任领导"), max_length=50, blank=True)
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_tasks",
        help_text=_("留空时为牵头部门。"),
    )
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    quality_requirement = models.TextField(_("质量要求"), blank=True)
    made_on = models.DateField(_("制定日期"), null=True, blank=True)
    progress_note = models.TextField(_("推进情况"), blank=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务分工")
        ordering = ["seq"]

    def __str__(self):
        return f"{self.seq}. {self.plan_title or self.requirement[:30]}"

    @property
    def is_made(self) -> bool:
        return self.status == TaskStatus.MADE

    def is_overdue(self, as_of) -> bool:
        """Not made by its deadline (WRK-3): still 暂未制定 after the deadline, or made late."""
        if self.deadline is None:
            return False
        if self.is_made:
            return self.made_on is not None and self.made_on > self.deadline
        return as_of > self.deadline

    def missing_assignment(self) -> list[str]:
        """The WRK-2 fields not yet set (附件6 四(一): 责任领导、责任部门和责任人, 完成时限, 质量要求)."""
        missing = []
        for field in (
            "responsible_leader",
            "responsible_person",
            "deadline",
            "quality_requirement",
        ):
            if not getattr(self, field):
                missing.append(str(self._meta.get_field(field).verbose_name))
        return missing

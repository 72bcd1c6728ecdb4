"""Democratic evaluations (民主测评, 勤廉双述) and anonymous ballots (EVA-1..4, PUB-10).

Ballots hold a grade only: random key, no voter, no time. One-time voter codes are stored as
keyed hashes and only marked used, so no one can link a code to a choice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_SCALE = ["优秀", "称职", "基本称职", "不称职"]


class EvaluationKind(models.TextChoices):
    VILLAGE_CADRES = "village_cadres", _("村干部勤廉双述")
    LEADERSHIP = "leadership", _("单位领导班子及成员")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("准备中")
    VOTING = "voting", _("测评中")
    CLOSED = "closed", _("已计票")
    PUBLISHED = "published", _("已公示")


class Evaluation(models.Model):
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=EvaluationKind.choices)
    scale = models.JSONField(_("测评等次"), default=list)
    eligible_voters = models.PositiveIntegerField(_("参评人数"))
    status = models.CharField(
        _("状态"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    # why: the seed gives no counting rule; common practice — 不称职 when its votes exceed a
    # third of the ballots — is the default, configurable per evaluation.
    unqualified_num = models.PositiveSmallIntegerField(default=1)
    unqualified_den = models.PositiveSmallIntegerField(default=3)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    # the legacy reference of an imported evaluation (wuquan import; empty for live ones)
    source_ref = models.CharField(_("来源编号"), max_length=120, blank=True, db_index=True)

    class Meta:
        verbose_name = _("民主测评")
        verbose_name_plural = _("民主测评")
        ordering = ["-year", "-id"]

    def __str__(self):
        return f"{self.year} {self.title}"

    @property
    def unqualified_grade(self) -> str:
        return self.scale[-1]


class Subject(models.Model):
    """A person evaluated: commitment at the start of the year, report at its end (EVA-2)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="subjects")
    person = models.ForeignKey("org.Person", verbose_name=_("被测评人"), on_delete=models.PROTECT)
    role_title = models.CharField(_("职务"), max_length=100)
    commitment = models.TextField(_("承诺书"), blank=True)
    commitment_on = models.DateField(_("承诺日期"), null=True, blank=True)
    report = models.TextField(_("述职述廉报告"), blank=True)
    report_on = models.DateField(_("述职日期"), null=True, blank=True)
    counts = models.JSONField(_("得票"), default=dict, blank=True)
    rating = models.CharField(_("测评结果"), max_length=20, blank=True)
    rating_text = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "person"], name="evaluation_subject_once")
        ]

    def __str__(self):
        return f"{self.person} · {self.role_title}"


class Question(models.Model):
    """询问和质询 from participants, with the answer (EVA-2)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="questions")
    asker = models.CharField(_("提问人"), max_length=60)
    text = models.TextField(_("问题"))
    answer = models.TextField(_("答复"), blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.text[:40]


class VoterCode(models.Model):
    """A one-time voter code, stored as a keyed hash; only `used` changes (no time, no link)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.evaluation_id}:{'used' if self.used else 'unused'}"


class SealedBallot(models.Model):
    """One ballot (a grade for each subject) while the voting is open: sealed under the
    evaluation's key, kept outside the database and destroyed at the count (EVA-1, 无记名;
    common/sealing.py). Random key, no voter, no time; all rows the same length."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="sealed_ballots"
    )
    sealed = models.BinaryField()

    def __str__(self):
        return str(self.id)


class Ballot(models.Model):
    """One counted grade for one subject: random key, no voter, no time; written at the count,
    all at once and in random order, from the sealed box."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ballots")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="ballots")
    grade = models.CharField(max_length=20)

    def __str__(self):
        return self.grade


class SheetStatus(models.TextChoices):
    PENDING = "pending", _("待第二人录入")
    COUNTED = "counted", _("两人录入一致，已计入")
    MISMATCH = "mismatch", _("两人录入不一致")


class PaperSheet(models.Model):
    """A paper ballot sheet keyed in twice by two clerks; counted only when both agree (EVA-1)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="sheets")
    sheet_no = models.CharField(_("票号"), max_length=30)
    status = models.CharField(
        max_length=10, choices=SheetStatus.choices, default=SheetStatus.PENDING
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "sheet_no"], name="evaluation_sheet_once")
        ]

    def __str__(self):
        return self.sheet_no


class PaperEntry(models.Model):
    sheet = models.ForeignKey(PaperSheet, on_delete=models.CASCADE, related_name="entries")
    # why: null for a batch imported already counted (services.ImportedHistory)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    grades = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "clerk"], name="evaluation_entry_once")
        ]

    def __str__(self):
        return f"{self.sheet} / {self.clerk}"


class FlagKind(models.TextChoices):
    RESIGN_OR_RECALL = "resign_or_recall", _("连续两年不称职：责令辞职或启动罢免")
    RECALL_PETITION = "recall_petition", _("罢免联名达到法定人数：督促启动罢免程序")


class Flag(models.Model):
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="evaluation_flags"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT)
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    reason = models.TextField()
    raised_on = models.DateField()

    def __str__(self):
        return f"{self.person} {self.get_kind_display()}"


class PetitionBasis(models.TextChoices):
    VOTERS = "voters", _("有选举权的村民")
    REPRESENTATIVES = "representatives", _("村民代表")


class RecallPetition(models.Model):
    """A recall petition against a village committee member (EVA-4, 附件15 二(四)2(6))."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT)
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT)
    basis = models.CharField(max_length=20, choices=PetitionBasis.choices)
    signatures = models.PositiveIntegerField()
    eligible_total = models.PositiveIntegerField()
    filed_on = models.DateField()
    reaches_threshold = models.BooleanField()

    def __str__(self):
        return f"{self.person} {self.signatures}/{self.eligible_total}"

"""Unit finance controls (FIN-1..4; 附件3 第二): reimbursements (报销) signed by handler →
reviewer → responsible deputy → finance deputy, their vouchers (attachments with SHA-256,
invoice numbers unique in the unit), spending classes with dated limits, the budget figures a
unit enters, the quarterly report to the leadership and the half-yearly disclosure to staff.
The unit keeps its books elsewhere (政府会计制度); this app holds the controls, not a ledger.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SpendingClass(models.TextChoices):
    """Spending classes (附件3 第二 四: 分类管理, 限额规定)."""

    TRAVEL = "travel", _("差旅费")
    MEETING = "meeting", _("会议费")
    TRAINING = "training", _("培训费")
    RECEPTION = "reception", _("公务接待费")
    VEHICLE = "vehicle", _("公务用车运行维护费")
    OFFICE = "office", _("办公费")
    WORKS = "works", _("工程（维修）费")
    OTHER = "other", _("其他支出")


class AttachmentKind(models.TextChoices):
    INVOICE = "invoice", _("发票")
    RECEIPT = "receipt", _("支付凭证、收据")
    APPROVAL = "approval", _("事前审批单")
    LETTER = "letter", _("派出单位公函")
    LIST = "list", _("清单（接待清单、物品明细）")
    NOTICE = "notice", _("会议、培训通知")
    SIGNIN = "signin", _("签到表")
    CONTRACT = "contract", _("合同")
    ACCEPTANCE = "acceptance", _("验收单")
    OTHER = "other", _("其他")


# The vouchers each class requires before the first signature (FIN-2, 附件3 第二 二: 报销凭证
# 项目齐全). Sources, checked with the search tool where said:
# - 公务接待: 《党政机关国内公务接待管理规定》(中办发〔2013〕22号): 报销凭财务票据、派出单位公函
#   和接待清单 (confirmed in several public summaries; article number not confirmed here);
# - 差旅: 《中央和国家机关差旅费管理办法》(财行〔2013〕531号) 第二十四条: 报销时应当提供出差
#   审批单、机票、车票、住宿费发票等凭证 (confirmed in two public copies of the text);
# - 会议/培训: 《中央和国家机关会议费管理办法》《培训费管理办法》: 审批文件、通知、签到表、
#   票据 (not confirmed with the search tool; kept as the usual reading);
# - 办公、工程、公务用车, 其他: the platform's own choice (invoice; list; contract and acceptance).
REQUIRED_ATTACHMENTS: dict[str, tuple[str, ...]] = {
    SpendingClass.TRAVEL: (AttachmentKind.INVOICE, AttachmentKind.APPROVAL),
    SpendingClass.MEETING: (
        AttachmentKind.INVOICE,
        AttachmentKind.APPROVAL,
        AttachmentKind.NOTICE,
        AttachmentKind.SIGNIN,
    ),
    SpendingClass.TRAINING: (
        AttachmentKind.INVOICE,
        AttachmentKind.APPROVAL,
        AttachmentKind.NOTICE,
        AttachmentKind.SIGNIN,
    ),
    SpendingClass.RECEPTION: (AttachmentKind.INVOICE, AttachmentKind.LETTER, AttachmentKind.LIST),
    SpendingClass.VEHICLE: (AttachmentKind.INVOICE,),
    SpendingClass.OFFICE: (AttachmentKind.INVOICE, AttachmentKind.LIST),
    SpendingClass.WORKS: (
        AttachmentKind.INVOICE,
        AttachmentKind.CONTRACT,
        AttachmentKind.ACCEPTANCE,
    ),
    SpendingClass.OTHER: (AttachmentKind.INVOICE,),
}


class Step(models.TextChoices):
    """The sign-off chain of 附件3 第二 三 (FIN-1), in this order."""

    HANDLER = "handler", _("经办人")
    REVIEWER = "reviewer", _("审核人")
    RESPONSIBLE = "responsible", _("分管领导")
    FINANCE = "finance", _("分管财务工作领导")


STEPS = [Step.HANDLER, Step.REVIEWER, Step.RESPONSIBLE, Step.FINANCE]

# Posts (org.Post.code) by which a person reviews (审核人: the unit's 财务岗) and pays (出纳).
REVIEWER_POSTS = ("finance",)
CASHIER_POSTS = ("cashier",)


class Status(models.TextChoices):
    DRAFT = "draft", _("待提交（补齐凭证）")
    SIGNING = "signing", _("审批中")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("待支付")
    PAID = "paid", _("已支付")


class ClassLimit(models.Model):
    """A dated limit of a spending class: for one unit, or for every unit (unit empty).
    The newest row in force on the day judged wins, the unit's own before the district's."""

    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spending_class = models.CharField(_("支出类别"), max_length=12, choices=SpendingClass.choices)
    per_item = models.BigIntegerField(_("单笔限额（分）"), null=True, blank=True)
    per_year = models.BigIntegerField(_("年度限额（分）"), null=True, blank=True)
    valid_from = models.DateField(_("生效日期"))
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["spending_class", "-valid_from", "-pk"]

    def __str__(self):
        return f"{self.get_spending_class_display()} {self.valid_from}"


class Reimbursement(models.Model):
    """A 报销单: what was spent, by whom (the claimant), filed by the handler with its vouchers,
    then signed in order (FIN-1) and paid by the cashier."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("报销单号"), max_length=20)
    year = models.PositiveSmallIntegerField()
    claimant = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("报销人")
    )
    handler = models.ForeignKey("org.Person", null=True, on_delete=models.PROTECT, related_name="+")
    handler_post = models.ForeignKey(
        "org.Post", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_post = models.ForeignKey(
        "org.Post",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("分管领导岗位"),
    )
    spending_class = models.CharField(_("支出类别"), max_length=12, choices=SpendingClass.choices)
    summary = models.CharField(_("事由"), max_length=200)
    amount = models.BigIntegerField(_("金额（分）"))
    occurred_on = models.DateField(_("发生日期"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    round = models.PositiveSmallIntegerField(default=1)
    return_reason = models.TextField(_("退回理由"), blank=True)
    decision = models.ForeignKey(
        "decisions.AgendaItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("集体决策（三重一大）"),
    )
    imported = models.BooleanField(default=False)  # history from the old system, judged by rules
    source_ref = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    paid_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="unitfinance_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="unitfinance_amount_positive"),
        ]
        indexes = [models.Index(fields=["unit", "status", "occurred_on"], name="uf_unit_status")]

    def __str__(self):
        return self.number


class Attachment(models.Model):
    """A voucher (原始凭证) of a reimbursement: the file's bytes and SHA-256; an invoice also has
    its number (unique in the unit, FIN-2) and amount."""

    reimbursement = models.ForeignKey(
        Reimbursement, on_delete=models.PROTECT, related_name="attachments"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=AttachmentKind.choices)
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    invoice_no = models.CharField(_("发票号码"), max_length=40, blank=True)
    invoice_amount = models.BigIntegerField(_("发票金额（分）"), null=True, blank=True)
    imported = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["reimbursement_id", "pk"]
        constraints = [
            # why only live rows: imported history may hold a duplicate, which a rule reports
            models.UniqueConstraint(
                fields=["unit", "invoice_no"],
                condition=Q(imported=False) & ~Q(invoice_no=""),
                name="unitfinance_invoice_unique",
            )
        ]
        indexes = [models.Index(fields=["unit", "invoice_no"], name="uf_invoice")]

    def __str__(self):
        return self.name


class Signature(models.Model):
    reimbursement = models.ForeignKey(
        Reimbursement, on_delete=models.PROTECT, related_name="signatures"
    )
    round = models.PositiveSmallIntegerField(default=1)
    step = models.CharField(max_length=12, choices=Step.choices)
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(
        "org.Post", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    seq = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["reimbursement_id", "round", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["reimbursement", "round", "seq"], name="unitfinance_signature_seq"
            )
        ]

    def __str__(self):
        return f"{self.get_step_display()} {self.person_id}"


class BudgetFigure(models.Model):
    """The year's budget of one spending class as the unit entered it (from its own books)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    spending_class = models.CharField(max_length=12, choices=SpendingClass.choices)
    amount = models.BigIntegerField()
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["unit_id", "year", "spending_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "spending_class"], name="unitfinance_budget_unique"
            )
        ]

    def __str__(self):
        return f"{self.unit_id} {self.year} {self.spending_class}"


class FinanceReport(models.Model):
    """The quarter's 财务收支情况 the finance deputy reports to the whole leadership (FIN-4)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    income = models.BigIntegerField(_("本季度收入（分）"), default=0)
    figures = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64)
    prepared_at = models.DateTimeField()
    meeting = models.ForeignKey(
        "decisions.Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    presented_on = models.DateField(null=True, blank=True)
    presented_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["unit_id", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"], name="unitfinance_report_unique"
            )
        ]

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度"


class StaffDisclosure(models.Model):
    """The half-year's finances published to the unit's staff (FIN-4, 每半年向干部职工公开)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    half = models.PositiveSmallIntegerField()
    figures = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        "org.Person", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["unit_id", "-year", "-half"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "half"], name="unitfinance_disclosure_unique"
            )
        ]

    def __str__(self):
        return f"{self.year}年{'上' if self.half == 1 else '下'}半年"

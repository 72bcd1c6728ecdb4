"""The village collective books (三资, part 1): chart of accounts, sets of books kept by the
township centre, vouchers, 联签会审 payment requests, budgets, periods, bank statements,
monthly disclosure and archives (FIN-2, FIN-7, FIN-8, FIN-11..13, FIN-15, PUB-7, PUB-11, AUD-3).

Money is integer fen everywhere (BigIntegerField); there is no float in this app.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuquan.org.models import Person, Post, Unit


class Category(models.TextChoices):
    ASSET = "asset", _("资产类")
    LIABILITY = "liability", _("负债类")
    EQUITY = "equity", _("所有者权益类")
    COST = "cost", _("成本类")
    PL = "pl", _("损益类")


class Side(models.TextChoices):
    DEBIT = "D", _("借")
    CREDIT = "C", _("贷")


class AccountRole(models.TextChoices):
    """What the code relies on an account for; codes themselves are data (chart_2023.csv)."""

    NONE = "", _("—")
    CASH = "cash", _("库存现金")
    BANK = "bank", _("银行存款")
    RECEIVABLE = "receivable", _("应收款")
    INTERNAL = "internal", _("内部往来")
    PAYABLE = "payable", _("应付款")
    CURRENT_INCOME = "current_income", _("本年收益")
    DISTRIBUTION = "distribution", _("收益分配")
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


class Account(models.Model):
    """A first-level account (一级科目) of the national chart (财会〔2023〕14号 附录1)."""

    code = models.CharField(_("科目编码"), max_length=8, unique=True)
    name = models.CharField(_("科目名称"), max_length=40)
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    normal_side = models.CharField(_("余额方向"), max_length=1, choices=Side.choices)
    role = models.CharField(_("用途"), max_length=20, choices=AccountRole.choices, blank=True)
    has_counterparty = models.BooleanField(_("往来单位辅助核算"), default=False)
    has_project = models.BooleanField(_("项目辅助核算"), default=False)
    has_fund = models.BooleanField(_("资金辅助核算"), default=False)
    old_codes = models.CharField(_("原科目编码（2004）"), max_length=40, blank=True)
    confirmed = models.BooleanField(_("已与附录1核对"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("会计科目")
        verbose_name_plural = _("会计科目")

    def __str__(self):
        return f"{self.code} {self.name}"


class BookKind(models.TextChoices):
    VILLAGE = "village", _("村集体经济组织")
    COMMUNITY = "community", _("社区")
    GROUP = "group", _("村民小组")


class Book(models.Model):
    """A set of books (账套) of one collective, kept by its township's 三资代理服务中心 (委托代理记账)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="collective_books")
    centre = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="kept_collective_books")
    code = models.SlugField(_("账套编码"), max_length=64, unique=True)
    name = models.CharField(_("账套名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=12, choices=BookKind.choices)
    start_year = models.PositiveSmallIntegerField(_("启用年度"))
    opened = models.BooleanField(_("期初已录入"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("账套")
        verbose_name_plural = _("账套")

    def __str__(self):
        return self.name


class SubAccount(models.Model):
    """A book's sub-account (明细科目): parent code + 2 digits."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="subaccounts")
    account = models.ForeignKey(Account, on_delete=models.PROTECT)
    code = models.CharField(_("明细科目编码"), max_length=12)
    name = models.CharField(_("明细科目名称"), max_length=60)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "code"], name="collective_subaccount_code")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Setting(models.Model):
    """A dated limit for one book (or, with book empty, every book): cash limit, deposit days…
    The newest `valid_from` not after the day asked wins; a rule's `thresholds` are the fallback."""

    book = models.ForeignKey(Book, null=True, blank=True, on_delete=models.PROTECT)
    key = models.CharField(_("参数"), max_length=40)
    value = models.BigIntegerField(_("数值"))
    valid_from = models.DateField(_("生效日期"))
    basis = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        ordering = ["key", "-valid_from"]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("开放")
    ADJUSTING = "adjusting", _("调整期")
    CLOSED = "closed", _("已结账")


class Period(models.Model):
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="periods")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=PeriodStatus.choices, default="open")
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_sha256 = models.CharField(max_length=64, blank=True)
    # the month's last voucher number; taken with UPDATE … RETURNING, which is also the lock
    # that keeps numbers gapless (services._take_number)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["book", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "month"], name="collective_period_per_month"
            )
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d}"


class ClosingBalance(models.Model):
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="balances")
    account = models.ForeignKey(Account, on_delete=models.PROTECT)
    debit = models.BigIntegerField(default=0)  # balance on the debit side, fen
    credit = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class VoucherKind(models.TextChoices):
    RECEIPT = "receipt", _("收款凭证")
    PAYMENT = "payment", _("付款凭证")
    TRANSFER = "transfer", _("转账凭证")


class VoucherStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    POSTED = "posted", _("已记账")


class Voucher(models.Model):
    """A 记账凭证. Once posted, the database refuses any change to it or its lines (triggers in
    migration 0002); corrections are 红字冲销 vouchers naming the original (`reverses`)."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="vouchers")
    kind = models.CharField(_("凭证类别"), max_length=10, choices=VoucherKind.choices)
    date = models.DateField(_("日期"))
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField(_("凭证号"), null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=200)
    status = models.CharField(max_length=10, choices=VoucherStatus.choices, default="draft")
    attachment_count = models.PositiveSmallIntegerField(_("附件张数"), default=0)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    is_opening = models.BooleanField(default=False)
    is_closing = models.BooleanField(default=False)
    prepared_by = models.CharField(max_length=150, blank=True)
    posted_by = models.CharField(max_length=150, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["book", "year", "month", "number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "month", "number"], name="collective_voucher_number"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False),
                name="collective_posted_has_number",
            ),
        ]
        indexes = [models.Index(fields=["book", "status", "date"])]

    def __str__(self):
        return f"{self.year}-{self.month:02d} 记{self.number or '—'}"


class Line(models.Model):
    """One voucher line: one account, one side, an amount in fen (negative only in 红字冲销)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT)
    subaccount = models.ForeignKey(SubAccount, null=True, blank=True, on_delete=models.PROTECT)
    side = models.CharField(max_length=1, choices=Side.choices)
    amount = models.BigIntegerField(_("金额（分）"))
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    # Dimensions (FIN-15, and part 2's contracts/assets): ids and codes only.
    counterparty = models.CharField(_("往来单位/个人"), max_length=100, blank=True)
    counterparty_is_person = models.BooleanField(default=False)
    project = models.CharField(_("项目"), max_length=40, blank=True)
    fund = models.CharField(_("资金"), max_length=40, blank=True)
    # denormalised from the voucher for the trial-balance GROUP BY (never changes once posted)
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()

    class Meta:
        ordering = ["voucher", "pk"]
        indexes = [models.Index(fields=["book", "date", "account"])]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="collective_line_nz")]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class Attachment(models.Model):
    """An original document (原始凭证) of a voucher or request, kept by its SHA-256 (FIN-2)."""

    voucher = models.ForeignKey(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    request = models.ForeignKey(
        "PaymentRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(blank=True)

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class Budget(models.Model):
    """A yearly budget (FIN-11), approved by a village six-step matter (DEC-10)."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveSmallIntegerField()
    matter = models.ForeignKey(
        "decisions.VillageMatter", on_delete=models.PROTECT, related_name="collective_budgets"
    )
    approved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["book", "year"], name="collective_budget_per_year")
        ]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class BudgetLine(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT)
    project = models.CharField(max_length=40, blank=True)
    amount = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "account", "project"], name="collective_budget_line"
            )
        ]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class BudgetAdjustment(models.Model):
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="adjustments")
    delta = models.BigIntegerField()
    matter = models.ForeignKey("decisions.VillageMatter", on_delete=models.PROTECT)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class RequestStatus(models.TextChoices):
    SIGNING = "signing", _("联签中")
    BOOKED = "booked", _("已记账")
    WITHDRAWN = "withdrawn", _("已撤回")


class Step(models.TextChoices):
    """The 联签会审 chain (FIN-8; 附件15 二(二)2, 二(四)2(4)). HEAD and SECRETARY in either order."""

    HANDLER = "handler", _("经办人签字")
    SUPERVISION = "supervision", _("村务监督委员会审核盖章")
    HEAD = "head", _("村委会主任签字")
    SECRETARY = "secretary", _("党组织书记签字")
    CENTRE = "centre", _("三资中心审核记账")


# The post (org.Post.code) that must hold each step: village posts, then the township's centre.
STEP_POSTS = {
    Step.HANDLER: "accountant",
    Step.SUPERVISION: "supervision-chair",
    Step.HEAD: "director",
    Step.SECRETARY: "secretary",
    Step.CENTRE: "sanzi-accountant",
}


class PayMethod(models.TextChoices):
    BANK = "bank", _("银行转账")
    CASH = "cash", _("现金")


class PaymentRequest(models.Model):
    """A 用款申请/报账单 going through 联签会审; booking it creates the posted payment voucher."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="requests")
    date = models.DateField(_("日期"))
    summary = models.CharField(_("摘要"), max_length=200)
    amount = models.BigIntegerField(_("金额（分）"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, verbose_name=_("支出科目"))
    project = models.CharField(_("项目"), max_length=40, blank=True)
    counterparty = models.CharField(_("收款人"), max_length=100)
    counterparty_is_person = models.BooleanField(_("收款人为个人"), default=False)
    pay_method = models.CharField(
        _("支付方式"), max_length=8, choices=PayMethod.choices, default="bank"
    )
    matter = models.ForeignKey(
        "decisions.VillageMatter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("依据的村级决策"),
    )
    exception_matter = models.ForeignKey(
        "decisions.VillageMatter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("超预算例外决策"),
    )
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default="signing")
    budget_warning = models.CharField(max_length=200, blank=True)
    voucher = models.OneToOneField(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="request"
    )
    imported = models.BooleanField(default=False)  # history from the old system, checked by rules
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class Signature(models.Model):
    request = models.ForeignKey(PaymentRequest, on_delete=models.PROTECT, related_name="signatures")
    step = models.CharField(max_length=12, choices=Step.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField()
    seq = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["request", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["request", "seq"], name="collective_signature_seq")
        ]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class BankStatement(models.Model):
    """A month's bank statement (对账单) as imported (CSV/Excel), with its file's SHA-256."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="statements")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    closing_balance = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "month"], name="collective_statement_per_month"
            )
        ]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class StatementLine(models.Model):
    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    date = models.DateField()
    amount = models.BigIntegerField()  # + money in, - money out
    summary = models.CharField(max_length=200, blank=True)
    matched = models.ForeignKey(Line, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class Disclosure(models.Model):
    """A month published item by item on the portal (PUB-7); `content` is what was published,
    `sha256` its canonical JSON's hash, also in the log."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="disclosures")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    event_index = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["book", "-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "month"], name="collective_disclosure_per_month"
            )
        ]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class QuestionKind(models.TextChoices):
    QUESTION = "question", _("村民提问")
    OBJECTION = "objection", _("村务监督委员会异议")


class Question(models.Model):
    """A villager's question or the supervision committee's objection beside a published month
    (PUB-11), answered by the village. Free text stays here, never in the log."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(max_length=10, choices=QuestionKind.choices, default="question")
    text = models.TextField(_("问题"))
    asked_at = models.DateTimeField()
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at"]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class ArchiveKind(models.TextChoices):
    VOUCHERS = "vouchers", _("会计凭证")
    BOOKS = "books", _("会计账簿")
    MONTHLY = "monthly", _("月度财务会计报告")
    ANNUAL = "annual", _("年度财务会计报告")
    STATEMENT = "statement", _("银行对账单")


class ArchiveItem(models.Model):
    """An archived file (AUD-3) with its retention; `retain_until` empty = permanent."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="archives")
    kind = models.CharField(max_length=10, choices=ArchiveKind.choices)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    archived_at = models.DateTimeField()
    retain_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["book", "-year", "kind"]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


# ==== 惠农补贴“一卡通” (issue 15 part: FIN-15, PUB-8; 附件14 二(二), 附件16) ==================
# A programme, its recipient list (published on the portal before payment), payment batches
# through the bank (pay file out, return file in) and the recipients' confirmations. Resident
# IDs and card numbers are kept here (the bank needs them; the conflict index reads the ID);
# the log only ever gets ids, keyed digests (`id_key`, `card_key`) or salted commitments.


class BenefitKind(models.TextChoices):
    FARM = "farm", _("惠农补贴")
    DIBAO = "dibao", _("最低生活保障（低保）")
    TEKUN = "tekun", _("特困人员供养")
    RELIEF = "relief", _("救灾救济")
    OTHER = "other", _("其他补贴")


class BenefitProgramme(models.Model):
    """A benefit or subsidy paid by bank card (一卡通): kind, legal basis, 计发单位 and either a
    rate per unit (`rate` fen × each recipient's quantity) or per-recipient amounts (rate 0).
    Paid out of the book's one bank account under its fund source (`fund`, the FIN-15
    dimension of part 1) against `account` (default 2302 专项应付款)."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="benefit_programmes")
    code = models.SlugField(_("项目编号"), max_length=40)
    name = models.CharField(_("项目名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=BenefitKind.choices)
    basis = models.CharField(_("政策依据"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    measure = models.CharField(_("计发单位"), max_length=10, default="人")
    rate = models.BigIntegerField(_("标准（分/单位）"), default=0)
    fund = models.CharField(_("资金来源"), max_length=40)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, verbose_name=_("核算科目"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["book", "-year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "code"], name="collective_benefit_code")
        ]

    def __str__(self):
        return self.name


class BenefitRecipient(models.Model):
    """One row of a programme's list. `code` is the 查询码 printed beside the row on the
    notice (or issued by the village) with which the recipient confirms receipt."""

    programme = models.ForeignKey(
        BenefitProgramme, on_delete=models.PROTECT, related_name="recipients"
    )
    seq = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18)
    id_key = models.CharField(max_length=64, db_index=True)  # HMAC of the ID (no clear ID in logs)
    card_number = models.CharField(_("银行卡号"), max_length=19)
    card_key = models.CharField(max_length=64, db_index=True)
    bank = models.CharField(_("开户行"), max_length=60, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2, default=1)
    amount = models.BigIntegerField(_("金额（分）"))
    code = models.CharField(_("查询码"), max_length=8)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["programme", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "seq"], name="collective_recipient_seq"),
            models.UniqueConstraint(
                fields=["programme", "id_key"], name="collective_recipient_once"
            ),
        ]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class BenefitPublication(models.Model):
    """The list as published on the portal before payment (PUB-8; 附件16 四: 通告 three
    months, online at least one year). `content` is what was published (masked), `sha256` its
    digest, also in the log. Taken down by the expiry sweep, never before `online_until`."""

    programme = models.ForeignKey(
        BenefitProgramme, on_delete=models.PROTECT, related_name="publications"
    )
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    notice_until = models.DateField()  # the paper notice (通告) stays up at least until
    online_until = models.DateField()  # the portal keeps it at least until
    notice_posted_on = models.DateField(null=True, blank=True)
    notice_removed_on = models.DateField(null=True, blank=True)
    taken_down_at = models.DateTimeField(null=True, blank=True)
    taken_down_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["programme", "-published_at"]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class BenefitBatchStatus(models.TextChoices):
    EXPORTED = "exported", _("已生成代发文件")
    RETURNED = "returned", _("银行已回盘")


class BenefitBatch(models.Model):
    """A payment batch through the bank: the pay file (代发文件) exported, then the bank's
    return file (回盘文件) imported and the successful total booked as one voucher."""

    programme = models.ForeignKey(
        BenefitProgramme, on_delete=models.PROTECT, related_name="batches"
    )
    number = models.PositiveSmallIntegerField(_("批次"))
    date = models.DateField(_("发放日期"))
    status = models.CharField(max_length=10, choices=BenefitBatchStatus.choices, default="exported")
    pay_method = models.CharField(max_length=8, choices=PayMethod.choices, default="bank")
    publication = models.ForeignKey(
        BenefitPublication, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pay_sha256 = models.CharField(max_length=64, blank=True)
    return_sha256 = models.CharField(max_length=64, blank=True)
    voucher = models.OneToOneField(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="benefit_batch"
    )
    imported = models.BooleanField(default=False)  # history from the old system, judged by rules
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="collective_batch_no")
        ]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class BenefitPaymentStatus(models.TextChoices):
    PENDING = "pending", _("待银行回盘")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("发放失败")


class BenefitPayment(models.Model):
    """One recipient's payment in a batch; `card_key`/`card_last4` the card actually paid to
    and `holder_name` the account name the bank returned (or history recorded)."""

    batch = models.ForeignKey(BenefitBatch, on_delete=models.PROTECT, related_name="payments")
    recipient = models.ForeignKey(
        BenefitRecipient, on_delete=models.PROTECT, related_name="payments"
    )
    seq = models.PositiveIntegerField()
    amount = models.BigIntegerField()
    card_key = models.CharField(max_length=64, db_index=True)
    card_last4 = models.CharField(max_length=4)
    holder_name = models.CharField(max_length=50, blank=True)
    status = models.CharField(max_length=8, choices=BenefitPaymentStatus.choices, default="pending")
    bank_message = models.CharField(max_length=100, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reported_missing_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "recipient"], name="collective_payment_once")
        ]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


# ==== part 2 (issue 15): registers, contracts, tiered tenders, FIN-14 =========================
# Registers of assets and resources (FIN-7), village contracts (FIN-9), the tender a contract
# rests on (FIN-10) and the township approvals of movements between collectives (FIN-14).
# 附件15 二(二)2: 清查登记备案, 村级经济合同管理制度, 村级集体项目招投标制度; 二(二)3(1).


class AssetClass(models.TextChoices):
    """The three classes of 农经发〔2017〕11号 (清产核资; confirmed with the search tool through
    the 农办经〔2018〕10号 supplement and the Shanghai implementing notice)."""

    RESOURCE = "resource", _("资源性资产")
    OPERATING = "operating", _("经营性资产")
    NON_OPERATING = "non_operating", _("非经营性资产")


class AssetStatus(models.TextChoices):
    SELF_USE = "self_use", _("自用")
    LEASED = "leased", _("出租")
    CONTRACTED = "contracted", _("发包")
    IDLE = "idle", _("闲置")
    DISPOSED = "disposed", _("处置")


class Asset(models.Model):
    """One line of a village's register of assets and resources (资产资源台账), set from a
    confirmed 清产核资 batch or added with its acquisition. Area in 亩 (Decimal, never float);
    values in fen."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="assets")
    code = models.CharField(_("编号"), max_length=30)
    name = models.CharField(_("名称"), max_length=100)
    asset_class = models.CharField(_("类别"), max_length=16, choices=AssetClass.choices)
    kind = models.CharField(_("种类"), max_length=30, blank=True)  # 耕地, 林地, 房屋, 机械…
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    area_mu = models.DecimalField(_("面积（亩）"), max_digits=12, decimal_places=2, default=0)
    location = models.CharField(_("坐落"), max_length=200, blank=True)
    boundaries = models.CharField(_("四至"), max_length=200, blank=True)
    original_value = models.BigIntegerField(_("原值（分）"), default=0)
    depreciation = models.BigIntegerField(_("累计折旧/摊销（分）"), default=0)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所在科目")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=AssetStatus.choices, default=AssetStatus.SELF_USE
    )
    batch = models.ForeignKey(
        "InventoryBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["book", "code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "code"], name="collective_asset_code")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class AssetDocument(models.Model):
    """A photo or document of an asset (权属证明, 照片), kept by its SHA-256."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="documents")
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(blank=True)
    added_at = models.DateTimeField()

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class InventoryStatus(models.TextChoices):
    COUNTED = "counted", _("已清查登记")
    PUBLISHED = "published", _("已向成员公示")
    CONFIRMED = "confirmed", _("已经成员（代表）会议确认，台账已建立")


class InventoryBatch(models.Model):
    """A 清产核资 batch: counted → published to the members → confirmed by a valid six-step
    matter, which sets the register from it (附件15 二(二)2 清查登记备案)."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="inventories")
    title = models.CharField(_("名称"), max_length=100)
    as_of = models.DateField(_("清查基准日"))
    status = models.CharField(max_length=10, choices=InventoryStatus.choices, default="counted")
    sha256 = models.CharField(max_length=64)  # canonical JSON of the counted items
    matter = models.ForeignKey(
        "decisions.VillageMatter", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counted_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["book", "-as_of", "-pk"]

    def __str__(self):
        return self.title


class InventoryItem(models.Model):
    batch = models.ForeignKey(InventoryBatch, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=100)
    asset_class = models.CharField(max_length=16, choices=AssetClass.choices)
    kind = models.CharField(max_length=30, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    area_mu = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    location = models.CharField(max_length=200, blank=True)
    boundaries = models.CharField(max_length=200, blank=True)
    original_value = models.BigIntegerField(default=0)
    depreciation = models.BigIntegerField(default=0)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=12, choices=AssetStatus.choices, default="self_use")

    class Meta:
        ordering = ["batch", "code"]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class ContractKind(models.TextChoices):
    CONTRACT_OUT = "contract_out", _("发包")
    LEASE = "lease", _("租赁")
    WORKS = "works", _("工程")
    GOODS = "goods", _("采购")
    SERVICES = "services", _("服务")


# kinds that bring money in (receivables) and those that pay out (payables)
INCOME_KINDS = (ContractKind.CONTRACT_OUT, ContractKind.LEASE)
TENDER_KINDS = (ContractKind.WORKS, ContractKind.GOODS, ContractKind.SERVICES)


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("履行中")
    TERMINATED = "terminated", _("已终止")


class Contract(models.Model):
    """A village economic contract (村级经济合同, FIN-9): resting on a valid six-step matter,
    filed (备案) with the township 三资 centre; its schedule becomes receivables or payables."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(_("合同编号"), max_length=40)
    kind = models.CharField(_("合同类别"), max_length=14, choices=ContractKind.choices)
    title = models.CharField(_("合同名称"), max_length=200)
    counterparty = models.CharField(_("相对方"), max_length=100)
    counterparty_is_person = models.BooleanField(_("相对方为个人"), default=False)
    # resident ID (person) or 统一社会信用代码 (firm): kept in this table only, never logged
    counterparty_id = models.CharField(_("身份证号/统一社会信用代码"), max_length=18)
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts"
    )
    amount = models.BigIntegerField(_("合同金额（分）"))
    signed_on = models.DateField(_("签订日期"))
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("终止日期"))
    matter = models.ForeignKey(
        "decisions.VillageMatter", on_delete=models.PROTECT, related_name="+"
    )
    tender = models.ForeignKey(
        "procurement.Tender", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exchange_ref = models.CharField(_("农村产权流转交易编号"), max_length=60, blank=True)
    signed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=ContractStatus.choices, default="active")
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    recorded_on = models.DateField()
    recorded_at = models.DateTimeField()
    imported = models.BooleanField(default=False)

    class Meta:
        ordering = ["book", "-signed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="collective_contract_number")
        ]
        indexes = [models.Index(fields=["status", "end"])]

    def __str__(self):
        return f"{self.number} {self.title}"


class ScheduleItem(models.Model):
    """One instalment of a contract's collection or payment schedule. Accrued (应收/应付) by a
    posted voucher; a collection is settled by a second voucher."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="schedule")
    due_on = models.DateField(_("应收/应付日期"))
    amount = models.BigIntegerField(_("金额（分）"))
    accrual = models.OneToOneField(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settlement = models.OneToOneField(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["contract", "due_on", "pk"]
        indexes = [models.Index(fields=["settled_on", "due_on"])]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"


class TownshipApproval(models.Model):
    """The township's approval of a movement of funds or assets from one collective's books to
    another collective (FIN-14; 附件15 二(二)3(1): 不准平调、借贷、挪用). Without one, such a
    voucher or payment is refused."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="township_approvals")
    other = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("批准金额上限（分）"))
    purpose = models.CharField(_("事由"), max_length=200)
    valid_from = models.DateField()
    valid_until = models.DateField()
    approved_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["book", "-valid_from"]

    def __str__(self):
        return f"{self._meta.model_name} {self.pk}"

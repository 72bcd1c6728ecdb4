"""Public procurement (招标采购): requests routed to tiers, tenders, bids, awards, contracts,
amendments and payments, and the OCDS releases published for them (FIN-5, FIN-6, FIN-10, PUB-4).

The buyer is generic: an org unit (a district body, a township, a village) plus an optional
reference to a project of another app (`project_ref`, e.g. "invest.project:12"), so the
investment and 三资 apps reuse these tenders and contracts.

Money is integer fen everywhere; OCDS amounts (yuan) are derived only when a release is built.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """OCDS procurementCategory (closed codelist)."""

    GOODS = "goods", _("货物")
    WORKS = "works", _("工程")
    SERVICES = "services", _("服务")


class Tier(models.TextChoices):
    """FIN-5 (附件3 第四): who approves a purchase."""

    DEPUTY = "deputy", _("分管领导批准")
    DEPUTY_HEAD = "deputy_head", _("分管领导请示一把手同意")
    COMMITTEE = "committee", _("党委（党组）会议审定")
    CENTRAL = "central", _("党委（党组）会研究后由区政府采购中心集中采购")


class Method(models.TextChoices):
    OPEN = "open_tender", _("公开招标")
    INVITED = "invited_tender", _("邀请招标")
    NEGOTIATION = "negotiation", _("竞争性谈判")
    CONSULTATION = "consultation", _("竞争性磋商")
    QUOTATION = "quotation", _("询价")
    SINGLE_SOURCE = "single_source", _("单一来源")
    DIRECT = "direct", _("直接采购")


# method -> OCDS tender/procurementMethod (closed codelist: open, selective, limited, direct)
OCDS_METHOD = {
    Method.OPEN: "open",
    Method.INVITED: "selective",
    Method.NEGOTIATION: "limited",
    Method.CONSULTATION: "limited",
    Method.QUOTATION: "limited",
    Method.SINGLE_SOURCE: "limited",
    Method.DIRECT: "direct",
}


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("待审批")
    APPROVED = "approved", _("已批准")
    CENTRAL = "central", _("已转集中采购")


class TierSetting(models.Model):
    """The district's tier thresholds, dated (FIN-5, FIN-6, FIN-10): the newest row whose
    `valid_from` is not after the request's date applies. Rows are only ever added."""

    district = models.ForeignKey(
        "org.Unit", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("生效日期"))
    deputy_limit_fen = models.BigIntegerField(_("分管领导批准上限（分）"))
    head_limit_fen = models.BigIntegerField(_("请示一把手上限（分），超过即上会"))
    open_tender_fen = models.BigIntegerField(_("货物服务公开招标起点（分）"))
    works_tender_fen = models.BigIntegerField(_("工程公开招标起点（分）"))
    key_project_fen = models.BigIntegerField(_("重点工程（须听证）起点（分）"))
    village_limit_fen = models.BigIntegerField(_("村级自行招标上限（分），超过由乡镇组织"))
    township_limit_fen = models.BigIntegerField(_("乡镇组织上限（分），超过由区组织"))
    source = models.CharField(_("依据文件"), max_length=200)

    class Meta:
        verbose_name = _("采购分级阈值")
        verbose_name_plural = _("采购分级阈值")
        ordering = ["district_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["district", "valid_from"], name="proc_tier_dated")
        ]

    def __str__(self):
        return f"{self.district_id} {self.valid_from}"


class CentralCatalogEntry(models.Model):
    """One line of the government centralised procurement catalog (集中采购目录), dated."""

    district = models.ForeignKey(
        "org.Unit", verbose_name=_("区"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("品目编码"), max_length=20)
    name = models.CharField(_("品目名称"), max_length=100)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    source = models.CharField(_("依据文件"), max_length=200)

    class Meta:
        verbose_name = _("集中采购目录")
        verbose_name_plural = _("集中采购目录")
        ordering = ["code", "-valid_from"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Firm(models.Model):
    """A tenderer or supplier, identified by its 统一社会信用代码 (GB 32100-2015).

    `legal_rep` names a private person: kept here, shown masked on public pages, never put
    in a log payload or an OCDS release (only a digest is compared by the R044-style rule)."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    legal_rep = models.CharField(_("法定代表人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("供应商")
        verbose_name_plural = _("供应商")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProcurementRequest(models.Model):
    """A purchase of public money, routed to its approval tier (FIN-5) and route (FIN-6)."""

    buyer = models.ForeignKey(
        "org.Unit", verbose_name=_("采购人"), on_delete=models.PROTECT, related_name="+"
    )
    project_ref = models.CharField(_("关联项目"), max_length=80, blank=True)
    title = models.CharField(_("采购项目名称"), max_length=200)
    category = models.CharField(_("采购类别"), max_length=10, choices=Category.choices)
    item_code = models.CharField(_("品目编码"), max_length=20)
    amount_fen = models.BigIntegerField(_("预算金额（分）"))
    requested_on = models.DateField(_("申请日期"))
    is_key_project = models.BooleanField(_("重点工程"), default=False)
    public_resource = models.BooleanField(_("公共资源交易事项"), default=False)
    hearing_on = models.DateField(_("专项听证日期"), null=True, blank=True)
    tier = models.CharField(_("审批层级"), max_length=12, choices=Tier.choices)
    required_method = models.CharField(
        _("应采用方式"), max_length=20, choices=Method.choices, blank=True
    )
    via_trading_centre = models.BooleanField(_("须进公共资源交易中心"), default=False)
    organiser_level = models.CharField(_("组织层级"), max_length=10, default="unit")
    status = models.CharField(
        _("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.CharField(_("批准人"), max_length=120, blank=True)
    head_consent = models.BooleanField(_("一把手同意"), default=False)

    class Meta:
        verbose_name = _("采购申请")
        verbose_name_plural = _("采购申请")
        ordering = ["-requested_on", "-id"]

    def __str__(self):
        return self.title


class TenderStatus(models.TextChoices):
    """OCDS tenderStatus codes we use."""

    PLANNING = "planning", _("计划中")
    ACTIVE = "active", _("招标中")
    COMPLETE = "complete", _("已完成")
    CANCELLED = "cancelled", _("已终止")
    UNSUCCESSFUL = "unsuccessful", _("流标")


class Tender(models.Model):
    """One contracting process (one ocid)."""

    request = models.ForeignKey(
        ProcurementRequest,
        verbose_name=_("采购申请"),
        on_delete=models.PROTECT,
        related_name="tenders",
    )
    title = models.CharField(_("招标项目名称"), max_length=200)
    method = models.CharField(_("采购方式"), max_length=20, choices=Method.choices)
    period_start = models.DateTimeField(_("招标文件发出时间"))
    period_end = models.DateTimeField(_("投标截止时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=TenderStatus.choices, default=TenderStatus.ACTIVE
    )
    via_trading_centre = models.BooleanField(_("在公共资源交易中心办理"), default=False)
    evaluated_at = models.DateTimeField(_("评标时间"), null=True, blank=True)
    evaluation_digest = models.CharField(_("评标报告摘要值"), max_length=64, blank=True)
    published_at = models.DateTimeField(_("公告时间"))

    class Meta:
        verbose_name = _("招标")
        verbose_name_plural = _("招标")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["published_at"], name="proc_tender_published")]

    def __str__(self):
        return self.title


class Document(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("类型"), max_length=40, default="tenderNotice")
    title = models.CharField(_("标题"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    added_at = models.DateTimeField(_("上传时间"))

    def __str__(self):
        return self.title


class BidStatus(models.TextChoices):
    """Bids extension bidStatus codes."""

    PENDING = "pending", _("待评审")
    VALID = "valid", _("有效")
    DISQUALIFIED = "disqualified", _("无效（被否决）")
    WITHDRAWN = "withdrawn", _("已撤回")


class Bid(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids")
    firm = models.ForeignKey(Firm, verbose_name=_("投标人"), on_delete=models.PROTECT)
    amount_fen = models.BigIntegerField(_("投标报价（分）"))
    received_at = models.DateTimeField(_("递交时间"))
    valid_until = models.DateField(_("投标有效期至"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=BidStatus.choices, default=BidStatus.VALID
    )
    disqualification_reason = models.TextField(_("否决理由"), blank=True)

    class Meta:
        verbose_name = _("投标")
        verbose_name_plural = _("投标")
        ordering = ["tender_id", "amount_fen", "id"]

    def __str__(self):
        return f"{self.tender_id}/{self.pk}"


class Award(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="awards")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Firm, verbose_name=_("中标人"), on_delete=models.PROTECT)
    amount_fen = models.BigIntegerField(_("中标金额（分）"))
    awarded_at = models.DateTimeField(_("定标时间"))
    status = models.CharField(_("状态"), max_length=12, default="active")

    def __str__(self):
        return f"{self.tender_id}/{self.pk}"


class Contract(models.Model):
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="contracts")
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="contracts")
    amount_fen = models.BigIntegerField(_("合同金额（分）"))
    original_amount_fen = models.BigIntegerField(_("原合同金额（分）"))
    signed_at = models.DateTimeField(_("签订时间"))
    status = models.CharField(_("状态"), max_length=12, default="active")

    def __str__(self):
        return f"{self.tender_id}/{self.pk}"


class Amendment(models.Model):
    """A change to a contract (合同变更). The rationale is free text: only its digest is logged."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="amendments")
    old_amount_fen = models.BigIntegerField(_("变更前金额（分）"))
    new_amount_fen = models.BigIntegerField(_("变更后金额（分）"))
    rationale = models.TextField(_("变更理由"))
    amended_at = models.DateTimeField(_("变更时间"))

    class Meta:
        ordering = ["contract_id", "amended_at", "id"]

    def __str__(self):
        return f"{self.contract_id}/{self.pk}"


class Payment(models.Model):
    """An implementation transaction (合同支付)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    amount_fen = models.BigIntegerField(_("支付金额（分）"))
    paid_at = models.DateTimeField(_("支付时间"))

    def __str__(self):
        return f"{self.contract_id}/{self.pk}"


class Release(models.Model):
    """One OCDS release as published (never changed): the record is compiled from these."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="releases")
    ocid = models.CharField(max_length=80, db_index=True)
    release_id = models.CharField(max_length=120, unique=True)
    date = models.DateTimeField(db_index=True)
    tag = models.CharField(max_length=40)
    data = models.JSONField()

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return self.release_id

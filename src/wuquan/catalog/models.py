"""Powers, approval items, versioned BPMN flows, materials, fees, risk points, discretion standards (CAT-1..9).

Models hold data and invariants only. Writes that exercise power go through `services.py`
(each records a ledger event with the actor and the reason, CAT-9); the BPMN of a flow is
read through `flows.py` (the API the `approvals` app uses).
"""

import hashlib

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuquan.common.exceptions import RuleViolation
from wuquan.org.models import Area, Post, Unit


class PowerCategory(models.TextChoices):
    """The categories of 职权 (附件2 二(三))."""

    LICENSING = "licensing", _("行政许可")
    PENALTY = "penalty", _("行政处罚")
    COERCION = "coercion", _("行政强制")
    LEVY = "levy", _("行政征收")
    BENEFIT = "benefit", _("行政给付")
    INSPECTION = "inspection", _("行政检查")
    CONFIRMATION = "confirmation", _("行政确认")
    OTHER = "other", _("其他")


class PowerLevel(models.TextChoices):
    """The levels of the 权力清理登记表: unit, leadership, member, section, post (附件2 二(一), ORG-5)."""

    UNIT = "unit", _("单位职权")
    LEADERSHIP = "leadership", _("班子职权")
    MEMBER = "member", _("班子成员职权")
    SECTION = "section", _("科室职权")
    POST = "post", _("岗位职权")


class Power(models.Model):
    """A power (职权) in the catalog (CAT-1) and its row in the power inventory (ORG-5)."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("职权名称"), max_length=200)
    category = models.CharField(_("职权类别"), max_length=20, choices=PowerCategory.choices)
    level = models.CharField(
        _("清理层级"), max_length=20, choices=PowerLevel.choices, default=PowerLevel.UNIT
    )
    law = models.CharField(_("法律依据（法规名称）"), max_length=200)
    article = models.CharField(_("条款"), max_length=100, blank=True)
    basis_text = models.TextField(_("依据原文"), blank=True)
    subject = models.CharField(_("行使主体"), max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="powers"
    )
    section = models.ForeignKey(
        Unit,
        verbose_name=_("承办科室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="section_powers",
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("承办岗位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="powers",
    )
    is_public = models.BooleanField(_("公开"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("职权")
        verbose_name_plural = _("职权目录")
        ordering = ["unit__sort", "unit__code", "code"]

    def __str__(self):
        return self.name

    @property
    def basis(self) -> str:
        return f"《{self.law}》{self.article}" if self.article else f"《{self.law}》"


class ItemStatus(models.TextChoices):
    """What the clean-up decided for an item (附件11 二(一))."""

    RETAINED = "retained", _("保留")
    CANCELLED = "cancelled", _("取消")
    DELEGATED = "delegated", _("下放")
    MERGED = "merged", _("合并")
    ADJUSTED = "adjusted", _("调整")


class ApprovalItem(models.Model):
    """An approval item (行政审批项目) of the district catalog (CAT-4, CAT-8, PUB-2).

    `name` is the canonical name, unique across all units (附件12 第一步 二).
    """

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("事项名称"), max_length=200, unique=True)
    power = models.ForeignKey(
        Power,
        verbose_name=_("对应职权"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("实施机关"), on_delete=models.PROTECT, related_name="approval_items"
    )
    basis = models.TextField(_("设立依据"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.RETAINED
    )
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    effective_until = models.DateField(_("失效日期"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_items",
    )
    area = models.CharField(
        _("分管领域"),
        max_length=20,
        choices=Area.choices,
        default=Area.APPROVAL,
        help_text=_("一把手五个不直接管的领域，用于监督分管安排。"),
    )
    promised_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"))
    legal_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"))
    conditions = models.TextField(_("办理条件"), blank=True)
    fees_text = models.TextField(_("收费说明"), blank=True, help_text=_("不收费时写“不收费”。"))
    service_commitment = models.TextField(_("服务承诺"), blank=True)
    rights = models.TextField(_("申请人权利"), blank=True)
    complaint_channel = models.TextField(_("投诉举报途径"), blank=True)
    window = models.CharField(_("办理地点"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("行政审批项目")
        verbose_name_plural = _("行政审批项目目录")
        ordering = ["unit__sort", "unit__code", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(promised_days__lte=models.F("legal_days")),
                name="catalog_item_promise_within_legal_limit",
            ),
        ]

    def __str__(self):
        return self.name

    def published_flow(self) -> "FlowVersion | None":
        """The flow new cases start on: the highest published version (CAT-2)."""
        return self.flows.filter(status=FlowStatus.PUBLISHED).order_by("-number").first()


class MaterialReuse(models.TextChoices):
    """Whether the applicant must bring it again (附件12 第三步 二, CAT-5)."""

    NONE = "none", _("需提交")
    EARLIER_STEP = "earlier_step", _("前一环节已提交的，不再提交")
    RECORDS = "records", _("已入库证照，不再提交")


class Material(models.Model):
    """A required material (申报材料), fixed per item; nothing may be added at the window (CAT-5)."""

    item = models.ForeignKey(
        ApprovalItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="materials"
    )
    name = models.CharField(_("材料名称"), max_length=200)
    basis = models.CharField(_("材料依据"), max_length=200, blank=True)
    form = models.CharField(_("形式"), max_length=40, default="原件")
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    reuse = models.CharField(
        _("复用"), max_length=20, choices=MaterialReuse.choices, default=MaterialReuse.NONE
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
        ordering = ["item", "sort", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "name"], name="catalog_material_unique_per_item"
            ),
        ]

    def __str__(self):
        return self.name


class FieldKind(models.TextChoices):
    NUMBER = "number", _("数字")
    INTEGER = "integer", _("整数")
    BOOL = "bool", _("是/否")
    CHOICE = "choice", _("选项")
    TEXT = "text", _("文字")


class FormField(models.Model):
    """A field of an item's application form, defined in the catalog (issue 12, finding 2).

    `name` is the identifier the flow's gateway conditions read (e.g. ``area_sqm`` in
    ``area_sqm > 500``); everything a person sees — the form, the public flow diagram, the
    error messages — uses `label` and `unit` instead ("经营场所面积（平方米）").
    `choices` is a list of ``[value, label]`` pairs for kind "choice".
    """

    item = models.ForeignKey(
        ApprovalItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="form_fields"
    )
    name = models.CharField(
        _("字段标识"),
        max_length=64,
        validators=[
            RegexValidator(r"^[A-Za-z_][A-Za-z0-9_]*$", _("只能由字母、数字和下划线组成。"))
        ],
        help_text=_("流程条件中使用的名称，如 area_sqm；申请人看不到。"),
    )
    label = models.CharField(_("中文名称"), max_length=100)
    kind = models.CharField(
        _("类型"), max_length=10, choices=FieldKind.choices, default=FieldKind.NUMBER
    )
    unit = models.CharField(
        _("单位"), max_length=20, blank=True, help_text=_("如 平方米、米、立方米")
    )
    required = models.BooleanField(_("必填"), default=True)
    help_text = models.CharField(_("填写说明"), max_length=300, blank=True)
    choices = models.JSONField(_("可选项"), default=list, blank=True)
    min_value = models.DecimalField(
        _("最小值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("最大值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申请表字段")
        verbose_name_plural = _("申请表字段")
        ordering = ["item", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="catalog_formfield_once"),
        ]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self) -> str:
        return f"{self.label}（{self.unit}）" if self.unit else self.label


class FlowStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class FlowVersion(models.Model):
    """One version of an item's power-operation flow (权力运行流程图, CAT-2), as BPMN 2.0 XML.

    A published version is immutable: its XML can neither change nor be deleted (a change is a
    new version), so a case keeps the exact flow it started on (approvals FK to this model).
    """

    item = models.ForeignKey(
        ApprovalItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="flows"
    )
    number = models.PositiveIntegerField(_("版本号"))
    bpmn_xml = models.TextField(_("BPMN XML"))
    checksum = models.CharField(_("SHA-256"), max_length=64, editable=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=FlowStatus.choices, default=FlowStatus.DRAFT
    )
    note = models.CharField(_("版本说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.CharField(_("发布人"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("流程版本")
        verbose_name_plural = _("流程版本")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="catalog_flow_unique_number"),
        ]

    def __str__(self):
        return f"{self.item.name} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = (
                FlowVersion.objects.filter(pk=self.pk)
                .values("bpmn_xml", "status", "item_id")
                .first()
            )
            if (
                stored
                and stored["status"] != FlowStatus.DRAFT
                and (stored["bpmn_xml"] != self.bpmn_xml or stored["item_id"] != self.item_id)
            ):
                raise RuleViolation(
                    _("已发布的流程版本不得修改；如需变更，请新建版本。"), field="bpmn_xml"
                )
        self.checksum = self.digest(self.bpmn_xml)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = FlowVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored is not None and stored != FlowStatus.DRAFT:
            raise RuleViolation(_("已发布的流程版本不得删除。"))
        return super().delete(*args, **kwargs)

    @staticmethod
    def digest(xml: str) -> str:
        return hashlib.sha256(xml.encode("utf-8")).hexdigest()


class FeeKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("行政事业性收费")
    COMMERCIAL = "commercial", _("经营性收费")


class Fee(models.Model):
    """A fee of the district fee catalogs with the 八公开 fields (附件11 三(二), CAT-6, PUB-3)."""

    kind = models.CharField(_("目录"), max_length=20, choices=FeeKind.choices)
    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("收费名称"), max_length=200)
    basis = models.TextField(_("收费依据"))
    licence = models.CharField(_("收费许可证"), max_length=100, blank=True)
    payer = models.CharField(_("收费对象"), max_length=200)
    scope = models.TextField(_("收费范围"))
    amount = models.DecimalField(_("收费标准（金额）"), max_digits=12, decimal_places=2)
    amount_unit = models.CharField(_("计费单位"), max_length=40, default="元/件")
    frequency = models.CharField(_("收费频次"), max_length=60)
    term = models.CharField(_("收费期限"), max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name=_("收费单位"), on_delete=models.PROTECT, related_name="fees"
    )
    item = models.ForeignKey(
        ApprovalItem,
        verbose_name=_("关联事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fees",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费目录")
        ordering = ["kind", "unit__sort", "code"]

    def __str__(self):
        return self.name

    @property
    def standard(self) -> str:
        return f"{self.amount} {self.amount_unit}"


class RiskPoint(models.Model):
    """An integrity risk point (廉政风险点) of a post and/or power (附件9 二(二)(三), CAT-3).

    Level = harm × likelihood (each 1–3); ranked highest first.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="risk_points"
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("岗位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_points",
    )
    power = models.ForeignKey(
        Power,
        verbose_name=_("职权"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_points",
    )
    description = models.TextField(_("风险点描述"))
    harm = models.PositiveSmallIntegerField(_("危害程度（1–3）"))
    likelihood = models.PositiveSmallIntegerField(_("发生几率（1–3）"))
    prevention = models.TextField(_("前期预防措施"))
    in_process = models.TextField(_("中期监控措施"))
    after_fact = models.TextField(_("后期处置措施"))

    class Meta:
        verbose_name = _("廉政风险点")
        verbose_name_plural = _("廉政风险点")
        ordering = ["unit__sort", "unit__code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(harm__gte=1, harm__lte=3, likelihood__gte=1, likelihood__lte=3),
                name="catalog_risk_scales_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(post__isnull=False) | Q(power__isnull=False),
                name="catalog_risk_has_post_or_power",
            ),
        ]

    def __str__(self):
        return self.description[:40]

    @property
    def score(self) -> int:
        return self.harm * self.likelihood

    @property
    def level(self) -> str:
        s = self.score
        return str(_("高")) if s >= 6 else str(_("中")) if s >= 3 else str(_("低"))


class DiscretionStandard(models.Model):
    """One row of a penalty power's discretion standard (自由裁量基准, 附件2 二(二)3, CAT-7)."""

    power = models.ForeignKey(
        Power, verbose_name=_("处罚职权"), on_delete=models.CASCADE, related_name="discretion"
    )
    violation = models.CharField(_("违法行为"), max_length=300)
    circumstance = models.CharField(_("违法情节"), max_length=100)
    penalty_range = models.CharField(_("处罚幅度"), max_length=300)
    min_amount = models.DecimalField(
        _("罚款下限（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        _("罚款上限（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    mitigating = models.TextField(_("从轻、减轻情形"), blank=True)
    aggravating = models.TextField(_("从重情形"), blank=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("自由裁量基准")
        verbose_name_plural = _("自由裁量基准")
        ordering = ["power", "sort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True)
                | Q(max_amount__isnull=True)
                | Q(min_amount__lte=models.F("max_amount")),
                name="catalog_discretion_min_le_max",
            ),
        ]

    def __str__(self):
        return f"{self.violation}（{self.circumstance}）"

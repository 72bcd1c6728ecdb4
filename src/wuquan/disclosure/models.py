"""The public portal's own records (阳光示权): the key-area catalog and its items (PUB-4),
village affairs bulletins with their review chain (PUB-6), village spokespersons (PUB-12) and
the questions and suggestions left beside any disclosure (PUB-11).

What another app publishes (decisions, a month's accounts, a tender) stays in that app; this app
keeps only what the portal itself owns, and finds the rest through the apps' `disclosures.py`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyArea(models.TextChoices):
    """The key areas of 附件4 二(一): 工程建设招投标, 组织干部人事变动, 政府采购 (and others)."""

    TENDERING = "tendering", _("工程建设招投标")
    PERSONNEL = "personnel", _("组织人事变动")
    PROCUREMENT = "procurement", _("政府采购")
    OTHER = "other", _("其他重点领域")


class WithholdGround(models.TextChoices):
    """附件4 二(一): "凡不涉及国家秘密、商业秘密及个人隐私的信息一律公开"."""

    STATE_SECRET = "state_secret", _("国家秘密")
    COMMERCIAL_SECRET = "commercial_secret", _("商业秘密")
    PERSONAL_PRIVACY = "personal_privacy", _("个人隐私")


class KeyAreaEntry(models.Model):
    """One line of 《重点领域事项公开目录》 (附件4 三(一) 第一步): what is published, by whom,
    how, and within what time limit."""

    area = models.CharField(_("领域"), max_length=20, choices=KeyArea.choices)
    title = models.CharField(_("公开事项"), max_length=200)
    content = models.TextField(_("公开内容"))
    publisher = models.ForeignKey(
        "org.Unit", verbose_name=_("公开主体"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("公开方式"), max_length=200)
    time_limit_working_days = models.PositiveSmallIntegerField(
        _("公开时限（工作日）"),
        default=20,
        help_text=_("自信息形成或变更之日起；政府信息公开条例第二十六条为 20 个工作日。"),
    )
    basis = models.CharField(_("公开依据"), max_length=300, blank=True)
    live_url_name = models.CharField(
        _("平台内数据"),
        max_length=100,
        blank=True,
        help_text=_("平台已有的实时数据页面（URL 名称），如决策公开、任前公示、招标公告。"),
    )
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("重点领域公开目录")
        verbose_name_plural = _("重点领域公开目录")
        ordering = ["area", "sort", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["publisher", "area", "title"], name="disclosure_keyarea_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_area_display()}：{self.title}"


class KeyAreaItem(models.Model):
    """A piece of information that falls under a catalog entry: public by default, published
    by its due day, or withheld on a recorded ground."""

    entry = models.ForeignKey(
        KeyAreaEntry, verbose_name=_("目录事项"), on_delete=models.PROTECT, related_name="items"
    )
    title = models.CharField(_("信息名称"), max_length=200)
    formed_on = models.DateField(_("形成或变更日期"))
    due = models.DateField(_("应公开日期"))
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    public_text = models.TextField(_("公开正文"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    withheld_ground = models.CharField(
        _("不予公开理由"), max_length=20, choices=WithholdGround.choices, blank=True
    )
    withheld_note = models.TextField(_("不予公开说明"), blank=True)
    withheld_at = models.DateTimeField(_("决定不予公开时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("重点领域公开信息")
        verbose_name_plural = _("重点领域公开信息")
        ordering = ["-formed_on", "-id"]
        indexes = [models.Index(fields=["due"], name="disclosure_keyitem_due")]

    def __str__(self):
        return self.title


class BulletinKind(models.TextChoices):
    REGULAR = "regular", _("定期公开（季度）")
    AD_HOC = "ad_hoc", _("及时公开")


class BulletinStatus(models.TextChoices):
    """The chain of 附件13 三(三)1–3, one status per step."""

    DRAFT = "draft", _("村务监督委员会起草")
    AGREED = "agreed", _("“三委”商议确定")
    CIVIL_AFFAIRS = "civil_affairs", _("乡镇民政科已审核")
    AGRI_ECONOMICS = "agri_economics", _("农经站已审核")
    FILED = "filed", _("乡镇纪委已审定备案")
    PUBLISHED = "published", _("已公开")
    RETURNED = "returned", _("退回修改")


class Bulletin(models.Model):
    """A village affairs bulletin (村务公开简报, 附件13 三): the regular one each quarter on the
    last quarter's party, village and finance affairs, or an ad hoc one."""

    village = models.ForeignKey(
        "org.Unit", verbose_name=_("村"), on_delete=models.PROTECT, related_name="bulletins"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=BulletinKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    party_affairs = models.TextField(_("党务公开"), blank=True)
    village_affairs = models.TextField(_("村务公开"), blank=True)
    finance_affairs = models.TextField(_("财务公开"), blank=True)
    economy = models.TextField(_("集体经济发展情况"), blank=True)
    other_matters = models.TextField(_("其他重要事项"), blank=True)
    cash_balance_fen = models.BigIntegerField(_("季末现金余额（分）"), null=True, blank=True)
    deposit_balance_fen = models.BigIntegerField(_("季末存款余额（分）"), null=True, blank=True)
    meeting_at = models.DateTimeField(_("发布会时间"), null=True, blank=True)
    meeting_place = models.CharField(_("发布会地点"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    drafted_at = models.DateTimeField(_("起草时间"))
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    content_sha256 = models.CharField(_("公开内容摘要"), max_length=64, blank=True)
    published_event = models.BigIntegerField(_("公开事件序号"), null=True, blank=True)

    class Meta:
        verbose_name = _("村务公开简报")
        verbose_name_plural = _("村务公开简报")
        ordering = ["-year", "-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year", "quarter"],
                condition=models.Q(kind="regular"),
                name="disclosure_bulletin_one_regular_per_quarter",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="ad_hoc") | models.Q(quarter__gte=1, quarter__lte=4),
                name="disclosure_bulletin_regular_has_quarter",
            ),
        ]

    def __str__(self):
        return self.title


class BulletinStep(models.Model):
    """One recorded step of a bulletin's chain: who, on which post, when, with what outcome."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("环节"), max_length=20, choices=BulletinStatus.choices)
    person = models.ForeignKey(
        "org.Person", verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        "org.Post", verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="+"
    )
    approved = models.BooleanField(_("同意"), default=True)
    opinion = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(_("时间"))
    event_index = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("简报审核环节")
        verbose_name_plural = _("简报审核环节")
        ordering = ["at", "id"]

    def __str__(self):
        return self.get_step_display()


class Spokesperson(models.Model):
    """村务公开发言人 (附件13 三(二)): the chair of the village supervision committee, or a
    member when the chair cannot serve."""

    village = models.ForeignKey(
        "org.Unit", verbose_name=_("村"), on_delete=models.PROTECT, related_name="spokespersons"
    )
    person = models.ForeignKey(
        "org.Person", verbose_name=_("发言人"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        "org.Post", verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("终止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("村务公开发言人")
        verbose_name_plural = _("村务公开发言人")
        ordering = ["village_id", "-start"]

    def __str__(self):
        return f"{self.village} {self.person}"


class InquiryKind(models.TextChoices):
    SUGGESTION = "suggestion", _("意见建议")  # PUB-11: beside a disclosure
    QUESTION = "question", _("村务咨询")  # PUB-12: to a village spokesperson


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class Inquiry(models.Model):
    """A question or suggestion from the public beside a disclosure (PUB-11) or to a village
    spokesperson (PUB-12). `target` names what it is beside — `"<kind>:<id>"`, e.g.
    `bulletin:12`, `decision:7`, `collective.month:3`, or `spokesperson:<village code>` — so one
    mechanism serves every published page. The asker's name and contact stay here, never in
    the log or on a public page."""

    kind = models.CharField(_("类别"), max_length=12, choices=InquiryKind.choices)
    target = models.CharField(_("所涉公开内容"), max_length=120, db_index=True)
    target_title = models.CharField(_("所涉公开内容标题"), max_length=200)
    owner = models.ForeignKey(
        "org.Unit", verbose_name=_("答复单位"), on_delete=models.PROTECT, related_name="inquiries"
    )
    text = models.TextField(_("内容"))
    asker_name = models.CharField(_("姓名"), max_length=50, blank=True)
    asker_contact = models.CharField(_("联系方式"), max_length=20, blank=True)
    publish_consent = models.BooleanField(_("同意公开问答"), default=True)
    tracking_digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=InquiryStatus.choices, default=InquiryStatus.OPEN
    )
    asked_at = models.DateTimeField(_("提出时间"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        "org.Person",
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公开意见与咨询")
        verbose_name_plural = _("公开意见与咨询")
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["status", "asked_at"], name="disclosure_inquiry_open")]

    def __str__(self):
        return self.target_title

    @property
    def is_public(self) -> bool:
        return self.status == InquiryStatus.ANSWERED and self.publish_consent

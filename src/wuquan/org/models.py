"""Units, posts (risk class A/B/C), people, appointments, leadership and 分管 areas (ORG-1..5)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("区")
    DISTRICT_BODY = "district_body", _("区直单位")
    TOWNSHIP = "township", _("乡镇")
    STREET = "street", _("街道")
    VILLAGE = "village", _("行政村")
    COMMUNITY = "community", _("城市社区")
    SECTION = "section", _("内设科室")


class Area(models.TextChoices):
    """分管 areas: the five (six named) fields a head never directly manages (附件3 二, 三 第一–第五)."""

    APPROVAL = "approval", _("行政审批")
    FINANCE = "finance", _("财务")
    PERSONNEL = "personnel", _("干部人事")
    CONSTRUCTION = "construction", _("建筑工程")
    PROCUREMENT = "procurement", _("物资采购")
    ENFORCEMENT = "enforcement", _("行政执法")


# The "五个不直接管" areas a head never directly manages (附件3 二; ORG-3, SUP-4). Every Area
# is one of them today; kept as its own name so a new, ordinary area does not widen the rule.
HANDS_OFF_AREAS = frozenset(
    {
        Area.APPROVAL,
        Area.FINANCE,
        Area.PERSONNEL,
        Area.CONSTRUCTION,
        Area.PROCUREMENT,
        Area.ENFORCEMENT,
    }
)


def _raise(problems: list[tuple[str, str]]) -> None:
    if problems:
        errors: dict[str, list[str]] = {}
        for field, message in problems:
            errors.setdefault(field or "__all__", []).append(message)
        raise ValidationError(errors)


class RiskClass(models.TextChoices):
    """Post risk classes of 附件9 二(一) (ORG-2)."""

    A = "A", _("A类（一把手及掌握审批、执法权的班子成员）")
    B = "B", _("B类（经济社会管理及人财物、采购、建设科室）")
    C = "C", _("C类（其他岗位）")


class Unit(models.Model):
    """A unit (单位): the district, a district body, a township/street, a village, a section (ORG-1)."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_supervisory = models.BooleanField(
        _("监督机关"),
        default=False,
        help_text=_("纪委等监督机关：其人员可查看全区数据。"),
    )
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name

    def ancestors(self) -> list["Unit"]:
        chain, unit = [], self.parent
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return chain


class Post(models.Model):
    """A post (岗位) in a unit, with its risk class and, for deputies, 分管 areas (ORG-2, ORG-3)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="posts"
    )
    code = models.SlugField(_("编码"), max_length=64)
    name = models.CharField(_("岗位名称"), max_length=100)
    risk_class = models.CharField(
        _("风险等级"), max_length=1, choices=RiskClass.choices, default=RiskClass.C
    )
    is_head = models.BooleanField(_("主要负责人（一把手）"), default=False)
    is_deputy = models.BooleanField(_("副职"), default=False)
    areas = models.JSONField(_("分管领域"), default=list, blank=True)
    duties = models.TextField(_("岗位职责"), blank=True)
    rotation_years = models.PositiveSmallIntegerField(
        _("轮岗年限"), null=True, blank=True, help_text=_("在岗超过该年限提示轮岗交流（ORG-4）。")
    )

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["unit__sort", "unit__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="org_post_unique_code_per_unit"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(is_head=True), name="org_one_head_post_per_unit"
            ),
            models.CheckConstraint(
                condition=~(Q(is_head=True) & Q(is_deputy=True)), name="org_head_is_not_deputy"
            ),
        ]

    def __str__(self):
        return f"{self.unit.short_name or self.unit.name}·{self.name}"

    def problems(self) -> list[tuple[str, str]]:
        """(field, message) for each broken invariant of ORG-2/ORG-3; shared by clean() and the
        services so the admin, the import and the API refuse the same things."""
        found = []
        areas = self.areas or []
        if not isinstance(areas, list):
            return [("areas", _("分管领域格式不正确。"))]
        unknown = [a for a in areas if a not in Area.values]
        if unknown:
            found.append(("areas", _("未知的分管领域：%s") % "、".join(map(str, unknown))))
        if len(set(areas)) != len(areas):
            found.append(("areas", _("分管领域重复。")))
        if self.is_head and self.is_deputy:
            found.append(("is_deputy", _("主要负责人岗位不能同时是副职岗位。")))
        if self.is_head and set(areas) & HANDS_OFF_AREAS:
            found.append(
                (
                    "areas",
                    _(
                        "一把手不直接分管行政审批、财务、干部人事、建筑工程、物资采购、行政执法（附件3“五个不直接管”）。"
                    ),
                )
            )
        elif areas and not self.is_deputy:
            found.append(("areas", _("只有副职岗位可以设置分管领域（副职分管、正职监管）。")))
        if self.risk_class not in RiskClass.values:
            found.append(("risk_class", _("风险等级只能是A、B、C。")))
        if self.is_head and self.unit_id:
            others = Post.objects.filter(unit_id=self.unit_id, is_head=True).exclude(pk=self.pk)
            if others.exists():
                found.append(("is_head", _("每个单位只有一个主要负责人岗位。")))
        return found

    def clean(self):
        _raise(self.problems())

    def area_labels(self) -> list[str]:
        return [str(Area(a).label) for a in self.areas or [] if a in Area.values]


class Person(models.Model):
    """A person who holds posts; linked to a staff account when they log in (ORG-1)."""

    code = models.SlugField(
        _("人员编号"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("导入导出时识别人员；留空时自动生成（P+序号）。"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["id"]

    def __str__(self):
        return self.name

    def problems(self) -> list[tuple[str, str]]:
        from wuquan.common.identity import is_valid_ric

        found = []
        if not (self.name or "").strip():
            found.append(("name", _("姓名不能为空。")))
        if self.id_number and not is_valid_ric(self.id_number):
            found.append(("id_number", _("身份证号不正确（18位，末位可为X，校验码须正确）。")))
        return found

    def clean(self):
        _raise(self.problems())


class Appointment(models.Model):
    """A person on a post from `start` to `end` (None = current); tenure per post (ORG-4)."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="appointments"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateField(_("任职日期"))
    end = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="org_appointment_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} @ {self.post}"

    def overlapping(self):
        """Other appointments on the same post whose periods meet this one."""
        qs = Appointment.objects.filter(post_id=self.post_id).exclude(pk=self.pk)
        if self.end is not None:
            qs = qs.filter(start__lte=self.end)
        return qs.filter(Q(end__isnull=True) | Q(end__gte=self.start))

    def problems(self) -> list[tuple[str, str]]:
        """ORG-4: end ≥ start; a head post has one holder at a time (ORG-3); nobody holds the
        same post twice over the same days."""
        found = []
        if self.start is None:
            return [("start", _("请填写任职日期。"))]
        if self.end is not None and self.end < self.start:
            found.append(("end", _("离任日期不能早于任职日期。")))
            return found
        if self.post_id is None:
            return found
        clash = self.overlapping()
        if self.post.is_head:
            other = clash.select_related("person").first()
            if other is not None:
                found.append(
                    (
                        "start",
                        _(
                            "主要负责人岗位同一时间只能有一人任职：与 %(name)s（%(start)s 起）的任职重叠。"
                        )
                        % {"name": other.person.name, "start": other.start.isoformat()},
                    )
                )
        elif self.person_id and clash.filter(person_id=self.person_id).exists():
            found.append(("start", _("该人员在此期间已在此岗位任职。")))
        return found

    def clean(self):
        _raise(self.problems())


class ReorganisationKind(models.TextChoices):
    MERGE = "merge", _("合并")
    ABOLISH = "abolish", _("撤销")
    RESTRUCTURE = "restructure", _("职能调整")
    RENAME = "rename", _("更名")


class Reorganisation(models.Model):
    """A decided change of a unit (机构变动: merged, abolished, restructured, renamed), from the
    day it is decided to the day it takes effect. Cadre appointments in the unit in the months
    before it takes effect are the 突击提拔 the personnel rules watch (附件7 二(九), PER-5)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="reorganisations"
    )
    kind = models.CharField(_("变动类型"), max_length=20, choices=ReorganisationKind.choices)
    decided_on = models.DateField(_("决定日期"))
    effective_on = models.DateField(_("实施日期"))
    document_no = models.CharField(_("文号"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("机构变动")
        verbose_name_plural = _("机构变动")
        ordering = ["-effective_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_on__gte=models.F("decided_on")),
                name="org_reorganisation_effective_after_decided",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.get_kind_display()} {self.effective_on}"

    def problems(self) -> list[tuple[str, str]]:
        if self.decided_on is None:
            return [("decided_on", _("请填写决定日期。"))]
        if self.effective_on is None:
            return [("effective_on", _("请填写实施日期。"))]
        if self.effective_on < self.decided_on:
            return [("effective_on", _("实施日期不能早于决定日期。"))]
        return []

    def clean(self):
        _raise(self.problems())


@receiver(post_save, sender=Person)
def _give_person_a_code(sender, instance, created, raw=False, **kwargs):
    """Every person gets a 人员编号 (P000123) so the Excel round trip can find them, however
    they were created (services, other apps' demo data, the shell)."""
    if not instance.code and not raw:
        instance.code = f"P{instance.pk:06d}"
        Person.objects.filter(pk=instance.pk, code__isnull=True).update(code=instance.code)

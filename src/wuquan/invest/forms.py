"""Forms of the staff pages: amounts are entered in yuan and become integer fen (the
procurement app's YuanField); each refusal of a service is shown beside its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wuquan.common.forms import DesignForm
from wuquan.procurement.forms import YuanField

from .models import (
    ApprovalKind,
    EstimateStage,
    FieldGroup,
    FundLevel,
    FundRole,
    GrantScope,
    InspectionKind,
    ProjectRole,
    ProjectStatus,
    Sector,
)


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


class ProjectForm(DesignForm):
    code = forms.CharField(
        label=_("项目代码"),
        max_length=30,
        help_text=_("全国投资项目在线审批监管平台赋予的24位代码，如 2025-220203-48-01-00012X"),
    )
    name = forms.CharField(label=_("项目名称"), max_length=200)
    owner = forms.ModelChoiceField(queryset=None, label=_("项目单位（业主）"))
    construction_unit = forms.ModelChoiceField(queryset=None, label=_("建设单位"))
    sector = forms.ChoiceField(label=_("行业领域"), choices=Sector.choices)
    location = forms.CharField(label=_("建设地点"), max_length=200)
    funding_level = forms.ChoiceField(label=_("主要资金来源"), choices=FundLevel.choices)
    funding_amount = YuanField(label=_("计划投资（元）"))

    def __init__(self, *args, owners, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["construction_unit"].queryset = units


class FundForm(DesignForm):
    code = forms.CharField(label=_("资金编号"), max_length=40)
    name = forms.CharField(label=_("资金名称"), max_length=200)
    level = forms.ChoiceField(label=_("资金级次"), choices=FundLevel.choices)
    purpose = forms.CharField(label=_("资金用途"), max_length=200)
    sector = forms.ChoiceField(label=_("限定用途领域"), choices=Sector.choices)
    deadline = _date(_("使用期限"))
    amount = YuanField(label=_("资金总额（元）"))
    managing_unit = forms.ModelChoiceField(queryset=None, label=_("主管部门"))
    source_doc = forms.CharField(label=_("下达文号"), max_length=100, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["managing_unit"].queryset = units


class ApprovalForm(DesignForm):
    kind = forms.ChoiceField(label=_("审批事项"), choices=ApprovalKind.choices)
    doc_no = forms.CharField(label=_("批准文号"), max_length=100)
    authority = forms.ModelChoiceField(queryset=None, label=_("审批机关"))
    approved_on = _date(_("批准日期"))
    amount = YuanField(
        label=_("批复金额（元）"),
        required=False,
        help_text=_("可研填估算，初步设计和概算调整填概算"),
    )
    file = forms.FileField(label=_("批复文件"), help_text=_("PDF、OFD 或图片，系统记录其 SHA-256"))
    withheld = forms.BooleanField(label=_("依法不予公开"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = units


class EstimateForm(DesignForm):
    stage = forms.ChoiceField(
        label=_("阶段"),
        choices=[
            (s.value, s.label)
            for s in EstimateStage
            if s not in (EstimateStage.ESTIMATE, EstimateStage.BUDGET_ESTIMATE)
        ],
    )
    amount = YuanField(label=_("金额（元）"))
    recorded_on = _date(_("日期"))


class StatusForm(DesignForm):
    status = forms.ChoiceField(label=_("项目状态"), choices=ProjectStatus.choices)
    progress_percent = forms.IntegerField(label=_("形象进度（%）"), min_value=0, max_value=100)


class AllocationForm(DesignForm):
    fund = forms.ModelChoiceField(queryset=None, label=_("专项资金"))
    amount = YuanField(label=_("下达金额（元）"))
    doc_no = forms.CharField(label=_("下达文号"), max_length=100)
    allocated_on = _date(_("下达日期"))

    def __init__(self, *args, funds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds


class CertificateForm(DesignForm):
    contract = forms.ModelChoiceField(queryset=None, label=_("合同"))
    number = forms.CharField(label=_("证书编号"), max_length=60)
    percent = forms.IntegerField(label=_("累计完成（%）"), min_value=1, max_value=100)
    certified = YuanField(label=_("本期核定金额（元）"))
    certified_on = _date(_("核定日期"))
    file = forms.FileField(label=_("证书扫描件"))

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = _contract_label


def _contract_label(c) -> str:
    return f"{c.tender.title}（{c.amount_fen / 100:,.2f} 元）"


class DisbursementForm(DesignForm):
    allocation = forms.ModelChoiceField(queryset=None, label=_("资金下达"))
    contract = forms.ModelChoiceField(queryset=None, label=_("合同"))
    certificate = forms.ModelChoiceField(queryset=None, label=_("进度款支付证书"), required=False)
    amount = YuanField(label=_("拨付金额（元）"))
    paid_on = _date(_("拨付日期"))

    def __init__(self, *args, allocations, contracts, certificates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocation"].queryset = allocations
        self.fields["allocation"].label_from_instance = lambda a: (
            f"{a.fund.name} {a.doc_no}（{a.amount_fen / 100:,.2f} 元）"
        )
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = _contract_label
        self.fields["certificate"].queryset = certificates


class InspectionForm(DesignForm):
    unit = forms.ModelChoiceField(queryset=None, label=_("巡查单位"), empty_label=None)
    kind = forms.ChoiceField(label=_("类别"), choices=InspectionKind.choices)
    inspected_on = _date(_("巡查日期"))
    summary = forms.CharField(label=_("检查情况"), widget=forms.Textarea(attrs={"rows": 3}))
    problem = forms.CharField(
        label=_("发现的问题"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(
        label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    round_id = forms.IntegerField(
        label=_("巡查任务编号"),
        required=False,
        min_value=1,
        help_text=_("对应纪委布置的巡查任务（SUP-8），可不填"),
    )
    file = forms.FileField(label=_("检查记录文件"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class RectifyForm(DesignForm):
    rectified_on = _date(_("整改完成日期"))
    rectification = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 2}))


class DutyForm(DesignForm):
    role = forms.ChoiceField(label=_("职责"), choices=[])
    unit = forms.ModelChoiceField(queryset=None, label=_("单位"))
    assigned_on = _date(_("起始日期"))

    def __init__(self, *args, units, fund=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = (FundRole if fund else ProjectRole).choices
        self.fields["unit"].queryset = units


class GrantForm(DesignForm):
    unit = forms.ModelChoiceField(queryset=None, label=_("被授权单位"))
    scope = forms.ChoiceField(label=_("授权范围"), choices=GrantScope.choices)
    scope_unit = forms.ModelChoiceField(queryset=None, label=_("范围单位"), required=False)
    project = forms.ModelChoiceField(queryset=None, label=_("项目"), required=False)
    fund = forms.ModelChoiceField(queryset=None, label=_("专项资金"), required=False)
    groups = forms.MultipleChoiceField(
        label=_("授权内容"),
        choices=FieldGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, units, projects, funds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["scope_unit"].queryset = units
        self.fields["project"].queryset = projects
        self.fields["fund"].queryset = funds

"""Forms of the unit finance pages (design system: errors beside the field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wuquan.common.forms import DesignForm

from .models import AttachmentKind, SpendingClass


class ReimbursementForm(DesignForm):
    spending_class = forms.ChoiceField(
        label=_("支出类别"), choices=[("", "——"), *SpendingClass.choices]
    )
    summary = forms.CharField(label=_("事由"), max_length=200)
    amount = forms.CharField(label=_("金额"), max_length=20, help_text=_("单位：元，最多两位小数"))
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    responsible_post = forms.ChoiceField(label=_("分管领导"))
    claimant = forms.ChoiceField(label=_("报销人"), required=False, help_text=_("默认为经办人本人"))
    decision = forms.ChoiceField(
        label=_("集体决策（三重一大）"),
        required=False,
        help_text=_("达到本单位大额资金标准时须经领导班子会议审定；不选则自动提交上会"),
    )

    def __init__(self, *args, unit=None, posts=(), people=(), decisions=(), **kw):
        super().__init__(*args, **kw)
        self.fields["responsible_post"].choices = [("", "——")] + [(p.pk, p.name) for p in posts]
        self.fields["claimant"].choices = [("", "——")] + [(p.pk, p.name) for p in people]
        self.fields["decision"].choices = [("", "——")] + [
            (d.pk, f"{d.title}（{d.get_status_display()}{'·通过' if d.passed else ''}）")
            for d in decisions
        ]
        self._mark_errors()


class AttachmentForm(DesignForm):
    kind = forms.ChoiceField(label=_("凭证类型"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、JPG、PNG、OFD 等，20 MB 以内"))
    invoice_no = forms.CharField(label=_("发票号码"), max_length=40, required=False)
    invoice_amount = forms.CharField(
        label=_("发票金额"), max_length=20, required=False, help_text=_("单位：元（发票必填）")
    )


class ReturnForm(DesignForm):
    reason = forms.CharField(
        label=_("退回理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LimitImportForm(DesignForm):
    file = forms.FileField(label=_("限额表（Excel .xlsx）"))


class BudgetForm(DesignForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    spending_class = forms.ChoiceField(label=_("支出类别"), choices=SpendingClass.choices)
    amount = forms.CharField(label=_("预算数"), max_length=20, help_text=_("单位：元"))


class ReportForm(DesignForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"), coerce=int, choices=[(i, f"第{i}季度") for i in range(1, 5)]
    )
    income = forms.CharField(
        label=_("本季度收入"),
        max_length=20,
        required=False,
        help_text=_("单位：元，据本单位账簿填列"),
    )


class PresentForm(DesignForm):
    meeting = forms.ChoiceField(label=_("班子会议"), required=False)
    on = forms.DateField(
        label=_("报告日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("未选会议时填写"),
    )

    def __init__(self, *args, meetings=(), **kw):
        super().__init__(*args, **kw)
        self.fields["meeting"].choices = [("", "——")] + [
            (m.pk, f"{m.date} {m.title}") for m in meetings
        ]
        self._mark_errors()


class DisclosureForm(DesignForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("半年"), coerce=int, choices=[(1, _("上半年")), (2, _("下半年"))]
    )

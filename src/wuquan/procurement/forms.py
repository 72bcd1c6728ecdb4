"""Forms of the staff pages: amounts are entered in yuan and become integer fen here."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Method


class YuanField(forms.CharField):
    """An amount in yuan with at most two decimals, cleaned to integer fen."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = Decimal(value.replace(",", "").replace("，", ""))
        except InvalidOperation as exc:
            raise forms.ValidationError(_("请填写金额（元）。")) from exc
        if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("金额必须大于零，最多两位小数。"))
        return int(amount * 100)


class RequestForm(forms.Form):
    buyer = forms.ModelChoiceField(queryset=None, label=_("采购人"))
    title = forms.CharField(label=_("采购项目名称"), max_length=200)
    category = forms.ChoiceField(label=_("采购类别"), choices=Category.choices)
    item_code = forms.CharField(label=_("品目编码"), max_length=20)
    amount = YuanField(label=_("预算金额（元）"))
    requested_on = forms.DateField(
        label=_("申请日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    is_key_project = forms.BooleanField(label=_("重点工程"), required=False)
    public_resource = forms.BooleanField(label=_("公共资源交易事项"), required=False)
    project_ref = forms.CharField(label=_("关联项目"), required=False, max_length=80)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].queryset = units


class TenderForm(forms.Form):
    title = forms.CharField(label=_("招标项目名称"), max_length=200, required=False)
    method = forms.ChoiceField(label=_("采购方式"), choices=Method.choices)
    period_start = forms.DateTimeField(
        label=_("招标文件发出时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    period_end = forms.DateTimeField(
        label=_("投标截止时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    via_trading_centre = forms.BooleanField(label=_("在公共资源交易中心办理"), required=False)


class BidForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    name = forms.CharField(label=_("投标人名称"), max_length=200)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    legal_rep = forms.CharField(label=_("法定代表人"), max_length=50, required=False)
    amount = YuanField(label=_("投标报价（元）"))
    received_at = forms.DateTimeField(
        label=_("递交时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    valid_until = forms.DateField(
        label=_("投标有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AmendForm(forms.Form):
    new_amount = YuanField(label=_("变更后合同金额（元）"))
    rationale = forms.CharField(label=_("变更理由"), widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(forms.Form):
    amount = YuanField(label=_("支付金额（元）"))

"""Forms of the portal's pages; the services decide, the forms only parse (errors beside the
field, all at once, the entered data kept)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wuquan.org.models import Unit, UnitKind

from .models import KeyArea, WithholdGround


class InquiryForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput, max_length=120)
    text = forms.CharField(
        label=_("您的问题或建议"),
        min_length=5,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    asker_name = forms.CharField(label=_("姓名（可不填）"), max_length=50, required=False)
    asker_contact = forms.CharField(
        label=_("手机号（可不填，仅答复单位可见）"), max_length=20, required=False
    )
    publish_consent = forms.BooleanField(
        label=_("同意将问答（不含姓名、电话）公开"), required=False, initial=True
    )
    website = forms.CharField(required=False, label=_("网址"))  # honeypot


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), max_length=100, required=False)
    unit = forms.ModelChoiceField(
        label=_("村（单位）"),
        queryset=Unit.objects.order_by("sort", "id"),
        required=False,
        to_field_name="code",
        empty_label=_("全部"),
    )
    kind = forms.ChoiceField(label=_("类别"), required=False)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部"))] + list(kinds)


class BulletinForm(forms.Form):
    village = forms.ModelChoiceField(
        label=_("村"), queryset=Unit.objects.filter(kind=UnitKind.VILLAGE), to_field_name="code"
    )
    kind = forms.ChoiceField(
        label=_("类别"), choices=[("regular", _("定期公开（季度）")), ("ad_hoc", _("及时公开"))]
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—"), (1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")],
    )
    title = forms.CharField(label=_("标题"), max_length=200)
    party_affairs = forms.CharField(label=_("党务公开"), required=False, widget=forms.Textarea)
    village_affairs = forms.CharField(label=_("村务公开"), required=False, widget=forms.Textarea)
    finance_affairs = forms.CharField(label=_("财务公开"), required=False, widget=forms.Textarea)
    economy = forms.CharField(label=_("集体经济发展情况"), required=False, widget=forms.Textarea)
    other_matters = forms.CharField(label=_("其他重要事项"), required=False, widget=forms.Textarea)
    cash_balance = forms.DecimalField(
        label=_("季末现金余额（元）"), required=False, decimal_places=2, max_digits=14
    )
    deposit_balance = forms.DecimalField(
        label=_("季末存款余额（元）"), required=False, decimal_places=2, max_digits=14
    )
    meeting_at = forms.DateTimeField(
        label=_("发布会时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    meeting_place = forms.CharField(label=_("发布会地点"), max_length=200, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核意见"), choices=[("approve", _("同意")), ("return", _("退回修改"))]
    )
    opinion = forms.CharField(
        label=_("意见（退回时必填）"), required=False, max_length=2000, widget=forms.Textarea
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), max_length=5000, widget=forms.Textarea)


class KeyAreaItemForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("信息名称"), max_length=200)
    formed_on = forms.DateField(
        label=_("形成或变更日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


class KeyAreaPublishForm(forms.Form):
    action = forms.ChoiceField(
        label=_("处理"), choices=[("publish", _("公开")), ("withhold", _("不予公开"))]
    )
    public_text = forms.CharField(label=_("公开正文"), required=False, widget=forms.Textarea)
    link = forms.CharField(label=_("链接"), required=False, max_length=300)
    ground = forms.ChoiceField(
        label=_("不予公开理由"), required=False, choices=[("", "—"), *WithholdGround.choices]
    )
    note = forms.CharField(label=_("不予公开说明"), required=False, widget=forms.Textarea)


AREA_CHOICES = KeyArea.choices

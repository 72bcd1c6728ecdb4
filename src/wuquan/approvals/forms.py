"""The application form (online and at the window) built from the catalog (issue 12, findings 2
and 6): applicant fields, the item's form fields with their Chinese labels, units, help texts and
choices, and one file input per catalog material. All errors are found at once and shown beside
their field; the service then re-checks everything (the API has no form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wuquan.catalog import fields as catalog_fields
from wuquan.catalog.models import MaterialReuse
from wuquan.common.exceptions import InvalidInput
from wuquan.common.forms import DesignForm
from wuquan.common.uploads import ALLOWED_TYPES, check_upload, max_bytes

ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_TYPES)


class ApplicationForm(DesignForm):
    applicant_name = forms.CharField(
        label=_("申请人（姓名或单位名称）"),
        max_length=200,
        error_messages={"required": _("请填写申请人姓名或单位名称。")},
    )
    applicant_id_number = forms.CharField(
        label=_("身份证件号码或统一社会信用代码"), max_length=30, required=False
    )
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    title = forms.CharField(label=_("申请事由"), max_length=300, required=False)

    def __init__(self, item, *args, online: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.online = online
        self.fields["applicant_name"].widget.attrs["autocomplete"] = "name"
        self.fields["applicant_phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        self.specs = catalog_fields.form_fields(item)
        self.units = {}
        for spec in self.specs:
            self.fields[spec.name] = self._field_for(spec)
            if spec.unit:
                self.units[spec.name] = spec.unit
        self.materials = list(item.materials.all())
        for m in self.materials:
            needs_file = m.reuse == MaterialReuse.NONE
            field = forms.FileField(
                label=m.name,
                required=online and needs_file,
                error_messages={"required": _("缺少申报材料：%(m)s。") % {"m": m.name}},
                help_text=_("PDF、JPG、PNG、OFD 或 Office 文件，不超过 %(m)d MB。")
                % {"m": max_bytes() // (1024 * 1024)},
            )
            field.widget.attrs["accept"] = ACCEPT
            field.material = m
            self.fields[f"material-{m.pk}"] = field

    def _field_for(self, spec):
        common = {
            "label": spec.label,
            "required": spec.required,
            "help_text": spec.help_text,
            "error_messages": {"required": _("请填写“%(f)s”。") % {"f": spec.label}},
        }
        if spec.is_bool:
            common["required"] = False
            return forms.BooleanField(**common)
        if spec.is_choice:
            return forms.ChoiceField(choices=[("", "——"), *spec.choices], **common)
        if spec.is_text:
            return forms.CharField(max_length=500, **common)
        # why a text input: catalog.fields.validate gives the Chinese message for every case
        # (a browser's own number validation speaks the browser's language)
        field = forms.CharField(**common)
        field.widget.attrs["inputmode"] = "decimal"
        return field

    def material_fields(self):
        return [self[f"material-{m.pk}"] for m in self.materials]

    def data_fields(self):
        return [(self[s.name], s.unit) for s in self.specs]

    def applicant_fields(self):
        return [
            self[n] for n in ("applicant_name", "applicant_id_number", "applicant_phone", "title")
        ]

    def clean(self):
        cleaned = super().clean()
        _values, errors = catalog_fields.validate(self.specs, self.data)
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        for m in self.materials:
            key = f"material-{m.pk}"
            f = cleaned.get(key)
            if f:
                try:
                    check_upload(f, field=key, label=m.name)
                except InvalidInput as exc:
                    self.add_error(key, str(exc.message))
        return cleaned

    def files_by_material(self) -> dict:
        return {
            m.pk: self.cleaned_data[f"material-{m.pk}"]
            for m in self.materials
            if self.cleaned_data.get(f"material-{m.pk}")
        }


# ---- the staff forms of the case page (issue 12, finding 6) ----------------------------------
# Thin: each field is what the service takes; the service decides (its DomainError is put
# beside the field it names by `add_domain_error`). Required marks and messages are the
# service's own, so the page shows every missing entry at once before the service is asked.


class AnyChoiceField(forms.MultipleChoiceField):
    """Checkboxes offered from the catalog whose values the service checks itself (a value
    outside the catalog is refused by the service, citing the rule, not as a bad choice)."""

    def valid_value(self, value):
        return True


class AnyChoice(forms.ChoiceField):
    def valid_value(self, value):
        return True


def _auto_id(prefix: str) -> str:
    return f"{prefix}-%s"


class ClaimForm(DesignForm):
    """认领 has no entries: a refusal is shown at the top of the page."""


class StepForm(DesignForm):
    """办结本环节 (APR-3): opinion; on 审批/决定 steps the decision, a reason for 不予许可 and
    the certificate number; an attachment."""

    opinion = forms.CharField(
        label=_("办理意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写办理意见。")},
    )
    decision = forms.ChoiceField(
        label=_("审批决定"),
        choices=[("approve", _("准予许可")), ("deny", _("不予许可"))],
        error_messages={"required": _("请选择准予许可或不予许可。")},
    )
    reason = forms.CharField(label=_("不予许可理由"), required=False)
    certificate_no = forms.CharField(label=_("证照编号（留空自动编号）"), required=False)
    attachment = forms.FileField(label=_("附件"), required=False)

    def __init__(self, step, *args, **kwargs):
        from .services import DECISION_KINDS, DELIVERY_KIND

        kwargs.setdefault("auto_id", _auto_id(f"step-{step.pk}"))
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["attachment"].widget.attrs["accept"] = ACCEPT
        if step.kind == DELIVERY_KIND:
            self.fields["opinion"].required = False
        if step.kind not in DECISION_KINDS:
            for name in ("decision", "reason", "certificate_no"):
                del self.fields[name]


class SuspendForm(DesignForm):
    """补正 / 特别程序 (APR-2): kind, reason, the catalog materials to supplement."""

    kind = forms.ChoiceField(label=_("类型"), error_messages={"required": _("中止类型无效。")})
    reason = forms.CharField(
        label=_("理由"), error_messages={"required": _("中止计时必须说明理由。")}
    )
    demanded = AnyChoiceField(
        label=_("需补正的材料（仅限目录内）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, case, *args, **kwargs):
        from .models import SuspensionKind

        kwargs.setdefault("auto_id", _auto_id("pause"))
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SuspensionKind.choices
        self.fields["demanded"].choices = [(str(m.pk), m.name) for m in case.item.materials.all()]


class ResumeForm(DesignForm):
    note = forms.CharField(label=_("恢复说明"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", _auto_id("resume"))
        super().__init__(*args, **kwargs)


class ChargeForm(DesignForm):
    """收费 at the window (APR-8): a row of the item's fee catalog and the amount."""

    fee = AnyChoice(
        label=_("收费项目（收费目录）"),
        error_messages={"required": _("请选择收费目录中的收费项目。")},
    )
    amount = forms.CharField(label=_("金额（元）"), error_messages={"required": _("金额无效。")})

    def __init__(self, case, *args, **kwargs):
        from wuquan.catalog.models import Fee

        kwargs.setdefault("auto_id", _auto_id("charge"))
        super().__init__(*args, **kwargs)
        self.fields["fee"].choices = [
            (str(f.pk), f"{f.name}（{f.standard}）") for f in Fee.objects.filter(item=case.item)
        ]
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"

    def chosen_fee(self):
        from wuquan.catalog.models import Fee

        raw = self.cleaned_data.get("fee") or ""
        pk = int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None
        return Fee.objects.filter(pk=pk).first() if pk else None


class WithdrawForm(DesignForm):
    reason = forms.CharField(label=_("申请人撤回理由"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", _auto_id("withdraw"))
        super().__init__(*args, **kwargs)


class AnswerForm(DesignForm):
    """答复 a consultation (APR-7)."""

    answer = forms.CharField(
        label=_("答复"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写答复内容。")},
    )

    def __init__(self, consultation, *args, **kwargs):
        kwargs.setdefault("auto_id", _auto_id(f"answer-{consultation.pk}"))
        super().__init__(*args, **kwargs)
        self.consultation = consultation


class FindingForm(DesignForm):
    """登记 one sampled case's finding (APR-10): outcome, what was found, a deadline to
    rectify; refusals beside the fields, the entries kept."""

    outcome = forms.ChoiceField(label=_("结论"), error_messages={"required": _("请选择检查结论。")})
    note = forms.CharField(label=_("检查情况"), max_length=500, required=False)
    rectify_by = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("请填写日期（年-月-日）。")},
    )

    def __init__(self, case, *args, **kwargs):
        from .models import FindingOutcome

        kwargs.setdefault("auto_id", _auto_id(f"finding-{case.pk}"))
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["outcome"].choices = FindingOutcome.choices

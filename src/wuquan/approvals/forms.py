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

"""Forms of the design system (issue 12, finding 6): every error beside its field, all at once,
the entered data kept, required fields marked before submitting.

`DesignForm` is a Django form whose fields carry `aria-invalid`/`aria-describedby` pointing at
their error and help; `common/_form_fields.html` renders it (label, * for required, unit, help,
error). `add_domain_error(form, exc)` puts a service's DomainError beside the field it names (or
at the top when the field is not on the form), so a refusal by the service reads like a form
error and nothing else changes.
"""

from __future__ import annotations

from django import forms

from .exceptions import DomainError


class DesignForm(forms.Form):
    required_css_class = "required"
    error_css_class = "has-error"
    # per field: a unit shown after the input ("平方米")
    units: dict[str, str] = {}

    def full_clean(self):
        super().full_clean()
        self._mark_errors()

    def _mark_errors(self):
        for name, field in self.fields.items():
            described = []
            if field.help_text:
                described.append(f"{self.auto_id % self.add_prefix(name)}_helptext")
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"
                described.append(f"{self.auto_id % self.add_prefix(name)}_error")
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
            if field.required and not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("aria-required", "true")

    def add_error(self, field, error):
        super().add_error(field, error)
        self._mark_errors()


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))

"""Forms of the organisation pages in the design system (issue 12, finding 6): the 截至日期
filter shared with workplan's 调度表, and the Excel upload. A wrong entry is shown beside its
field, the entry kept; the page shows the figures for today meanwhile."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuquan.common.forms import DesignForm

DATE_MESSAGE = _("日期格式应为 YYYY-MM-DD。")


class AsOfForm(DesignForm):
    as_of = forms.DateField(
        label=_("截至日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_MESSAGE},
    )

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("auto_id", "asof-%s")
        super().__init__(data if data and data.get("as_of") else None, **kwargs)

    def as_of_date(self) -> date:
        """The date asked for, or today when none was given or it was not a date."""
        if self.is_bound and self.is_valid() and self.cleaned_data["as_of"]:
            return self.cleaned_data["as_of"]
        return timezone.localdate()


def as_of_from(request) -> tuple[date, AsOfForm, int]:
    """(date, form, status) for a page filtered by 截至日期: 400 with the error beside the
    field when the entry is not a date."""
    form = AsOfForm(request.GET)
    day = form.as_of_date()
    if not form.is_bound:
        form = AsOfForm(initial={"as_of": day})
    return day, form, 400 if form.errors else 200


class ExcelForm(DesignForm):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        error_messages={"required": _("请选择要导入的 .xlsx 文件。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx"

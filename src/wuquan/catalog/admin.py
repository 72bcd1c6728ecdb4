"""Back-office upkeep of the catalog. Every save asks for a 变更理由 and goes through services,
so each change lands in the ledger with who, when and why (CAT-9). Flows are uploaded as BPMN or
built from a step table; a published version is read-only (a change is a new version)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from wuquan.common.exceptions import DomainError

from . import flows, services
from .models import (
    ApprovalItem,
    DiscretionStandard,
    Fee,
    FlowStatus,
    FlowVersion,
    FormField,
    Material,
    Power,
    RiskPoint,
)


class ReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("变更理由"),
        max_length=200,
        help_text=_("必填：本次新增或修改的理由，记入运行记录并公开。"),
    )


class ReasonAdmin(admin.ModelAdmin):
    form = ReasonForm

    def save_model(self, request, obj, form, change):
        services.do_save(obj, form.cleaned_data["change_reason"], actor=request.user)

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data["change_reason"]
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.do_delete(obj, reason, actor=request.user)
        for obj in instances:
            services.do_save(obj, reason, actor=request.user)

    def delete_model(self, request, obj):
        services.do_delete(obj, _("后台删除"), actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.do_delete(obj, _("后台批量删除"), actor=request.user)


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 1


class FormFieldInline(admin.TabularInline):
    """The item's application-form fields: label, type, unit, help (issue 12, finding 2)."""

    model = FormField
    extra = 0


@admin.register(Power)
class PowerAdmin(ReasonAdmin):
    list_display = ["code", "name", "category", "level", "unit", "post"]
    list_filter = ["category", "level", "unit"]
    search_fields = ["code", "name", "law"]
    autocomplete_fields = []


@admin.register(ApprovalItem)
class ApprovalItemAdmin(ReasonAdmin):
    list_display = ["code", "name", "unit", "status", "promised_days", "area"]
    list_filter = ["status", "unit", "area"]
    search_fields = ["code", "name"]
    inlines = [MaterialInline, FormFieldInline]

    def has_delete_permission(self, request, obj=None):
        return False  # why: an item is cancelled/merged by status, so its history stays


@admin.register(Fee)
class FeeAdmin(ReasonAdmin):
    list_display = ["code", "name", "kind", "unit", "amount", "amount_unit"]
    list_filter = ["kind", "unit"]


@admin.register(RiskPoint)
class RiskPointAdmin(ReasonAdmin):
    list_display = ["description", "unit", "post", "power", "harm", "likelihood"]
    list_filter = ["unit"]


@admin.register(DiscretionStandard)
class DiscretionStandardAdmin(ReasonAdmin):
    list_display = ["power", "violation", "circumstance", "penalty_range"]


class FlowVersionForm(forms.ModelForm):
    bpmn_file = forms.FileField(label=_("上传 BPMN 文件"), required=False)
    step_table = forms.CharField(
        label=_("或：步骤表"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 100}),
        help_text=_(
            "每行一个环节：名称|类型|时限|单位编码|岗位编码|泳道|监督点(是/否)|并联组|条件。"
            "相邻且并联组相同的环节并联办理；条件如 area_sqm > 500。"
        ),
    )
    publish = forms.BooleanField(label=_("保存后立即发布"), required=False)
    change_reason = forms.CharField(label=_("变更理由"), max_length=200)

    class Meta:
        model = FlowVersion
        fields = ["item", "bpmn_xml", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "bpmn_xml" in self.fields:
            self.fields["bpmn_xml"].required = False

    def clean(self):
        data = super().clean()
        item = data.get("item")
        xml = data.get("bpmn_xml") or ""
        if data.get("bpmn_file"):
            xml = data["bpmn_file"].read().decode("utf-8", errors="replace")
        elif data.get("step_table"):
            try:
                rows = flows.parse_step_table(data["step_table"])
            except DomainError as exc:
                raise forms.ValidationError(str(exc.message)) from exc
            xml = flows.build_bpmn(f"flow_{item.code if item else 'new'}", str(item or ""), rows)
        if not xml.strip():
            raise forms.ValidationError(_("请上传 BPMN 文件、粘贴 BPMN XML 或填写步骤表。"))
        errors = flows.validate(xml, item.promised_days if item else None)
        if errors:
            raise forms.ValidationError(errors)
        data["bpmn_xml"] = xml
        return data


@admin.register(FlowVersion)
class FlowVersionAdmin(admin.ModelAdmin):
    form = FlowVersionForm
    list_display = ["item", "number", "status", "published_at", "published_by"]
    list_filter = ["status"]
    readonly_fields = ["number", "status", "checksum", "published_at", "published_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != FlowStatus.DRAFT:
            return [*self.readonly_fields, "item", "bpmn_xml", "note"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != FlowStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != FlowStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data["change_reason"]
        if change:
            services.do_save(obj, reason, actor=request.user)
            version = obj
        else:
            version = services.do_add_flow_version(
                obj.item, form.cleaned_data["bpmn_xml"], reason, obj.note, actor=request.user
            )
            obj.pk, obj.number = version.pk, version.number
        if form.cleaned_data.get("publish"):
            services.do_publish_flow(version, reason, actor=request.user)
            messages.success(request, _("流程版本已发布。"))

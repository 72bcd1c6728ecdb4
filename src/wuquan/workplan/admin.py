"""Back-office upkeep of the task-division table (WRK-1, WRK-2); saves go through services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wuquan.org.selectors import scope

from . import services
from .models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = [
        "seq",
        "lead_unit",
        "five_power",
        "plan_title",
        "status",
        "responsible_leader",
        "responsible_person",
        "deadline",
    ]
    list_display_links = ["seq", "plan_title"]
    list_filter = ["status", "five_power", ("lead_unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["plan_title", "requirement", "responsible_leader", "responsible_person"]
    list_select_related = ["lead_unit"]
    autocomplete_fields = ["lead_unit", "responsible_unit"]
    fieldsets = [
        (
            _("分工表（附件1）"),
            {
                "fields": [
                    "seq",
                    "lead_unit",
                    "five_power",
                    "plan_title",
                    "requirement",
                    "status",
                    "made_on",
                    "attachment",
                ]
            },
        ),
        (
            _("责任落实（附件6 四(一)）"),
            {
                "fields": [
                    "responsible_leader",
                    "responsible_unit",
                    "responsible_person",
                    "deadline",
                    "quality_requirement",
                    "progress_note",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, "lead_unit")

    def save_model(self, request, obj, form, change):
        services.do_save_task(obj, actor=request.user)

    def delete_model(self, request, obj):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("分工表任务不能删除。"))

    def has_delete_permission(self, request, obj=None):
        return False

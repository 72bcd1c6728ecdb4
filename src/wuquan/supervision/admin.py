"""Read-only admin for the supervision records: alarms and settings are never edited or
deleted here; changes go through the services, which record them in the ledger."""

from django.contrib import admin

from .models import Alarm, Complaint, InspectionRecord, InspectionRound, Notification, RuleSetting


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alarm)
class AlarmAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "rule_code",
        "severity",
        "subject_type",
        "subject_id",
        "unit",
        "status",
        "raised_at",
    ]
    list_filter = ["status", "severity", "rule_code"]


@admin.register(RuleSetting)
class RuleSettingAdmin(ReadOnlyAdmin):
    list_display = ["rule_code", "version", "enabled", "valid_from", "changed_by"]


@admin.register(InspectionRound)
class InspectionRoundAdmin(ReadOnlyAdmin):
    list_display = ["title", "supervising_unit", "due"]


@admin.register(InspectionRecord)
class InspectionRecordAdmin(ReadOnlyAdmin):
    list_display = ["unit", "kind", "round", "filed_at"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    # why: the complainant's identity is shown to the commission through the staff pages only.
    exclude = ["complainant_name", "complainant_phone", "tracking_code"]
    list_display = ["id", "about", "unit", "created_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "title", "created_at", "read_at"]

"""Back office of the working-day calendar (APR-2). Official schedules are saved through
`services.do_load_official_schedule`, so the ledger entry and the recompute of open deadlines
happen exactly as with the `load_schedule` command."""

from django.contrib import admin

from .models import Notice, OfficialSchedule, ScheduleDay, TrackedDeadline
from .services import do_load_official_schedule


class ScheduleDayInline(admin.TabularInline):
    model = ScheduleDay
    extra = 3
    fields = ("day", "kind", "name")


@admin.register(OfficialSchedule)
class OfficialScheduleAdmin(admin.ModelAdmin):
    list_display = ("year", "notice_number", "notice_date", "loaded_by", "loaded_at")
    readonly_fields = ("loaded_by", "loaded_at", "updated_at")
    inlines = [ScheduleDayInline]

    def get_readonly_fields(self, request, obj=None):
        ro = super().get_readonly_fields(request, obj)
        return (*ro, "year") if obj else ro

    def save_model(self, request, obj, form, change):
        # why: saved by the service in save_related, together with the days.
        pass

    def save_related(self, request, form, formsets, change):
        days = []
        for formset in formsets:
            # why: the days are written by the service, not the formset (change message)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for f in formset.forms:
                data = getattr(f, "cleaned_data", None) or {}
                if data.get("DELETE") or not data.get("day"):
                    continue
                days.append((data["day"], data["kind"], data.get("name", "")))
        obj = form.instance
        result = do_load_official_schedule(
            obj.year, obj.notice_number, obj.notice_date, days, actor=request.user
        )
        obj.pk = result.schedule.pk
        obj.loaded_by, obj.loaded_at = result.schedule.loaded_by, result.schedule.loaded_at
        self.message_user(
            request,
            f"已重算未结时限 {result.recomputed} 个，其中截止日变动 {len(result.moved)} 个",
        )

    def has_delete_permission(self, request, obj=None):
        # why: a loaded notice is part of the record; correct it by loading it again.
        return False


@admin.register(TrackedDeadline)
class TrackedDeadlineAdmin(admin.ModelAdmin):
    list_display = (
        "subject_type",
        "subject_id",
        "purpose",
        "start",
        "working_days",
        "due",
        "provisional",
        "layer",
        "closed",
    )
    list_filter = ("provisional", "closed", "subject_type")
    search_fields = ("subject_id", "purpose")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "text", "read_at")

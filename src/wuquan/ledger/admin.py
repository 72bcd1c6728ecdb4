"""Read-only admin for the log: events and checkpoints can be looked at, never changed (AUD-2)."""

from django.contrib import admin

from .models import Checkpoint, Event


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["index", "at", "actor", "action", "subject_type", "subject_id"]
    list_filter = ["action"]
    search_fields = ["actor", "action", "subject_id"]
    exclude = ["leaf_hash", "node_hash"]
    readonly_fields = ["index", "at", "actor", "action", "subject_type", "subject_id", "leaf"]


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["size", "created_at"]
    exclude = ["root_hash"]
    readonly_fields = ["size", "note", "created_at"]

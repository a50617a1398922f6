"""Administrators read the audit trail and the record of who opened which case file."""

from django.contrib import admin

from .models import AuditEvent, ReadRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReadRecord)
class ReadRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "reader", "case", "page")
    list_filter = ("page", "case__inspection")
    search_fields = ("reader__username", "case__reference")
    date_hierarchy = "at"
    list_select_related = ("reader", "case")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "inspection", "case", "action", "subject")
    list_filter = ("action", "inspection")
    search_fields = ("actor__username", "case__reference", "subject")
    date_hierarchy = "at"
    list_select_related = ("actor", "inspection", "case")

"""Reference data for administrators: people, areas, organisations, inspections and teams.

Frameworks are loaded from files (manage.py load_frameworks) and are read-only here.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Area, Framework, Inspection, Membership, Organisation, User


@admin.register(User)
class PersonAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "Service roles",
            {
                "fields": (
                    "is_manager",
                    "sets_up_inspections",
                    "approves_reports",
                    "edits_frameworks",
                )
            },
        ),
    )
    list_display = ("username", "first_name", "last_name", "is_manager", "is_staff", "is_active")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "police_force_area", "region")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area")
    list_filter = ("kind", "area__region")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "kind", "status", "fieldwork_start")
    list_filter = ("kind", "status")
    search_fields = ("reference", "title")
    filter_horizontal = ("organisations",)
    inlines = [MembershipInline]


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "loaded_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

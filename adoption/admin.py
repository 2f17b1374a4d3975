"""Admin for support staff: organisations, people, API clients; audit and jobs read-only.

Children and households are deliberately absent: the admin does not apply tenancy, so records
of children are only ever reached through the scoped pages and API.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from adoption.models import ApiClient, AuditEvent, Job, Membership, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "la_code", "ons_code", "region", "raa", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["name", "la_code", "ons_code"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class StaffAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Read-only: clients are registered, rotated and revoked by the LA's administrators at /api-clients/ (or with
    ``manage.py create_api_client``), through the services, which audit every change."""

    list_display = ["name", "organisation", "token_prefix", "scopes", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_id", "organisation", "request_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "request_id"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "status", "progress", "organisation", "requested_by", "attempts"]
    list_filter = ["kind", "status"]

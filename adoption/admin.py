"""Admin for support staff: organisations, people, API clients; audit and jobs read-only.

Children and households are deliberately absent: the admin does not apply tenancy, so records
of children are only ever reached through the scoped pages and API.

Every add, change and delete made in the admin, of any app's model, is an audit event (``ADMIN_CHANGE``: who, which
record; never its values): ``audit_every_admin`` gives every registered admin the ``AuditedAdmin`` behaviour once the
admin modules are loaded (``AdoptionConfig.ready``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from adoption import audit, signals
from adoption.models import ApiClient, AuditEvent, Job, Membership, Organisation, User


def _organisation_id(obj: models.Model) -> int | None:
    """The LA (or agency) a record of the admin belongs to, where it names one."""
    if isinstance(obj, Organisation):
        return obj.pk
    found = getattr(obj, "organisation_id", None)
    return found if isinstance(found, int) else None


def _record_admin_change(request: HttpRequest, obj: models.Model, *, deleting: bool = False) -> None:
    organisation_id = _organisation_id(obj)
    if deleting and isinstance(obj, Organisation):
        organisation_id = None  # the event must not hold on to the row being deleted
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.ADMIN_CHANGE,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        organisation_id=organisation_id,
    )


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit event wherever the admin writes its own history (LogEntry): each addition, change and deletion,
    inline rows included (they are saved with their parent, whose change names them).

    A date and time is one labelled box (the admin's own splits it into two boxes, only the first labelled), and
    many-to-many choices a plain labelled list (the admin's two-box filter names its icons in a way screen readers
    are not given: ``aria-label`` on a ``span``); both found by the axe walk (tests/browser/test_axe_pages.py)."""

    formfield_overrides = {
        models.DateTimeField: {
            "form_class": forms.DateTimeField,
            "widget": forms.DateTimeInput(attrs={"class": "vDateTimeField"}, format="%Y-%m-%d %H:%M:%S"),
        },
    }
    filter_horizontal = ()
    filter_vertical = ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # A member of staff disabled here is disabled by this administrator (adoption.signals audits it).
        setattr(obj, signals.DISABLED_BY, request.user)
        super().save_model(request, obj, form, change)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _record_admin_change(request, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        _record_admin_change(request, obj)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet) -> Any:
        # Called before the rows go, once for a deletion of one record or of a selection.
        for obj in queryset:
            _record_admin_change(request, obj, deleting=True)
        return super().log_deletions(request, queryset)


class KeptAdmin(AuditedAdmin):
    """Records other records point to (and the audit trail names): disabled (``is_active``), never deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def audit_every_admin(site: admin.AdminSite = admin.site) -> None:
    """Give every admin registered on ``site`` (this project's, Django's and third parties') the audited behaviour."""
    for model, model_admin in list(site._registry.items()):
        admin_class = type(model_admin)
        if isinstance(model_admin, AuditedAdmin):
            continue
        audited = type(f"Audited{admin_class.__name__}", (AuditedAdmin, admin_class), {"__module__": __name__})
        site.unregister(model)
        site.register(model, audited)


@admin.register(Organisation)
class OrganisationAdmin(KeptAdmin):
    list_display = ["name", "kind", "la_code", "ons_code", "region", "raa", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["name", "la_code", "ons_code"]


class MembershipInline(admin.StackedInline):
    """Stacked, so that each membership's organisation, role and "active" have their labels (a tabular inline has
    only its column headings)."""

    model = Membership
    extra = 0


@admin.register(User)
class StaffAdmin(KeptAdmin, UserAdmin):
    inlines = [MembershipInline]


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdmin):
    """Read-only: clients are registered, rotated and revoked by the LA's administrators at /api-clients/ (or with
    ``manage.py create_api_client``), through the services, which audit every change."""

    list_display = ["name", "organisation", "token_prefix", "scopes", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(AuditedAdmin):
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

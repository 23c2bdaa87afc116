"""The Django admin for accounts. Only framework administrators (with is_staff) may use it.

People and roles never change here: memberships, staff roles, passwords, e-mail addresses and the
staff and superuser flags are read-only, because each has an audited service and a page of its own
(`/account/organisation/`, `/account/staff/`, invitations, password reset). Otherwise an
administrator could add themselves to a bidding organisation, or give themselves a role, and read a
sealed bid. What may still change (an organisation's details, whether an account is active) is
audited by `audit.admin.AuditedAdminMixin`.

Other apps subclass `AdministratorModelAdmin` or `ReadOnlyAdministratorModelAdmin` so the same rule
applies everywhere. Never register anything that would let a sealed bid be read here.
"""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Invitation, Membership, Organisation, StaffRole, User
from accounts.permissions import can_use_django_admin
from audit.admin import AuditedAdminMixin


class AdministratorAccessMixin:
    """Access follows our own predicate (administrator role + is_staff), not Django's model permissions."""

    def has_module_permission(self, request) -> bool:
        return can_use_django_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_use_django_admin(request.user)

    def has_add_permission(self, request, *args) -> bool:
        return can_use_django_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_use_django_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return can_use_django_admin(request.user)


class NoChangesMixin:
    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AdministratorModelAdmin(AdministratorAccessMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Every add, change and delete is audited in the same transaction."""


class ReadOnlyAdministratorModelAdmin(NoChangesMixin, AdministratorModelAdmin):
    pass


class ReadOnlyInline(NoChangesMixin, AdministratorAccessMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("organisation", "is_admin", "joined_at")


class StaffRoleInline(ReadOnlyInline):
    model = StaffRole
    fields = ("role", "area", "granted_at")


# Only these may be changed on a user, and only by editing the row: everything that decides what a
# person may do, or who can sign in as them, is read-only.
USER_EDITABLE_FIELDS = ("full_name", "phone", "is_active")
USER_READ_ONLY_FIELDS = (
    "email",
    "email_confirmed_at",
    "is_staff",
    "is_superuser",
    "last_login",
    "date_joined",
)


@admin.register(User)
class UserAdmin(AdministratorModelAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "staff_roles__role"]
    search_fields = ["email", "full_name"]
    fields = ("email", *USER_EDITABLE_FIELDS, *USER_READ_ONLY_FIELDS[1:])
    readonly_fields = USER_READ_ONLY_FIELDS
    inlines = [MembershipInline, StaffRoleInline]

    def has_add_permission(self, request, *args) -> bool:
        # Accounts are made by registering or by accepting an invitation.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deactivate instead: the audit trail and bids keep pointing at the person.
        return False


@admin.register(Organisation)
class OrganisationAdmin(AdministratorModelAdmin):
    list_display = ["legal_name", "trading_name", "organisation_type", "size", "created_at"]
    list_filter = ["organisation_type", "size"]
    search_fields = ["legal_name", "trading_name", "charity_number", "company_number"]
    readonly_fields = ["size", "created_at", "created_by"]

    def has_add_permission(self, request, *args) -> bool:
        return False  # organisations register themselves

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ["user", "organisation", "is_admin", "joined_at"]
    list_filter = ["is_admin"]
    search_fields = ["user__email", "organisation__legal_name"]


@admin.register(StaffRole)
class StaffRoleAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ["user", "role", "area", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ["email", "organisation", "role", "area", "created_at", "expires_at", "invitation_status"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__legal_name"]
    fields = [
        "email",
        "organisation",
        "as_org_admin",
        "role",
        "area",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]

    @admin.display(description="Status")
    def invitation_status(self, obj: Invitation) -> str:
        return obj.status()


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyAdministratorModelAdmin):
    """Failed sign-ins counted by django-axes (per account and address together): read-only,
    because a block lifts by itself after its cool-off."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    fields = ["username", "ip_address", "failures_since_start", "attempt_time"]


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ["username", "ip_address", "attempt_time", "locked_out"]
    search_fields = ["username", "ip_address"]
    fields = ["username", "ip_address", "attempt_time", "locked_out"]


# Second-factor devices and groups are not managed here: devices (and their secrets) only through
# the service's own pages and audited services; groups are not used (access follows roles).
for _model in (TOTPDevice, StaticDevice, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

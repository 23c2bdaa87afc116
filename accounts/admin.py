"""The Django admin for accounts. Only framework administrators (with is_staff) may use it.

Other apps should subclass `AdministratorModelAdmin` so the same rule applies everywhere.
Never register anything that would let a sealed bid be read here.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from accounts.models import Invitation, Membership, Organisation, SignInAttempt, StaffRole, User
from accounts.permissions import can_use_django_admin


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


class AdministratorModelAdmin(AdministratorAccessMixin, admin.ModelAdmin):
    pass


class ReadOnlyAdministratorModelAdmin(AdministratorModelAdmin):
    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "full_name")


class EmailUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class MembershipInline(AdministratorAccessMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


class StaffRoleInline(MembershipInline):
    model = StaffRole
    autocomplete_fields = []


@admin.register(User)
class UserAdmin(AdministratorAccessMixin, DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "staff_roles__role"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline, StaffRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("full_name", "phone")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "usable_password", "password1", "password2")}),
    )
    filter_horizontal = ()

    def get_inlines(self, request, obj):
        # Memberships and roles are added once the user exists.
        return self.inlines if obj is not None else []


@admin.register(Organisation)
class OrganisationAdmin(AdministratorModelAdmin):
    list_display = ["legal_name", "trading_name", "organisation_type", "size", "created_at"]
    list_filter = ["organisation_type", "size"]
    search_fields = ["legal_name", "trading_name", "charity_number", "company_number"]


@admin.register(Membership)
class MembershipAdmin(AdministratorModelAdmin):
    list_display = ["user", "organisation", "is_admin", "joined_at"]
    list_filter = ["is_admin"]
    search_fields = ["user__email", "organisation__legal_name"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]


@admin.register(StaffRole)
class StaffRoleAdmin(AdministratorModelAdmin):
    list_display = ["user", "role", "area", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(AdministratorModelAdmin):
    list_display = ["email", "organisation", "role", "area", "created_at", "expires_at", "invitation_status"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__legal_name"]
    readonly_fields = ["token_hash", "invited_by", "created_at", "accepted_at", "accepted_by"]
    raw_id_fields = ["organisation"]

    @admin.display(description="Status")
    def invitation_status(self, obj: Invitation) -> str:
        return obj.status()


@admin.register(SignInAttempt)
class SignInAttemptAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ["email", "ip_address", "attempted_at"]
    search_fields = ["email", "ip_address"]
    date_hierarchy = "attempted_at"

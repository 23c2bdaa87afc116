"""Referrals' reference data in the Django admin, for administrators: the desired outcomes and
complexity levels of each service category, every change audited (`AuditedAdminMixin`). Codes are
set once. Nothing about a referral or a person is registered here: administrators do not see
personal data (issue 12, ADR 12)."""

from __future__ import annotations

from django.contrib import admin

from accounts.permissions import can_manage_reference_data
from audit.admin import AuditedAdminMixin
from referrals.models import ComplexityLevel, DesiredOutcome


class _ReferralReferenceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_filter = ("category", "active")
    # An outcome or level a referral chose cannot be deleted (PROTECT): untick "active" instead.

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "code", "category") if obj is not None else fields

    def _allowed(self, request) -> bool:
        return can_manage_reference_data(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


@admin.register(DesiredOutcome)
class DesiredOutcomeAdmin(_ReferralReferenceAdmin):
    list_display = ("description", "category", "code", "display_order", "active")
    search_fields = ("description", "code")


@admin.register(ComplexityLevel)
class ComplexityLevelAdmin(_ReferralReferenceAdmin):
    list_display = ("title", "category", "code", "display_order", "active")
    search_fields = ("title", "description", "code")

"""Reference data in the Django admin, for administrators. Codes never change once created;
every save and delete goes through reference.services, which writes the audit trail (each admin
here overrides `AuditedAdminMixin`'s generic audit with the service's own)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from accounts.permissions import can_manage_reference_data
from audit.admin import AuditedAdminMixin
from reference import services
from reference.models import Area, ServiceCategory, ServiceType


class _ReferenceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    # Codes are identifiers in the API and open data: set once, then read-only.
    readonly_once_created: tuple[str, ...] = ("code",)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields + self.readonly_once_created if obj is not None else fields

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


class AreaAdminForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ("code", "name", "level", "parent")

    def clean(self):
        cleaned = super().clean()
        level = cleaned.get("level") or (self.instance.level if self.instance.pk else None)
        if level:
            try:
                services.area_check_parent(level=level, parent=cleaned.get("parent"))
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Area)
class AreaAdmin(_ReferenceAdmin):
    form = AreaAdminForm
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    ordering = ("path",)
    autocomplete_fields = ("parent",)
    readonly_once_created = ("code", "level", "path")

    def save_model(self, request, obj, form, change):
        services.area_save(actor=request.user, area=obj)

    def delete_model(self, request, obj):
        services.area_delete(actor=request.user, area=obj)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(_ReferenceAdmin):
    list_display = ("name", "code", "kind", "display_order")
    list_filter = ("kind",)
    search_fields = ("name", "code")

    def save_model(self, request, obj, form, change):
        services.service_category_save(actor=request.user, category=obj)

    def delete_model(self, request, obj):
        services.service_category_delete(actor=request.user, category=obj)


@admin.register(ServiceType)
class ServiceTypeAdmin(_ReferenceAdmin):
    list_display = ("name", "code", "required_by_court_orders", "restricted_to", "display_order")
    search_fields = ("name", "code")
    filter_horizontal = ("categories",)
    autocomplete_fields = ("restricted_to",)

    def save_model(self, request, obj, form, change):
        # Saved with its categories in save_related, so one audit event holds both.
        pass

    def save_related(self, request, form, formsets, change):
        services.service_type_save(
            actor=request.user, service_type=form.instance, categories=list(form.cleaned_data["categories"])
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.service_type_delete(actor=request.user, service_type=obj)

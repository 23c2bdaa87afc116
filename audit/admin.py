"""One audit for every change the Django admin can still make.

People, roles, passwords and access flags never change in the admin (accounts' own pages do that,
through audited services). What the admin may still change — reference data, an organisation's
details, whether an account is active — goes through `AuditedAdminMixin`: each add, change and
delete writes an audit event in the same transaction as the change. A model whose changes have a
service of their own (reference data) overrides `save_model`/`delete_model` to call it, and the
service writes its own, more specific, event.
"""

from __future__ import annotations

from django.db import transaction

from audit.services import admin_change_record


class AuditedAdminMixin:
    """Use on every ModelAdmin (and inline) that lets anyone add, change or delete anything."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk else None
            super().save_model(request, obj, form, change)
            admin_change_record(actor=request.user, obj=obj, before=before, kind="changed" if change else "added")

    def delete_model(self, request, obj):
        with transaction.atomic():
            admin_change_record(actor=request.user, obj=obj, before=obj, kind="deleted")
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The changelist's "delete selected" action: one event per row, not one bulk DELETE.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                admin_change_record(actor=request.user, obj=obj, before=obj, kind="deleted")
                obj.delete()
            for obj in instances:
                existing = obj.pk is not None and not obj._state.adding
                before = type(obj)._default_manager.filter(pk=obj.pk).first() if existing else None
                obj.save()
                admin_change_record(actor=request.user, obj=obj, before=before, kind="changed" if existing else "added")
            formset.save_m2m()

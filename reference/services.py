"""Changing reference data (from the Django admin). Every change is written to the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record, snapshot
from reference.models import LEVEL_DEPTH, Area, ServiceCategory, ServiceType


def _stored_snapshot(instance: Any) -> dict[str, Any] | None:
    if instance.pk is None:
        return None
    stored = type(instance).objects.filter(pk=instance.pk).first()
    return snapshot(stored) if stored is not None else None


def area_check_parent(*, level: str, parent: Area | None) -> None:
    """Only the country has no parent; every other area sits directly under an area one level up."""
    if level == "country":
        if parent is not None:
            raise ValidationError({"parent": "The country is not part of another area."})
        return
    if parent is None:
        raise ValidationError({"parent": "Choose the area this one is part of."})
    if LEVEL_DEPTH[parent.level] != LEVEL_DEPTH[level] - 1:
        raise ValidationError({"parent": "Choose an area one level up."})


@transaction.atomic
def area_save(*, actor: Any, area: Area) -> Area:
    """Create or change an area. Its path follows its parent; the paths of areas inside it follow too."""
    before = _stored_snapshot(area)
    if before is not None and before["code"] != area.code:
        raise ValidationError({"code": "An area's code cannot be changed."})
    area_check_parent(level=area.level, parent=area.parent)
    old_path = before["path"] if before else None
    area.path = (area.parent.path if area.parent else "") + area.code + "/"
    area.full_clean()
    area.save()
    if old_path and old_path != area.path:
        for inner in Area.objects.filter(path__startswith=old_path).exclude(pk=area.pk).order_by("path"):
            inner_before = snapshot(inner)
            inner.path = area.path + inner.path.removeprefix(old_path)
            inner.save(update_fields=["path"])
            audit_record(actor=actor, action="area.move", obj=inner, before=inner_before, after=snapshot(inner))
    audit_record(
        actor=actor, action="area.update" if before else "area.create", obj=area, before=before, after=snapshot(area)
    )
    return area


@transaction.atomic
def area_delete(*, actor: Any, area: Area) -> None:
    """Delete an area nothing refers to (the database refuses otherwise)."""
    audit_record(actor=actor, action="area.delete", obj=area, before=snapshot(area), after=None)
    area.delete()


@transaction.atomic
def service_category_save(*, actor: Any, category: ServiceCategory) -> ServiceCategory:
    before = _stored_snapshot(category)
    if before is not None and before["code"] != category.code:
        raise ValidationError({"code": "A category's code cannot be changed."})
    category.full_clean()
    category.save()
    audit_record(
        actor=actor,
        action="service_category.update" if before else "service_category.create",
        obj=category,
        before=before,
        after=snapshot(category),
    )
    return category


@transaction.atomic
def service_category_delete(*, actor: Any, category: ServiceCategory) -> None:
    audit_record(actor=actor, action="service_category.delete", obj=category, before=snapshot(category), after=None)
    category.delete()


def _service_type_snapshot(service_type: ServiceType) -> dict[str, Any]:
    data = snapshot(service_type)
    data["categories"] = sorted(service_type.categories.values_list("code", flat=True))
    return data


@transaction.atomic
def service_type_save(
    *, actor: Any, service_type: ServiceType, categories: list[ServiceCategory] | None = None
) -> ServiceType:
    """Create or change a service type; `categories`, when given, replaces the categories it covers."""
    stored = ServiceType.objects.filter(pk=service_type.pk).first() if service_type.pk else None
    before = _service_type_snapshot(stored) if stored is not None else None
    if before is not None and before["code"] != service_type.code:
        raise ValidationError({"code": "A service type's code cannot be changed."})
    service_type.full_clean()
    service_type.save()
    if categories is not None:
        service_type.categories.set(categories)
    audit_record(
        actor=actor,
        action="service_type.update" if before else "service_type.create",
        obj=service_type,
        before=before,
        after=_service_type_snapshot(service_type),
    )
    return service_type


@transaction.atomic
def service_type_delete(*, actor: Any, service_type: ServiceType) -> None:
    audit_record(
        actor=actor,
        action="service_type.delete",
        obj=service_type,
        before=_service_type_snapshot(service_type),
        after=None,
    )
    service_type.delete()

"""Reading reference data. Other apps use these to reason about areas and categories."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, QuerySet

from reference.models import Area, ServiceCategory, ServiceType


def area_with_ancestors_codes(area: Area) -> list[str]:
    """The codes from the root down to this area, itself last: ["K04000001", "K", "E23000032"]. No query."""
    return area.ancestor_codes


def covering_paths(area: Area) -> list[str]:
    """The paths of this area and every area above it, root first: "K04000001/", "K04000001/K/", ...
    Anything recorded against one of these paths covers the area. No query."""
    codes = area.ancestor_codes
    return ["".join(code + "/" for code in codes[:depth]) for depth in range(1, len(codes) + 1)]


def descendants(area: Area) -> QuerySet[Area]:
    """Every area inside this one, at any depth (not the area itself), by path prefix: one indexed query."""
    return Area.objects.filter(path__startswith=area.path).exclude(pk=area.pk)


def areas_covering(area: Area) -> QuerySet[Area]:
    """This area and every area above it, root first. A service bought for any of them covers this area."""
    return Area.objects.filter(code__in=area_with_ancestors_codes(area)).order_by("path")


def area_by_code(code: str) -> Area | None:
    return Area.objects.filter(code=code).first()


def area_list(*, level: str | None = None, parent: Area | None = None) -> QuerySet[Any]:
    """Areas for the API: code, name, level and the parent's code, in tree order. One query."""
    areas = Area.objects.all()
    if level:
        areas = areas.filter(level=level)
    if parent is not None:
        areas = areas.filter(parent=parent)
    return areas.order_by("path").values("code", "name", "level", parent_code=F("parent__code"))


def category_list() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.order_by("display_order", "name")


def service_type_list() -> QuerySet[ServiceType]:
    return (
        ServiceType.objects.select_related("restricted_to")
        .prefetch_related(Prefetch("categories", queryset=ServiceCategory.objects.order_by("display_order", "name")))
        .order_by("display_order", "name")
    )

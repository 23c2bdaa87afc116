"""Public reference data: areas, types of support and services. No sign-in needed."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from core.api import Code, bad_parameter
from reference import selectors
from reference.models import AreaLevel, CategoryKind

router = Router(tags=["Reference data"])


class AreaOut(Schema):
    code: str
    name: str
    level: AreaLevel
    parent: str | None


class AreaFilters(Schema):
    level: AreaLevel | None = None
    parent: Code | None = None


class CategoryOut(Schema):
    code: str
    name: str
    kind: CategoryKind
    description: str


class ServiceTypeOut(Schema):
    code: str
    name: str
    categories: list[str]
    required_by_court_orders: bool
    restricted_to: str | None


class CategoriesOut(Schema):
    categories: list[CategoryOut]
    service_types: list[ServiceTypeOut]


@router.get(
    "/areas",
    response=list[AreaOut],
    auth=None,
    summary="Areas",
    description=(
        "England and Wales, the 12 probation regions (A to L), the 42 police and crime commissioner areas "
        "and the local authorities. `parent` is the code of the area one level up (null for the country). "
        "Filter by `level` and by `parent` (a code)."
    ),
)
def list_areas(request: HttpRequest, filters: Query[AreaFilters]):
    parent = None
    if filters.parent:
        parent = selectors.area_by_code(filters.parent)
        if parent is None:
            raise bad_parameter("parent", f"No area has the code {filters.parent}")
    rows = selectors.area_list(level=filters.level, parent=parent)
    return [{"code": r["code"], "name": r["name"], "level": r["level"], "parent": r["parent_code"]} for r in rows]


@router.get(
    "/categories",
    response=CategoriesOut,
    auth=None,
    summary="Types of support and services",
    description=(
        "The 14 service categories (a need, or a group of people) and the 7 service types a call-off "
        "competition can buy, each with the codes of the categories it covers."
    ),
)
def list_categories(request: HttpRequest):
    return {
        "categories": [
            {"code": c.code, "name": c.name, "kind": c.kind, "description": c.description}
            for c in selectors.category_list()
        ],
        "service_types": [
            {
                "code": t.code,
                "name": t.name,
                "categories": [c.code for c in t.categories.all()],
                "required_by_court_orders": t.required_by_court_orders,
                "restricted_to": t.restricted_to.code if t.restricted_to else None,
            }
            for t in selectors.service_type_list()
        ],
    }

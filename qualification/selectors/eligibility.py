"""Who can bid for a lot, and who covers part of it.

Both answers are one query (after one small read of the service type's categories) whatever
the number of organisations: they filter `Qualification` on its partial indexes
(category, area_path) for active rows and return organisations by id subquery.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from accounts.models import Organisation
from qualification.models import Qualification
from reference.models import Area, ServiceType
from reference.selectors import covering_paths


def _eligible_ids(*, category_ids: list[int], area: Area) -> QuerySet:
    return (
        Qualification.objects.active()
        .filter(category_id__in=category_ids, area_path__in=covering_paths(area))
        .values("organisation_id")
        .annotate(covered=Count("category_id", distinct=True))
        .filter(covered=len(category_ids))
        .values("organisation_id")
    )


def _category_ids(service_type: ServiceType) -> list[int]:
    return list(service_type.categories.values_list("id", flat=True))


def eligible_organisations(*, service_type: ServiceType, area: Area) -> QuerySet[Organisation]:
    """Organisations actively qualified for EVERY category of the service type in an area that
    covers `area` (the area itself or one above it): they can bid for a lot in `area`."""
    category_ids = _category_ids(service_type)
    if not category_ids:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=_eligible_ids(category_ids=category_ids, area=area))


def partial_coverage_organisations(*, service_type: ServiceType, area: Area) -> QuerySet[Organisation]:
    """Organisations that cannot bid for the lot on their own but are actively qualified for at
    least one category of the service type somewhere strictly inside `area`: local specialists a
    prime bidder could bring in as partners."""
    category_ids = _category_ids(service_type)
    if not category_ids:
        return Organisation.objects.none()
    # The areas strictly inside the lot's area come from the small Area table; the big
    # Qualification table is then read through its (category, area, organisation) index. (A LIKE
    # on area_path could not use a B-tree index under a non-C collation on PostgreSQL.)
    areas_inside = Area.objects.filter(path__startswith=area.path).exclude(pk=area.pk).values("pk")
    inside = (
        Qualification.objects.active()
        .filter(category_id__in=category_ids, area_id__in=areas_inside)
        .values("organisation_id")
    )
    return Organisation.objects.filter(pk__in=inside).exclude(
        pk__in=_eligible_ids(category_ids=category_ids, area=area)
    )


@dataclass(frozen=True)
class OrganisationCoverage:
    """One organisation's active qualifications, read once, asked the same two questions as
    `eligible_organisations` and `partial_coverage_organisations` for one area at a time, so that a
    page listing many lots for one organisation costs one query, not two per lot and area. The
    rows are the same `Qualification.objects.active()` rows; the area tests are the same paths
    (`covering_paths` for "an area covering it", a longer path under it for "strictly inside").
    qualification/tests/test_eligibility_coverage.py holds the two versions equal on a generated
    world, area by area and organisation by organisation."""

    organisation_id: int
    held: frozenset[tuple[int, str]]  # (category id, area path)

    def eligible(self, *, category_ids: list[int], area: Area) -> bool:
        paths = covering_paths(area)
        return bool(category_ids) and all(
            any((category_id, path) in self.held for path in paths) for category_id in category_ids
        )

    def partial(self, *, category_ids: list[int], area: Area) -> bool:
        wanted = set(category_ids)
        inside = any(
            category_id in wanted and path.startswith(area.path) and path != area.path
            for category_id, path in self.held
        )
        return inside and not self.eligible(category_ids=category_ids, area=area)


def organisation_coverage(organisation_id: int) -> OrganisationCoverage:
    held = (
        Qualification.objects.active().filter(organisation_id=organisation_id).values_list("category_id", "area_path")
    )
    return OrganisationCoverage(organisation_id=organisation_id, held=frozenset(held))

"""One organisation's coverage, read once (`organisation_coverage`), must answer exactly as the
eligibility querysets do, for every area and type of support: "Opportunities for you" asks it of
every lot of every open opportunity instead of two queries per lot and area."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from qualification.models import Qualification
from qualification.selectors.eligibility import (
    eligible_organisations,
    organisation_coverage,
    partial_coverage_organisations,
)
from qualification.tests.assessor_factories import make_qualified_world
from reference.models import Area, ServiceType

pytestmark = pytest.mark.django_db


def test_coverage_answers_as_the_querysets_do_for_every_area_and_type_of_support():
    organisations = make_qualified_world(organisations=30, seed=7, max_qualifications=8)
    # Some qualifications no longer count: removed or suspended rows must be left out by both.
    rng = random.Random(7)
    rows = list(Qualification.objects.order_by("pk"))
    for row in rng.sample(rows, len(rows) // 5):
        if rng.random() < 0.5:
            row.removed_at = timezone.now()
        else:
            row.suspended_at = timezone.now()
        row.save(update_fields=["removed_at", "suspended_at"])
    areas = list(Area.objects.order_by("path"))
    checked = {"eligible": 0, "partial": 0}
    # Read once each, as the page does: the point is that one read answers for every area and type.
    coverages = {organisation.pk: organisation_coverage(organisation.pk) for organisation in organisations[:10]}
    for service_type in ServiceType.objects.prefetch_related("categories"):
        category_ids = [category.pk for category in service_type.categories.all()]
        for area in areas:
            eligible = set(eligible_organisations(service_type=service_type, area=area).values_list("pk", flat=True))
            partial = set(
                partial_coverage_organisations(service_type=service_type, area=area).values_list("pk", flat=True)
            )
            for organisation in organisations[:10]:
                coverage = coverages[organisation.pk]
                assert coverage.eligible(category_ids=category_ids, area=area) == (organisation.pk in eligible), (
                    service_type.code,
                    area.code,
                )
                assert coverage.partial(category_ids=category_ids, area=area) == (organisation.pk in partial), (
                    service_type.code,
                    area.code,
                )
                checked["eligible"] += organisation.pk in eligible
                checked["partial"] += organisation.pk in partial
    # The world must hold both answers, or the comparison above proves nothing.
    assert checked["eligible"] > 0 and checked["partial"] > 0, checked


def test_coverage_is_one_query(django_assert_num_queries):
    organisation = make_qualified_world(organisations=2, seed=3)[0]
    with django_assert_num_queries(1):
        coverage = organisation_coverage(organisation.pk)
    assert coverage.held

"""Each selector and its hand-written SQL floor give the same rows, and the selectors' query counts
do not grow with the data."""

from __future__ import annotations

from importlib import import_module

import pytest

from insights import floors
from insights.scope import Scope
from insights.selectors import coverage, smaller_providers
from insights.tests.world import build_world
from reference.models import Area


def selector(name: str):
    return getattr(import_module(f"insights.selectors.{name}"), name)


INSIGHTS = ["who_takes_part", "smaller_providers", "where_the_money_goes", "coverage", "pipeline", "burden"]


def scopes():
    region = Area.objects.get(code="K")
    pcc = Area.objects.get(code="E23000032")
    first_region = Area.objects.filter(level="region").order_by("code").first()
    return [
        Scope(),
        Scope(area=region),
        Scope(area=pcc),
        Scope(area=first_region, financial_year=2025),
        Scope(financial_year=2026),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", INSIGHTS)
def test_selector_equals_floor(name):
    build_world(competitions=18, organisations=15)
    for scope in scopes():
        assert selector(name)(scope=scope) == getattr(floors, name)(scope=scope), scope


@pytest.mark.django_db
def test_selector_equals_floor_for_other_breakdowns():
    build_world(competitions=12, organisations=10)
    for level in ("region", "pcc_area", "local_authority"):
        assert smaller_providers.smaller_providers(level=level) == floors.smaller_providers(level=level)
    assert coverage.coverage(level="region") == floors.coverage(level="region")
    region = Area.objects.get(code="K")
    for area in (region, Area.objects.get(code="E23000032")):
        assert coverage.coverage(scope=Scope(area=area), level="region") == floors.coverage(
            scope=Scope(area=area), level="region"
        )


def _count_queries(django_assert_max_num_queries, name, scope):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        selector(name)(scope=scope)
    return len(captured.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", INSIGHTS)
def test_query_count_does_not_grow_with_data(name, django_assert_max_num_queries):
    # One competition, with a contract ending soon (so every query the selector can make is made).
    build_world(competitions=1, organisations=4, seed=1, first_stage=5)
    small = {str(scope): _count_queries(django_assert_max_num_queries, name, scope) for scope in scopes()}
    build_world(competitions=20, organisations=20, seed=2)
    for scope in scopes():
        with django_assert_max_num_queries(small[str(scope)]):
            selector(name)(scope=scope)

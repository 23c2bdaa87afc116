"""Burden: the fewest separate bids, and the answers in them, one organisation needs to bid for one
service in every PCC area, from the opportunities open and planned now. Hand-built worlds with known
answers, each checked against the hand-written SQL floor too.

`make_competition` gives every opportunity 4 questions: 3 answered once per bid and 1 answered once
for each area (lot) bid for.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from competitions.models import Lot
from competitions.tests.factories import make_competition
from insights import floors
from insights.scope import Scope
from insights.selectors.burden import BurdenRow, Offer, burden, cheapest_plan, explain
from insights.tests.factories import area, service_type
from reference.models import Area

pytestmark = pytest.mark.django_db

KENT = "E23000032"
NOW = timezone.now()


def _rows(scope: Scope | None = None):
    scope = scope or Scope()
    data = burden(scope=scope, now=NOW)
    assert data == floors.burden(scope=scope, now=NOW)
    return {row.service_type: row for row in data.services}


def _pcc_names(region: str | None = None) -> list[str]:
    areas = Area.objects.filter(level="pcc_area").order_by("name")
    if region:
        areas = areas.filter(parent__code=region)
    return list(areas.values_list("name", flat=True))


def test_one_national_opportunity_with_a_lot_for_each_pcc_area_is_one_bid():
    competition = make_competition(lots=_pcc_names(), years=())
    row = _rows()["accommodation"]
    assert (row.bids, row.answers, row.areas_to_cover, row.areas_not_covered) == (1, 3 + 42, 42, 0)
    assert row.opportunities == [competition.reference]
    assert row.explanation == "1 bid covers all 42 PCC areas in England and Wales, with 45 answers to write."


def test_one_opportunity_for_each_pcc_area_is_42_bids():
    for name in _pcc_names():
        make_competition(lots=[name], years=())
    row = _rows()["accommodation"]
    assert (row.bids, row.answers, row.areas_not_covered) == (42, 42 * 4, 0)
    assert len(row.opportunities) == 42


def test_an_opportunity_for_a_region_covers_the_pcc_areas_in_it():
    competition = make_competition(lots=["Kent"], years=())
    competition.lots.get().areas.set([area("K")])
    in_region = _rows(Scope(area=area("K")))["accommodation"]
    assert (in_region.bids, in_region.answers, in_region.areas_to_cover) == (1, 4, 3)
    everywhere = _rows()["accommodation"]
    assert (everywhere.bids, everywhere.answers, everywhere.areas_not_covered) == (None, None, 39)
    assert everywhere.explanation == (
        "Not possible yet: 39 of the 42 PCC areas in England and Wales have no open or planned opportunity for the "
        "whole area."
    )


def test_areas_with_nothing_open_or_planned_make_it_not_possible_yet():
    names = _pcc_names()
    make_competition(lots=names[:40], years=())
    closed = make_competition(lots=names[40:], years=(), closes_in=datetime.timedelta(days=-1))
    row = _rows()["accommodation"]
    assert (row.bids, row.areas_not_covered) == (None, 2)
    # Planned counts (bids can be sent once it opens); a cancelled one does not.
    planned = make_competition(lots=names[40:], years=(), launched=False)
    assert _rows()["accommodation"].bids == 2
    planned.abandoned_at = NOW
    planned.save(update_fields=["abandoned_at"])
    assert _rows()["accommodation"].bids is None
    assert closed.reference not in _rows()["accommodation"].opportunities
    # Nothing at all for a service: every area is missing.
    assert _rows()["ete"].areas_not_covered == 42
    assert _rows()["ete"].explanation == (
        "Not possible yet: no PCC area in England and Wales has an open or planned opportunity for the whole area."
    )


def test_the_fewest_bids_then_the_fewest_answers():
    names = _pcc_names()
    national = make_competition(lots=names, years=())
    for name in names:
        make_competition(lots=[name], years=())
    assert _rows()["accommodation"].opportunities == [national.reference]
    # In the region: one opportunity with a lot for the whole region (4 answers) beats one with a
    # lot for each of its 3 PCC areas (3 + 3 answers); the national one needs 3 lots too.
    by_region = make_competition(lots=["Kent"], years=())
    by_region.lots.get().areas.set([area("K")])
    row = _rows(Scope(area=area("K")))["accommodation"]
    assert (row.bids, row.answers, row.opportunities) == (1, 4, [by_region.reference])


def test_a_local_authority_lot_covers_only_part_of_its_pcc_area():
    kent = area(KENT)
    councils = list(Area.objects.filter(parent=kent).order_by("code"))
    one = make_competition(lots=["Kent"], years=())
    one.lots.get().areas.set(councils[:1])
    row = _rows(Scope(area=kent))["accommodation"]
    assert (row.bids, row.areas_to_cover, row.areas_not_covered) == (None, 1, 1)
    assert row.explanation == "Not possible yet: Kent has no open or planned opportunity for the whole area."
    rest = make_competition(lots=["Kent"], years=())
    rest.lots.get().areas.set(councils[1:])
    row = _rows(Scope(area=kent))["accommodation"]
    assert (row.bids, row.answers) == (2, 8)
    assert row.explanation == "2 bids cover Kent, with 8 answers to write."


def test_a_service_bought_in_one_part_of_the_country_is_counted_there():
    wales = make_competition(lots=_pcc_names("D"), years=())
    wales.service_type = service_type("young-adults-wales")
    wales.save(update_fields=["service_type"])
    row = _rows()["young-adults-wales"]
    assert (row.bids, row.areas_to_cover) == (1, 4)
    assert row.explanation == "1 bid covers all 4 PCC areas in Wales, with 7 answers to write."
    assert _rows(Scope(area=area("K")))["young-adults-wales"].explanation == "Not bought here"


def test_abandoned_lots_do_not_count():
    competition = make_competition(lots=["Kent"], years=())
    Lot.objects.filter(competition=competition).update(abandoned_at=NOW)
    assert _rows(Scope(area=area(KENT)))["accommodation"].bids is None


def _pairs(size: int) -> list[Offer]:
    """An opportunity for every pair of `size` places: many ways to cover them all."""
    return [
        Offer(reference=f"P-{a:02d}-{b:02d}", general_questions=1, lot_questions=0, lots=(frozenset({a, b}),))
        for a in range(size)
        for b in range(a + 1, size)
    ]


def test_the_search_finds_the_fewest_and_proves_it():
    plan = cheapest_plan(frozenset(range(12)), _pairs(12))
    assert (plan.bids, plan.answers, plan.proven) == (6, 6, True)
    assert set().union(*(set(map(int, ref.split("-")[1:])) for ref in plan.references)) == set(range(12))
    assert cheapest_plan(frozenset(range(13)), _pairs(12)) is None  # place 12 has no opportunity


def test_a_search_too_big_to_finish_says_at_most():
    # A lot for 3 places makes the lower bound too weak to end the search early.
    offers = [*_pairs(12), Offer(reference="T", general_questions=1, lot_questions=0, lots=(frozenset({0, 1, 2}),))]
    plan = cheapest_plan(frozenset(range(12)), offers, budget=3)
    assert plan is not None and not plan.proven and plan.bids >= 6
    row = BurdenRow("x", "X", plan.bids, plan.answers, 42, 0, list(plan.references), plan.proven, "")
    assert explain(row, "England and Wales").startswith(f"At most {plan.bids} bids cover all 42 PCC areas")

"""Coverage: what an awarded lot or a contract that starts later shows, and a region shown for a PCC area
chosen inside it. Each case is checked against the hand-written SQL floor too."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from competitions.tests.factories import make_bid, make_competition
from insights import floors
from insights.scope import Scope
from insights.selectors.coverage import AWARDED, CONTRACTED, IN_COMPETITION, NO_PROVISION, coverage
from insights.tests.factories import area, award_lot, make_contract

pytestmark = pytest.mark.django_db

KENT, SURREY = "E23000032", "E23000031"
TODAY = datetime.date(2026, 11, 30)


def _cells(scope: Scope | None = None, level: str = "pcc_area"):
    scope = scope or Scope()
    data = coverage(scope=scope, level=level, today=TODAY)
    assert data == floors.coverage(scope=scope, level=level, today=TODAY)
    return {(cell.area_code, cell.service_type): cell for cell in data.cells}


def test_an_awarded_lot_without_its_contract_yet_shows_as_awarded_not_in_competition():
    competition = make_competition(lots=["Kent"], closes_in=datetime.timedelta(days=-30))
    competition.contract_start = datetime.date(2027, 4, 1)
    competition.save(update_fields=["contract_start"])
    award = award_lot(competition.lots.get(), bid=make_bid(competition))
    award.standstill_ends_at = timezone.now() + datetime.timedelta(days=5)  # in its waiting period
    award.save(update_fields=["standstill_ends_at"])
    cell = _cells()[(KENT, "accommodation")]
    assert cell.status == AWARDED
    assert cell.label == "Awarded, contract starts 1 April 2027"


def test_a_cancelled_award_puts_the_lot_back_in_competition():
    competition = make_competition(lots=["Kent"], closes_in=datetime.timedelta(days=-30))
    award = award_lot(competition.lots.get(), bid=make_bid(competition))
    award.cancelled_at = timezone.now()
    award.save(update_fields=["cancelled_at"])
    assert _cells()[(KENT, "accommodation")].status == IN_COMPETITION


def test_a_contract_that_starts_next_year_shows_as_awarded_with_its_start():
    make_contract(areas=[area(KENT)], starts_on=datetime.date(2027, 2, 1), ends_on=datetime.date(2029, 1, 31))
    cell = _cells()[(KENT, "accommodation")]
    assert cell.status == AWARDED
    assert cell.label == "Awarded, contract starts 1 February 2027"
    # A contract in force today comes first: the later one follows it.
    make_contract(areas=[area(KENT)], starts_on=datetime.date(2025, 2, 1), ends_on=datetime.date(2027, 1, 31))
    cell = _cells()[(KENT, "accommodation")]
    assert (cell.status, cell.label) == (CONTRACTED, "Contracted until 31 January 2027")


def test_a_region_shown_for_a_pcc_area_inside_it_counts_everything_in_the_region():
    make_contract(areas=[area(SURREY)], starts_on=datetime.date(2025, 4, 1), ends_on=datetime.date(2028, 3, 31))
    make_competition(lots=["Surrey"])
    kent = Scope(area=area(KENT))
    region = _cells(kent, level="region")
    assert region[("K", "accommodation")].status == CONTRACTED
    assert region[("K", "accommodation")].contracted_until == datetime.date(2028, 3, 31)
    # Kent itself has neither.
    assert _cells(kent)[(KENT, "accommodation")].status == NO_PROVISION

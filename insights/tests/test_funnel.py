"""Who takes part: an organisation that reached a later step counts at every earlier step its records show,
everywhere and in each area, so no step is bigger than the one before it (winning a direct award aside)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from competitions.tests.factories import make_bid, make_competition
from insights import floors
from insights.scope import Scope
from insights.selectors.who_takes_part import who_takes_part
from insights.tests.factories import area, award_lot
from qualification.tests.factories import (
    ApplicationFactory,
    InterestFactory,
    QualificationFactory,
    RequestedCoverageFactory,
)
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

KENT, SURREY = "E23000032", "E23000031"
CHAIN = ["interest", "questionnaire", "qualified", "invited", "bid", "won"]


def _counts(scope: Scope) -> list[int]:
    data = who_takes_part(scope=scope)
    assert data == floors.who_takes_part(scope=scope)
    by_step = {row.step: row.all for row in data.steps}
    return [by_step[step] for step in CHAIN]


@pytest.fixture
def whole_journey():
    """One organisation through every step for Kent only: it asked for Kent, qualified for Kent, was
    invited for (and bid for) the Kent lot of an opportunity with lots in Kent and Surrey, and won it.
    Its qualification was suspended afterwards."""
    organisation = OrganisationFactory()
    InterestFactory(organisation=organisation)
    RequestedCoverageFactory(application=ApplicationFactory(organisation=organisation, submitted=True), area=area(KENT))
    QualificationFactory(organisation=organisation, area=area(KENT), suspended_at=timezone.now())
    competition = make_competition(lots=["Kent", "Surrey"])
    kent_lot = competition.lots.get(name="Kent")
    invitation = competition.invitations.create(organisation=organisation, kind="eligible")
    invitation.lots.set([kent_lot])
    bid = make_bid(competition, organisation, lots=[kent_lot])
    competition.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    competition.save(update_fields=["closes_at"])
    award_lot(kent_lot, bid=bid)
    return organisation


def test_a_later_suspension_does_not_undo_having_qualified(whole_journey):
    assert _counts(Scope()) == [1, 1, 1, 1, 1, 1]
    assert _counts(Scope(area=area(KENT))) == [1, 1, 1, 1, 1, 1]


def test_invitations_and_bids_count_in_the_areas_they_were_for(whole_journey):
    # The opportunity also has a Surrey lot, but this organisation was neither invited for it nor bid for it.
    assert _counts(Scope(area=area(SURREY))) == [0, 0, 0, 0, 0, 0]
    # The region holds Kent: every step counts there.
    assert _counts(Scope(area=area("K"))) == [1, 1, 1, 1, 1, 1]

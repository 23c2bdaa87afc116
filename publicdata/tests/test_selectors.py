"""The public opportunities groups follow the competition rules at their edges: a competition
leaves "open" at the closing instant exactly, in the list and in its own group alike."""

from __future__ import annotations

import datetime

import pytest

from competitions.models import Award
from competitions.tests.factories import make_bid, make_competition
from publicdata import selectors
from tests.factories import make_user_with_role

pytestmark = pytest.mark.django_db
MICRO = datetime.timedelta(microseconds=1)


def test_a_competition_leaves_open_at_the_closing_instant_in_the_list_and_its_group():
    competition = make_competition(lots=["Kent"])
    closes_at = competition.closes_at
    for now, group in ((closes_at - MICRO, selectors.OPEN), (closes_at, selectors.RECENTLY_CLOSED_GROUP)):
        assert selectors.group_of(competition, now=now) == group
        assert list(selectors.public_opportunities(groups=[group], now=now)) == [competition]
        others = [other for other in selectors.GROUPS if other != group]
        assert not selectors.public_opportunities(groups=others, now=now).exists()


def test_a_planned_competition_is_planned_until_cancelled():
    competition = make_competition(lots=["Kent"], launched=False)
    now = competition.closes_at
    assert selectors.group_of(competition, now=now) == selectors.PLANNED
    assert list(selectors.public_opportunities(groups=[selectors.PLANNED], now=now)) == [competition]
    type(competition).objects.filter(pk=competition.pk).update(abandoned_at=now - MICRO)
    assert not selectors.public_opportunities(now=now).exists()


def test_a_lot_result_is_public_from_the_closing_instant_for_a_published_award_only():
    competition = make_competition(lots=["Kent"])
    lot = competition.lots.get()
    bid = make_bid(competition)
    commissioner = make_user_with_role("commissioner")
    award = Award.objects.create(lot=lot, bid=bid, recommended_by=commissioner)

    def result(now):
        loaded = selectors.published_competition(competition.pk)
        return selectors.opportunity(loaded, now=now).lots[0].result

    closes_at = competition.closes_at
    assert result(closes_at) is None  # recommended, not yet approved
    Award.objects.filter(pk=award.pk).update(approved_at=closes_at, approved_by=make_user_with_role("commissioner"))
    assert result(closes_at - MICRO) is None
    assert result(closes_at).winner == bid.organisation
    assert result(closes_at).bids == 1
    Award.objects.filter(pk=award.pk).update(cancelled_at=closes_at)
    assert result(closes_at) is None

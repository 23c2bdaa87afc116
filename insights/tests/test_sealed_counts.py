"""Bids are sealed until the closing date: insight numbers must not reveal who has bid before it."""

import datetime

import pytest
from django.utils import timezone

from competitions.models import Competition
from competitions.tests.factories import make_bid, make_competition
from insights import floors
from insights.selectors import burden, who_takes_part
from insights.selectors.common import EVERYWHERE

pytestmark = pytest.mark.django_db


def _steps(result) -> dict[str, int]:
    return {row.step: row.all for row in [*result.steps, *result.dropouts]}


def _bid_times_measured() -> int:
    return sum(row.measured for row in burden.burden(scope=EVERYWHERE).time_taken if row.activity.startswith("Bid"))


def test_a_bid_for_an_open_competition_is_not_counted_until_the_closing_date():
    competition = make_competition(lots=["Kent"])
    make_bid(competition)
    make_bid(competition, submitted=False)
    before = who_takes_part.who_takes_part(scope=EVERYWHERE)
    assert before == floors.who_takes_part(scope=EVERYWHERE)
    assert _steps(before)["bid"] == 0
    assert _steps(before)["bid_unsent"] == 0
    assert _bid_times_measured() == 0

    Competition.objects.filter(pk=competition.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    after = who_takes_part.who_takes_part(scope=EVERYWHERE)
    assert after == floors.who_takes_part(scope=EVERYWHERE)
    assert _steps(after)["bid"] == 1
    assert _steps(after)["bid_unsent"] == 1
    assert _bid_times_measured() == 1


def test_a_withdrawn_bid_is_not_a_sent_bid_in_the_time_taken():
    competition = make_competition(lots=["Kent"], closes_in=datetime.timedelta(days=-1))
    make_bid(competition)
    withdrawn = make_bid(competition)
    withdrawn.withdrawn_at = timezone.now() - datetime.timedelta(days=2)
    withdrawn.save(update_fields=["withdrawn_at"])
    assert _bid_times_measured() == 1
    assert burden.burden(scope=EVERYWHERE) == floors.burden(scope=EVERYWHERE)

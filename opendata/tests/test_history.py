"""Releases are snapshots: the competition rules are asked about the row as it stood at each
release's date, so a later event never rewrites an earlier release."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from competitions.models import Award
from competitions.tests.factories import make_bid, make_competition
from opendata import builders, history, selectors
from opendata.tests.factories import DAY, approve, retime, sent_before_close, small_charity

pytestmark = pytest.mark.django_db
MICRO = datetime.timedelta(microseconds=1)


def _releases(competition, now):
    loaded = selectors.ocds_competitions(now=now).get(pk=competition.pk)
    return {tuple(release["tag"]): release for release in builders.competition_releases(loaded, now=now)}


def _awarded_competition():
    competition = retime(make_competition(lots=["Kent"]), launched_days_ago=40, closes_in_days=-30)
    bid = sent_before_close(make_bid(competition, small_charity("Later Cancelled Trust")), competition)
    award = approve(
        competition.lots.get(), bid, approved_at=timezone.now() - 20 * DAY, standstill_ends_at=timezone.now() - 10 * DAY
    )
    return competition, award


def test_a_later_cancellation_leaves_the_earlier_award_releases_as_they_were():
    competition, award = _awarded_competition()
    now = timezone.now()
    before = _releases(competition, now)
    Award.objects.filter(pk=award.pk).update(cancelled_at=now - DAY)
    after = _releases(competition, now)
    assert before[("award",)] == after[("award",)]
    assert after[("award",)]["awards"][0]["status"] == "pending"
    assert after[("awardUpdate",)]["awards"][0]["status"] == "active"
    assert after[("awardCancellation",)]["awards"][0]["status"] == "cancelled"


def test_the_award_is_final_from_the_instant_its_waiting_period_ends():
    competition, award = _awarded_competition()
    loaded = selectors.ocds_competitions(now=timezone.now()).get(pk=competition.pk)
    process = history.Process(loaded, timezone.now())
    lot = process.lots[0]
    ends = award.standstill_ends_at
    assert process.at(ends - MICRO).award_status(lot) == "pending"
    assert process.at(ends).award_status(lot) == "active"
    assert process.at(ends).lot_status(lot) == "complete"


def test_nothing_about_the_award_is_public_before_it_was_approved():
    competition, award = _awarded_competition()
    loaded = selectors.ocds_competitions(now=timezone.now()).get(pk=competition.pk)
    process = history.Process(loaded, timezone.now())
    assert process.at(award.approved_at - MICRO).award_status(process.lots[0]) is None
    assert process.at(award.approved_at).award_status(process.lots[0]) == "pending"

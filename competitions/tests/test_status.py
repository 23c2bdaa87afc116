"""The stage of a competition and its lots, derived from timestamps and the clock."""

import datetime

import pytest
from django.utils import timezone

from competitions.models import Award
from competitions.selectors.status import competition_stage, lot_stage, stage_label, stage_tag
from competitions.tests.factories import make_bid, make_competition
from tests.factories import make_user_with_role

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _approve(lot, bid, *, now, standstill_days=8, challenged=False, resolved=False):
    recommender = make_user_with_role("commissioner")
    approver = make_user_with_role("commissioner")
    return Award.objects.create(
        lot=lot,
        bid=bid,
        recommended_by=recommender,
        recommended_at=now,
        approved_at=now,
        approved_by=approver,
        standstill_ends_at=now + datetime.timedelta(days=standstill_days),
        challenged_at=now if challenged else None,
        challenge_resolved_at=now if resolved else None,
    )


def test_draft_then_planned():
    competition = make_competition(launched=False)
    competition.planned_at = None
    competition.save()
    assert competition_stage(competition) == "draft"
    competition.planned_at = timezone.now()
    assert competition_stage(competition) == "planned"
    assert lot_stage(competition.lots.first()) == "planned"


def test_open_until_the_closing_instant_then_being_scored():
    competition = make_competition()
    closes = competition.closes_at
    assert competition_stage(competition, now=closes - datetime.timedelta(seconds=1)) == "open"
    assert competition_stage(competition, now=closes) == "evaluation"
    assert stage_label(competition_stage(competition, now=closes)) == "Being scored"


def test_open_by_the_database_clock_by_default():
    assert competition_stage(make_competition()) == "open"
    assert competition_stage(make_competition(closes_in=-DAY)) == "evaluation"


def test_recommended_but_not_approved_is_still_being_scored():
    competition = make_competition(closes_in=-DAY)
    lot = competition.lots.first()
    Award.objects.create(lot=lot, bid=make_bid(competition), recommended_by=make_user_with_role("commissioner"))
    assert lot_stage(lot, timezone.now()) == "evaluation"
    assert competition_stage(competition, now=timezone.now()) == "evaluation"


def test_standstill_then_awarded_when_every_live_lot_has_ended_its_waiting_period():
    competition = make_competition(lots=["Kent", "Surrey"], closes_in=-DAY)
    kent, surrey = competition.lots.all()
    bid = make_bid(competition)
    now = timezone.now()
    _approve(kent, bid, now=now)
    # Surrey still being scored, Kent in its waiting period.
    assert lot_stage(kent, now) == "standstill"
    assert lot_stage(surrey, now) == "evaluation"
    assert competition_stage(competition, now=now) == "standstill"
    _approve(surrey, bid, now=now)
    assert competition_stage(competition, now=now + 7 * DAY) == "standstill"
    assert competition_stage(competition, now=now + 9 * DAY) == "awarded"
    assert stage_tag("awarded")["text"] == "Awarded"


def test_an_unresolved_challenge_pauses_the_award():
    competition = make_competition(lots=["Kent"], closes_in=-DAY)
    lot = competition.lots.get()
    now = timezone.now()
    award = _approve(lot, make_bid(competition), now=now, challenged=True)
    later = now + 30 * DAY
    assert lot_stage(lot, later) == "challenged"
    assert competition_stage(competition, now=later) == "standstill"
    award.challenge_resolved_at = now + DAY
    award.save()
    lot.refresh_from_db()
    assert competition_stage(competition, now=later) == "awarded"


def test_a_direct_award_is_awarded_and_abandoned_lots_are_left_out():
    competition = make_competition(lots=["Kent", "Surrey"], closes_in=-DAY)
    kent, surrey = competition.lots.all()
    now = timezone.now()
    surrey.abandoned_at = now
    surrey.save()
    Award.objects.create(
        lot=kent,
        direct_organisation=make_bid(competition).organisation,
        direct_justification="No compliant bid",
        recommended_by=make_user_with_role("commissioner"),
    )
    assert lot_stage(surrey, now) == "abandoned"
    assert competition_stage(competition, now=now) == "awarded"


def test_abandoned_competition_and_every_lot_abandoned():
    competition = make_competition()
    competition.abandoned_at = timezone.now()
    assert competition_stage(competition) == "abandoned"
    assert stage_label("abandoned") == "Cancelled"

    other = make_competition(lots=["Kent"], closes_in=-DAY)
    other.lots.update(abandoned_at=timezone.now())
    assert competition_stage(other) == "abandoned"

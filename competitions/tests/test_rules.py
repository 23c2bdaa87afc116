"""Each competition rule gives the same answer in Python as in the database, at its edges.

The timestamps are drawn from a handful of instants around `now` — a microsecond before, exactly
at, a microsecond after, a day either side — and NULL, so every boundary (`closes_at == now`
above all) is tried on both sides, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competitions import rules
from competitions.models import Award, Bid, Competition
from competitions.tests.factories import make_bid, make_competition
from core.rules import Rule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)
MICRO = datetime.timedelta(microseconds=1)
DAY = datetime.timedelta(days=1)
instants = st.sampled_from([None, NOW - DAY, NOW - MICRO, NOW, NOW + MICRO, NOW + DAY])
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def in_sql(model, obj, rule: Rule, **kwargs) -> bool:
    return model.objects.filter(pk=obj.pk).filter(rule.q(now=NOW, **kwargs)).exists()


@pytest.fixture
def competition():
    return make_competition()


@EXAMPLES
@given(launched=instants, closes=instants, abandoned=instants, planned=instants, questions_until=instants)
def test_competition_rules_agree_in_python_and_sql(competition, launched, closes, abandoned, planned, questions_until):
    if launched is not None and closes is None:
        closes = NOW  # a database constraint: a launched competition has a closing date
    Competition.objects.filter(pk=competition.pk).update(
        launched_at=launched,
        closes_at=closes,
        abandoned_at=abandoned,
        planned_at=planned,
        clarification_deadline=questions_until,
    )
    competition.refresh_from_db()
    for rule in (
        rules.BIDDING_CLOSED,
        rules.BIDDING_OPEN,
        rules.PLANNED,
        rules.LATE_INVITATIONS_OPEN,
        rules.ANNOUNCED,
        rules.OPEN_OR_PLANNED,
    ):
        assert rule.holds(competition, now=NOW) == in_sql(Competition, competition, rule), rule


@EXAMPLES
@given(launched=instants, planned=instants, abandoned=instants)
def test_made_public_agrees_in_python_and_sql(competition, launched, planned, abandoned):
    Competition.objects.filter(pk=competition.pk).update(
        launched_at=launched, closes_at=NOW, planned_at=planned, abandoned_at=abandoned
    )
    competition.refresh_from_db()
    assert competition.is_public == Competition.objects.public().filter(pk=competition.pk).exists()
    assert competition.is_public == (launched is not None or planned is not None)


def test_bidding_closes_at_the_closing_instant_exactly(competition):
    Competition.objects.filter(pk=competition.pk).update(closes_at=NOW)
    competition.refresh_from_db()
    assert not competition.is_bidding_closed(now=NOW - MICRO)
    assert competition.is_bidding_open(now=NOW - MICRO)
    assert competition.is_bidding_closed(now=NOW)
    assert not competition.is_bidding_open(now=NOW)
    assert list(Competition.objects.bidding_closed(now=NOW)) == [competition]
    assert not Competition.objects.bidding_closed(now=NOW - MICRO).exists()
    assert list(Competition.objects.bidding_open(now=NOW - MICRO)) == [competition]
    assert not Competition.objects.bidding_open(now=NOW).exists()


def test_open_or_planned_ends_at_the_closing_instant_and_never_holds_once_cancelled(competition):
    Competition.objects.filter(pk=competition.pk).update(closes_at=NOW, planned_at=NOW - DAY)
    competition.refresh_from_db()
    assert competition.is_open_or_planned(now=NOW - MICRO)
    assert not competition.is_open_or_planned(now=NOW)
    assert list(Competition.objects.open_or_planned(now=NOW - MICRO)) == [competition]
    assert not Competition.objects.open_or_planned(now=NOW).exists()
    assert competition.is_announced  # closed, but still announced: its figures stay public

    Competition.objects.filter(pk=competition.pk).update(launched_at=None, closes_at=None)
    competition.refresh_from_db()
    assert competition.is_open_or_planned(now=NOW)  # planned: no closing date yet
    Competition.objects.filter(pk=competition.pk).update(abandoned_at=NOW)
    competition.refresh_from_db()
    assert not competition.is_open_or_planned(now=NOW)
    assert not competition.is_announced
    assert not Competition.objects.announced().exists()
    assert not Competition.objects.open_or_planned(now=NOW).exists()


@EXAMPLES
@given(submitted=instants, withdrawn=instants, closes=instants)
def test_bid_rules_agree_in_python_and_sql(competition, submitted, withdrawn, closes):
    bid = Bid.objects.filter(competition=competition).first() or make_bid(competition)
    Competition.objects.filter(pk=competition.pk).update(closes_at=closes or NOW)
    Bid.objects.filter(pk=bid.pk).update(submitted_at=submitted, withdrawn_at=withdrawn)
    bid = Bid.objects.select_related("competition").get(pk=bid.pk)
    assert rules.SENT.holds(bid) == Bid.objects.sent().filter(pk=bid.pk).exists()
    assert bid.is_sent_and_closed(now=NOW) == Bid.objects.sent_and_closed(now=NOW).filter(pk=bid.pk).exists()


@pytest.fixture
def award(competition):
    return Award.objects.create(
        lot=competition.lots.first(), bid=make_bid(competition), recommended_by=UserFactory(), recommended_at=NOW - DAY
    )


@EXAMPLES
@given(
    approved=instants,
    standstill=instants,
    challenged=instants,
    resolved=instants,
    cancelled=instants,
    direct=st.booleans(),
)
def test_award_rules_agree_in_python_and_sql(award, approved, standstill, challenged, resolved, cancelled, direct):
    bid = Bid.objects.filter(competition=award.lot.competition).first()
    winner = (
        {"bid": None, "direct_organisation": bid.organisation} if direct else {"bid": bid, "direct_organisation": None}
    )
    Award.objects.filter(pk=award.pk).update(
        approved_at=approved,
        standstill_ends_at=standstill,
        challenged_at=challenged,
        challenge_resolved_at=resolved,
        cancelled_at=cancelled,
        **winner,
    )
    award.refresh_from_db()
    for rule in (rules.AWARD_FINAL, rules.AWARD_PUBLISHED):
        assert rule.holds(award, now=NOW) == in_sql(Award, award, rule), rule


def test_an_award_is_final_from_the_end_of_its_waiting_period_exactly(competition):
    award = Award.objects.create(
        lot=competition.lots.first(),
        bid=make_bid(competition),
        recommended_by=UserFactory(),
        approved_at=NOW - DAY,
        approved_by=UserFactory(),
        standstill_ends_at=NOW,
    )
    assert not award.is_final(now=NOW - MICRO)
    assert award.is_final(now=NOW)
    assert not Award.objects.final(now=NOW - MICRO).exists()
    assert list(Award.objects.final(now=NOW)) == [award]


def test_a_prefixed_rule_filters_through_a_relation(competition):
    Competition.objects.filter(pk=competition.pk).update(closes_at=NOW)
    bid = make_bid(competition)
    Bid.objects.filter(pk=bid.pk).update(submitted_at=NOW - DAY)
    closed = rules.BIDDING_CLOSED.q(prefix="competition__", now=NOW)
    assert list(Bid.objects.filter(closed)) == [bid]
    assert not Bid.objects.filter(rules.BIDDING_CLOSED.q(prefix="competition__", now=NOW - MICRO)).exists()


def test_a_rule_refuses_what_it_cannot_evaluate_the_same_way(competition):
    many = Rule("reverse relation", lambda now: Q(bids__isnull=True))
    with pytest.raises(ValueError, match="forward relations"):
        many.holds(competition, now=NOW)

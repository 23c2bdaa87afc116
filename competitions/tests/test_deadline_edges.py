"""The closing date, tested at its exact instant by the database clock: a bid may be started,
changed, sent and withdrawn up to one microsecond before it and not at it; from that instant on
(and not a microsecond before) the competition team may read sent bids."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from competitions.models import Bid, Competition
from competitions.permissions import can_bid, can_read_bid
from competitions.selectors.bids import bids_readable_by
from competitions.selectors.status import OPEN, competition_stage
from competitions.services import bids as svc
from competitions.services.evaluation import conflict_declare
from competitions.tests.factories import invite, make_competition
from competitions.tests.test_bid_services import fill
from tests.clock import database_clock_at
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db

CLOSES = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)
JUST_BEFORE = CLOSES - datetime.timedelta(microseconds=1)


@pytest.fixture
def competition():
    competition = make_competition(evaluators=2)
    Competition.objects.filter(pk=competition.pk).update(closes_at=CLOSES)
    competition.refresh_from_db()
    return competition


@pytest.fixture
def bidder(competition):
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    return user


@pytest.fixture
def ready_bid(competition, bidder, monkeypatch):
    database_clock_at(monkeypatch, JUST_BEFORE)
    return fill(svc.bid_start(competition=competition, user=bidder), bidder)


def test_a_bid_is_sent_a_microsecond_before_the_closing_instant(ready_bid, bidder, monkeypatch):
    database_clock_at(monkeypatch, JUST_BEFORE)
    receipt = svc.bid_submit(bid=ready_bid, user=bidder)
    assert receipt.at == JUST_BEFORE
    assert Bid.objects.get(pk=ready_bid.pk).is_sent
    # The record and the decision agree on the time: the audit event has the instant the deadline
    # was checked against, not the web server's clock a moment later.
    event = AuditEvent.objects.get(action="bid.submitted", object_id=str(ready_bid.pk))
    assert event.occurred_at == JUST_BEFORE


def test_a_bid_is_refused_at_the_closing_instant(ready_bid, bidder, monkeypatch):
    database_clock_at(monkeypatch, CLOSES)
    with pytest.raises(svc.BidClosed):
        svc.bid_submit(bid=ready_bid, user=bidder)
    assert not Bid.objects.get(pk=ready_bid.pk).is_sent


def test_a_bid_is_withdrawn_up_to_the_closing_instant_and_not_at_it(ready_bid, bidder, monkeypatch):
    database_clock_at(monkeypatch, JUST_BEFORE)
    svc.bid_submit(bid=ready_bid, user=bidder)
    svc.bid_withdraw(bid=ready_bid, user=bidder)
    svc.bid_submit(bid=ready_bid, user=bidder)
    database_clock_at(monkeypatch, CLOSES)
    with pytest.raises(svc.BidClosed):
        svc.bid_withdraw(bid=ready_bid, user=bidder)
    assert Bid.objects.get(pk=ready_bid.pk).is_sent


@pytest.mark.parametrize(("instant", "refused"), [(JUST_BEFORE, False), (CLOSES, True)], ids=["just-before", "at"])
def test_starting_and_changing_a_bid_stop_at_the_closing_instant(competition, bidder, monkeypatch, instant, refused):
    database_clock_at(monkeypatch, JUST_BEFORE)
    bid = svc.bid_start(competition=competition, user=bidder)
    database_clock_at(monkeypatch, instant)
    colleague = make_provider_user(organisation=bid.organisation, is_admin=False)
    lot_ids = [competition.lots.first().pk]
    assert can_bid(bidder, competition) is not refused
    if refused:
        with pytest.raises(ValidationError):
            svc.bid_lots_set(bid=bid, user=bidder, lot_ids=lot_ids)
        with pytest.raises(svc.BidClosed):
            svc.bid_start(competition=competition, user=colleague)
    else:
        svc.bid_lots_set(bid=bid, user=bidder, lot_ids=lot_ids)
        assert svc.bid_start(competition=competition, user=colleague) == bid


def test_the_team_reads_sent_bids_from_the_closing_instant_not_before(competition, ready_bid, bidder, monkeypatch):
    svc.bid_submit(bid=ready_bid, user=bidder)
    bid = Bid.objects.get(pk=ready_bid.pk)
    commissioner = competition.members.get(role="commissioner").user
    evaluator = competition.members.filter(role="evaluator").first().user

    database_clock_at(monkeypatch, JUST_BEFORE)
    assert competition_stage(competition) == OPEN
    assert not can_read_bid(commissioner, bid)
    assert bid not in bids_readable_by(commissioner, competition)
    with pytest.raises(PermissionDenied):
        conflict_declare(bid=bid, evaluator=evaluator, has_conflict=False)

    database_clock_at(monkeypatch, CLOSES)
    assert competition_stage(competition) != OPEN
    assert can_read_bid(commissioner, bid)
    assert list(bids_readable_by(commissioner, competition)) == [bid]
    assert svc.bid_open_for_reading(bid=bid, user=commissioner)["answers"]
    assert not can_read_bid(evaluator, bid)  # not before declaring no conflict
    conflict_declare(bid=bid, evaluator=evaluator, has_conflict=False)
    assert can_read_bid(evaluator, bid)
    assert list(bids_readable_by(evaluator, competition)) == [bid]

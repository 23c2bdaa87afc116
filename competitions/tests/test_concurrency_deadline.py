"""Many bids racing the closing date. On PostgreSQL, 20 threads (20 organisations) submit at
moments spread around a deadline about one second ahead; on SQLite (one writer at a time) the
same submissions run one after another at the same moments. Either way: every submission is
either accepted with submitted_at before the closing date or refused as late; none is lost and
none is accepted late."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection

from competitions.models import Bid, BidReceipt
from competitions.services import bids as svc
from competitions.tests.factories import make_bid, make_competition
from core.clock import db_now

BIDDERS = 20
SPREAD_SECONDS = 2.0
DEADLINE_AFTER = datetime.timedelta(seconds=1)


def _race(submit, bids: list[Bid], delays: list[float]) -> None:
    """PostgreSQL: each submit in its own thread and connection, really at once. SQLite has one
    writer at a time, so there they go one after another at the same moments."""
    if connection.vendor != "postgresql":
        for bid, delay in zip(bids, delays, strict=True):
            submit(bid, delay)
        return
    threads = [
        threading.Thread(target=submit, args=(bid, delay), kwargs={"own_connection": True})
        for bid, delay in zip(bids, delays, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


@pytest.mark.django_db(transaction=True)
def test_submissions_racing_the_deadline_are_accepted_on_time_or_refused_never_lost():
    competition = make_competition(lots=["Kent"])
    bids = []
    for _ in range(BIDDERS):
        bid = make_bid(competition, submitted=False)
        bid.declarations_confirmed_at = bid.started_at
        bid.save(update_fields=["declarations_confirmed_at"])
        bids.append(bid)
    competition.closes_at = db_now() + DEADLINE_AFTER
    competition.save(update_fields=["closes_at"])
    closes_at = competition.closes_at

    outcomes: dict[int, str] = {}
    errors: list[BaseException] = []
    start = time.monotonic() + 0.2
    delays = [SPREAD_SECONDS * index / (BIDDERS - 1) for index in range(BIDDERS)]

    def submit(bid: Bid, delay: float, *, own_connection: bool = False) -> None:
        try:
            time.sleep(max(0.0, start + delay - time.monotonic()))
            try:
                svc.bid_submit(bid=bid, user=bid.started_by)
            except svc.BidClosed:
                outcomes[bid.pk] = "late"
            else:
                outcomes[bid.pk] = "accepted"
        except BaseException as exc:  # noqa: BLE001 - reported below, the test fails on any
            errors.append(exc)
        finally:
            if own_connection:
                connection.close()

    _race(submit, bids, delays)

    assert not errors, errors
    assert len(outcomes) == BIDDERS  # none lost
    accepted = [pk for pk, outcome in outcomes.items() if outcome == "accepted"]
    late = [pk for pk, outcome in outcomes.items() if outcome == "late"]
    # The race really straddled the deadline.
    assert accepted and late
    for bid in Bid.objects.filter(pk__in=accepted):
        assert bid.is_sent
        assert bid.submitted_at < closes_at
        assert BidReceipt.objects.filter(bid=bid, kind="submitted").count() == 1
    for bid in Bid.objects.filter(pk__in=late):
        assert bid.submitted_at is None
        assert not BidReceipt.objects.filter(bid=bid).exists()
    # Nothing at all was accepted at or after the deadline.
    assert not Bid.objects.filter(competition=competition, submitted_at__gte=closes_at).exists()

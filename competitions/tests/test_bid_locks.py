"""On PostgreSQL, bid writes hold their competition with a shared row lock: bidders for the same
competition do not wait for each other, while a change to the competition itself (cancelling,
which takes it FOR UPDATE) still waits for every bid write in progress. SQLite has no row locks
(one writing transaction at a time), so there is nothing to show there."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from competitions.models import Bid, Competition
from competitions.services import bids as svc
from competitions.tests.factories import make_bid, make_competition

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks exist only on PostgreSQL")


def _ready_bid(competition) -> Bid:
    bid = make_bid(competition, submitted=False)
    bid.declarations_confirmed_at = bid.started_at
    bid.save(update_fields=["declarations_confirmed_at"])
    return bid


@pytest.mark.django_db(transaction=True)
def test_a_bid_write_in_progress_blocks_cancelling_but_not_another_bidder():
    competition = make_competition(lots=["Kent"])
    first, second = _ready_bid(competition), _ready_bid(competition)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def write_in_progress() -> None:
        try:
            with transaction.atomic():
                svc._lock_bid(bid=first, user=first.started_by)
                holding.set()
                release.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=write_in_progress)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            # Another bidder sends its bid while the first write is still open.
            svc.bid_submit(bid=second, user=second.started_by)
        with pytest.raises(DatabaseError), transaction.atomic():
            # What cancelling does first: it cannot have the competition until the write ends.
            Competition.objects.select_for_update(nowait=True).get(pk=competition.pk)
    finally:
        release.set()
        thread.join(timeout=30)
    assert not errors, errors
    second.refresh_from_db()
    assert second.is_sent

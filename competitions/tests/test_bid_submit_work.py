"""How much a bid submit does while it holds its locks: the same number of queries for one lot as
for four, and no re-reading of rows it has already locked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competitions.services import bids as svc
from competitions.tests.factories import invite, make_competition
from competitions.tests.test_bid_services import fill
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


def _submit_queries(lots: list[str]) -> list[str]:
    competition = make_competition(lots=lots)
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    bid = fill(svc.bid_start(competition=competition, user=user), user)
    with CaptureQueriesContext(connection) as context:
        svc.bid_submit(bid=bid, user=user)
    return [query["sql"] for query in context.captured_queries]


def test_a_four_lot_submit_runs_the_queries_of_a_one_lot_submit():
    one = _submit_queries(["Kent"])
    four = _submit_queries(["Kent", "Surrey", "Sussex", "Thames Valley"])
    print(len(one), len(four))
    for q in four:
        print(q[:150])
    assert len(four) == len(one)

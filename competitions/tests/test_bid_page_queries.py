"""What the pages of the deadline rush cost in queries (issue 10): the check page, the send, the
withdraw page, the withdrawal and the task list run the same number of queries for a bid of one
lot as for one of four, with every answer and price filled in, and no more than a fixed number."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competitions.services import bids as svc
from competitions.tests.factories import invite, make_competition
from competitions.tests.test_bid_services import fill
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db

# Reached by the bench's deadline rush in this order: open the check page, send, open the withdraw
# page, withdraw. The task list is the bid's own page ("a 4-lot bid" in the bench's pages).
STEPS = [
    ("get", "bid-check", 200),
    ("post", "bid-check", 302),
    ("get", "bid-withdraw", 200),
    ("post", "bid-withdraw", 302),
    ("get", "bid", 200),
]
# The most each may run (on PostgreSQL the audit chain's advisory lock is one more for a write):
# the session, the person with their organisation, the competition, the invitation and the bid
# before any page; then the page's own.
MOST = {"get bid-check": 13, "post bid-check": 21, "get bid-withdraw": 6, "post bid-withdraw": 14, "get bid": 14}


def _counts(client, lots: list[str]) -> dict[str, int]:
    competition = make_competition(lots=lots)
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    fill(svc.bid_start(competition=competition, user=user), user)
    client.force_login(user)
    counts = {}
    for method, name, status in STEPS:
        address = reverse(f"competitions:{name}", kwargs={"competition_id": competition.pk})
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(address)
        assert response.status_code == status, (method, name, response.status_code)
        counts[f"{method} {name}"] = len(queries)
    return counts


def test_the_rush_pages_run_as_many_queries_for_four_lots_as_for_one(client):
    one = _counts(client, ["Kent"])
    four = _counts(client, ["Kent", "Surrey", "Sussex", "Thames Valley"])
    assert four == one


@pytest.mark.parametrize(("method", "name", "status"), STEPS)
def test_each_rush_page_runs_no_more_than_its_queries(client, django_assert_max_num_queries, method, name, status):
    competition = make_competition(lots=["Kent", "Surrey", "Sussex", "Thames Valley"])
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    fill(svc.bid_start(competition=competition, user=user), user)
    client.force_login(user)
    check = reverse("competitions:bid-check", kwargs={"competition_id": competition.pk})
    if name == "bid-withdraw":
        client.post(check)  # sent, so there is something to withdraw
    address = reverse(f"competitions:{name}", kwargs={"competition_id": competition.pk})
    most = MOST[f"{method} {name}"] + (connection.vendor == "postgresql" and method == "post")
    with django_assert_max_num_queries(most):
        response = getattr(client, method)(address)
    assert response.status_code == status

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
    assert len(four) == len(one)


def _reads_of(queries: list[str], table: str) -> int:
    return sum(1 for sql in queries if sql.startswith("SELECT") and f'FROM "{table}"' in sql)


def test_a_submit_reads_each_of_the_bids_rows_once():
    """What is missing and what is sent come from one reading of the answers, prices, partners and
    lots (each sealed value decrypted once); the competition and the bidder's organisation are not
    read again after the locks."""
    queries = _submit_queries(["Kent", "Surrey", "Sussex", "Thames Valley"])
    for table in (
        "competitions_bidlot",
        "competitions_bidprice",
        "competitions_bidanswer",
        "competitions_bidpartner",
        "competitions_biddocument",
        "competitions_lotyear",
        "competitions_question",
        "competitions_competition",
    ):
        assert _reads_of(queries, table) == 1, table
    assert _reads_of(queries, "accounts_organisation") == 0
    # 23 before this reading was shared, 18 before the audit event stopped taking a savepoint of
    # its own; PostgreSQL adds the audit chain's advisory lock.
    assert len(queries) == 16 + (connection.vendor == "postgresql")

"""The release pages run the same number of queries however many competitions, bids and awards
there are (the prefetches in `opendata.selectors`), and read a bid's sealed copy only to check it
against what was sent (ADR 7), never to build a release."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendata.tests.factories import make_stages

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


@pytest.mark.parametrize("url", ["/api/v1/ocds/releases", "/open-data/ocds-releases.json"])
def test_release_queries_do_not_grow_with_the_data(client, url):
    make_stages()
    small = _queries(client, url)
    make_stages()
    make_stages()
    assert len(_queries(client, url)) == len(small)


def test_the_sealed_copy_of_a_bid_is_read_once_to_check_it_and_never_to_build_releases(client):
    make_stages()
    queries = _queries(client, "/api/v1/ocds/releases")
    assert any('"competitions_bid"' in sql for sql in queries)
    reading_the_copy = [sql for sql in queries if "submitted_content" in sql]
    # The integrity check's one query (`bids_integrity_problems`: ids and copies, nothing else).
    assert len(reading_the_copy) == 1
    selected = reading_the_copy[0].split(" FROM ")[0]
    assert selected.count('"competitions_bid".') == 2, selected

"""The release pages run the same number of queries however many competitions, bids and awards
there are (the prefetches in `opendata.selectors`), and never read a bid's sealed copy."""

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


def test_the_sealed_copy_of_a_bid_is_never_read_for_open_data(client):
    make_stages()
    queries = _queries(client, "/api/v1/ocds/releases")
    assert any('"competitions_bid"' in sql for sql in queries)
    assert not any("submitted_content" in sql for sql in queries)

"""The public opportunities page a page at a time: every group in order across pages, each said
once, and the same number of queries however many opportunities there are."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competitions.tests.factories import make_bid, make_competition
from publicdata.tests.factories import award_lot, make_closed_competition
from publicdata.views import PER_PAGE

pytestmark = pytest.mark.django_db


def _titled(competition, title: str):
    competition.title = title
    competition.save(update_fields=["title"])
    return competition


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="govuk-summary-card__title"><a class="govuk-link" href="[^"]+">([^<]+)</a>', html)


def test_groups_run_on_across_pages_in_order_each_said_once(client):
    for number in range(PER_PAGE + 2):
        _titled(make_competition(), f"Open {number:02d}")
    _titled(make_closed_competition(days_ago=30), "Closed recently")
    first = client.get("/public/opportunities/").content.decode()
    second = client.get("/public/opportunities/?page=2").content.decode()
    assert len(_titles(first)) == PER_PAGE and _titles(second)[-1] == "Closed recently"
    assert _titles(first) + _titles(second) == [
        *sorted(t for t in _titles(first + second) if t.startswith("Open")),
        "Closed recently",
    ]
    assert f'id="open">Open for bids ({PER_PAGE + 2})' in first and "continued" not in first
    assert f"Open for bids ({PER_PAGE + 2}), continued" in second and 'id="open"' not in second
    # No planned opportunities: said once, where the planned ones would have started.
    assert "There are no planned opportunities." in second and "There are no planned" not in first
    assert 'id="recently_closed">Closed in the last 12 months (1)' in second
    assert 'class="govuk-pagination"' in first and 'href="/public/opportunities/?page=2"' in first
    assert client.get("/public/opportunities/?page=3").status_code == 404
    assert client.get("/public/opportunities/?page=nope").status_code == 404


def test_the_page_number_keeps_the_filters(client):
    for number in range(PER_PAGE + 1):
        _titled(make_competition(), f"Open {number:02d}")
    service_type = make_competition().service_type
    page = client.get(f"/public/opportunities/?service_type={service_type.pk}").content.decode()
    assert f"service_type={service_type.pk}&amp;page=2" in page


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get("/public/opportunities/")
    assert response.status_code == 200
    return len(context.captured_queries)


def test_queries_do_not_grow_with_the_opportunities(client):
    def some():
        make_competition(lots=["Kent", "Surrey"])
        make_competition(launched=False)
        closed = make_closed_competition(days_ago=30)
        lot = closed.lots.first()
        award_lot(lot, make_bid(closed, lots=[lot]))

    some()
    one = _queries(client)
    for _ in range(3):
        some()
    assert _queries(client) == one

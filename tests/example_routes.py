"""Example tests for the route coverage guard, run on purpose by its own test (tests/test_route_coverage.py)
as if they were the whole suite. The file name does not match `test_*.py`, so the suite does not collect them."""

import pytest

pytestmark = pytest.mark.django_db


def test_requests_the_help_page(client):
    assert client.get("/help/").status_code == 200


def test_requests_the_accessibility_statement(client):
    assert client.get("/accessibility/").status_code == 200

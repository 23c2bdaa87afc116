"""The public JSON API: paginated, in the OpenAPI document, and a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competitions.tests.factories import make_bid, make_competition
from publicdata.tests.factories import award_lot, make_closed_competition, make_contract
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def _awarded_competition():
    competition = make_closed_competition(days_ago=30)
    for lot in competition.lots.all():
        award_lot(lot, make_bid(competition, lots=[lot]))
    return competition


def test_contracts_api_queries_do_not_grow_with_rows(client):
    make_contract(partners=[(OrganisationFactory(), "subcontractor", Decimal("10"))], funding=[("PCC", Decimal("5"))])
    make_contract()
    few = _queries(client, "/api/v1/public/contracts")
    for _ in range(4):
        make_contract(partners=[("Helpers", "subcontractor", Decimal("10"))], funding=[("PCC", Decimal("5"))])
    assert client.get("/api/v1/public/contracts").json()["count"] == 6
    assert _queries(client, "/api/v1/public/contracts") == few
    # The same for the register page and the CSV download.
    page_queries = _queries(client, "/public/contracts/")
    make_contract()
    assert _queries(client, "/public/contracts/") == page_queries


def test_opportunities_api_queries_do_not_grow_with_rows(client):
    _awarded_competition()
    make_competition()
    few = _queries(client, "/api/v1/public/opportunities")
    _awarded_competition()
    make_competition()
    make_competition(launched=False)
    assert client.get("/api/v1/public/opportunities").json()["count"] == 5
    assert _queries(client, "/api/v1/public/opportunities") == few
    page_queries = _queries(client, "/public/opportunities/")
    _awarded_competition()
    assert _queries(client, "/public/opportunities/") == page_queries


def test_api_paginates_and_filters_opportunities(client):
    for _ in range(3):
        make_competition()
    planned = make_competition(launched=False)
    body = client.get("/api/v1/public/opportunities?limit=2&offset=0").json()
    assert body["count"] == 4 and len(body["items"]) == 2
    assert len(client.get("/api/v1/public/opportunities?limit=2&offset=2").json()["items"]) == 2
    body = client.get("/api/v1/public/opportunities?group=planned").json()
    assert [item["id"] for item in body["items"]] == [planned.pk]
    assert client.get("/api/v1/public/opportunities?group=secret").status_code == 400
    assert client.get("/api/v1/public/opportunities?region=D").json()["count"] == 0
    assert client.get("/api/v1/public/opportunities?service_type=nonsense").status_code == 400
    item = client.get("/api/v1/public/opportunities?group=open").json()["items"][0]
    assert item["lots"][0]["years"][0] == {"financial_year": 2027, "value": "400000.00", "volume": 150}


def test_public_endpoints_are_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/public/opportunities", "/api/v1/public/contracts"):
        operation = schema["paths"][path]["get"]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"limit", "offset"} <= names
        assert not operation.get("security")
    contract_params = {p["name"] for p in schema["paths"]["/api/v1/public/contracts"]["get"]["parameters"]}
    assert {"service_type", "category", "region", "pcc_area", "local_authority", "provider"} <= contract_params
    assert {"organisation_type", "size", "financial_year"} <= contract_params

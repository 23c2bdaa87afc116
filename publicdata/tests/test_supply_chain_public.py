"""The public contracts register shows each contract's partners' committed and delivered shares,
at a cost in queries that does not grow with the number of contracts."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.selectors import payment_periods, terms_in_force
from contracts.services_supply_chain import partner_payment_record
from contracts.tests.payments_world import live_contract_world
from contracts.tests.test_supply_chain import _prime_paid, add_partners
from publicdata.tests.factories import make_contract

pytestmark = pytest.mark.django_db


def test_register_and_contract_page_show_committed_and_delivered_shares(client):
    world = live_contract_world()
    contract = world["contract"]
    partners = add_partners(contract)
    periods = payment_periods(contract, terms_in_force(contract))
    _prime_paid(world, periods[0], amount="20000")
    partner_payment_record(
        contract=contract,
        partner=partners[0],
        period_start=periods[0][0],
        amount=Decimal("5000"),
        paid_on=periods[0][1] + datetime.timedelta(days=12),
        note="",
        actor=world["provider"],
    )
    page = client.get("/public/contracts/").content.decode()
    assert "Partners&#39; share: committed" in page or "Partners' share: committed" in page
    row = page[page.index(contract.title) :]
    row = row[: row.index("</tr>")]
    assert "40%" in row and "25%" in row
    detail = client.get(f"/public/contracts/{contract.pk}/").content.decode()
    assert "25% of £20,000" in detail
    # No people: the person who recorded the payment is not named.
    assert world["provider"].email not in page + detail

    # The CSV download and the JSON API carry the same figures.
    text = b"".join(client.get("/public/contracts/download.csv").streaming_content).decode("utf-8-sig")
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["Contract ID"] == str(contract.pk)]
    assert {row["Partners' committed share of the work (%)"] for row in rows} == {"40.00"}
    assert {row["Partners' delivered share (%)"] for row in rows} == {"25.0"}
    api = client.get("/api/v1/public/contracts").json()["items"]
    item = next(item for item in api if item["id"] == contract.pk)
    assert Decimal(item["partners_committed_share_percent"]) == Decimal("40")
    assert Decimal(item["partners_delivered_share_percent"]) == Decimal("25")
    assert world["provider"].email not in text + json.dumps(api)


def test_with_no_partners_and_nothing_paid_the_committed_share_is_0_and_the_delivered_share_blank(client):
    contract = make_contract(title="No partners yet")
    text = b"".join(client.get("/public/contracts/download.csv").streaming_content).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["Partners' committed share of the work (%)"] == "0.00" and row["Partners' delivered share (%)"] == ""
    item = client.get("/api/v1/public/contracts").json()["items"][0]
    assert item["id"] == contract.pk
    assert Decimal(item["partners_committed_share_percent"]) == 0 and item["partners_delivered_share_percent"] is None


def test_the_register_costs_the_same_queries_for_more_contracts(client):
    make_contract(title="The first")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/public/contracts/").status_code == 200
    for number in range(4):
        make_contract(title=f"Another {number}")
    with CaptureQueriesContext(connection) as five:
        page = client.get("/public/contracts/").content.decode()
    assert "Another 3" in page
    assert len(five) == len(one)


@pytest.mark.parametrize("path", ["/public/contracts/download.csv", "/api/v1/public/contracts"])
def test_the_csv_and_the_api_cost_the_same_queries_for_more_contracts(client, path):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        assert response.status_code == 200
        return len(captured)

    make_contract(title="The first")
    one = queries()
    for number in range(4):
        make_contract(title=f"Another {number}")
    assert queries() == one

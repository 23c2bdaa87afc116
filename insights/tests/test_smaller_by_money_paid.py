"""Work for smaller providers read by money actually paid: the selector equals its SQL floor, the
figures add up to the claims and partner payments, the page offers the choice with the chart's
numbers in a table, and the downloads and API follow it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from contracts.models import PartnerPayment, PaymentClaim
from demo.national import generate_national_data
from insights import floors
from insights.scope import Scope
from insights.selectors.smaller_providers import PAID, smaller_providers
from reference.models import Area

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def world():
    generate_national_data(scale=0.05, seed=7, today=TODAY)
    assert PartnerPayment.objects.exists()


def _all(data, who="all"):
    return [r for r in data.rows if r.who == who]


def test_selector_equals_floor_by_money_paid(world):
    from core.clock import financial_year_of

    first_region = Area.objects.filter(level="region").order_by("code").first()
    # A year with money paid in it, so the year filter is tried on real rows.
    busy = financial_year_of(PartnerPayment.objects.order_by("-paid_on").values_list("paid_on", flat=True)[0])
    in_year = smaller_providers(scope=Scope(financial_year=busy), measure=PAID)
    assert any(r.subcontract_value for r in in_year.rows) and any(r.contract_value for r in in_year.rows)
    assert in_year == floors.smaller_providers(scope=Scope(financial_year=busy), measure=PAID)
    for scope in (
        Scope(),
        Scope(area=Area.objects.get(code="K")),
        Scope(area=first_region),
        Scope(financial_year=2025),
        Scope(financial_year=2026),
    ):
        assert smaller_providers(scope=scope, measure=PAID) == floors.smaller_providers(scope=scope, measure=PAID)
    for level in ("region", "pcc_area", "local_authority"):
        assert smaller_providers(level=level, measure=PAID) == floors.smaller_providers(level=level, measure=PAID)


def test_money_paid_adds_up_to_claims_and_partner_payments(world):
    data = smaller_providers(measure=PAID)
    assert data.measure == PAID
    paid = PaymentClaim.objects.filter(paid_on__isnull=False, queried_at__isnull=True).aggregate(t=Sum("amount"))["t"]
    partners = PartnerPayment.objects.aggregate(t=Sum("amount"))["t"]
    rows = _all(data)
    assert abs(sum(r.contract_value for r in rows) - paid) < len(rows)  # whole pounds, rounded per row
    assert abs(sum(r.subcontract_value for r in rows) - partners) < len(rows)
    assert sum(r.subcontracts for r in rows) == len(
        set(PartnerPayment.objects.values_list("contract_id", "partner_key"))
    )


def test_query_count_does_not_grow_with_contracts(world):
    with CaptureQueriesContext(connection) as queries:
        smaller_providers(measure=PAID)
    assert len(queries) == 3


def test_the_page_offers_money_paid_with_a_table_and_downloads(client, world):
    page = client.get("/insights/smaller-providers/?measure=paid").content.decode()
    assert "Money actually paid" in page and "Share of money paid to main organisations" in page
    assert "chart-smaller" in page and "Money paid to partners" in page
    assert "measure=paid" in page  # the downloads keep the choice
    response = client.get("/insights/smaller-providers/download/by-area.csv?measure=paid")
    csv_text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Money paid to partners" in csv_text.splitlines()[0]
    api = client.get("/api/v1/insights/smaller-providers?measure=paid").json()
    assert api["measure"] == "paid" and api["rows"]
    assert "Value of contracts" in client.get("/insights/smaller-providers/").content.decode()
    bad = client.get("/insights/smaller-providers/?measure=gold").content.decode()
    assert "Choose how to count the money from the list" in bad
    assert client.get("/api/v1/insights/smaller-providers?measure=gold").status_code in (400, 422)
    assert "@" not in csv_text  # no personal data: no one's e-mail address in the figures

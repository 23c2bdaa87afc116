"""Public opportunities and contracts pages: open to everyone, public facts only, filters and CSV."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import OrganisationType, Size
from competitions.tests.factories import make_bid, make_competition
from publicdata.tests.factories import award_lot, make_closed_competition, make_contract
from tests.factories import OrganisationFactory, UserFactory
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_public_page_and_download_is_open_to_every_role(client_for_role, role):
    contract = make_contract()
    open_competition = make_competition()
    client, _user = client_for_role(role)
    for path in [
        "/public/opportunities/",
        f"/public/opportunities/{open_competition.pk}/",
        f"/public/opportunities/{contract.lot.competition_id}/",
        "/public/contracts/",
        f"/public/contracts/{contract.pk}/",
        "/public/contracts/download.csv",
        "/api/v1/public/opportunities",
        "/api/v1/public/contracts",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path


def test_draft_competitions_are_not_public(client):
    draft = make_competition(launched=False)
    draft.planned_at = None
    draft.save()
    assert client.get(f"/public/opportunities/{draft.pk}/").status_code == 404
    assert draft.title not in client.get("/public/opportunities/").content.decode()
    assert client.get("/public/contracts/999999/").status_code == 404


def test_nothing_about_bids_is_shown_before_the_closing_date(client):
    competition = make_competition()
    bidder = OrganisationFactory(legal_name="Secret Bidder Limited")
    make_bid(competition, bidder)
    make_bid(competition)
    page = client.get(f"/public/opportunities/{competition.pk}/").content.decode()
    listing = client.get("/public/opportunities/").content.decode()
    api = client.get("/api/v1/public/opportunities").json()
    assert competition.title in listing and "Open for bids" in page
    for text in (page, listing, str(api)):
        assert "Secret Bidder" not in text
        assert "Number of bids" not in text and "Won by" not in text
    assert all(lot["result"] is None for item in api["items"] for lot in item["lots"])
    assert "We do not publish anything about bids" in page


def test_after_the_closing_date_results_wait_for_the_approved_award(client):
    competition = make_closed_competition(days_ago=30, lots=["Kent"])
    lot = competition.lots.get()
    winner = make_bid(competition, OrganisationFactory(legal_name="Winning Charity"))
    make_bid(competition, OrganisationFactory(legal_name="Runner Up Trust"))
    make_bid(competition, OrganisationFactory(legal_name="Never Sent CIC"), submitted=False)
    award = award_lot(lot, winner, approved=False)

    page = client.get(f"/public/opportunities/{competition.pk}/").content.decode()
    assert "Being scored" in page and "Winning Charity" not in page and "Number of bids" not in page

    award.approved_at = timezone.now() - datetime.timedelta(days=1)
    award.approved_by = UserFactory()
    award.standstill_ends_at = timezone.now() + datetime.timedelta(days=5)
    award.save()
    page = client.get(f"/public/opportunities/{competition.pk}/").content.decode()
    assert "Won by" in page and "Winning Charity" in page
    # Two bids were sent; the draft never sent does not count, and losing bidders are not named.
    assert 'Number of bids</dt><dd class="govuk-summary-list__value">2<' in page
    assert "Runner Up Trust" not in page and "Never Sent" not in page
    lots = client.get("/api/v1/public/opportunities").json()["items"][0]["lots"]
    assert lots[0]["result"]["winner"]["name"] == "Winning Charity" and lots[0]["result"]["bids"] == 2


def test_opportunities_are_grouped_open_planned_and_recently_closed(client):
    open_one = make_competition()
    open_one.title = "Open one"
    open_one.save()
    planned = make_competition(launched=False)
    planned.title = "Planned one"
    planned.save()
    recent = make_closed_competition(days_ago=60)
    recent.title = "Closed recently"
    recent.save()
    old = make_closed_competition(days_ago=400)
    old.title = "Closed long ago"
    old.save()
    cancelled = make_competition()
    cancelled.title = "Cancelled one"
    cancelled.abandoned_at = timezone.now() - datetime.timedelta(days=2)
    cancelled.save()
    page = client.get("/public/opportunities/").content.decode()
    open_at, planned_at, closed_at = (
        page.index('id="open"'),
        page.index('id="planned"'),
        page.index('id="recently_closed"'),
    )
    assert open_at < page.index("Open one") < planned_at < page.index("Planned one") < closed_at
    assert page.index("Closed recently") > closed_at and page.index("Cancelled one") > closed_at
    assert "Closed long ago" not in page
    # Estimated value each year of all three lots, in London time and GOV.UK money.
    assert "2027 to 2028: £1,200,000" in page
    groups = {item["title"]: item["group"] for item in client.get("/api/v1/public/opportunities").json()["items"]}
    assert groups == {
        "Open one": "open",
        "Planned one": "planned",
        "Closed recently": "recently_closed",
        "Cancelled one": "recently_closed",
    }


def test_opportunity_filters_by_service_and_region(client):
    kent = make_competition()
    kent.title = "Kent accommodation"
    kent.save()
    wales = make_competition(lots=["South Wales"])
    wales.title = "Wales accommodation"
    wales.owner_area = wales.owner_area.__class__.objects.get(code="D")
    wales.save()
    page = client.get("/public/opportunities/?region=K").content.decode()
    assert "Kent accommodation" in page and "Wales accommodation" not in page
    page = client.get("/public/opportunities/?region=D").content.decode()
    assert "Wales accommodation" in page and "Kent accommodation" not in page
    page = client.get("/public/opportunities/?service_type=ete").content.decode()
    assert "Kent accommodation" not in page and "There are no opportunities open for bids" in page
    page = client.get("/public/opportunities/?service_type=nonsense").content.decode()
    assert "<title>Error:" in page and "Choose a service from the list" in page


def _titles(client, query: str) -> set[str]:
    return {row["title"] for row in client.get(f"/api/v1/public/contracts?{query}").json()["items"]}


def test_contract_filters(client):
    small = OrganisationFactory(legal_name="Tiny Friends", size=Size.SMALL)
    big = OrganisationFactory(
        legal_name="Big Company Limited", organisation_type=OrganisationType.COMPANY_BY_SHARES, size=Size.LARGE
    )
    make_contract(
        title="Kent housing",
        supplier=big,
        partners=[(small, "subcontractor", Decimal("20")), ("Allotment Helpers", "subcontractor", Decimal("5"))],
    )
    make_contract(title="Regional jobs", service_type_code="ete", area_codes=("K",), years={2030: Decimal("1")})
    make_contract(title="Women in Kent", service_type_code="womens-services", area_codes=("E23000032",))
    wales = make_contract(title="Cardiff housing", area_codes=("W06000015",))
    assert _titles(client, "") == {"Kent housing", "Regional jobs", "Women in Kent", "Cardiff housing"}
    assert _titles(client, "service_type=ete") == {"Regional jobs"}
    assert _titles(client, "category=women") == {"Women in Kent"}
    assert _titles(client, "category=accommodation") == {"Kent housing", "Cardiff housing", "Women in Kent"}
    # Areas: inside the region, the area itself, and a region-wide contract for a town inside it.
    assert _titles(client, "region=K") == {"Kent housing", "Regional jobs", "Women in Kent"}
    assert _titles(client, "pcc_area=E23000032") == {"Kent housing", "Regional jobs", "Women in Kent"}
    assert _titles(client, "local_authority=E07000105") == {"Kent housing", "Regional jobs", "Women in Kent"}
    assert _titles(client, "region=D") == {"Cardiff housing"}
    # Organisations: the main organisation or a partner.
    assert _titles(client, "provider=big company") == {"Kent housing"}
    assert _titles(client, "provider=tiny") == {"Kent housing"}
    assert _titles(client, "provider=allotment") == {"Kent housing"}
    assert _titles(client, "size=small") == {"Kent housing"}
    assert _titles(client, "size=large&provider=tiny") == set()
    assert _titles(client, "organisation_type=company_by_shares") == {"Kent housing"}
    # Financial year: contracts with a value in that year.
    assert _titles(client, "financial_year=2030") == {"Regional jobs"}
    assert _titles(client, "financial_year=2028") == {"Kent housing", "Women in Kent", "Cardiff housing"}
    response = client.get("/api/v1/public/contracts?region=nowhere")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"parameter": "region", "message": "Choose a region from the list"}]
    page = client.get("/public/contracts/?local_authority=E07000105").content.decode()
    assert "3 contracts match your filters" in page and "Cardiff housing" not in page
    assert f"/public/contracts/{wales.pk}/" not in page


def test_contracts_register_pages_with_govuk_pagination(client, monkeypatch):
    monkeypatch.setattr("publicdata.views.PER_PAGE", 2)
    for number in range(3):
        make_contract(title=f"Contract number {number}", starts_on=datetime.date(2027, 4 + number, 1))
    first = client.get("/public/contracts/?service_type=accommodation").content.decode()
    assert "govuk-pagination" in first and "Contract number 2" in first and "Contract number 0" not in first
    assert 'href="/public/contracts/?service_type=accommodation&amp;page=2"' in first
    second = client.get("/public/contracts/?service_type=accommodation&page=2").content.decode()
    assert "Contract number 0" in second and "Contract number 2" not in second


def test_contract_detail_shows_partners_years_terms_and_funding_but_no_people(client):
    partner = OrganisationFactory(legal_name="Little Helpers", size=Size.MICRO)
    contract = make_contract(
        partners=[(partner, "subcontractor", Decimal("12.5"))],
        funding=[("Police and Crime Commissioner for Kent", Decimal("25"))],
    )
    page = client.get(f"/public/contracts/{contract.pk}/").content.decode()
    for text in (
        contract.supplier.legal_name,
        "Little Helpers",
        "12.5%",
        "Subcontractor",
        "2027 to 2028",
        "£400,000",
        "£900,000",
        "1 July 2027",
        "30 June 2030",
        "up to 1 year",
        "Monthly in arrears, within 30 days",
        "Police and Crime Commissioner for Kent pays 25% of the cost",
    ):
        assert text in page, text
    assert contract.supplier.contact_email not in page
    api = client.get("/api/v1/public/contracts").content.decode()
    assert contract.supplier.contact_email not in api and "email" not in api


def test_csv_has_a_row_for_each_contract_and_partner_and_neutralises_formulas(client):
    supplier = OrganisationFactory(legal_name='=HYPERLINK("http://example.com")')
    make_contract(
        title="Kent housing",
        supplier=supplier,
        partners=[("Allotment Helpers", "consortium", Decimal("20"))],
        years={2027: Decimal("400000"), 2028: Decimal("600000")},
    )
    make_contract(title="Regional jobs", service_type_code="ete", area_codes=("K",))
    response = client.get("/public/contracts/download.csv?service_type=accommodation")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(_text(response))))
    assert [(row["Record"], row["Organisation"], row["Role"]) for row in rows] == [
        ("Contract", '\'=HYPERLINK("http://example.com")', "Main organisation"),
        ("Subcontract", "Allotment Helpers", "Consortium member"),
    ]
    assert rows[0]["Total value (GBP)"] == "1000000.00" and rows[1]["Value of this share (GBP)"] == "200000.00"
    assert rows[1]["Share of the work (%)"] == "20.00" and rows[1]["Organisation type"] == "Not on the framework"
    assert rows[0]["Values by financial year"] == "2027 to 2028: 400000.00; 2028 to 2029: 600000.00"
    assert rows[0]["Area codes"] == "E23000032" and rows[0]["Starts"] == "2027-07-01"
    bad = client.get("/public/contracts/download.csv?size=enormous")
    assert bad.status_code == 400 and "Choose a size from the list" in bad.content.decode()

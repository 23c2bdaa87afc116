"""Choosing a partner: a search of the framework (name, type of support, area) that works without
JavaScript, suggestions for the autocomplete where it runs, and the rest of the partner form."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from competitions.models import BidPartner
from competitions.services import bids as svc
from competitions.tests.factories import invite, make_competition
from qualification.tests.assessor_factories import qualify
from tests.factories import OrganisationFactory, make_provider_user

pytestmark = pytest.mark.django_db
KENT = "E23000032"
SURREY = "E23000031"


@pytest.fixture
def competition():
    return make_competition()


@pytest.fixture
def bidder(competition):
    user = make_provider_user()
    organisation = user.memberships.get().organisation
    qualify(organisation, "accommodation", KENT)  # on the register itself: never offered as its own partner
    invite(competition, organisation)
    bid = svc.bid_start(competition=competition, user=user)
    svc.bid_lots_set(bid=bid, user=user, lot_ids=[lot.pk for lot in competition.lots.all()[:2]])
    return user


@pytest.fixture
def client_(client, bidder):
    client.force_login(bidder)
    return client


def add_url(competition, **query):
    path = reverse("competitions:bid-partner-add", kwargs={"competition_id": competition.pk})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def suggestions_url(competition):
    return reverse("competitions:bid-partner-search", kwargs={"competition_id": competition.pk})


def on_register(name, category="accommodation", area=KENT, **kwargs):
    organisation = OrganisationFactory(legal_name=name, **kwargs)
    qualify(organisation, category, area)
    return organisation


def test_the_page_starts_with_a_search_not_a_drop_down_of_every_organisation(client_, competition):
    for n in range(30):
        on_register(f"Registered {n}")
    page = client_.get(add_url(competition)).content.decode()
    assert 'id="search"' in page and 'id="category"' in page and 'id="area"' in page
    assert 'name="organisation"' not in page and "Registered 1" not in page
    assert "Add a partner by name" in page


def test_search_by_name_type_of_support_and_area(client_, competition, bidder):
    hostel = on_register("Kent Hostel Partners")
    on_register("Surrey Hostel Partners", area=SURREY)
    on_register("Hostel For Women", category="women")
    OrganisationFactory(legal_name="Unqualified Hostel")
    page = client_.get(add_url(competition, search="hostel", category="accommodation", area=KENT)).content.decode()
    assert "1 organisation found" in page
    assert "Kent Hostel Partners" in page and "Can deliver Accommodation in Kent." in page
    assert f"?organisation={hostel.pk}" in page
    for absent in ("Surrey Hostel Partners", "Hostel For Women", "Unqualified Hostel"):
        assert absent not in page
    assert hostel.contact_email not in page and hostel.postcode not in page
    everyone = client_.get(add_url(competition, search="")).content.decode()
    assert "4 organisations found" not in everyone  # the bidder itself is never listed
    assert "3 organisations found" in everyone
    assert bidder.memberships.get().organisation.display_name not in everyone


def test_results_come_a_page_at_a_time(client_, competition):
    for n in range(25):
        on_register(f"Partner {n:02d}")
    first = client_.get(add_url(competition, search="partner")).content.decode()
    assert "25 organisations found" in first and first.count("?organisation=") == 20
    second = client_.get(add_url(competition, search="partner", page=2)).content.decode()
    assert second.count("?organisation=") == 5 and "Partner 24" in second
    assert client_.get(add_url(competition, search="partner", page="999999999999")).status_code == 200


def test_bad_search_input_gets_govuk_errors(client_, competition):
    response = client_.get(add_url(competition, search="x" * 101, category="nonsense", area="nowhere"))
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page
    assert "Organisation name must be 100 characters or fewer" in page
    assert "Choose a type of support from the list" in page and "Choose an area from the list" in page


def test_choose_an_organisation_then_add_it_as_a_partner(client_, competition, bidder):
    hostel = on_register("Hostel Partners")
    page = client_.get(add_url(competition, organisation=hostel.pk)).content.decode()
    assert "Hostel Partners" in page and f'name="organisation" value="{hostel.pk}"' in page
    assert 'id="name"' not in page  # named by the framework, not typed
    lot = competition.lots.first()
    response = client_.post(
        add_url(competition),
        {"organisation": str(hostel.pk), "role": "subcontractor", "share_percent": "20", "lots": [str(lot.pk)]},
    )
    assert response.status_code == 302
    partner = BidPartner.objects.get()
    assert partner.organisation == hostel and partner.name == "Hostel Partners"


@pytest.mark.parametrize(
    ("share", "message"),
    [
        ("150", "Share of the work must be less than 100%"),
        ("12345", "Share of the work must be less than 100%"),
        ("0", "Share of the work must be more than 0%"),
        ("1.234", "Share of the work can have up to 2 decimal places"),
        ("lots", "Share of the work must be a number, like 25"),
    ],
)
def test_errors_on_the_partner_form_keep_the_chosen_organisation(client_, competition, share, message):
    hostel = on_register("Hostel Partners")
    response = client_.post(add_url(competition), {"organisation": str(hostel.pk), "share_percent": share})
    page = response.content.decode()
    assert response.status_code == 200
    assert message + "<" in page and "Select how they will work with you" in page
    assert f'name="organisation" value="{hostel.pk}"' in page and f'value="{share}"' in page
    assert not BidPartner.objects.exists()


@pytest.mark.parametrize("chosen", ["own", "unregistered", "junk", "huge"])
def test_an_organisation_that_cannot_be_chosen_is_refused_plainly(client_, competition, bidder, chosen):
    value = {
        "own": lambda: bidder.memberships.get().organisation.pk,
        "unregistered": lambda: OrganisationFactory().pk,
        "junk": lambda: "abc",
        "huge": lambda: "9" * 30,
    }[chosen]()
    lot = competition.lots.first()
    for response in (
        client_.get(add_url(competition, organisation=value)),
        client_.post(
            add_url(competition),
            {"organisation": str(value), "role": "subcontractor", "share_percent": "20", "lots": [str(lot.pk)]},
        ),
    ):
        page = response.content.decode()
        assert response.status_code == 200 and "<title>Error:" in page
        assert "cannot be added from the framework" in page
    assert not BidPartner.objects.exists()


def test_a_partner_not_on_the_framework_is_named(client_, competition):
    page = client_.get(add_url(competition, other="yes")).content.decode()
    assert 'id="name"' in page and 'name="organisation"' in page
    lot = competition.lots.first()
    page = client_.post(
        add_url(competition), {"organisation": "", "role": "consortium", "share_percent": "10", "lots": [str(lot.pk)]}
    ).content.decode()
    assert "Enter the name of the organisation" in page
    client_.post(
        add_url(competition),
        {"name": "Local Food Bank", "role": "consortium", "share_percent": "10", "lots": [str(lot.pk)]},
    )
    partner = BidPartner.objects.get()
    assert partner.organisation is None and partner.name == "Local Food Bank"


def test_suggestions_for_the_autocomplete_show_only_register_facts(client_, competition, bidder):
    for n in range(15):
        on_register(f"Hostel {n:02d}", trading_name="" if n else "The First Hostel")
    on_register("Hostel Elsewhere", area=SURREY)
    response = client_.get(suggestions_url(competition), {"search": "hostel", "area": KENT})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    results = json.loads(response.content)["results"]
    assert len(results) == 10
    assert all(set(r) == {"name", "town", "url"} for r in results)
    assert results[0]["name"] == "The First Hostel"
    assert results[0]["url"].startswith(add_url(competition) + "?organisation=")
    assert "Hostel Elsewhere" not in response.content.decode()
    own = bidder.memberships.get().organisation.display_name
    assert own not in client_.get(suggestions_url(competition), {"search": own}).content.decode()


def test_bad_suggestion_requests_get_a_json_error(client_, competition):
    response = client_.get(suggestions_url(competition), {"search": "x" * 101, "category": "nonsense"})
    assert response.status_code == 400
    assert "Choose a type of support from the list" in json.loads(response.content)["errors"]

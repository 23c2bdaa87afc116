import pytest
from django.utils import timezone

from accounts.models import OrganisationType, Size
from qualification.tests.assessor_factories import qualify
from tests.factories import OrganisationFactory
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

URL = "/api/v1/suppliers"


@pytest.fixture
def orgs():
    charity = OrganisationFactory(legal_name="Kent Homes Trust", trading_name="Kent Homes", town="Canterbury")
    qualify(charity, "accommodation", "E23000032")
    qualify(charity, "ete", "K")
    company = OrganisationFactory(
        legal_name="National Services Ltd", organisation_type=OrganisationType.COMPANY_BY_SHARES, size=Size.LARGE
    )
    qualify(company, "accommodation", "K04000001")
    qualify(OrganisationFactory(legal_name="Paused"), "accommodation", "K", suspended_at=timezone.now())
    OrganisationFactory(legal_name="Never qualified")
    return charity, company


@pytest.mark.parametrize("role", ALL_ROLES)
def test_suppliers_is_public_and_lists_qualified_organisations_only(client_for_role, role, orgs):
    client, _ = client_for_role(role)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    charity = next(item for item in body["items"] if item["legal_name"] == "Kent Homes Trust")
    assert charity == {
        "id": orgs[0].pk,
        "name": "Kent Homes",
        "legal_name": "Kent Homes Trust",
        "organisation_type": "registered_charity",
        "size": "micro",
        "is_vcse": True,
        "town": "Canterbury",
        "qualifications": [{"category": "accommodation", "area": "E23000032"}, {"category": "ete", "area": "K"}],
    }
    company = next(item for item in body["items"] if item["legal_name"] == "National Services Ltd")
    assert company["is_vcse"] is False and company["size"] == "large"


def test_no_personal_data_in_the_api(client, orgs):
    text = client.get(URL).content.decode()
    assert "@" not in text and "contact" not in text and "postcode" not in text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "accommodation", "area": "E23000032"}, {"Kent Homes Trust", "National Services Ltd"}),
        ({"category": "accommodation", "area": "E07000110"}, {"Kent Homes Trust", "National Services Ltd"}),
        ({"category": "accommodation", "area": "K"}, {"National Services Ltd"}),
        ({"category": "ete", "area": "E23000031"}, {"Kent Homes Trust"}),
        ({"category": "ete", "area": "A"}, set()),
        ({"category": "ete"}, {"Kent Homes Trust"}),
    ],
)
def test_filter_by_category_in_area_or_an_area_above(client, orgs, params, expected):
    body = client.get(URL, params).json()
    assert {item["legal_name"] for item in body["items"]} == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"category": "gardening"}, "There is no type of support with the code 'gardening'."),
        ({"area": "ZZZ"}, "There is no area with the code 'ZZZ'."),
    ],
)
def test_unknown_codes_are_refused_clearly(client, orgs, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    [name] = params
    assert response.json() == {"detail": f"{name}: {message}", "errors": [{"parameter": name, "message": message}]}


def test_pagination(client):
    for i in range(5):
        qualify(OrganisationFactory(legal_name=f"Org {i}"), "accommodation", "K")
    body = client.get(URL, {"limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert [item["legal_name"] for item in body["items"]] == ["Org 2", "Org 3"]


def test_query_count_is_the_same_for_1_and_50_organisations(client, django_assert_num_queries):
    qualify(OrganisationFactory(), "accommodation", "K")
    with django_assert_num_queries(5) as one:
        assert len(client.get(URL, {"category": "accommodation", "area": "E23000032"}).json()["items"]) == 1
    for _ in range(49):
        organisation = OrganisationFactory()
        qualify(organisation, "accommodation", "K")
        qualify(organisation, "ete", "A")
    with django_assert_num_queries(len(one.captured_queries)):
        assert (
            len(client.get(URL, {"category": "accommodation", "area": "E23000032", "limit": 100}).json()["items"]) == 50
        )

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganisationType
from qualification.tests.assessor_factories import qualify
from tests.factories import OrganisationFactory, make_provider_user
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

REGISTER = "/join/register/"


@pytest.fixture
def orgs():
    member = make_provider_user(full_name="Priya Member", email="priya@example.org", phone="07700 900123")
    kent_charity = member.memberships.get().organisation
    kent_charity.legal_name = "Kent Homes Trust"
    kent_charity.contact_email = "office@kenthomes.example"
    kent_charity.contact_phone = "01622 000000"
    kent_charity.town = "Canterbury"
    kent_charity.save()
    qualify(kent_charity, "accommodation", "E23000032")
    company = OrganisationFactory(
        legal_name="Northern Skills Ltd", organisation_type=OrganisationType.COMPANY_BY_SHARES
    )
    qualify(company, "ete", "A")
    suspended = OrganisationFactory(legal_name="Paused Charity")
    qualify(suspended, "accommodation", "K", suspended_at=timezone.now(), suspended_reason="x")
    removed = OrganisationFactory(legal_name="Gone Charity")
    qualify(removed, "accommodation", "K", removed_at=timezone.now(), removed_reason="x")
    OrganisationFactory(legal_name="Not Yet Qualified")
    return kent_charity, company


@pytest.mark.parametrize("role", ALL_ROLES)
def test_register_is_public_and_lists_only_qualified_organisations(client_for_role, role, orgs):
    client, _ = client_for_role(role)
    response = client.get(REGISTER)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kent Homes Trust" in html and "Northern Skills Ltd" in html
    for hidden in ("Paused Charity", "Gone Charity", "Not Yet Qualified"):
        assert hidden not in html
    assert "Can bid for Accommodation in Kent." in html
    assert "Canterbury" in html


def test_register_shows_no_personal_data(client, orgs):
    html = client.get(REGISTER).content.decode()
    for secret in ("office@kenthomes.example", "01622 000000", "Priya Member", "priya@example.org", "07700 900123"):
        assert secret not in html


def test_register_filters_by_category_and_area(client, orgs):
    # Canterbury is in Kent: a Kent qualification covers it; so the Kent charity matches, the northern company not.
    html = client.get(REGISTER, {"category": "accommodation", "area": "E23000032"}).content.decode()
    assert "Kent Homes Trust" in html and "Northern Skills Ltd" not in html
    assert "1 organisation matches your filters" in html
    # The region is wider than Kent, so a Kent-only organisation cannot cover it.
    html = client.get(REGISTER, {"category": "accommodation", "area": "K"}).content.decode()
    assert "Kent Homes Trust" not in html
    html = client.get(REGISTER, {"category": "ete"}).content.decode()
    assert "Northern Skills Ltd" in html and "Kent Homes Trust" not in html


def test_unknown_filter_values_get_a_govuk_error(client, orgs):
    response = client.get(REGISTER, {"area": "nowhere"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html and "Choose an area from the list" in html


def test_register_pages_through_many_organisations(client):
    for i in range(55):
        qualify(OrganisationFactory(legal_name=f"Org {i:03d}"), "accommodation", "K")
    first = client.get(REGISTER).content.decode()
    assert "Org 000" in first and "Org 054" not in first and "55 organisations" in first
    second = client.get(REGISTER, {"page": 2}).content.decode()
    assert "Org 054" in second


def test_register_query_count_does_not_grow(client, django_assert_max_num_queries):
    qualify(OrganisationFactory(), "accommodation", "K")
    with django_assert_max_num_queries(12) as small:
        client.get(REGISTER, {"category": "accommodation"})
    for _ in range(49):
        qualify(OrganisationFactory(), "accommodation", "K")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(REGISTER, {"category": "accommodation"})


def test_register_link_from_reverse():
    assert reverse("qualification:register") == REGISTER

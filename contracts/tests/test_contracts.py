"""The contracts register and contract pages: staff see all, organisations only their own."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from competitions.tests.evaluation_factories import award_world
from tests.factories import make_provider_user
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

STAFF = {"assessor", "commissioner", "evaluator", "practitioner", "administrator"}


@pytest.fixture
def world():
    return award_world()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_register_and_detail_for_every_role(client_for_role, world, role):
    client, _ = client_for_role(role)
    contract = world["contract"]
    register = client.get(reverse("contracts:register"))
    detail = client.get(reverse("contracts:detail", args=[contract.pk]))
    if role == "anonymous":
        assert register.status_code == detail.status_code == 302
    elif role in STAFF:
        assert register.status_code == detail.status_code == 200
        assert contract.title in register.content.decode()
    else:
        # An organisation with no contracts sees an empty register and cannot open others' contracts.
        assert register.status_code == 200
        assert contract.title not in register.content.decode()
        assert detail.status_code == 404


def test_supplier_sees_its_own_contract(client, world):
    contract = world["contract"]
    member = Membership.objects.filter(organisation=contract.supplier).first().user
    client.force_login(member)
    assert contract.title in client.get(reverse("contracts:register")).content.decode()
    page = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "£400,000" in page and "2027 to 2028" in page and "1 July 2027 to 30 June 2030" in page
    assert "Monthly in arrears, paid within 30 days" in page


def test_losing_bidder_does_not_see_the_contract(client, world):
    member = Membership.objects.filter(organisation=world["loser"].organisation).first().user
    client.force_login(member)
    assert client.get(reverse("contracts:detail", args=[world["contract"].pk])).status_code == 404
    client.force_login(make_provider_user())
    assert "There are no contracts yet" in client.get(reverse("contracts:register")).content.decode()


def test_register_shows_supplier_area_service_values_and_term(client, world):
    from tests.factories import make_user_with_role

    client.force_login(make_user_with_role("practitioner"))
    page = client.get(reverse("contracts:register")).content.decode()
    contract = world["contract"]
    assert contract.supplier.display_name in page
    assert "Kent" in page and contract.service_type.name in page
    assert "2029 to 2030: £400,000" in page
    assert "1 July 2027 to 30 June 2030" in page

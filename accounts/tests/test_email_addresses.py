import pytest

from accounts.selectors import organisation_email_addresses
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_contact_and_active_members_once_each_whatever_the_capitals():
    organisation = OrganisationFactory(contact_email="Office@Charity.example")
    MembershipFactory(organisation=organisation, user=UserFactory(email="office@charity.example"), is_admin=True)
    MembershipFactory(organisation=organisation, user=UserFactory(email="kim@charity.example"))
    MembershipFactory(organisation=organisation, user=UserFactory(email="gone@charity.example", is_active=False))
    MembershipFactory(user=UserFactory(email="someone@elsewhere.example"))
    assert organisation_email_addresses(organisation) == ["kim@charity.example", "Office@Charity.example"]


def test_administrators_only():
    organisation = OrganisationFactory(contact_email="")
    MembershipFactory(organisation=organisation, user=UserFactory(email="admin@charity.example"), is_admin=True)
    MembershipFactory(organisation=organisation, user=UserFactory(email="kim@charity.example"))
    assert organisation_email_addresses(organisation, admins_only=True) == ["admin@charity.example"]


def test_members_who_have_not_confirmed_their_address_are_left_out():
    """An address nobody confirmed may belong to someone else: never write to it about bids."""
    from accounts.selectors import organisation_email_addresses
    from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

    organisation = OrganisationFactory(contact_email="office@example.org")
    MembershipFactory(organisation=organisation, user=UserFactory(email="confirmed@example.org"), is_admin=True)
    MembershipFactory(
        organisation=organisation, user=UserFactory(email="unconfirmed@example.org", email_confirmed_at=None)
    )
    MembershipFactory(
        organisation=organisation,
        user=UserFactory(email="unconfirmed.admin@example.org", email_confirmed_at=None),
        is_admin=True,
    )
    assert organisation_email_addresses(organisation) == ["confirmed@example.org", "office@example.org"]
    assert organisation_email_addresses(organisation, admins_only=True) == [
        "confirmed@example.org",
        "office@example.org",
    ]

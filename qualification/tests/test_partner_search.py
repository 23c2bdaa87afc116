"""The partner search a bidder uses: public register facts only, by name, type of support and area."""

from __future__ import annotations

import pytest
from django.utils import timezone

from qualification.selectors.partners import partner_candidate, partner_search
from qualification.tests.assessor_factories import qualify
from reference.models import Area, ServiceCategory
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

KENT = "E23000032"
SURREY = "E23000031"
MAIDSTONE = "E07000110"  # a local authority in Kent


def test_name_matches_every_word_in_legal_or_trading_name():
    hostel = OrganisationFactory(legal_name="Hostel Partners Limited", trading_name="")
    trading = OrganisationFactory(legal_name="ABC 123 Ltd", trading_name="Kent Hostel Partners")
    other = OrganisationFactory(legal_name="Debt Advice Kent")
    for org in (hostel, trading, other):
        qualify(org, "accommodation", KENT)
    assert set(partner_search(name="hostel partners")) == {hostel, trading}
    assert set(partner_search(name="  KENT  ")) == {trading, other}
    assert set(partner_search(name="")) == {hostel, trading, other}


def test_area_means_in_it_above_it_or_inside_it_for_the_same_type_of_support():
    in_kent, in_region, in_maidstone, in_surrey, other_support = OrganisationFactory.create_batch(5)
    qualify(in_kent, "accommodation", KENT)
    qualify(in_region, "accommodation", "K")
    qualify(in_maidstone, "accommodation", MAIDSTONE)
    qualify(in_surrey, "accommodation", SURREY)
    qualify(other_support, "women", KENT)
    qualify(other_support, "accommodation", SURREY)  # accommodation, but not in Kent
    accommodation = ServiceCategory.objects.get(code="accommodation")
    kent = Area.objects.get(code=KENT)
    assert set(partner_search(category=accommodation, area=kent)) == {in_kent, in_region, in_maidstone}
    assert set(partner_search(area=kent)) == {in_kent, in_region, in_maidstone, other_support}
    assert set(partner_search(category=accommodation)) == {in_kent, in_region, in_maidstone, in_surrey, other_support}


def test_only_organisations_on_the_register_and_never_the_bidder_itself():
    active, suspended, removed, never, itself = OrganisationFactory.create_batch(5)
    qualify(active, "accommodation", KENT)
    qualify(suspended, "accommodation", KENT, suspended_at=timezone.now(), suspended_by=UserFactory())
    qualify(removed, "accommodation", KENT, removed_at=timezone.now(), removed_by=UserFactory())
    qualify(itself, "accommodation", KENT)
    assert set(partner_search(exclude_organisation_id=itself.pk)) == {active}
    assert partner_candidate(active.pk, exclude_organisation_id=itself.pk) == active
    assert partner_candidate(str(active.pk), exclude_organisation_id=itself.pk) == active
    for refused in (itself.pk, suspended.pk, removed.pk, never.pk, "x", "", "1e3", "9" * 40, None, -1):
        assert partner_candidate(refused, exclude_organisation_id=itself.pk) is None, refused


def test_results_carry_only_register_fields():
    org = OrganisationFactory(legal_name="Hostel Partners")
    qualify(org, "accommodation", KENT)
    found = partner_search(name="hostel").get()
    # Contact details and addresses are not even read from the database.
    assert {"contact_email", "contact_phone", "address_line_1", "postcode"} <= found.get_deferred_fields()

"""Who may read a referral (ADR 12): the predicate and the selectors' filter give the same answer
for every kind of person, at every stage."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import Membership, Role
from referrals import selectors, services
from referrals.permissions import can_read_referral
from referrals.tests.factories import complete_draft, referral_world, sent_referral
from tests.factories import make_provider_user, make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = referral_world()
    w["other_member"] = make_provider_user(is_admin=False, organisation=w["prime"])
    w["other_provider"] = make_provider_user(is_admin=True)
    for role in (Role.COMMISSIONER, Role.ASSESSOR, Role.EVALUATOR, Role.ADMINISTRATOR):
        w[str(role)] = make_user_with_role(role)
    w["anonymous"] = AnonymousUser()
    return w


def readers(world, referral) -> set[str]:
    people = [
        "practitioner", "colleague", "elsewhere", "admin", "manager", "caseworker", "other_member",
        "partner_admin", "partner_caseworker", "other_provider", "commissioner", "assessor", "evaluator",
        "administrator", "anonymous",
    ]  # fmt: skip
    found = set()
    for name in people:
        user = world[name]
        by_rule = can_read_referral(user, referral)
        by_query = selectors.referrals_visible_to(user).filter(pk=referral.pk).exists()
        assert by_rule == by_query, name
        if by_rule:
            found.add(name)
    return found


def test_a_draft_is_its_authors_alone(world):
    assert readers(world, complete_draft(world)) == {"practitioner"}


def test_a_sent_referral_the_region_and_the_primes_managers(world):
    assert readers(world, sent_referral(world)) == {"practitioner", "colleague", "admin", "manager"}


def test_the_assigned_caseworker_reads_it(world):
    referral = sent_referral(world)
    services.referral_assign(actor=world["manager"], referral=referral, caseworker=world["caseworker"])
    referral.refresh_from_db()
    assert readers(world, referral) == {"practitioner", "colleague", "admin", "manager", "caseworker"}


def test_a_partner_given_the_work_reads_it_and_the_primes_caseworker_no_longer(world):
    referral = sent_referral(world)
    services.referral_assign(actor=world["manager"], referral=referral, caseworker=world["caseworker"])
    services.referral_assign(actor=world["admin"], referral=referral, organisation=world["partner"])
    referral.refresh_from_db()
    assert readers(world, referral) == {"practitioner", "colleague", "admin", "manager", "partner_admin"}
    services.referral_assign(actor=world["partner_admin"], referral=referral, caseworker=world["partner_caseworker"])
    referral.refresh_from_db()
    assert "partner_caseworker" in readers(world, referral)


def test_a_caseworker_who_leaves_the_organisation_reads_it_no_more(world):
    referral = sent_referral(world)
    services.referral_assign(actor=world["manager"], referral=referral, caseworker=world["caseworker"])
    referral.refresh_from_db()
    Membership.objects.filter(user=world["caseworker"]).delete()
    world["caseworker"].refresh_from_db()
    assert "caseworker" not in readers(world, referral)


def test_a_revoked_referral_manager_reads_it_no_more(world):
    referral = sent_referral(world)
    services.referral_manager_revoke(actor=world["admin"], membership=Membership.objects.get(user=world["manager"]))
    world["manager"].refresh_from_db()
    assert "manager" not in readers(world, referral)


def test_hidden_and_missing_are_the_same_not_found(world):
    referral = sent_referral(world)
    for pk in (referral.pk, 999_999):
        with pytest.raises(Http404):
            selectors.referral_detail(user=world["commissioner"], pk=pk)


def test_only_a_partner_named_in_the_contract_can_be_given_the_work(world):
    from django.core.exceptions import ValidationError

    referral = sent_referral(world)
    stranger = Membership.objects.get(user=world["other_provider"]).organisation
    with pytest.raises(ValidationError, match="partner named in the contract"):
        services.referral_assign(actor=world["admin"], referral=referral, organisation=stranger)
    with pytest.raises(ValidationError, match="cannot be found"):
        services.referral_assign(actor=world["partner_admin"], referral=referral, organisation=world["partner"])

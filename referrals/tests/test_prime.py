"""Each referral keeps its contract's prime (`Referral.prime`, what the provider's inbox reads by
index): set when the draft is made and the same at every later step, while the work moves between
the prime and a partner; and the one rule of who may read a referral (`permissions.readable_q`)
gives the same answer as a filter and as a predicate when the organisation asking is the prime on
one contract and a partner on another."""

import pytest

from accounts.models import Membership
from contracts.models import Contract, ContractVersionPartner
from contracts.selectors import terms_in_force
from contracts.tests.payments_world import live_contract_world
from referrals import selectors, services
from referrals.models import Referral
from referrals.permissions import can_read_referral, made_by_readable_q, readable_q
from referrals.tests.factories import complete_draft, referral_world, sent_referral
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


def _prime_is_the_contracts(referral: Referral) -> None:
    row = Referral.objects.select_related("contract").get(pk=referral.pk)
    assert row.prime_id == row.contract.supplier_id


def test_the_prime_is_set_when_the_draft_is_made_and_stays_through_every_step():
    world = referral_world()
    draft = complete_draft(world)
    _prime_is_the_contracts(draft)
    assert draft.prime_id == world["prime"].pk
    referral = services.referral_send(actor=world["practitioner"], referral=draft)
    _prime_is_the_contracts(referral)
    assert referral.provider_id == referral.prime_id
    services.referral_assign(actor=world["manager"], referral=referral, caseworker=world["caseworker"])
    services.referral_assign(actor=world["admin"], referral=referral, organisation=world["partner"])
    services.referral_assign(actor=world["partner_admin"], referral=referral, caseworker=world["partner_caseworker"])
    referral.refresh_from_db()
    assert referral.provider_id == world["partner"].pk  # the work moved; the prime did not
    _prime_is_the_contracts(referral)
    services.referral_cancel(actor=world["practitioner"], referral=referral, reason="mistake")
    services.referral_erase_personal_data(referral=referral)
    _prime_is_the_contracts(referral)


def test_an_organisation_prime_on_one_contract_and_partner_on_another_reads_both_by_either_way():
    """The partner of the world's contract is the prime of a second contract, whose own partner is
    the world's prime: each organisation reads the other's referrals only once given the work."""
    world = referral_world()
    partner, prime = world["partner"], world["prime"]
    second = live_contract_world()["contract"]
    Contract.objects.filter(pk=second.pk).update(supplier=partner)  # set up as the partner's own award
    second.refresh_from_db()
    ContractVersionPartner.objects.create(
        version=terms_in_force(second), organisation=prime, name=prime.legal_name, role="partner", share_percent=20
    )
    partner_manager = make_provider_user(is_admin=False, organisation=partner)
    services.referral_manager_grant(
        actor=world["partner_admin"], membership=Membership.objects.get(user=partner_manager)
    )
    ours = sent_referral(world)
    theirs = services.referral_send(actor=world["practitioner"], referral=complete_draft({**world, "contract": second}))
    assert theirs.prime_id == partner.pk
    people = ("admin", "manager", "caseworker", "partner_admin", "partner_caseworker")

    def readers(referral) -> set[str]:
        referral = Referral.objects.get(pk=referral.pk)
        found = set()
        for name in (*people, "partner_manager"):
            user = partner_manager if name == "partner_manager" else world[name]
            user = type(user).objects.get(pk=user.pk)  # afresh, as a request sees them
            by_rule = can_read_referral(user, referral)
            assert by_rule == Referral.objects.filter(readable_q(user), pk=referral.pk).exists(), name
            assert by_rule == selectors.provider_inbox(user).filter(pk=referral.pk).exists(), name
            if by_rule:
                found.add(name)
        return found

    assert readers(ours) == {"admin", "manager"}
    assert readers(theirs) == {"partner_admin", "partner_manager"}
    # Each prime gives the work to the other, its partner on that contract.
    services.referral_assign(actor=world["admin"], referral=ours, organisation=partner)
    services.referral_assign(actor=world["partner_admin"], referral=theirs, organisation=prime)
    assert readers(ours) == {"admin", "manager", "partner_admin", "partner_manager"}
    assert readers(theirs) == {"admin", "manager", "partner_admin", "partner_manager"}


def test_the_practitioners_own_list_is_the_one_rule_narrowed_to_what_they_made():
    """`made_by_readable_q` (their list, one indexed test) is `readable_q` and "made by them", for
    every kind of person; once they are no longer a practitioner, neither gives them anything."""
    world = referral_world()
    made = [complete_draft(world), sent_referral(world)]
    services.referral_assign(actor=world["manager"], referral=made[1], caseworker=world["caseworker"])
    people = ("practitioner", "colleague", "elsewhere", "admin", "manager", "caseworker", "partner_admin")

    def own(user) -> tuple[set[int], set[int]]:
        user = type(user).objects.get(pk=user.pk)  # afresh, as a request sees them
        narrowed = set(Referral.objects.filter(made_by_readable_q(user)).values_list("pk", flat=True))
        rule = set(Referral.objects.filter(readable_q(user), created_by_id=user.pk).values_list("pk", flat=True))
        return narrowed, rule

    for name in people:
        narrowed, rule = own(world[name])
        assert narrowed == rule, name
    assert own(world["practitioner"])[0] == {r.pk for r in made}
    world["practitioner"].staff_roles.all().delete()  # no longer a practitioner
    assert own(world["practitioner"]) == (set(), set())

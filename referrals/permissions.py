"""Who may see a referral and do what with it (issue 12, ADR 12). One definition of who may read a
referral, `readable_q(user)`: the selectors filter with it, and `can_read_referral` asks the same
condition of a referral in memory (`core.rules.Rule`), so the lists and the pages cannot disagree.

Readers: the practitioner who made it, and (once sent) practitioners of the region it was made in;
once sent, the receiving provider's referral managers (the prime's, always; a partner's, while the
work is with that partner) and the caseworker it is assigned to, while a member of the organisation
the work is with. Nobody else: not commissioners (they see counts), assessors, evaluators or
administrators. Whatever cannot be read is "not found", exactly as a referral that does not exist.
"""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Role
from accounts.permissions import has_role, membership_of, role_area_ids
from core.rules import Rule

NOTHING = Q(id__in=[])


def is_practitioner(user) -> bool:
    return has_role(user, Role.PRACTITIONER)


def practitioner_region_ids(user) -> list[int]:
    """The probation regions a practitioner works in (their practitioner roles' areas), read with
    their roles (one query a request)."""
    return role_area_ids(user, Role.PRACTITIONER)


def is_referral_manager_of(user, organisation_id: int | None) -> bool:
    """An administrator of the organisation, or a member its administrator made a referral manager."""
    membership = membership_of(user)
    if membership is None or organisation_id is None or membership.organisation_id != organisation_id:
        return False
    if membership.is_admin:
        return True
    cached = getattr(membership, "_referral_manager", None)
    if cached is None:
        from referrals.models import ReferralManager

        cached = ReferralManager.objects.filter(membership=membership, revoked_at__isnull=True).exists()
        membership._referral_manager = cached
    return cached


def readable_q(user) -> Q:
    """The referrals `user` may read, as a filter on Referral."""
    condition = NOTHING
    if is_practitioner(user):
        condition |= _made_by(user)
        regions = practitioner_region_ids(user)
        if regions:
            condition |= Q(sent_at__isnull=False, area_id__in=regions)
    return condition | _provider_side_q(user)


def _made_by(user) -> Q:
    return Q(created_by_id=user.pk)


def _provider_side_q(user) -> Q:
    """What `user` reads as a provider: as a referral manager of their organisation, whatever is
    sent to it as the prime or given to it as a partner; else, as a caseworker, what they are given
    there (a manager reads those anyway, so the test is left out for them)."""
    membership = membership_of(user)
    if membership is None:
        return NOTHING
    org = membership.organisation_id
    if is_referral_manager_of(user, org):
        # `prime_id` is the contract's supplier kept on the row (models.Referral.prime): a test on
        # one table, read through `referral_prime_idx`.
        return Q(sent_at__isnull=False, prime_id=org) | Q(sent_at__isnull=False, provider_id=org)
    return Q(sent_at__isnull=False, provider_id=org, caseworker_id=user.pk)


def made_by_readable_q(user) -> Q:
    """`readable_q(user) & Q(created_by_id=user.pk)`, the practitioner's own list, written without
    what the first part makes redundant: a practitioner reads everything they made, so their list is
    one indexed test (no region or membership to look up, and the count reads the index alone).
    `referrals/tests/test_prime.py` holds the two equal for every kind of person."""
    if is_practitioner(user):
        return _made_by(user)
    return _made_by(user) & _provider_side_q(user)


def can_read_referral(user, referral) -> bool:
    return Rule("a referral this person may read", lambda now: readable_q(user), uses_clock=False).holds(referral)


def is_practitioner_side(user, referral) -> bool:
    """A practitioner who may read it: they follow it, approve its plan, end or cancel it."""
    return is_practitioner(user) and can_read_referral(user, referral)


def can_edit_draft(user, referral) -> bool:
    """A draft is its author's until it is sent."""
    return is_practitioner(user) and referral.created_by_id == user.pk and referral.sent_at is None


def can_manage_referral(user, referral) -> bool:
    """Assign it and book the assessment: a referral manager of the prime or of the partner the
    work is with."""
    if referral.sent_at is None:
        return False
    return is_referral_manager_of(user, referral.prime_id) or is_referral_manager_of(user, referral.provider_id)


def can_assign_to_partner(user, referral) -> bool:
    """Only the prime gives work to a partner."""
    return referral.sent_at is not None and is_referral_manager_of(user, referral.prime_id)


def can_deliver(user, referral) -> bool:
    """Plan, record sessions and report: the assigned caseworker (still a member of the
    organisation the work is with) or a referral manager there."""
    if referral.sent_at is None or referral.provider_id is None:
        return False
    membership = membership_of(user)
    if membership is None or membership.organisation_id != referral.provider_id:
        return False
    return referral.caseworker_id == user.pk or is_referral_manager_of(user, referral.provider_id)


def can_grant_referral_manager(user, organisation) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.organisation_id == organisation.pk and membership.is_admin

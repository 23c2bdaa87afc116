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

from accounts.models import Role, StaffRole
from accounts.permissions import has_role, membership_of
from core.rules import Rule

NOTHING = Q(id__in=[])


def is_practitioner(user) -> bool:
    return has_role(user, Role.PRACTITIONER)


def practitioner_region_ids(user) -> list[int]:
    """The probation regions a practitioner works in (their practitioner roles' areas)."""
    if not is_practitioner(user):
        return []
    cached = getattr(user, "_practitioner_regions", None)
    if cached is None:
        cached = sorted(
            StaffRole.objects.filter(user=user, role=Role.PRACTITIONER, area__isnull=False).values_list(
                "area_id", flat=True
            )
        )
        user._practitioner_regions = cached
    return cached


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
        condition |= Q(created_by_id=user.pk)
        regions = practitioner_region_ids(user)
        if regions:
            condition |= Q(sent_at__isnull=False, area_id__in=regions)
    membership = membership_of(user)
    if membership is not None:
        org = membership.organisation_id
        if is_referral_manager_of(user, org):
            condition |= Q(sent_at__isnull=False, contract__supplier_id=org) | Q(sent_at__isnull=False, provider_id=org)
        condition |= Q(sent_at__isnull=False, provider_id=org, caseworker_id=user.pk)
    return condition


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
    return is_referral_manager_of(user, referral.contract.supplier_id) or is_referral_manager_of(
        user, referral.provider_id
    )


def can_assign_to_partner(user, referral) -> bool:
    """Only the prime gives work to a partner."""
    return referral.sent_at is not None and is_referral_manager_of(user, referral.contract.supplier_id)


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

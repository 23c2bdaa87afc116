"""Reads for the provider's referral pages (the prime's referral managers, partners given work,
caseworkers). Every list starts from `selectors.provider_inbox`, so who sees what is the one rule
in `permissions.readable_q`; the statuses are `rules`' own filters."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Membership, Organisation
from accounts.permissions import membership_of
from contracts.models import Contract
from referrals import permissions, rules, selectors
from referrals.models import ActionPlan, EndOfServiceReport, Referral, ReferralManager, ReferralOutcome

# The inbox's three lists: waiting for a caseworker; being worked on; over (cancelled, ended early
# or completed). Each a union of the status rules, so a referral is in exactly one.
INBOX_TABS = {
    "new": ("New", rules.REFERRAL_SENT.q()),
    "in-progress": ("In progress", rules.REFERRAL_ASSIGNED.q() | rules.REFERRAL_IN_PROGRESS.q()),
    "ended": ("Ended", rules.REFERRAL_CLOSED.q()),
}


def inbox(user, tab: str) -> QuerySet[Referral]:
    """One of the inbox's lists: the referrals this person may read as a provider, newest first,
    with what the list shows joined in (one query a page, its count included)."""
    return selectors.provider_inbox(user).filter(INBOX_TABS[tab][1])


def find_in_inbox(user, crn: str) -> list[Referral]:
    """The referrals in this person's inbox (any tab) for a case reference number: what they may
    not see is left out exactly as what does not exist."""
    return selectors.find_by_crn(user=user, crn=crn, scope=selectors.provider_inbox)


def takes_referrals(user) -> bool:
    """Whether the person's organisation holds a contract, as the prime or as a partner named in
    its terms: the header then shows "Referrals". Asked once a request."""
    membership = membership_of(user)
    if membership is None:
        return False
    cached = getattr(membership, "_takes_referrals", None)
    if cached is None:
        org = membership.organisation_id
        cached = Contract.objects.filter(Q(supplier_id=org) | Q(versions__partners__organisation_id=org)).exists()
        membership._takes_referrals = cached
    return cached


def partner_choices(referral: Referral) -> list[Organisation]:
    """Who the prime may give the work to: itself, or a partner named in the terms in force."""
    from referrals.services import partner_organisation_ids

    ids = {referral.prime_id, *partner_organisation_ids(referral.contract)}
    prime_first = {referral.prime_id: 0}
    return sorted(Organisation.objects.filter(pk__in=ids), key=lambda o: (prime_first.get(o.pk, 1), o.legal_name))


def referral_outcomes(referral: Referral) -> list[ReferralOutcome]:
    """The desired outcomes chosen on the referral, with their type of support, in page order."""
    return list(
        ReferralOutcome.objects.filter(referral_category__referral=referral)
        .select_related("outcome", "referral_category__category")
        .order_by("referral_category__category__display_order", "outcome__display_order", "id")
    )


def plan_being_written(referral: Referral) -> ActionPlan | None:
    """The version not yet approved, if there is one."""
    return referral.action_plans.filter(approved_at__isnull=True).prefetch_related("activities").first()


def plan_to_start_from(referral: Referral) -> ActionPlan | None:
    """What the plan page starts from: the version being written, or else the latest approved."""
    return plan_being_written(referral) or (
        referral.action_plans.filter(approved_at__isnull=False)
        .order_by("-version")
        .prefetch_related("activities")
        .first()
    )


def report_of(referral: Referral) -> EndOfServiceReport | None:
    return EndOfServiceReport.objects.filter(referral=referral).prefetch_related("outcomes").first()


def organisation_members_and_managers(organisation_id: int) -> list[dict]:
    """Each member of the organisation and whether they manage referrals now (administrators do
    anyway). Two queries."""
    current = set(
        ReferralManager.objects.filter(
            membership__organisation_id=organisation_id, revoked_at__isnull=True
        ).values_list("membership_id", flat=True)
    )
    return [
        {"membership": m, "is_manager": m.pk in current}
        for m in Membership.objects.filter(organisation_id=organisation_id)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    ]


def is_provider_side(user, referral: Referral) -> bool:
    """Someone who may open the provider's page of this referral: a referral manager of the prime
    or of the organisation doing the work, or its caseworker there (practitioners have their own
    pages)."""
    return permissions.can_manage_referral(user, referral) or permissions.can_deliver(user, referral)

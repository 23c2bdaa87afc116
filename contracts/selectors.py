"""Reads for the contracts register."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.permissions import is_staff_member, membership_of
from competitions.models import Award
from competitions.selectors.award import contract_refusal
from contracts.models import Contract
from core.clock import db_now


def contracts_visible_to(user) -> QuerySet[Contract]:
    """Every contract for staff; an organisation's own contracts for its members; nothing otherwise."""
    queryset = Contract.objects.select_related("supplier", "service_type", "lot__competition").prefetch_related(
        "areas", "years"
    )
    if is_staff_member(user):
        return queryset
    membership = membership_of(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(supplier_id=membership.organisation_id)


def contract_detail(*, user, pk: int) -> Contract:
    """Raises Contract.DoesNotExist for a contract this person may not see."""
    return contracts_visible_to(user).prefetch_related("subcontracts", "funding").get(pk=pk)


def awards_due_for_contract() -> list[Award]:
    """Final awards (`rules.AWARD_FINAL`) of lots still wanted that have no contract yet."""
    now = db_now()
    candidates = (
        Award.objects.final(now=now)
        .filter(contract__isnull=True, lot__abandoned_at__isnull=True)
        .select_related("lot")
        .order_by("standstill_ends_at")
    )
    return [award for award in candidates if not contract_refusal(award, now=now)]

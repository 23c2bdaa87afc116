"""Reads for the contracts register."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from accounts.permissions import is_staff_member, membership_of
from competitions.models import Award
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


def contract_refusal(award: Award, *, now: datetime.datetime | None = None) -> str:
    """Why no contract can be made for this award yet ("" if it can)."""
    if award.cancelled_at is not None:
        return "The award was cancelled"
    if award.approved_at is None or award.standstill_ends_at is None:
        return "The award has not been approved yet"
    if award.challenged_at is not None and award.challenge_resolved_at is None:
        return "The award has been challenged. Resolve the challenge first"
    if award.lot.abandoned_at is not None:
        return "The lot was cancelled"
    if (now or db_now()) < award.standstill_ends_at:
        return "The waiting period has not ended yet"
    return ""


def awards_due_for_contract() -> list[Award]:
    """Approved, not cancelled, waiting period over, no open challenge, no contract yet."""
    now = db_now()
    candidates = (
        Award.objects.filter(
            approved_at__isnull=False,
            cancelled_at__isnull=True,
            standstill_ends_at__lte=now,
            contract__isnull=True,
            lot__abandoned_at__isnull=True,
        )
        .select_related("lot")
        .order_by("standstill_ends_at")
    )
    return [award for award in candidates if not contract_refusal(award, now=now)]

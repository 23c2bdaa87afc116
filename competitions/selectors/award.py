"""Reads about awards that other apps (contracts) build on."""

from __future__ import annotations

import datetime

from accounts.permissions import membership_of
from competitions.models import Award, OutcomeLetter
from competitions.permissions_evaluation import can_manage_evaluation
from core.clock import working_days_between


def contract_refusal(award: Award, *, now: datetime.datetime | None = None) -> str:
    """Why no contract can be made for this award yet ("" if it can): the award must be final
    (`rules.AWARD_FINAL`) and its lot still wanted. The reasons only explain a refusal."""
    if award.lot.abandoned_at is not None:
        return "The lot was cancelled"
    if award.is_final(now=now):
        return ""
    if award.cancelled_at is not None:
        return "The award was cancelled"
    if award.approved_at is None:
        return "The award has not been approved yet"
    if award.challenged_at is not None and award.challenge_resolved_at is None:
        return "The award has been challenged. Resolve the challenge first"
    return "The waiting period has not ended yet"


def outcome_letters_visible_to(user, competition):
    """The outcome letters of a competition this person may read: all of them for its commissioners,
    their own organisation's otherwise (the same rule as permissions_evaluation.can_view_outcome_letter)."""
    letters = OutcomeLetter.objects.filter(lot__competition=competition).select_related("bid__organisation", "lot")
    if can_manage_evaluation(user, competition):
        return letters
    membership = membership_of(user)
    if membership is None:
        return letters.none()
    return letters.filter(bid__organisation_id=membership.organisation_id)


def waiting_period_working_days_left(award: Award | None, *, now: datetime.datetime) -> int | None:
    """Whole working days left in the waiting period (standstill), or None if it is not running."""
    if award is None or award.standstill_ends_at is None or now >= award.standstill_ends_at:
        return None
    return working_days_between(now, award.standstill_ends_at)

"""Reads about awards that other apps (contracts) build on."""

from __future__ import annotations

import datetime

from competitions.models import Award
from core.clock import db_now


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

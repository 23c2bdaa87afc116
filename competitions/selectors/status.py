"""Where a competition (and each of its lots) stands, derived from its timestamps and the clock.

Nothing here is stored: the stage is worked out from `planned_at`, `launched_at`, `closes_at`,
`abandoned_at` and each lot's award (`approved_at`, `standstill_ends_at`, the challenge
timestamps), against the database server's clock unless `now` is given.

Competition stages, in order: draft, planned, open, evaluation, standstill, awarded; or
abandoned. Lots have the same stages plus "challenged" (an approved award whose challenge is not
yet resolved: the award is paused). A competition with a challenged lot is in "standstill" (no
contract can be made yet), and is never "awarded" until the challenge is resolved.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ObjectDoesNotExist

from competitions.models import Award, Competition, Lot
from core.clock import db_now

DRAFT = "draft"
PLANNED = "planned"
OPEN = "open"
EVALUATION = "evaluation"
STANDSTILL = "standstill"
CHALLENGED = "challenged"
AWARDED = "awarded"
ABANDONED = "abandoned"

STAGES = [DRAFT, PLANNED, OPEN, EVALUATION, STANDSTILL, AWARDED, ABANDONED]

# What people read (GOV.UK tags): plain English.
STAGE_LABELS = {
    DRAFT: "Draft",
    PLANNED: "Planned",
    OPEN: "Open for bids",
    EVALUATION: "Being scored",
    STANDSTILL: "Waiting period before contract",
    CHALLENGED: "Award paused by a challenge",
    AWARDED: "Awarded",
    ABANDONED: "Cancelled",
}

STAGE_TAG_CLASSES = {
    DRAFT: "govuk-tag--grey",
    PLANNED: "govuk-tag--light-blue",
    OPEN: "govuk-tag--green",
    EVALUATION: "govuk-tag--yellow",
    STANDSTILL: "govuk-tag--orange",
    CHALLENGED: "govuk-tag--red",
    AWARDED: "govuk-tag--blue",
    ABANDONED: "govuk-tag--red",
}


def stage_label(stage: str) -> str:
    return STAGE_LABELS[stage]


def stage_tag(stage: str) -> dict[str, str]:
    """Parameters for `govukTag`."""
    return {"text": STAGE_LABELS[stage], "classes": STAGE_TAG_CLASSES[stage]}


class _Clock:
    """Ask the database for the time at most once, and only if it is needed."""

    def __init__(self, now: datetime.datetime | None):
        self._now = now

    def __call__(self) -> datetime.datetime:
        if self._now is None:
            self._now = db_now()
        return self._now


def _pre_close_stage(competition: Competition, clock: _Clock) -> str | None:
    """The stage while bidding has not closed (`rules.BIDDING_CLOSED`), or None once it has."""
    if competition.abandoned_at is not None:
        return ABANDONED
    if competition.launched_at is None:
        return PLANNED if competition.is_planned else DRAFT
    if not competition.is_bidding_closed(now=clock()):
        return OPEN
    return None


def _live_award(lot: Lot) -> Award | None:
    try:
        award = lot.award
    except ObjectDoesNotExist:
        return None
    return award if award.cancelled_at is None else None


def _award_stage(lot: Lot, clock: _Clock) -> str:
    """The stage of a lot of a competition whose bidding has closed."""
    if lot.abandoned_at is not None:
        return ABANDONED
    award = _live_award(lot)
    if award is None or not award.is_published:
        return EVALUATION
    if award.is_final(now=clock()):
        return AWARDED
    if award.challenged_at is not None and award.challenge_resolved_at is None:
        return CHALLENGED
    return STANDSTILL


def lot_stage(lot: Lot, now: datetime.datetime | None = None) -> str:
    """draft | planned | open | evaluation | standstill | challenged | awarded | abandoned."""
    clock = _Clock(now)
    if lot.abandoned_at is not None:
        return ABANDONED
    before = _pre_close_stage(lot.competition, clock)
    if before is not None:
        return before
    return _award_stage(lot, clock)


def competition_stage(competition: Competition, *, now: datetime.datetime | None = None) -> str:
    """draft | planned | open | evaluation | standstill | awarded | abandoned."""
    clock = _Clock(now)
    before = _pre_close_stage(competition, clock)
    if before is not None:
        return before
    stages = [_award_stage(lot, clock) for lot in competition.lots.all()]
    live = [stage for stage in stages if stage != ABANDONED]
    if not live:
        # Every lot was abandoned (or none was ever set up): nothing can be awarded.
        return ABANDONED if stages else EVALUATION
    if all(stage == AWARDED for stage in live):
        return AWARDED
    if any(stage in (STANDSTILL, CHALLENGED) for stage in live):
        return STANDSTILL
    return EVALUATION

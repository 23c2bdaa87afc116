"""Who may do what in evaluation and award. Built on the sealed-bid rule in
`competitions.permissions` (`can_read_bid`): nothing here ever lets anyone read a bid that rule
refuses."""

from __future__ import annotations

from accounts.permissions import is_evaluator, is_member_of, membership_of
from competitions.models import Bid, Competition, OutcomeLetter, Score
from competitions.permissions import (
    can_read_bid,
    is_competition_commissioner,
    is_competition_evaluator,
)

MIN_EVALUATORS = 2


def is_assigned_evaluator(user, competition: Competition) -> bool:
    """An evaluator (by role) assigned to this competition."""
    return is_evaluator(user) and is_competition_evaluator(user, competition)


def can_manage_evaluation(user, competition: Competition) -> bool:
    """The competition's own commissioners assign evaluators, check pass/fail, moderate and award."""
    return is_competition_commissioner(user, competition)


def can_view_evaluation(user, competition: Competition) -> bool:
    return can_manage_evaluation(user, competition) or is_assigned_evaluator(user, competition)


def evaluation_started(competition: Competition) -> bool:
    """Scoring starts once bidding has closed and at least two evaluators are assigned."""
    return (
        competition.abandoned_at is None
        and competition.is_bidding_closed()
        and competition.members.filter(role="evaluator").count() >= MIN_EVALUATORS
    )


def can_declare_conflicts(user, competition: Competition) -> bool:
    return is_assigned_evaluator(user, competition) and evaluation_started(competition)


def can_score_bid(user, bid: Bid) -> bool:
    """An assigned evaluator who declared no conflict with this bidder, after the closing date."""
    return (
        is_assigned_evaluator(user, bid.competition)
        and bid.is_sent
        and evaluation_started(bid.competition)
        and can_read_bid(user, bid)
    )


def has_submitted_scores(user, bid: Bid) -> bool:
    return Score.objects.filter(evaluator=user, answer__bid=bid, submitted_at__isnull=False).exists()


def can_see_all_scores(user, bid: Bid) -> bool:
    """Commissioners (who moderate) see every submitted score; an evaluator only once they have
    submitted their own scores for this bid."""
    if can_manage_evaluation(user, bid.competition) and can_read_bid(user, bid):
        return True
    return can_score_bid(user, bid) and has_submitted_scores(user, bid)


def can_view_outcome_letter(user, letter: OutcomeLetter) -> bool:
    """The bidding organisation's members, and the competition's commissioners."""
    return is_member_of(user, letter.bid.organisation) or is_competition_commissioner(user, letter.bid.competition)


def can_view_results(user, competition: Competition) -> bool:
    """The results page: the competition's commissioners, and organisations that bid."""
    if can_manage_evaluation(user, competition):
        return True
    membership = membership_of(user)
    return membership is not None and competition.bids.filter(organisation_id=membership.organisation_id).exists()

"""Helpers for evaluation and award tests: a competition whose bidding has closed, with bids
scored, checked and moderated through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from competitions.models import Bid, Competition, CompetitionMember, QuestionKind
from competitions.selectors.evaluation import pass_fail_answers, scored_answers
from competitions.services import evaluation as services
from competitions.tests.factories import make_bid, make_competition
from tests.factories import make_user_with_role


def close_bidding(competition: Competition) -> Competition:
    past = timezone.now() - datetime.timedelta(hours=1)
    Competition.objects.filter(pk=competition.pk).update(closes_at=past, clarification_deadline=past)
    competition.refresh_from_db()
    return competition


def closed_competition(**kwargs) -> Competition:
    kwargs.setdefault("evaluators", 2)
    return close_bidding(make_competition(**kwargs))


def commissioner_of(competition: Competition):
    return competition.members.filter(role="commissioner").order_by("pk").first().user


def evaluators(competition: Competition) -> list:
    return [m.user for m in competition.members.filter(role="evaluator").order_by("pk")]


def add_commissioner(competition: Competition, **kwargs):
    user = make_user_with_role("commissioner", **kwargs)
    CompetitionMember.objects.create(
        competition=competition, user=user, role="commissioner", added_by=commissioner_of(competition)
    )
    return user


def declare(evaluator, competition: Competition, *, conflicts: tuple[Bid, ...] = ()) -> None:
    for bid in Bid.objects.filter(competition=competition, submitted_at__isnull=False):
        services.conflict_declare(
            bid=bid,
            evaluator=evaluator,
            has_conflict=bid in conflicts,
            details="My sister works there" if bid in conflicts else "",
        )


def score_and_submit(evaluator, bid: Bid, score: int = 3) -> None:
    entries = [(answer, score, f"Scored {score} because it is clear.") for answer in scored_answers(bid)]
    services.scores_save(evaluator=evaluator, bid=bid, entries=entries, submit=True)


def check_pass_fail(bid: Bid, actor, *, passed: bool = True) -> None:
    for answer in pass_fail_answers(bid):
        services.pass_fail_record(answer=answer, passed=passed, note="", actor=actor)


def moderate(bid: Bid, actor, scores: dict[int, int] | int = 3) -> None:
    """`scores`: one score for every answer, or a score per question number."""
    for answer in scored_answers(bid):
        value = scores if isinstance(scores, int) else scores[answer.question.number]
        services.moderation_record(
            answer=answer, score=value, rationale=f"Agreed {value}: well evidenced.", actor=actor
        )


def evaluate(competition: Competition, bids_and_scores: list[tuple[Bid, dict[int, int] | int]], *, moderator=None):
    """Both evaluators declare no conflict, score and submit; pass/fail passed; moderated."""
    moderator = moderator or commissioner_of(competition)
    for evaluator in evaluators(competition):
        declare(evaluator, competition)
        for bid, _ in bids_and_scores:
            score_and_submit(evaluator, bid)
    for bid, scores in bids_and_scores:
        check_pass_fail(bid, moderator)
        moderate(bid, moderator, scores)
    return moderator


def priced_bid(competition: Competition, price: str, **kwargs) -> Bid:
    return make_bid(competition, price=Decimal(price), **kwargs)


__all__ = ["QuestionKind", "make_bid", "make_competition"]


def award_world():
    """Two lots, two bids, scored and moderated. Kent: approved, waiting period over, contract
    made. Surrey: approved and challenged. Returns a dict of the pieces."""
    from competitions.models import Award
    from competitions.services import award as award_services
    from contracts.services import contract_create_for_award

    competition = closed_competition(lots=("Kent", "Surrey"))
    winner = priced_bid(competition, "400000")
    loser = priced_bid(competition, "300000")
    moderator = evaluate(competition, [(winner, {1: 4, 2: 3, 3: 2}), (loser, {1: 2, 2: 2, 3: 4})])
    recommender, approver = add_commissioner(competition), add_commissioner(competition)
    kent, surrey = competition.lots.order_by("number")
    awards = {}
    for lot in (kent, surrey):
        award = award_services.award_recommend(lot=lot, actor=recommender)
        awards[lot.name] = award_services.award_approve(award=award, actor=approver)
    kent_award = awards["Kent"]
    Award.objects.filter(pk=kent_award.pk).update(
        standstill_ends_at=kent_award.approved_at - datetime.timedelta(minutes=1)
    )
    kent_award.refresh_from_db()
    contract = contract_create_for_award(award=kent_award, actor=approver)
    surrey_award = award_services.award_challenge_record(
        award=awards["Surrey"], details="The other bidder asked for a review", actor=recommender
    )
    return {
        "competition": competition,
        "winner": winner,
        "loser": loser,
        "moderator": moderator,
        "kent": kent,
        "surrey": surrey,
        "kent_award": kent_award,
        "surrey_award": surrey_award,
        "contract": contract,
    }


def join_competition(competition: Competition, user, role: str) -> None:
    """Make a role's test user a member of this competition (commissioner or evaluator)."""
    CompetitionMember.objects.create(
        competition=competition, user=user, role=role, added_by=commissioner_of(competition)
    )
    if role == "evaluator":
        declare(user, competition)

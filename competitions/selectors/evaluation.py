"""Reads for evaluation: who evaluates, conflict declarations, answers to score, scores seen so far.

Bid content is only ever returned for a bid the caller may read (`can_read_bid`); views check
the named predicates in `competitions.permissions_evaluation` first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Organisation, User
from competitions.models import (
    Award,
    Bid,
    BidAnswer,
    Competition,
    CompetitionMember,
    ConflictDeclaration,
    Lot,
    ModeratedScore,
    QuestionKind,
    Score,
)
from competitions.selectors.answers import answers_for_lots
from competitions.selectors.scoring import SCORED_KINDS
from qualification.selectors.eligibility import eligible_organisations


def evaluators_of(competition: Competition) -> QuerySet[User]:
    return User.objects.filter(
        competition_memberships__competition=competition,
        competition_memberships__role=CompetitionMember.MemberRole.EVALUATOR,
    ).order_by("full_name", "email")


def evaluators_available(competition: Competition) -> QuerySet[User]:
    """Active people with the evaluator role not yet assigned to this competition."""
    return (
        User.objects.filter(is_active=True, staff_roles__role="evaluator")
        .exclude(pk__in=evaluators_of(competition).values("pk"))
        .distinct()
        .order_by("full_name", "email")
    )


def submitted_bids(competition: Competition) -> QuerySet[Bid]:
    return (
        Bid.objects.sent()
        .filter(competition=competition)
        .select_related("organisation", "competition")
        .order_by("submitted_at", "pk")
    )


def declarations_by_bid(user, competition: Competition) -> dict[int, ConflictDeclaration]:
    return {d.bid_id: d for d in ConflictDeclaration.objects.filter(competition=competition, evaluator=user)}


def has_declared_for_every_bid(user, competition: Competition) -> bool:
    declared = declarations_by_bid(user, competition)
    return all(bid.pk in declared for bid in submitted_bids(competition))


def _counted_answers(bid: Bid) -> QuerySet[BidAnswer]:
    """The bid's answers that count for a lot it bids for, in question order, then by lot number."""
    lot_ids = bid.bid_lots.values_list("lot_id", flat=True)
    return (
        BidAnswer.objects.filter(bid=bid)
        .filter(answers_for_lots(lot_ids))
        .select_related("question", "lot")
        .order_by("question__number", "lot__number")
    )


def scored_answers(bid: Bid) -> list[BidAnswer]:
    """The bid's quality and social value answers to score: each once, lot-specific ones once per lot."""
    return list(_counted_answers(bid).filter(question__kind__in=SCORED_KINDS))


def pass_fail_answers(bid: Bid) -> list[BidAnswer]:
    """The bid's pass/fail answers to check: each once, lot-specific ones once per lot."""
    return list(_counted_answers(bid).filter(question__kind=QuestionKind.PASS_FAIL).select_related("pass_fail"))


def answer_is_counted(answer: BidAnswer) -> bool:
    """True if the answer counts for a lot its bid is for (what may be scored, checked or agreed)."""
    return _counted_answers(answer.bid).filter(pk=answer.pk).exists()


def own_scores(user, bid: Bid) -> dict[int, Score]:
    return {score.answer_id: score for score in Score.objects.filter(evaluator=user, answer__bid=bid)}


def cleared_evaluator_ids(bid: Bid) -> set[int]:
    """Evaluators who declared no conflict with this bidder."""
    return set(
        ConflictDeclaration.objects.filter(bid=bid, has_conflict=False).values_list("evaluator_id", flat=True)
    ) & set(evaluators_of(bid.competition).values_list("pk", flat=True))


def submitted_scores(answer: BidAnswer) -> list[Score]:
    """Submitted scores from evaluators still cleared for this bid, by evaluator name."""
    cleared = cleared_evaluator_ids(answer.bid)
    return list(
        Score.objects.filter(answer=answer, submitted_at__isnull=False, evaluator_id__in=cleared)
        .select_related("evaluator")
        .order_by("evaluator__full_name")
    )


@dataclass
class BidProgress:
    bid: Bid
    evaluators_cleared: int
    evaluators_submitted: int
    answers: int
    moderated: int
    pass_fail_total: int
    pass_fail_done: int
    pass_fail_failed: int
    pass_fail_checks: list[BidAnswer]


def bid_progress(competition: Competition) -> list[BidProgress]:
    rows = []
    for bid in submitted_bids(competition):
        cleared = cleared_evaluator_ids(bid)
        answers = scored_answers(bid)
        submitted = set(
            Score.objects.filter(answer__bid=bid, submitted_at__isnull=False, evaluator_id__in=cleared).values_list(
                "evaluator_id", flat=True
            )
        )
        moderated = ModeratedScore.objects.filter(answer__in=answers).count()
        checks = pass_fail_answers(bid)
        results = [a.pass_fail for a in checks if hasattr(a, "pass_fail")]
        rows.append(
            BidProgress(
                bid=bid,
                evaluators_cleared=len(cleared),
                evaluators_submitted=len(submitted),
                answers=len(answers),
                moderated=moderated,
                pass_fail_total=len(checks),
                pass_fail_done=len(results),
                pass_fail_failed=sum(1 for r in results if not r.passed),
                pass_fail_checks=checks,
            )
        )
    return rows


def evaluator_bid_rows(user, competition: Competition) -> list[tuple[Bid, ConflictDeclaration | None, bool]]:
    """For an evaluator: each bid, their declaration, and whether they have submitted scores for it."""
    declared = declarations_by_bid(user, competition)
    submitted = set(
        Score.objects.filter(
            evaluator=user, answer__bid__competition=competition, submitted_at__isnull=False
        ).values_list("answer__bid_id", flat=True)
    )
    return [(bid, declared.get(bid.pk), bid.pk in submitted) for bid in submitted_bids(competition)]


def moderators_of_lot(lot: Lot) -> set[int]:
    """Everyone who recorded an agreed score counted in this lot's results."""
    return set(
        ModeratedScore.objects.filter(answer__bid__bid_lots__lot=lot)
        .filter(answers_for_lots([lot.pk], prefix="answer__"))
        .values_list("moderated_by_id", flat=True)
    )


def live_award_for_bid_exists(bid: Bid) -> bool:
    """True once any lot this bid is in has a recommendation that is not cancelled: scores are then fixed."""
    return Award.objects.filter(lot__bid_lots__bid=bid, cancelled_at__isnull=True).exists()


def direct_award_candidates(lot: Lot) -> QuerySet[Organisation]:
    """Organisations qualified to deliver the competition's service in every area of the lot."""
    service_type = lot.competition.service_type
    queryset = Organisation.objects.all()
    areas = list(lot.areas.all())
    if not areas:
        return Organisation.objects.none()
    for area in areas:
        queryset = queryset.filter(pk__in=eligible_organisations(service_type=service_type, area=area).values("pk"))
    return queryset.order_by("legal_name")


def competitions_to_evaluate(user) -> QuerySet[Competition]:
    """The launched competitions this person is an evaluator on, newest closing date first."""
    return (
        Competition.objects.filter(
            members__user=user, members__role=CompetitionMember.MemberRole.EVALUATOR, launched_at__isnull=False
        )
        .distinct()
        .order_by("-closes_at")
    )

"""Evaluation: assigning evaluators, conflict declarations, independent scores, pass/fail checks
and moderation. Every change is audited in its own transaction."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from accounts.permissions import is_evaluator
from audit.services import audit_record, snapshot
from competitions.models import (
    Bid,
    BidAnswer,
    Competition,
    CompetitionMember,
    ConflictDeclaration,
    ModeratedScore,
    PassFailResult,
    QuestionKind,
    Score,
)
from competitions.permissions import can_read_bid
from competitions.permissions_evaluation import (
    can_declare_conflicts,
    can_manage_evaluation,
    can_score_bid,
    evaluation_started,
    has_submitted_scores,
)
from competitions.selectors import evaluation as selectors
from competitions.selectors.scoring import SCORED_KINDS, scale_max
from competitions.services.bids import bid_verify_integrity
from core.clock import db_now


def _require_manager(actor, competition: Competition) -> None:
    if not can_manage_evaluation(actor, competition):
        raise PermissionDenied


@transaction.atomic
def evaluator_assign(*, competition: Competition, user: User, actor) -> CompetitionMember:
    _require_manager(actor, competition)
    if not (user.is_active and is_evaluator(user)):
        raise ValidationError({"evaluator": "Choose someone with the evaluator role"})
    if competition.members.filter(user=user, role=CompetitionMember.MemberRole.EVALUATOR).exists():
        raise ValidationError({"evaluator": f"{user} is already an evaluator for this opportunity"})
    member = CompetitionMember(
        competition=competition, user=user, role=CompetitionMember.MemberRole.EVALUATOR, added_by=actor
    )
    member.full_clean()
    member.save()
    audit_record(actor=actor, action="competition.evaluator_assigned", obj=member, after=snapshot(member))
    return member


@transaction.atomic
def evaluator_remove(*, competition: Competition, user: User, actor) -> None:
    _require_manager(actor, competition)
    member = competition.members.filter(user=user, role=CompetitionMember.MemberRole.EVALUATOR).first()
    if member is None:
        raise ValidationError(f"{user} is not an evaluator for this opportunity")
    if Score.objects.filter(evaluator=user, answer__bid__competition=competition, submitted_at__isnull=False).exists():
        raise ValidationError(f"{user} has already submitted scores, so they cannot be removed")
    audit_record(actor=actor, action="competition.evaluator_removed", obj=member, before=snapshot(member))
    member.delete()


@transaction.atomic
def conflict_declare(*, bid: Bid, evaluator: User, has_conflict: bool, details: str = "") -> ConflictDeclaration:
    """Declare, before reading the bid, whether the evaluator has a conflict of interest with the
    bidder. A conflict removes them from that bid. A 'no' can later become a 'yes', never the reverse."""
    competition = bid.competition
    if not can_declare_conflicts(evaluator, competition) or not bid.is_sent:
        raise PermissionDenied
    details = details.strip()
    if has_conflict and not details:
        raise ValidationError({"details": "Describe the conflict of interest"})
    existing = ConflictDeclaration.objects.select_for_update().filter(evaluator=evaluator, bid=bid).first()
    if existing is not None:
        if existing.has_conflict and not has_conflict:
            raise ValidationError("You have declared a conflict of interest with this bidder. It cannot be withdrawn.")
        if existing.has_conflict == has_conflict:
            return existing
        before = snapshot(existing)
        existing.has_conflict, existing.details, existing.declared_at = has_conflict, details, db_now()
        existing.full_clean()
        existing.save()
        audit_record(
            actor=evaluator,
            action="evaluation.conflict_declared",
            obj=existing,
            before=before,
            after=snapshot(existing),
        )
        return existing
    declaration = ConflictDeclaration(
        competition=competition, evaluator=evaluator, bid=bid, has_conflict=has_conflict, details=details
    )
    declaration.full_clean()
    declaration.save()
    audit_record(actor=evaluator, action="evaluation.conflict_declared", obj=declaration, after=snapshot(declaration))
    return declaration


def bid_read_record(*, user, bid: Bid, purpose: str) -> None:
    """Every read of bid content is audited. Refuses anyone the sealed-bid rule refuses, and any
    bid whose stored content is no longer what was sent (`bid_verify_integrity`, which raises
    BidIntegrityError and records the failure). Call it before showing or changing anything, and
    outside any transaction, so that a failure's record stays."""
    if not can_read_bid(user, bid):
        raise PermissionDenied
    bid_verify_integrity(bid=bid, user=user, purpose=purpose)
    audit_record(actor=user, action="bid.read", obj=bid, after={"purpose": purpose})


def _check_score(answer: BidAnswer, score: int | None, justification: str) -> dict[str, str]:
    errors = {}
    maximum = scale_max(answer.bid.competition)
    if score is None:
        errors["score"] = "Choose a score"
    elif not 0 <= score <= maximum:
        errors["score"] = f"Score must be between 0 and {maximum}"
    if not justification.strip():
        errors["justification"] = "Explain why you gave this score"
    return errors


@transaction.atomic
def score_save_draft(*, evaluator: User, answer: BidAnswer, score: int | None, justification: str) -> Score:
    """Save (or change) one evaluator's draft score for one answer."""
    bid = answer.bid
    if answer.question.kind not in SCORED_KINDS or not can_score_bid(evaluator, bid):
        raise PermissionDenied
    if not selectors.answer_is_counted(answer):
        raise PermissionDenied
    if has_submitted_scores(evaluator, bid):
        raise ValidationError("You have already submitted your scores for this bid")
    errors = _check_score(answer, score, justification)
    if errors:
        raise ValidationError(errors)
    existing = Score.objects.select_for_update().filter(evaluator=evaluator, answer=answer).first()
    before = snapshot(existing) if existing else None
    instance = existing or Score(evaluator=evaluator, answer=answer)
    instance.score, instance.justification, instance.updated_at = score, justification.strip(), db_now()
    instance.full_clean()
    instance.save()
    audit_record(
        actor=evaluator, action="evaluation.score_saved", obj=instance, before=before, after=snapshot(instance)
    )
    return instance


@transaction.atomic
def scores_submit(*, evaluator: User, bid: Bid) -> int:
    """Submit every score for the bid at once. After this the evaluator can see others' scores and
    can no longer change their own."""
    if not can_score_bid(evaluator, bid):
        raise PermissionDenied
    Bid.objects.select_for_update().filter(pk=bid.pk).first()
    if has_submitted_scores(evaluator, bid):
        raise ValidationError("You have already submitted your scores for this bid")
    answers = selectors.scored_answers(bid)
    scores = selectors.own_scores(evaluator, bid)
    missing = [answer for answer in answers if answer.pk not in scores]
    if missing:
        raise ValidationError(f"Score every answer before you submit. {len(missing)} still to score.")
    now = db_now()
    for answer in answers:
        score = scores[answer.pk]
        score.submitted_at = now
        score.save(update_fields=["submitted_at"])
    audit_record(
        actor=evaluator,
        action="evaluation.scores_submitted",
        obj=bid,
        after={"scores": {str(a.pk): scores[a.pk].score for a in answers}, "submitted_at": now},
    )
    return len(answers)


def _refuse_if_award_made(bid: Bid) -> None:
    if selectors.live_award_for_bid_exists(bid):
        raise ValidationError("A lot this bid is in already has a recommended award, so its scores cannot change")


@transaction.atomic
def pass_fail_record(*, answer: BidAnswer, passed: bool, note: str, actor) -> PassFailResult:
    bid = answer.bid
    _require_manager(actor, bid.competition)
    if answer.question.kind != QuestionKind.PASS_FAIL or not bid.is_sent or not can_read_bid(actor, bid):
        raise PermissionDenied
    if not selectors.answer_is_counted(answer):
        raise PermissionDenied
    if not evaluation_started(bid.competition):
        raise ValidationError("Evaluation has not started yet")
    _refuse_if_award_made(bid)
    existing = PassFailResult.objects.select_for_update().filter(answer=answer).first()
    before = snapshot(existing) if existing else None
    result = existing or PassFailResult(answer=answer)
    result.passed, result.note, result.decided_by, result.decided_at = passed, note.strip(), actor, db_now()
    result.full_clean()
    result.save()
    audit_record(actor=actor, action="evaluation.pass_fail_recorded", obj=result, before=before, after=snapshot(result))
    return result


@transaction.atomic
def moderation_record(*, answer: BidAnswer, score: int | None, rationale: str, actor) -> ModeratedScore:
    """Record the agreed score for an answer once every evaluator cleared for the bid has submitted."""
    bid = answer.bid
    _require_manager(actor, bid.competition)
    if answer.question.kind not in SCORED_KINDS or not bid.is_sent or not can_read_bid(actor, bid):
        raise PermissionDenied
    if not selectors.answer_is_counted(answer):
        raise PermissionDenied
    _refuse_if_award_made(bid)
    errors = _check_score(answer, score, rationale)
    if "justification" in errors:
        errors["rationale"] = "Explain why this is the agreed score"
        del errors["justification"]
    if errors:
        raise ValidationError(errors)
    submitted = selectors.submitted_scores(answer)
    waiting = selectors.cleared_evaluator_ids(bid) - {s.evaluator_id for s in submitted}
    if not submitted or waiting:
        raise ValidationError("Every evaluator must submit their scores for this bid before you agree a score")
    existing = ModeratedScore.objects.select_for_update().filter(answer=answer).first()
    before = snapshot(existing) if existing else None
    moderated = existing or ModeratedScore(answer=answer)
    moderated.score, moderated.rationale = score, rationale.strip()
    moderated.moderated_by, moderated.moderated_at = actor, db_now()
    moderated.full_clean()
    moderated.save()
    audit_record(
        actor=actor, action="evaluation.score_moderated", obj=moderated, before=before, after=snapshot(moderated)
    )
    return moderated


@transaction.atomic
def scores_save(*, evaluator: User, bid: Bid, entries: list[tuple[BidAnswer, int, str]], submit: bool = False) -> int:
    """Save several draft scores for one bid together and, if asked, submit them all."""
    for answer, score, justification in entries:
        if answer.bid_id != bid.pk:
            raise PermissionDenied
        score_save_draft(evaluator=evaluator, answer=answer, score=score, justification=justification)
    if submit:
        scores_submit(evaluator=evaluator, bid=bid)
    return len(entries)


@transaction.atomic
def moderation_record_many(*, bid: Bid, entries: list[tuple[BidAnswer, int, str]], actor) -> int:
    """Record several agreed scores for one bid together: all or none."""
    for answer, score, rationale in entries:
        if answer.bid_id != bid.pk:
            raise PermissionDenied
        moderation_record(answer=answer, score=score, rationale=rationale, actor=actor)
    return len(entries)

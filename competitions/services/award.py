"""Award: recommend the winner of a lot, approve it (four eyes), tell every bidder, record and
resolve a challenge, and directly award a lot no compliant bid could win."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Organisation
from audit.services import audit_record, snapshot
from competitions.models import Award, Bid, Competition, Lot, OutcomeLetter
from competitions.permissions_evaluation import can_manage_evaluation
from competitions.selectors.evaluation import direct_award_candidates, moderators_of_lot
from competitions.selectors.scoring import BidLotResult, LotResults, competition_results, lot_results, scale_max
from competitions.services.bids import BidIntegrityError, bids_require_integrity
from core.clock import add_working_days, db_now
from core.formatting import london_datetime


def _require_manager(actor, lot: Lot) -> None:
    if not can_manage_evaluation(actor, lot.competition):
        raise PermissionDenied


def _reuse_or_new(lot: Lot) -> tuple[Award, dict | None]:
    """A lot has one award row; after a cancelled award it is replaced by a fresh recommendation."""
    existing = Award.objects.select_for_update().filter(lot=lot).first()
    if existing is not None and existing.cancelled_at is None:
        raise ValidationError(f"{lot} already has a recommended award")
    if existing is None:
        return Award(lot=lot), None
    before = snapshot(existing)
    for name in (
        "approved_at",
        "approved_by",
        "standstill_ends_at",
        "challenged_at",
        "challenge_resolved_at",
        "cancelled_at",
        "direct_organisation",
        "bid",
    ):
        setattr(existing, name, None)
    existing.challenge_details = existing.challenge_resolution = existing.direct_justification = ""
    return existing, before


# --- Results read only from bids still as sent (ADR 7) ---------------------------------------


def _ranked_bids(competition: Competition) -> list[Bid]:
    # A lot's ranking reads every sent bid of the competition: the cap on lots per provider
    # carries one lot's winner into the next, so every bid counts for every lot.
    return list(Bid.objects.sent().filter(competition=competition).select_related("organisation", "competition"))


def competition_results_verified(*, competition: Competition, user, purpose: str) -> list[LotResults]:
    """`competition_results`, once every bid it ranks has passed the integrity check in one pass
    (`bids_require_integrity`); BidIntegrityError otherwise, which pages show as the refusal."""
    bids_require_integrity(bids=_ranked_bids(competition), user=user, purpose=purpose)
    return competition_results(competition)


def lot_results_verified(*, lot: Lot, user, purpose: str) -> LotResults:
    """`lot_results`, checked as `competition_results_verified` is."""
    bids_require_integrity(bids=_ranked_bids(lot.competition), user=user, purpose=purpose)
    return lot_results(lot)


def award_integrity_message(error: BidIntegrityError) -> str:
    names = sorted({bid.organisation.display_name for bid in error.failed})
    which = "the bid from " + " and ".join(names) if len(names) == 1 else "bids from " + ", ".join(names)
    return (
        f"You cannot make or publish an award for this opportunity yet. What is stored for {which} "
        "does not match what was sent. The service team has been told and will check it."
    )


def _require_bids_as_sent(lot: Lot, actor, purpose: str) -> None:
    """No award is made or published while any bid it ranks fails the integrity check: a GOV.UK
    error for the commissioner. Outside any transaction: the failure's audit event must stay."""
    try:
        bids_require_integrity(bids=_ranked_bids(lot.competition), user=actor, purpose=purpose)
    except BidIntegrityError as error:
        raise ValidationError(award_integrity_message(error), code="integrity") from None


def _check_lot_open_for_award(lot: Lot) -> None:
    if lot.abandoned_at is not None or lot.competition.abandoned_at is not None:
        raise ValidationError(f"{lot} has been cancelled")
    if not lot.competition.is_bidding_closed():
        raise ValidationError("You can only award once bidding has closed")


def award_recommend(*, lot: Lot, actor) -> Award:
    """Recommend the lot's winner: the top-ranked compliant bid after the cap on lots (refused
    while any bid it ranks is not as sent)."""
    _require_manager(actor, lot)
    _require_bids_as_sent(lot, actor, "award_recommend")
    return _award_recommend(lot=lot, actor=actor)


@transaction.atomic
def _award_recommend(*, lot: Lot, actor) -> Award:
    _require_manager(actor, lot)
    _check_lot_open_for_award(lot)
    winner = lot_results(lot).winner
    if winner is None:
        raise ValidationError(f"{lot} has no compliant bid to recommend. You can award it directly instead.")
    award, before = _reuse_or_new(lot)
    award.bid = winner.bid
    award.recommended_by, award.recommended_at = actor, db_now()
    award.full_clean()
    award.save()
    audit_record(actor=actor, action="award.recommended", obj=award, before=before, after=snapshot(award))
    return award


def approval_refusal(award: Award, actor) -> str:
    """Why this person may not approve this award ("" if they may): four eyes."""
    if award.recommended_by_id == actor.pk:
        return "You recommended this award, so someone else must approve it"
    if award.bid_id is not None and actor.pk in moderators_of_lot(award.lot):
        return "You agreed scores for this lot, so someone else must approve the award"
    return ""


def award_approve(*, award: Award, actor) -> Award:
    """Approve a recommendation: start the waiting period and send every bidder their result
    (refused while any bid the result ranks is not as sent)."""
    _require_manager(actor, award.lot)
    _require_bids_as_sent(award.lot, actor, "award_approve")
    return _award_approve(award=award, actor=actor)


@transaction.atomic
def _award_approve(*, award: Award, actor) -> Award:
    award = Award.objects.select_for_update(of=("self",)).select_related("lot__competition").get(pk=award.pk)
    lot = award.lot
    _require_manager(actor, lot)
    _check_lot_open_for_award(lot)
    if award.cancelled_at is not None:
        raise ValidationError("This award was cancelled")
    if award.approved_at is not None:
        raise ValidationError("This award has already been approved")
    refusal = approval_refusal(award, actor)
    if refusal:
        raise ValidationError(refusal)
    before = snapshot(award)
    award.approved_at = db_now()
    award.approved_by = actor
    award.standstill_ends_at = add_working_days(award.approved_at, lot.competition.standstill_days)
    award.full_clean()
    award.save()
    audit_record(actor=actor, action="award.approved", obj=award, before=before, after=snapshot(award))
    _send_letters(award)
    return award


def _marks(value: Decimal | None) -> str:
    if value is None:
        return "not scored"
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _number(value: Decimal) -> str:
    """30.00 as "30", 12.50 as "12.5"."""
    return f"{value.normalize():f}"


def letter_body(*, award: Award, result: BidLotResult, winner: BidLotResult | None) -> str:
    """The outcome letter as plain text (e-mailed, and kept as sent)."""
    lot = award.lot
    competition = lot.competition
    maximum = scale_max(competition)
    organisation = result.bid.organisation
    won = winner is not None and winner.bid.pk == result.bid.pk
    lines = [f"Dear {organisation.display_name},", ""]
    if won:
        lines.append(f"Your bid for {lot.name} (lot {lot.number}) in '{competition.title}' was successful.")
    elif award.bid_id is None:
        lines.append(
            f"Your bid for {lot.name} (lot {lot.number}) in '{competition.title}' was not successful. "
            "No bid met every requirement, so we have awarded this lot directly to "
            f"{award.direct_organisation.display_name}."
        )
    else:
        lines.append(f"Your bid for {lot.name} (lot {lot.number}) in '{competition.title}' was not successful.")
        if winner is not None:
            lines.append(f"The lot was won by {winner.bid.organisation.display_name}.")
    if result.reasons:
        lines.append("Your bid could not be ranked: " + "; ".join(result.reasons).lower() + ".")
    lines += ["", "Your scores"]
    winner_rows = {row.question.pk: row for row in winner.answers} if winner and not won else {}
    for row in result.answers:
        text = f"Question {row.question.number}: {row.question.text}"
        text += f"\n  Your score: {row.agreed if row.agreed is not None else '-'} out of {maximum} ({_marks(row.marks)} of {_number(row.question.weight)} marks)"
        if row.question.pk in winner_rows:
            other = winner_rows[row.question.pk]
            text += f"\n  Winning bid: {other.agreed} out of {maximum} ({_marks(other.marks)} marks)"
        if row.rationale:
            text += f"\n  Feedback: {row.rationale}"
        lines.append(text)
    lines.append(f"Price: {_marks(result.price_score)} of {_number(competition.price_weight)} marks")
    lines.append(f"Your total: {_marks(result.total)} out of 100")
    if winner is not None and not won:
        lines.append(f"Winning total: {_marks(winner.total)} out of 100")
    lines += [
        "",
        f"There is a waiting period before the contract is made. It ends at {london_datetime(award.standstill_ends_at)}.",
        "If you want to challenge this decision, contact the commissioner before then.",
    ]
    return "\n".join(lines)


def _send_letters(award: Award) -> list[OutcomeLetter]:
    from competitions.tasks_award import send_outcome_letters

    results: LotResults = lot_results(award.lot)
    winner = results.for_bid(award.bid_id) if award.bid_id else None
    letters = []
    for result in results.bids:
        # A lot awarded again (after an upheld challenge) sends each bidder a new letter in place of the old.
        letter = OutcomeLetter.objects.filter(bid=result.bid, lot=award.lot).first() or OutcomeLetter(
            bid=result.bid, lot=award.lot
        )
        letter.successful = winner is not None and result.bid.pk == winner.bid.pk
        letter.body = letter_body(award=award, result=result, winner=winner)
        letter.sent_at = award.approved_at
        letter.full_clean()
        letter.save()
        letters.append(letter)
    if letters:
        ids = [letter.pk for letter in letters]
        transaction.on_commit(lambda: send_outcome_letters.enqueue(ids))
        audit_record(actor=None, action="award.letters_sent", obj=award, after={"letters": ids})
    return letters


@transaction.atomic
def award_challenge_record(*, award: Award, details: str, actor) -> Award:
    """A bidder has challenged the decision: the award is paused, no contract can be made."""
    award = Award.objects.select_for_update(of=("self",)).select_related("lot__competition").get(pk=award.pk)
    _require_manager(actor, award.lot)
    details = details.strip()
    if not details:
        raise ValidationError({"details": "Enter details of the challenge"})
    if award.approved_at is None or award.cancelled_at is not None:
        raise ValidationError("Only an approved award can be challenged")
    if award.challenged_at is not None:
        raise ValidationError("A challenge has already been recorded for this award")
    if hasattr(award, "contract"):
        raise ValidationError("The contract has already been made")
    before = snapshot(award)
    award.challenged_at, award.challenge_details = db_now(), details
    award.full_clean()
    award.save()
    audit_record(actor=actor, action="award.challenged", obj=award, before=before, after=snapshot(award))
    return award


@transaction.atomic
def award_challenge_resolve(*, award: Award, upheld: bool, resolution: str, actor) -> Award:
    """Record the outcome of a challenge. If it was upheld the award is cancelled."""
    award = Award.objects.select_for_update(of=("self",)).select_related("lot__competition").get(pk=award.pk)
    _require_manager(actor, award.lot)
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": "Enter the outcome of the challenge"})
    if award.challenged_at is None or award.challenge_resolved_at is not None:
        raise ValidationError("There is no open challenge to resolve")
    before = snapshot(award)
    now = db_now()
    award.challenge_resolved_at = now
    award.challenge_resolution = ("Upheld: " if upheld else "Not upheld: ") + resolution
    if upheld:
        award.cancelled_at = now
    award.full_clean()
    award.save()
    audit_record(actor=actor, action="award.challenge_resolved", obj=award, before=before, after=snapshot(award))
    return award


def award_direct(*, lot: Lot, organisation: Organisation, justification: str, actor) -> Award:
    """Award a lot that no compliant bid could win directly to a qualified organisation, with the reason.
    It takes effect at once (there was no competing compliant bid to wait for). Refused while any
    bid of the competition is not as sent: whether a compliant bid exists is read from them."""
    _require_manager(actor, lot)
    _require_bids_as_sent(lot, actor, "award_direct")
    return _award_direct(lot=lot, organisation=organisation, justification=justification, actor=actor)


@transaction.atomic
def _award_direct(*, lot: Lot, organisation: Organisation, justification: str, actor) -> Award:
    _require_manager(actor, lot)
    _check_lot_open_for_award(lot)
    justification = justification.strip()
    if not justification:
        raise ValidationError({"justification": "Explain why you are awarding this lot directly"})
    if lot_results(lot).winner is not None:
        raise ValidationError("This lot has a compliant bid, so it cannot be awarded directly")
    if not direct_award_candidates(lot).filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": "Choose an organisation qualified for this service in this area"})
    award, before = _reuse_or_new(lot)
    now = db_now()
    award.direct_organisation, award.direct_justification = organisation, justification
    award.recommended_by, award.recommended_at = actor, now
    award.approved_at, award.standstill_ends_at = now, now
    award.full_clean()
    award.save()
    audit_record(actor=actor, action="award.direct", obj=award, before=before, after=snapshot(award))
    _send_letters(award)
    return award

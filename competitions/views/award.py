"""Award pages: recommend, approve (four eyes), challenge, direct award, make the contract, and
the outcome letters bidders read. Thin: check the named predicate, call one service, respond."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from competitions.forms_evaluation import ChallengeForm, DirectAwardForm, ResolveChallengeForm
from competitions.models import Award, Competition, Lot, OutcomeLetter
from competitions.permissions_evaluation import can_manage_evaluation, can_view_outcome_letter, can_view_results
from competitions.selectors.award import (
    contract_refusal,
    outcome_letters_visible_to,
    waiting_period_working_days_left,
)
from competitions.selectors.evaluation import direct_award_candidates
from competitions.selectors.scoring import LotResults, scale_max
from competitions.services import award as services
from competitions.services.bids import BidIntegrityError
from competitions.views.integrity import integrity_refusal
from core.clock import db_now
from core.forms import add_service_errors


def _competition(competition_id: int) -> Competition:
    return get_object_or_404(Competition, pk=competition_id)


def _manager_competition(request: HttpRequest, competition_id: int) -> Competition:
    competition = _competition(competition_id)
    if not can_manage_evaluation(request.user, competition) or not competition.is_bidding_closed():
        raise Http404
    return competition


def _lot(competition: Competition, lot_id: int) -> Lot:
    return get_object_or_404(Lot.objects.select_related("competition"), pk=lot_id, competition=competition)


def _award(lot: Lot) -> Award | None:
    return Award.objects.select_related("bid__organisation", "direct_organisation").filter(lot=lot).first()


@dataclass
class LotAwardRow:
    results: LotResults
    award: Award | None
    contract: object | None
    contract_refusal: str
    days_left: int | None


AWARD_REFUSAL_TITLE = "You cannot make or publish an award yet"
# Said to a bidder, whose letter's scores are worked out from every bid: it names nobody.
LETTER_REFUSAL = (
    "What is stored for a bid in this opportunity does not match what was sent, so we cannot show "
    "the results. The service team has been told."
)


def _refusal(request: HttpRequest, error: BidIntegrityError) -> HttpResponse:
    return integrity_refusal(request, error, title=AWARD_REFUSAL_TITLE, message=services.award_integrity_message(error))


def _rows(request: HttpRequest, competition: Competition) -> list[LotAwardRow]:
    now = db_now()
    rows = []
    for results in services.competition_results_verified(competition=competition, user=request.user, purpose="award"):
        award = _award(results.lot)
        contract = getattr(award, "contract", None) if award else None
        refusal = contract_refusal(award, now=now) if award else "No award yet"
        days_left = waiting_period_working_days_left(award, now=now)
        rows.append(LotAwardRow(results, award, contract, refusal, days_left))
    return rows


def overview(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = _manager_competition(request, competition_id)
    try:
        rows = _rows(request, competition)
    except BidIntegrityError as error:
        return _refusal(request, error)
    return render(request, "competitions/award/overview.html", {"competition": competition, "rows": rows})


@require_POST
def recommend(request: HttpRequest, competition_id: int, lot_id: int) -> HttpResponse:
    competition = _manager_competition(request, competition_id)
    lot = _lot(competition, lot_id)
    try:
        award = services.award_recommend(lot=lot, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"You recommended {award.bid.organisation.display_name} for {lot.name}. Another commissioner must approve it.",
        )
    return redirect("competitions:award", competition_id=competition.pk)


def approve(request: HttpRequest, competition_id: int, lot_id: int) -> HttpResponse:
    competition = _manager_competition(request, competition_id)
    lot = _lot(competition, lot_id)
    award = _award(lot)
    if award is None or award.cancelled_at is not None or award.bid_id is None:
        raise Http404
    try:
        results = services.lot_results_verified(lot=lot, user=request.user, purpose="award")
    except BidIntegrityError as exc:
        return _refusal(request, exc)
    error = ""
    if request.method == "POST":
        try:
            services.award_approve(award=award, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, f"You approved the award for {lot.name}. Every bidder has been sent their result."
            )
            return redirect("competitions:award", competition_id=competition.pk)
    refusal = "" if award.approved_at else services.approval_refusal(award, request.user)
    return render(
        request,
        "competitions/award/approve.html",
        {
            "competition": competition,
            "lot": lot,
            "award": award,
            "winner": results.for_bid(award.bid_id),
            "results": results,
            "refusal": refusal,
            "error": error,
            "page_has_errors": bool(error),
        },
    )


def challenge(request: HttpRequest, competition_id: int, lot_id: int) -> HttpResponse:
    competition = _manager_competition(request, competition_id)
    lot = _lot(competition, lot_id)
    award = _award(lot)
    if award is None or award.approved_at is None:
        raise Http404
    form = ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.award_challenge_record(award=award, details=form.cleaned_data["details"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Challenge recorded. The award for {lot.name} is paused.")
            return redirect("competitions:award", competition_id=competition.pk)
    return render(
        request,
        "competitions/award/challenge.html",
        {"competition": competition, "lot": lot, "form": form, "page_has_errors": bool(form.errors)},
    )


def challenge_resolve(request: HttpRequest, competition_id: int, lot_id: int) -> HttpResponse:
    competition = _manager_competition(request, competition_id)
    lot = _lot(competition, lot_id)
    award = _award(lot)
    if award is None or award.challenged_at is None:
        raise Http404
    form = ResolveChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.award_challenge_resolve(
                award=award,
                upheld=form.cleaned_data["upheld"] == "yes",
                resolution=form.cleaned_data["resolution"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Outcome of the challenge recorded for {lot.name}")
            return redirect("competitions:award", competition_id=competition.pk)
    return render(
        request,
        "competitions/award/challenge_resolve.html",
        {"competition": competition, "lot": lot, "award": award, "form": form, "page_has_errors": bool(form.errors)},
    )


def direct(request: HttpRequest, competition_id: int, lot_id: int) -> HttpResponse:
    competition = _manager_competition(request, competition_id)
    lot = _lot(competition, lot_id)
    organisations = list(direct_award_candidates(lot))
    form = DirectAwardForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = get_object_or_404(Organisation, pk=form.cleaned_data["organisation"])
        try:
            services.award_direct(
                lot=lot, organisation=organisation, justification=form.cleaned_data["justification"], actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"You awarded {lot.name} directly to {organisation.display_name}")
            return redirect("competitions:award", competition_id=competition.pk)
    return render(
        request,
        "competitions/award/direct.html",
        {"competition": competition, "lot": lot, "form": form, "page_has_errors": bool(form.errors)},
    )


def letters(request: HttpRequest, competition_id: int) -> HttpResponse:
    """A bidder's results for this opportunity (a commissioner sees every letter)."""
    competition = _competition(competition_id)
    if not can_view_results(request.user, competition):
        raise Http404
    queryset = outcome_letters_visible_to(request.user, competition)
    return render(
        request,
        "competitions/award/letters.html",
        {
            "competition": competition,
            "letters": list(queryset.order_by("lot__number", "bid__organisation__legal_name")),
        },
    )


def letter(request: HttpRequest, competition_id: int, letter_id: int) -> HttpResponse:
    competition = _competition(competition_id)
    letter = get_object_or_404(
        OutcomeLetter.objects.select_related("bid__organisation", "bid__competition", "lot"),
        pk=letter_id,
        lot__competition=competition,
    )
    if not can_view_outcome_letter(request.user, letter):
        raise Http404
    award = _award(letter.lot)
    try:
        results = services.lot_results_verified(lot=letter.lot, user=request.user, purpose="outcome_letter")
    except BidIntegrityError as error:
        return integrity_refusal(request, error, title="You cannot see this result yet", message=LETTER_REFUSAL)
    now = db_now()
    days_left = waiting_period_working_days_left(award, now=now)
    mine = results.for_bid(letter.bid_id)
    winner = results.for_bid(award.bid_id) if award and award.bid_id else None
    return render(
        request,
        "competitions/award/letter.html",
        {
            "competition": competition,
            "letter": letter,
            "award": award,
            "mine": mine,
            "winner": winner if winner and mine and winner.bid.pk != mine.bid.pk else None,
            "winner_rows": {row.question.pk: row for row in winner.answers} if winner else {},
            "maximum": scale_max(competition),
            "days_left": days_left,
        },
    )

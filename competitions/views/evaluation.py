"""Evaluation pages: evaluators, conflict declarations, scoring, pass/fail checks, moderation and
results. Thin: check the named predicate, call one service or selector, respond."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import is_evaluator
from competitions.forms_evaluation import (
    AssignEvaluatorForm,
    ConflictsForm,
    ModerationForm,
    PassFailForm,
    ScoresForm,
    score_choices,
)
from competitions.models import Bid, BidAnswer, Competition, QuestionKind
from competitions.permissions_evaluation import (
    MIN_EVALUATORS,
    can_declare_conflicts,
    can_manage_evaluation,
    can_score_bid,
    can_see_all_scores,
    can_view_evaluation,
    evaluation_started,
    has_submitted_scores,
)
from competitions.selectors import evaluation as q
from competitions.selectors.bids import bids_readable_by
from competitions.selectors.documents import downloadable_documents
from competitions.selectors.scoring import cap_text, scale_max, tie_break_text
from competitions.selectors.status import competition_stage, stage_tag
from competitions.services import award as award_services
from competitions.services import evaluation as services
from competitions.services.bids import BidIntegrityError
from competitions.views.integrity import integrity_refusal
from core.clock import db_now
from core.forms import add_service_errors


def _competition(competition_id: int) -> Competition:
    return get_object_or_404(Competition.objects.select_related("service_type"), pk=competition_id)


def _bid(request: HttpRequest, competition: Competition, bid_id: int, allowed: Callable[[Bid], bool]) -> Bid:
    """A sent bid of this competition that the sealed-bid rule lets this person read and the page
    lets them use; otherwise the same 404, whether the id is of no bid, a draft, a withdrawn bid,
    another competition's bid or one they may not read (a 403 would count the bids that are in)."""
    found = (
        bids_readable_by(request.user, competition)
        .sent()
        .select_related("organisation", "competition")
        .filter(pk=bid_id)
        .first()
    )
    if found is None or not allowed(found):
        raise Http404
    return found


def _read(request: HttpRequest, bid: Bid, purpose: str) -> HttpResponse | None:
    """Check the bid against what was sent and audit the read, before anything is shown or saved:
    the refusal page if it fails (`bid_read_record`), otherwise None."""
    try:
        services.bid_read_record(user=request.user, bid=bid, purpose=purpose)
    except BidIntegrityError as error:
        return integrity_refusal(request, error)
    return None


def evaluator_home(request: HttpRequest) -> HttpResponse:
    if not is_evaluator(request.user):
        raise PermissionDenied
    competitions = list(q.competitions_to_evaluate(request.user))
    now = db_now()
    rows = [{"competition": c, "tag": stage_tag(competition_stage(c, now=now))} for c in competitions]
    return render(request, "competitions/evaluation/home.html", {"rows": rows})


def hub(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = _competition(competition_id)
    if not can_view_evaluation(request.user, competition):
        raise Http404
    manager = can_manage_evaluation(request.user, competition)
    context = {
        "competition": competition,
        "manager": manager,
        "closed": competition.is_bidding_closed(),
        "started": evaluation_started(competition),
        "evaluators": list(q.evaluators_of(competition)),
        "min_evaluators": MIN_EVALUATORS,
        "documents": list(downloadable_documents(request.user, competition)),
    }
    if manager:
        context["progress"] = q.bid_progress(competition) if context["closed"] else []
    else:
        context["rows"] = q.evaluator_bid_rows(request.user, competition) if context["started"] else []
        context["declared_all"] = q.has_declared_for_every_bid(request.user, competition)
    return render(request, "competitions/evaluation/hub.html", context)


def evaluators(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = _competition(competition_id)
    if not can_manage_evaluation(request.user, competition):
        raise Http404
    people = list(q.evaluators_available(competition))
    form = AssignEvaluatorForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        user = next(p for p in people if str(p.pk) == form.cleaned_data["evaluator"])
        try:
            services.evaluator_assign(competition=competition, user=user, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{user.full_name} is now an evaluator for this opportunity")
            return redirect("competitions:evaluate-evaluators", competition_id=competition.pk)
    return render(
        request,
        "competitions/evaluation/evaluators.html",
        {
            "competition": competition,
            "form": form,
            "evaluators": list(q.evaluators_of(competition)),
            "min_evaluators": MIN_EVALUATORS,
            "page_has_errors": bool(form.errors),
        },
    )


@require_POST
def evaluator_remove(request: HttpRequest, competition_id: int, user_id: int) -> HttpResponse:
    competition = _competition(competition_id)
    if not can_manage_evaluation(request.user, competition):
        raise Http404
    user = get_object_or_404(User, pk=user_id)
    try:
        services.evaluator_remove(competition=competition, user=user, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{user.full_name} is no longer an evaluator for this opportunity")
    return redirect("competitions:evaluate-evaluators", competition_id=competition.pk)


def conflicts(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = _competition(competition_id)
    if not can_declare_conflicts(request.user, competition):
        raise Http404
    declared = q.declarations_by_bid(request.user, competition)
    to_declare = [bid for bid in q.submitted_bids(competition) if bid.pk not in declared]
    form = ConflictsForm(request.POST or None, bids=to_declare)
    if request.method == "POST" and form.is_valid():
        try:
            for bid in to_declare:
                services.conflict_declare(
                    bid=bid,
                    evaluator=request.user,
                    has_conflict=form.cleaned_data[f"conflict_{bid.pk}"] == "yes",
                    details=form.cleaned_data[f"details_{bid.pk}"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "You have declared your conflicts of interest")
            return redirect("competitions:evaluate", competition_id=competition.pk)
    return render(
        request,
        "competitions/evaluation/conflicts.html",
        {
            "competition": competition,
            "form": form,
            "declared": [(d.bid, d) for d in declared.values()],
            "page_has_errors": bool(form.errors),
        },
    )


def score_bid(request: HttpRequest, competition_id: int, bid_id: int) -> HttpResponse:
    competition = _competition(competition_id)
    bid = _bid(request, competition, bid_id, lambda bid: can_score_bid(request.user, bid))
    if (refusal := _read(request, bid, "scoring")) is not None:
        return refusal
    answers = q.scored_answers(bid)
    maximum = scale_max(competition)
    submitted = has_submitted_scores(request.user, bid)
    own = q.own_scores(request.user, bid)
    submitting = request.POST.get("action") == "submit"
    initial = {}
    for answer_id, score in own.items():
        initial[f"score_{answer_id}"] = str(score.score)
        initial[f"justification_{answer_id}"] = score.justification
    form = ScoresForm(
        request.POST if request.method == "POST" and not submitted else None,
        initial=initial,
        answers=answers,
        maximum=maximum,
        submitting=submitting,
    )
    if request.method == "POST" and not submitted and form.is_valid():
        try:
            services.scores_save(evaluator=request.user, bid=bid, entries=form.filled(), submit=submitting)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if submitting:
                messages.success(request, f"You have submitted your scores for {bid.organisation.display_name}")
                return redirect("competitions:evaluate", competition_id=competition.pk)
            messages.success(request, "Your draft scores have been saved")
            return redirect("competitions:evaluate-bid", competition_id=competition.pk, bid_id=bid.pk)
    others = {}
    if submitted and can_see_all_scores(request.user, bid):
        others = {answer.pk: q.submitted_scores(answer) for answer in answers}
    labels = dict(score_choices(maximum)[0])
    return render(
        request,
        "competitions/evaluation/score.html",
        {
            "competition": competition,
            "bid": bid,
            "answers": answers,
            "form": form,
            "submitted": submitted,
            "own": own,
            "others": others,
            "labels": labels,
            "maximum": maximum,
            "page_has_errors": bool(form.errors),
        },
    )


def _can_check(user, bid: Bid) -> bool:
    """Pass/fail checks and moderation: the competition's commissioners, once evaluation has started."""
    return can_manage_evaluation(user, bid.competition) and evaluation_started(bid.competition)


def pass_fail(request: HttpRequest, competition_id: int, bid_id: int, answer_id: int) -> HttpResponse:
    competition = _competition(competition_id)
    bid = _bid(request, competition, bid_id, lambda bid: _can_check(request.user, bid))
    answer = get_object_or_404(
        BidAnswer.objects.select_related("question"), pk=answer_id, bid=bid, question__kind=QuestionKind.PASS_FAIL
    )
    if (refusal := _read(request, bid, "pass_fail")) is not None:
        return refusal
    existing = getattr(answer, "pass_fail", None)
    initial = {"passed": "yes" if existing.passed else "no", "note": existing.note} if existing else {}
    form = PassFailForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.pass_fail_record(
                answer=answer,
                passed=form.cleaned_data["passed"] == "yes",
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Pass or fail recorded for {bid.organisation.display_name}")
            return redirect("competitions:evaluate", competition_id=competition.pk)
    return render(
        request,
        "competitions/evaluation/pass_fail.html",
        {"competition": competition, "bid": bid, "answer": answer, "form": form, "page_has_errors": bool(form.errors)},
    )


def moderate(request: HttpRequest, competition_id: int, bid_id: int) -> HttpResponse:
    competition = _competition(competition_id)
    bid = _bid(request, competition, bid_id, lambda bid: _can_check(request.user, bid))
    if (refusal := _read(request, bid, "moderation")) is not None:
        return refusal
    answers = q.scored_answers(bid)
    maximum = scale_max(competition)
    initial = {}
    for answer in answers:
        moderated = getattr(answer, "moderated", None)
        if moderated is not None:
            initial[f"score_{answer.pk}"] = str(moderated.score)
            initial[f"rationale_{answer.pk}"] = moderated.rationale
    form = ModerationForm(request.POST or None, initial=initial, answers=answers, maximum=maximum)
    if request.method == "POST" and form.is_valid():
        try:
            services.moderation_record_many(bid=bid, entries=form.filled(), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Agreed scores saved for {bid.organisation.display_name}")
            return redirect("competitions:evaluate", competition_id=competition.pk)
    return render(
        request,
        "competitions/evaluation/moderate.html",
        {
            "competition": competition,
            "bid": bid,
            "answers": answers,
            "scores": {answer.pk: q.submitted_scores(answer) for answer in answers},
            "form": form,
            "maximum": maximum,
            "labels": dict(score_choices(maximum)[0]),
            "page_has_errors": bool(form.errors),
        },
    )


def results(request: HttpRequest, competition_id: int) -> HttpResponse:
    competition = _competition(competition_id)
    if not can_manage_evaluation(request.user, competition) or not competition.is_bidding_closed():
        raise Http404
    try:
        lots = award_services.competition_results_verified(
            competition=competition, user=request.user, purpose="results"
        )
    except BidIntegrityError as error:
        return integrity_refusal(
            request, error, title="You cannot see the results", message=award_services.award_integrity_message(error)
        )
    return render(
        request,
        "competitions/evaluation/results.html",
        {
            "competition": competition,
            "lots": lots,
            "tie_break": tie_break_text(competition),
            "cap": cap_text(competition),
        },
    )

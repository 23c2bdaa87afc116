"""Questions about an opportunity. Providers: read the published answers and ask (never seeing
who asked). Commissioners of the competition: see every question with who asked, and answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from competitions.forms_setup import ClarificationAnswerForm, ClarificationAskForm
from competitions.models import Clarification, Competition
from competitions.permissions_clarifications import (
    can_answer_clarification,
    can_ask_clarification,
    can_read_clarifications,
    invitation_for,
)
from competitions.selectors import clarifications as sel
from competitions.services import clarifications as services
from core.clock import db_now
from core.forms import add_service_errors


def _competition(pk: int) -> Competition:
    return get_object_or_404(Competition.objects.filter(launched_at__isnull=False), pk=pk)


@require_http_methods(["GET", "POST"])
def provider_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """The published questions and answers, and (until the deadline) the form to ask one."""
    competition = _competition(pk)
    # "Not found" for anyone who may not read them, as for an opportunity that does not exist.
    if not can_read_clarifications(request.user, competition):
        raise Http404
    invitation = invitation_for(request.user, competition)
    may_ask = can_ask_clarification(request.user, competition)
    deadline_open = competition.clarification_deadline is not None and db_now() < competition.clarification_deadline
    form = ClarificationAskForm(request.POST or None)
    if request.method == "POST":
        if not may_ask:
            raise Http404
        if form.is_valid():
            try:
                services.clarification_ask(
                    competition=competition, user=request.user, question=form.cleaned_data["question"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
                deadline_open = False
            else:
                messages.success(
                    request, "Question sent. The answer will be shown here and emailed to everyone invited"
                )
                return redirect("competitions:clarifications", competition.pk)
    return render(
        request,
        "competitions/clarifications/provider.html",
        {
            "competition": competition,
            "published": sel.published_clarifications(competition=competition),
            "pending": sel.own_pending_clarifications(
                competition=competition, organisation_id=invitation.organisation_id
            )
            if invitation
            else [],
            "form": form,
            "may_ask": may_ask,
            "deadline_open": deadline_open,
            "deadline_message": services.deadline_passed_message(competition)
            if competition.clarification_deadline
            else "",
            "page_has_errors": bool(form.errors),
        },
    )


def commissioner_questions(request: HttpRequest, pk: int) -> HttpResponse:
    competition = get_object_or_404(Competition, pk=pk)
    if not can_answer_clarification(request.user, competition):
        raise Http404
    return render(
        request,
        "competitions/clarifications/commissioner.html",
        {"competition": competition, "clarifications": sel.clarifications_for_commissioner(competition=competition)},
    )


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int, clarification_pk: int) -> HttpResponse:
    competition = get_object_or_404(Competition, pk=pk)
    if not can_answer_clarification(request.user, competition):
        raise Http404
    clarification = get_object_or_404(
        Clarification.objects.select_related("asked_by_organisation"), pk=clarification_pk, competition=competition
    )
    if clarification.answered_at is not None:
        return redirect("competitions:manage-clarifications", competition.pk)
    form = ClarificationAnswerForm(request.POST or None, initial={"question": clarification.question})
    if request.method == "POST" and form.is_valid():
        try:
            services.clarification_answer(
                clarification=clarification,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                question=form.cleaned_data["question"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Answer published to everyone invited")
            return redirect("competitions:manage-clarifications", competition.pk)
    return render(
        request,
        "competitions/clarifications/answer.html",
        {
            "competition": competition,
            "clarification": clarification,
            "form": form,
            "page_has_errors": bool(form.errors),
        },
    )

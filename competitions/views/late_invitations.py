"""Commissioner page: organisations that qualified after the opportunity was sent, and inviting
them while the last day for questions has not passed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from competitions.forms_invitations import InviteNewlyQualifiedForm
from competitions.models import Competition
from competitions.selectors.invitations import late_invitations_open, newly_eligible
from competitions.services import setup
from competitions.views.commissioner import manages
from core.clock import db_now
from core.forms import add_service_errors


@manages
@require_http_methods(["GET", "POST"])
def newly_qualified(request: HttpRequest, competition: Competition) -> HttpResponse:
    if competition.launched_at is None:
        messages.error(request, "You can invite organisations that qualify later once the opportunity is open")
        return redirect("competitions:manage-detail", competition.pk)
    candidates = newly_eligible(competition)
    form = InviteNewlyQualifiedForm(request.POST if request.method == "POST" else None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            invited = setup.competition_invite_newly_qualified(
                competition=competition, actor=request.user, organisation_ids=form.organisation_ids()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = len(invited)
            messages.success(
                request, f"{count} organisation{'' if count == 1 else 's'} invited. We have emailed each one."
            )
            return redirect("competitions:manage-newly-qualified", competition.pk)
    return render(
        request,
        "competitions/commissioner/newly_qualified.html",
        {
            "competition": competition,
            "form": form,
            "candidates": candidates,
            "open": late_invitations_open(competition, now=db_now()),
            "page_has_errors": bool(form.errors),
        },
    )

"""Who a contract is for (its commissioners change it) and finding services for a person (the
practitioner's page). Thin: check the predicate, call one service or selector, respond."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from contracts.forms_find import EligibilityForm, FindServicesForm
from contracts.models import Contract
from contracts.permissions import can_find_services
from contracts.selectors_find import (
    categories_to_find,
    eligibility_words,
    last_day,
    local_authorities_for,
    services_for_person,
)
from contracts.services_eligibility import contract_set_eligibility
from contracts.views_versions import _form_page, managing
from core.clock import LONDON, db_now
from core.forms import add_service_errors


@managing
def eligibility(request: HttpRequest, contract: Contract) -> HttpResponse:
    """The opportunity's commissioners say who the contract is for."""
    form = EligibilityForm(
        request.POST if request.method == "POST" else None, initial=EligibilityForm.initial_for(contract)
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract_set_eligibility(contract=contract, actor=request.user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Who the service is for has been saved")
            return redirect("contracts:detail", pk=contract.pk)
    return _form_page(
        request,
        contract,
        form,
        title="Who is the service for?",
        intro="Practitioners will only find this service for people it is for.",
        button="Save",
        back=reverse("contracts:detail", kwargs={"pk": contract.pk}),
    )


def referral_start_url(contract: Contract) -> str:
    """Where a result's "Refer" link goes: the referrals app's start page for the contract. The one
    place the link is made (by URL name: contracts imports nothing from referrals)."""
    return reverse("referrals:start", args=[contract.pk])


@require_GET
def find_services(request: HttpRequest) -> HttpResponse:
    """A probation practitioner finds the services live today that they can refer a person to."""
    if not can_find_services(request.user):
        raise PermissionDenied
    places = list(local_authorities_for(request.user))
    categories = list(categories_to_find())
    asked = any(name in request.GET for name in FindServicesForm.base_fields)
    form = FindServicesForm(
        request.GET if asked else None,
        places=[(place.pk, place.name) for place in places],
        categories=categories,
    )
    results = None
    if asked and form.is_valid():
        query = form.query()
        chosen = query.pop("local_authority_id")
        place = next(place for place in places if place.pk == chosen)
        results = services_for_person(local_authority=place, on=db_now().astimezone(LONDON).date(), **query)
    return render(
        request,
        "contracts/find_services.html",
        {
            "form": form,
            "results": results,
            "refer_url": referral_start_url,
            "eligibility_words": eligibility_words,
            "last_day": last_day,
            "has_places": bool(places),
            "page_has_errors": bool(form.errors),
        },
    )

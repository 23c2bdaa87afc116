"""The contracts register and a contract's page. Thin: check the predicate, call a selector."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import is_staff_member
from competitions.models import Award
from competitions.permissions_evaluation import can_manage_evaluation
from contracts.models import Contract
from contracts.permissions import can_view_contract, can_view_contract_register
from contracts.selectors import contract_detail, contracts_visible_to
from contracts.services import contract_create_for_award


def register(request: HttpRequest) -> HttpResponse:
    if not can_view_contract_register(request.user):
        raise PermissionDenied
    contracts = list(contracts_visible_to(request.user).order_by("-starts_on", "title"))
    return render(request, "contracts/register.html", {"contracts": contracts, "staff": is_staff_member(request.user)})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        contract = contract_detail(user=request.user, pk=pk)
    except Contract.DoesNotExist:
        raise Http404 from None
    if not can_view_contract(request.user, contract):
        raise PermissionDenied
    return render(request, "contracts/detail.html", {"contract": contract})


@require_POST
def create_for_award(request: HttpRequest, award_id: int) -> HttpResponse:
    """The competition's commissioners make the contract once the waiting period is over."""
    award = get_object_or_404(Award.objects.select_related("lot__competition"), pk=award_id)
    competition = award.lot.competition
    # "Not found" for anyone else, as for an award that does not exist.
    if not can_manage_evaluation(request.user, competition) or not competition.is_bidding_closed():
        raise Http404
    try:
        contract = contract_create_for_award(award=award, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("competitions:award", competition_id=competition.pk)
    messages.success(request, f"Contract made for {award.lot.name}")
    return redirect("contracts:detail", pk=contract.pk)

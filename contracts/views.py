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
from contracts.delivery import delivery_figures
from contracts.models import Contract
from contracts.permissions import (
    can_add_contract_document,
    can_answer_for_provider,
    can_manage_contract,
    can_see_claims_to_decide,
    can_see_what_is_owed,
    can_view_contract,
    can_view_contract_register,
)
from contracts.selectors import (
    contract_detail,
    contract_documents,
    contract_status,
    contracts_visible_to,
    document_kind_label,
    extension_years_used,
    open_version,
    terms_in_force,
    versions_visible_to,
    year_shares,
)
from contracts.selectors_find import eligibility_words
from contracts.selectors_supply_chain import supply_chain
from contracts.services import contract_create_for_award
from core.clock import LONDON, db_now


def register(request: HttpRequest) -> HttpResponse:
    if not can_view_contract_register(request.user):
        raise PermissionDenied
    contracts = list(contracts_visible_to(request.user).order_by("-starts_on", "title"))
    context = {
        "contracts": contracts,
        "staff": is_staff_member(request.user),
        "commissioner": can_see_claims_to_decide(request.user),
        "member": can_see_what_is_owed(request.user),
    }
    return render(request, "contracts/register.html", context)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        contract = contract_detail(user=request.user, pk=pk)
    except Contract.DoesNotExist:
        raise Http404 from None
    if not can_view_contract(request.user, contract):
        raise PermissionDenied
    terms = terms_in_force(contract)
    manages = can_manage_contract(request.user, contract)
    versions = versions_visible_to(request.user, contract)
    context = {
        "contract": contract,
        "terms": terms,
        "status": contract_status(contract, terms),
        "versions": versions,
        "open": next((v for v in versions if v.accepted_at is None and v.declined_at is None), None),
        "shares": year_shares(terms, contract),
        "chain": supply_chain(contract, today=db_now().astimezone(LONDON).date(), terms=terms),
        "extension_used": extension_years_used(contract),
        "manages": manages,
        "answers_for_provider": can_answer_for_provider(request.user, contract),
        "documents": contract_documents(contract),
        "document_kind_label": document_kind_label,
        "can_add_document": can_add_contract_document(request.user, contract),
        "can_change": manages and contract.terminates_on is None and open_version(contract) is None,
        "eligibility": eligibility_words(contract),
        "delivered": delivery_figures(contract),
    }
    return render(request, "contracts/detail.html", context)


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

"""The contracts register and a contract's page. Thin: check the predicate, call a selector."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import is_staff_member
from contracts.models import Contract
from contracts.permissions import can_view_contract, can_view_contract_register
from contracts.selectors import contract_detail, contracts_visible_to


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

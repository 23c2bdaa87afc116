"""Referral pages (issue 12): thin, each calls one selector or one service."""

from __future__ import annotations

from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect

from referrals import selectors, services
from referrals.permissions import is_practitioner


def start(request, contract_id: int):
    """Start a draft referral to a contract (a POST from the contract's "find services" page)."""
    if not is_practitioner(request.user):
        raise Http404
    contract = selectors.contract_for_referral(contract_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    referral = services.referral_create(actor=request.user, contract=contract)
    return redirect("referrals:detail", referral.pk)


def referral_list(request):
    raise Http404


def detail(request, pk: int):
    raise Http404

"""The supply chain: what the prime paid each partner, committed beside delivered share, and
whether partners were paid within 30 days of the prime. Whoever may see the contract sees it; the
provider's administrators and its contract manager record payments. Refusals are "not found", as
in contracts/views_versions.py."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from contracts import services_supply_chain as services
from contracts.forms_supply_chain import PartnerPaymentCorrectionForm, PartnerPaymentForm
from contracts.models import Contract, PartnerPayment
from contracts.permissions import can_answer_for_provider
from contracts.rules import PARTNER_PAYMENT_DAYS
from contracts.selectors import terms_in_force
from contracts.selectors_supply_chain import recordable_periods, supply_chain
from contracts.views_versions import _data, _form_page, with_contract
from core.clock import LONDON, db_now
from core.forms import add_service_errors


def _today() -> datetime.date:
    return db_now().astimezone(LONDON).date()


def _supply_chain_url(contract: Contract) -> str:
    return reverse("contracts:supply-chain", kwargs={"pk": contract.pk})


@with_contract
def supply_chain_page(request: HttpRequest, contract: Contract) -> HttpResponse:
    terms = terms_in_force(contract)
    return render(
        request,
        "contracts/supply_chain.html",
        {
            "contract": contract,
            "chain": supply_chain(contract, today=_today(), terms=terms),
            "can_record": can_answer_for_provider(request.user, contract),
            "rule_days": PARTNER_PAYMENT_DAYS,
        },
    )


@with_contract
def partner_payment_new(request: HttpRequest, contract: Contract) -> HttpResponse:
    if not can_answer_for_provider(request.user, contract):
        raise Http404
    terms = terms_in_force(contract)
    partners = list(terms.partners.all())
    periods = recordable_periods(contract, terms, today=_today())
    if not partners or not periods:
        messages.error(request, "There is no partner or no period to record a payment for yet")
        return redirect(_supply_chain_url(contract))
    form = PartnerPaymentForm(_data(request), partners=partners, periods=periods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partner_payment_record(
                contract=contract,
                partner=next(p for p in partners if p.pk == data["partner"]),
                period_start=datetime.date.fromisoformat(data["period"]),
                amount=data["amount"],
                paid_on=data["paid_on"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Payment to the partner recorded")
            return redirect(_supply_chain_url(contract))
    return _form_page(
        request,
        contract,
        form,
        title="Record a payment to a partner",
        intro="Record what you paid one partner for one payment period. A payment once recorded is not changed: "
        "a mistake, or a further amount for the same period, is recorded as a correction.",
        back=_supply_chain_url(contract),
        button="Record payment",
    )


@with_contract
def partner_payment_correct(request: HttpRequest, contract: Contract, payment_id: int) -> HttpResponse:
    if not can_answer_for_provider(request.user, contract):
        raise Http404
    payment = PartnerPayment.objects.filter(contract=contract, pk=payment_id, corrects__isnull=True).first()
    if payment is None:
        raise Http404
    form = PartnerPaymentCorrectionForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partner_payment_correct(
                payment=payment, amount=data["amount"], paid_on=data["paid_on"], note=data["note"], actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Correction recorded")
            return redirect(_supply_chain_url(contract))
    return _form_page(
        request,
        contract,
        form,
        title="Correct a payment to a partner",
        intro=f"The payment of £{payment.amount:,.2f} to {payment.name} for {payment.period_start:%-d %B %Y} to "
        f"{payment.period_end:%-d %B %Y} stays as recorded: the correction is added to it.",
        back=_supply_chain_url(contract),
        button="Record correction",
    )

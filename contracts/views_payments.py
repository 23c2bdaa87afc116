"""Payments: the provider claims for each period, the commissioner approves or queries, and records
the payment; a public page of how quickly each commissioner pays. Thin: predicate, one service or
selector, respond. Refusals are "not found", as in contracts/views_versions.py."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from contracts import forms, services
from contracts.delivery import delivery_figures
from contracts.models import Contract, PaymentClaim, PaymentModel
from contracts.permissions import can_answer_for_provider, can_manage_contract
from contracts.selectors import (
    CSV_HEADER,
    PAYMENT_RULE_DAYS,
    SMALL_NUMBER,
    claimable_periods,
    contract_claims,
    funding_shares_of_payments,
    payment_times,
    payment_times_csv_rows,
    terms_in_force,
)
from contracts.views_versions import _data, _form_page, with_contract
from core.clock import LONDON, db_now
from core.forms import add_service_errors

QUANTITY_LABELS = {
    PaymentModel.PEOPLE_STARTED: "How many people started in the period?",
    PaymentModel.SESSIONS: "How many sessions were delivered in the period?",
}


def _today() -> datetime.date:
    return db_now().astimezone(LONDON).date()


def _payments_url(contract: Contract) -> str:
    return reverse("contracts:payments", kwargs={"pk": contract.pk})


@with_contract
def payments(request: HttpRequest, contract: Contract) -> HttpResponse:
    today = _today()
    terms = terms_in_force(contract)
    rows = contract_claims(contract, today=today)
    owed = [r for r in rows if r["claim"].approved_at and not r["claim"].paid_on]
    context = {
        "contract": contract,
        "terms": terms,
        "rows": rows,
        "owed": owed,
        "waiting": [r for r in rows if r["status"] == "Waiting for approval"],
        "late": [r for r in rows if r["late"] and not r["claim"].paid_on],
        "claimable": claimable_periods(contract, terms, today=today),
        "can_claim": can_answer_for_provider(request.user, contract),
        "funding": funding_shares_of_payments(contract),
    }
    return render(request, "contracts/payments.html", context)


def _claim_form(request, contract, *, periods):
    terms = terms_in_force(contract)
    return forms.ClaimForm(_data(request), periods=periods, quantity_label=QUANTITY_LABELS.get(terms.payment_model))


def _send(request, contract, form, *, replaces=None) -> bool:
    if request.method != "POST" or not form.is_valid():
        return False
    data = form.cleaned_data
    period = data.get("period")
    try:
        services.claim_send(
            contract=contract,
            period_start=datetime.date.fromisoformat(period) if period else None,
            quantity=data.get("quantity"),
            amount=data["amount"],
            note=data["note"],
            over_value_reason=data["over_value_reason"],
            replaces=replaces,
            actor=request.user,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, "Claim sent")
    return True


@with_contract
def claim_new(request: HttpRequest, contract: Contract) -> HttpResponse:
    if not can_answer_for_provider(request.user, contract):
        raise Http404
    periods = claimable_periods(contract, terms_in_force(contract), today=_today())
    if not periods:
        messages.error(request, "There is no period to claim for yet")
        return redirect(_payments_url(contract))
    form = _claim_form(request, contract, periods=periods)
    if _send(request, contract, form):
        return redirect(_payments_url(contract))
    return _form_page(
        request,
        contract,
        form,
        title="Send a claim",
        back=_payments_url(contract),
        button="Send claim",
        template="contracts/claim_form.html",
        delivered=_delivered_in(contract, periods),
    )


# The claim form shows what was delivered in the oldest periods open to a claim (the ones to claim
# next): a few, because each period costs the same few queries.
DELIVERED_PERIODS_SHOWN = 3


def _delivered_in(contract: Contract, periods: list) -> list:
    shown = periods[:DELIVERED_PERIODS_SHOWN]
    return [(start, end, figures) for start, end in shown if (figures := delivery_figures(contract, start, end))]


def with_claim(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, contract: Contract, claim_id: int):
        claim = PaymentClaim.objects.filter(contract=contract, pk=claim_id).select_related(
            "sent_by", "queried_by", "approved_by"
        )
        if not claim:
            raise Http404
        return view(request, contract, claim[0])

    return with_contract(wrapped)


@with_claim
def claim(request: HttpRequest, contract: Contract, claim: PaymentClaim) -> HttpResponse:
    row = next(r for r in contract_claims(contract, today=_today()) if r["claim"].pk == claim.pk)
    manages = can_manage_contract(request.user, contract)
    answers = can_answer_for_provider(request.user, contract)
    context = {
        "contract": contract,
        "row": row,
        "claim": claim,
        "can_decide": manages and claim.is_waiting,
        "can_record_payment": manages and claim.is_payable,
        "can_resend": answers and claim.can_be_sent_again(),
        "replaced_by": PaymentClaim.objects.filter(replaces=claim).first(),
        "can_correct": answers and claim.is_correctable,
        "delivered": delivery_figures(contract, claim.period_start, claim.period_end),
    }
    return render(request, "contracts/claim.html", context)


def _claim_url(claim: PaymentClaim) -> str:
    return reverse("contracts:claim", kwargs={"pk": claim.contract_id, "claim_id": claim.pk})


@require_POST
@with_claim
def claim_approve(request: HttpRequest, contract: Contract, claim: PaymentClaim) -> HttpResponse:
    if not can_manage_contract(request.user, contract):
        raise Http404
    try:
        services.claim_approve(claim=claim, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Claim approved")
    return redirect(_claim_url(claim))


@with_claim
def claim_query(request: HttpRequest, contract: Contract, claim: PaymentClaim) -> HttpResponse:
    if not can_manage_contract(request.user, contract):
        raise Http404
    form = forms.QueryForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_query(claim=claim, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Claim sent back to the provider")
            return redirect(_claim_url(claim))
    return _form_page(request, contract, form, title="Query this claim", back=_claim_url(claim), button="Send back")


def _correction_page(request, contract, corrected: PaymentClaim, *, replaces=None, intro=None) -> HttpResponse:
    form = forms.CorrectionForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_correct(
                claim=corrected,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
                replaces=replaces,
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Correction sent")
            return redirect(_payments_url(contract))
    return _form_page(
        request,
        contract,
        form,
        title="Send a correction",
        intro=intro
        or "An approved claim is never changed: a correction is a new claim for the same period, for more or less.",
        back=_claim_url(replaces or corrected),
        button="Send correction",
        template="contracts/claim_form.html",
        delivered=_delivered_in(contract, [(corrected.period_start, corrected.period_end)]),
    )


@with_claim
def claim_correct(request: HttpRequest, contract: Contract, claim: PaymentClaim) -> HttpResponse:
    if not can_answer_for_provider(request.user, contract):
        raise Http404
    return _correction_page(request, contract, claim)


@with_claim
def claim_resend(request: HttpRequest, contract: Contract, claim: PaymentClaim) -> HttpResponse:
    if not can_answer_for_provider(request.user, contract):
        raise Http404
    if claim.corrects_id:
        return _correction_page(
            request, contract, claim.corrects, replaces=claim, intro=f"The commissioner said: {claim.query_reason}"
        )
    form = _claim_form(request, contract, periods=None)
    if request.method == "GET":
        form.initial = {"quantity": claim.quantity, "amount": claim.amount, "note": claim.note}
    if _send(request, contract, form, replaces=claim):
        return redirect(_payments_url(contract))
    return _form_page(
        request,
        contract,
        form,
        title="Send the claim again",
        intro=f"The commissioner said: {claim.query_reason}",
        back=_claim_url(claim),
        button="Send claim",
        template="contracts/claim_form.html",
        delivered=_delivered_in(contract, [(claim.period_start, claim.period_end)]),
    )


@with_claim
def claim_paid(request: HttpRequest, contract: Contract, claim: PaymentClaim) -> HttpResponse:
    if not can_manage_contract(request.user, contract):
        raise Http404
    form = forms.PaidForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_record_payment(claim=claim, paid_on=form.cleaned_data["paid_on"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Payment recorded")
            return redirect(_claim_url(claim))
    return _form_page(request, contract, form, title="Record the payment", back=_claim_url(claim), button="Save")


@login_not_required
@require_safe
def payment_times_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "contracts/payment_times.html",
        {"rows": payment_times(), "small_number": SMALL_NUMBER, "rule_days": PAYMENT_RULE_DAYS},
    )


@login_not_required
@require_safe
def payment_times_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="payment-times.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(payment_times_csv_rows())
    return response

"""The supply chain: a prime records what it paid each partner for each payment period. Records
are never edited; a correction (or a further amount for the same period) is a new record that
corrects the first. Every change writes its audit event on the contract's chain in the same
transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from audit.services import audit_record, snapshot
from contracts.models import Contract, ContractVersionPartner, PartnerPayment
from contracts.selectors import payment_periods, terms_in_force
from contracts.services import MAX_VALUE
from core.clock import LONDON, db_now
from core.formatting import london_date

NOTE_LIMIT = 2000


def _payment_after(payment: PartnerPayment) -> dict:
    return snapshot(
        payment,
        ["organisation", "name", "period_start", "period_end", "amount", "paid_on", "note", "corrects", "recorded_at"],
    ) | {"partner_payment": payment.pk}


def _check_paid_on(paid_on: datetime.date | None, period_start: datetime.date, today: datetime.date) -> None:
    if paid_on is None:
        raise ValidationError({"paid_on": "Enter the date the partner was paid"})
    if paid_on > today:
        raise ValidationError({"paid_on": "The date the partner was paid must be today or in the past"})
    if paid_on < period_start:
        raise ValidationError(
            {
                "paid_on": f"The date the partner was paid must be on or after the period starts, {london_date(period_start)}"
            }
        )


def _in_pence(amount: Decimal) -> bool:
    return amount.is_finite() and amount == amount.quantize(Decimal("0.01"))


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise ValidationError({"note": f"The note must be {NOTE_LIMIT:,} characters or fewer"})
    return note


@transaction.atomic
def partner_payment_record(
    *,
    contract: Contract,
    partner: ContractVersionPartner,
    period_start: datetime.date | None,
    amount: Decimal,
    paid_on: datetime.date | None,
    note: str,
    actor,
) -> PartnerPayment:
    """The prime records a payment to one of its partners (under the terms in force) for one of
    the contract's payment periods. One record per partner per period: anything more for the
    period is a correction of it (`partner_payment_correct`)."""
    # The contract first, as every contract service locks, so two records for one partner and
    # period wait for each other; the partial unique index stops any that slips past.
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    now = db_now()
    today = now.astimezone(LONDON).date()
    terms = terms_in_force(contract)
    partners = {p.pk: p for p in terms.partners.all()}
    if partner is None or partner.pk not in partners:
        raise ValidationError({"partner": "Select a partner on this contract"})
    partner = partners[partner.pk]
    periods = dict(payment_periods(contract, terms))
    if period_start not in periods:
        raise ValidationError({"period": "Select a payment period of this contract"})
    if not _in_pence(amount) or not (Decimal("0.01") <= amount <= MAX_VALUE):
        raise ValidationError({"amount": "Enter an amount from £0.01 to £999,999,999,999.99, in pounds and pence"})
    _check_paid_on(paid_on, period_start, today)
    note = _check_note(note)
    key = PartnerPayment.key_for(partner)
    if PartnerPayment.objects.filter(
        contract=contract, partner_key=key, period_start=period_start, corrects__isnull=True
    ).exists():
        raise ValidationError(
            {"period": f"A payment to {partner.name} for this period is already recorded: correct that payment instead"}
        )
    payment = PartnerPayment(
        contract=contract,
        organisation_id=partner.organisation_id,
        name=partner.name,
        partner_key=key,
        period_start=period_start,
        period_end=periods[period_start],
        amount=amount,
        paid_on=paid_on,
        note=note,
        recorded_at=now,
        recorded_by=actor,
    )
    payment.full_clean()
    payment.save()
    audit_record(actor=actor, action="partner_payment.recorded", obj=contract, after=_payment_after(payment), at=now)
    return payment


@transaction.atomic
def partner_payment_correct(
    *, payment: PartnerPayment, amount: Decimal, paid_on: datetime.date | None, note: str, actor
) -> PartnerPayment:
    """Correct a recorded payment with a new record for the same partner and period: positive (a
    further amount paid) or negative (money returned, or recorded too high). The first record is
    never edited; what was paid for the period may not go below £0."""
    contract = Contract.objects.select_for_update().get(pk=payment.contract_id)
    payment = PartnerPayment.objects.select_for_update().get(pk=payment.pk, contract=contract)
    if payment.corrects_id is not None:
        raise ValidationError("Correct the first payment recorded for the period, not a correction")
    if not _in_pence(amount) or amount == 0 or abs(amount) > MAX_VALUE:
        raise ValidationError({"amount": "Enter an amount other than £0, in pounds and pence, like -250 or 250"})
    standing = payment.corrections.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if payment.amount + standing + amount < 0:
        raise ValidationError({"amount": "A correction cannot take what was paid for the period below £0"})
    now = db_now()
    _check_paid_on(paid_on, payment.period_start, now.astimezone(LONDON).date())
    note = _check_note(note)
    if not note:
        raise ValidationError({"note": "Say what the correction is for"})
    correction = PartnerPayment(
        contract=contract,
        organisation_id=payment.organisation_id,
        name=payment.name,
        partner_key=payment.partner_key,
        period_start=payment.period_start,
        period_end=payment.period_end,
        amount=amount,
        paid_on=paid_on,
        note=note,
        corrects=payment,
        recorded_at=now,
        recorded_by=actor,
    )
    correction.full_clean()
    correction.save()
    audit_record(
        actor=actor, action="partner_payment.corrected", obj=contract, after=_payment_after(correction), at=now
    )
    return correction

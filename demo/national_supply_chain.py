"""The national world's supply chain: for each contract with partners, the prime's paid claims and
what it paid each partner for each period, most within 30 days of being paid and some late.

Claims: where the generator has already written claims for a contract, those are used as they are;
a contract with none gets paid claims for the last two years of its term up to today (so delivered shares
have something to be a share of). Partner payments: one for each partner for each paid period,
its share of the period's claim, paid a few days to a few weeks after the prime, and late (31 to
75 days) about one time in five; one not yet due is left unpaid. Written in bulk, without audit
events, like the rest of the national world; a few queries whatever the scale.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import Membership
from contracts.models import ContractVersion, PartnerPayment, PaymentClaim
from contracts.selectors import payment_periods
from core.clock import LONDON, financial_year_of

CLAIM_MONTHS = 24  # how far back a contract without claims gets them
LATE_SHARE = 0.2  # about one partner payment in five is late
CENT = Decimal("0.01")


@dataclass
class SupplyChainCounts:
    claims: int = 0
    partner_payments: int = 0


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


def _period_value(version: ContractVersion, start: datetime.date, end: datetime.date) -> Decimal:
    """The period's part of its financial year's value (a month is a twelfth, a quarter a quarter)."""
    values = {y.financial_year: y.value for y in version.years.all()}
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return (values.get(financial_year_of(start), Decimal(0)) * months / 12).quantize(CENT, ROUND_HALF_UP)


def generate_supply_chain(*, rng: random.Random, today: datetime.date, commissioner) -> SupplyChainCounts:
    counts = SupplyChainCounts()
    versions = list(
        ContractVersion.objects.filter(number=1, contract__starts_on__lt=today, partners__isnull=False)
        # A contract whose prime already records its payments (the demo story's) is left as it is.
        .exclude(contract__partner_payments__isnull=False)
        .distinct()
        .select_related("contract")
        .prefetch_related("partners", "years")
        .order_by("contract_id")
    )
    if not versions:
        return counts
    contract_ids = [v.contract_id for v in versions]
    with_claims = set(
        PaymentClaim.objects.filter(contract_id__in=contract_ids).values_list("contract_id", flat=True).distinct()
    )
    provider_of = dict(
        Membership.objects.filter(organisation_id__in={v.contract.supplier_id for v in versions})
        .order_by("organisation_id", "pk")
        .values_list("organisation_id", "user_id")
    )
    claims = []
    for version in versions:
        contract = version.contract
        if contract.pk in with_claims or contract.supplier_id not in provider_of:
            continue
        # The last CLAIM_MONTHS of the term up to today.
        since = min(today, version.ends_on) - datetime.timedelta(days=CLAIM_MONTHS * 31)
        for start, end in payment_periods(contract, version):
            if end >= today or end < since:
                continue
            sent_at = _noon(end + datetime.timedelta(days=rng.randint(1, 6)))
            approved_at = sent_at + datetime.timedelta(days=rng.randint(1, 8))
            paid_on = (approved_at + datetime.timedelta(days=rng.randint(5, 40))).date()
            paid = paid_on < today
            claims.append(
                PaymentClaim(
                    contract=contract,
                    period_start=start,
                    period_end=end,
                    amount=_period_value(version, start, end),
                    sent_at=sent_at,
                    sent_by_id=provider_of[contract.supplier_id],
                    approved_at=approved_at,
                    approved_by=commissioner,
                    paid_on=paid_on if paid else None,
                    paid_recorded_at=_noon(paid_on) if paid else None,
                    paid_recorded_by=commissioner if paid else None,
                )
            )
    PaymentClaim.objects.bulk_create(claims, batch_size=2000)
    counts.claims = len(claims)
    paid_claims = PaymentClaim.objects.filter(
        contract_id__in=contract_ids,
        paid_on__isnull=False,
        queried_at__isnull=True,
        corrects__isnull=True,
    ).values_list("contract_id", "period_start", "period_end", "amount", "paid_on")
    by_contract = {v.contract_id: v for v in versions}
    payments = []
    for contract_id, start, end, amount, prime_paid_on in paid_claims.iterator(chunk_size=2000):
        version = by_contract[contract_id]
        recorder = provider_of.get(version.contract.supplier_id)
        if recorder is None:
            continue
        for partner in version.partners.all():
            late = rng.random() < LATE_SHARE
            paid_on = prime_paid_on + datetime.timedelta(days=rng.randint(31, 75) if late else rng.randint(2, 28))
            if paid_on >= today:
                continue  # not paid yet: overdue if the prime was paid more than 30 days ago
            payments.append(
                PartnerPayment(
                    contract_id=contract_id,
                    organisation_id=partner.organisation_id,
                    name=partner.name,
                    partner_key=PartnerPayment.key_for(partner),
                    period_start=start,
                    period_end=end,
                    amount=max(CENT, (amount * partner.share_percent / 100).quantize(CENT, ROUND_HALF_UP)),
                    paid_on=max(paid_on, start),
                    recorded_at=_noon(paid_on + datetime.timedelta(days=1)),
                    recorded_by_id=recorder,
                )
            )
    PartnerPayment.objects.bulk_create(payments, batch_size=2000)
    counts.partner_payments = len(payments)
    return counts

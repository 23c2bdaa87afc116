"""Reads for the supply chain: what a prime paid its partners, the share of the work each partner
was committed beside the share it was paid, and whether it was paid within 30 days of the prime
(`contracts.rules.partner_paid_in_time`).

Committed share: the partner's share of the work in the terms in force (ADR 9). Delivered share:
what the prime recorded paying the partner, as a percentage of what the commissioner paid the
prime for the contract (its paid claims, corrections included). Both are about organisations, never
people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from contracts import rules
from contracts.models import Contract, ContractVersion, ContractVersionPartner, PartnerPayment, PaymentClaim
from contracts.selectors import payment_periods, terms_in_force
from core.clock import LONDON

MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")

# A claim's money has reached the prime: paid, and not queried (a correction paid counts too).
PRIME_PAID = Q(paid_on__isnull=False, queried_at__isnull=True)
# The claim that stands for a period (not queried, not a correction): the day it was paid is the
# day the prime was paid for the period.
PERIOD_CLAIM = Q(queried_at__isnull=True, corrects__isnull=True)

IN_TIME, LATE, OVERDUE, NOT_YET_DUE = "in_time", "late", "overdue", "not_yet_due"
TIMELINESS_WORDS = {
    IN_TIME: "Paid within 30 days",
    LATE: "Paid late",
    OVERDUE: "Not paid, over 30 days",
    NOT_YET_DUE: "Not due yet",
}


def delivered_percent(partner_paid: Decimal | None, prime_paid: Decimal | None) -> Decimal | None:
    """Partner payments as a percentage of what the prime was paid (to one decimal place); None
    until the prime has been paid anything."""
    if not prime_paid:
        return None
    return (Decimal(100) * Decimal(partner_paid or 0) / Decimal(prime_paid)).quantize(Decimal("0.1"))


def with_prime_paid_on(payments: QuerySet[PartnerPayment]) -> QuerySet[PartnerPayment]:
    """Each partner payment with `prime_paid_on`: the day the prime was paid for its period (None if not yet)."""
    claim = PaymentClaim.objects.filter(
        PERIOD_CLAIM, contract=OuterRef("contract"), period_start=OuterRef("period_start"), paid_on__isnull=False
    ).values("paid_on")[:1]
    return payments.annotate(prime_paid_on=Subquery(claim))


# --- One contract --------------------------------------------------------------------------------


@dataclass
class PartnerPeriod:
    period_start: datetime.date
    period_end: datetime.date
    prime_paid_on: datetime.date | None
    paid_by: datetime.date | None
    amount: Decimal
    first_paid_on: datetime.date | None
    timeliness: str | None  # None: the prime has not been paid for the period, so nothing is due yet

    @property
    def timeliness_words(self) -> str:
        return TIMELINESS_WORDS.get(self.timeliness, "Prime not paid yet")


@dataclass
class PartnerShare:
    key: str
    name: str
    role: str
    organisation_id: int | None
    committed_percent: Decimal | None  # None: not a partner under the terms in force
    paid: Decimal = ZERO
    delivered_percent: Decimal | None = None
    partner: ContractVersionPartner | None = None
    periods: list[PartnerPeriod] = field(default_factory=list)

    def count(self, timeliness: str) -> int:
        return sum(1 for period in self.periods if period.timeliness == timeliness)

    @property
    def in_time(self) -> int:
        return self.count(IN_TIME)

    @property
    def late(self) -> int:
        return self.count(LATE) + self.count(OVERDUE)

    @property
    def all_in_time(self) -> bool | None:
        """Whether every period the prime was paid for more than 30 days ago, or that the partner
        was paid for, was paid in time; None when nothing has fallen due."""
        due = [p for p in self.periods if p.timeliness in (IN_TIME, LATE, OVERDUE)]
        if not due:
            return None
        return all(p.timeliness == IN_TIME for p in due)


@dataclass
class SupplyChain:
    prime_paid: Decimal
    partner_paid: Decimal
    committed_percent: Decimal
    delivered_percent: Decimal | None
    partners: list[PartnerShare]
    payments: list[PartnerPayment]


def _timeliness(first_paid_on, prime_paid_on, today: datetime.date) -> str | None:
    if prime_paid_on is None:
        return None
    if first_paid_on is not None:
        return IN_TIME if rules.partner_paid_in_time(paid_on=first_paid_on, prime_paid_on=prime_paid_on) else LATE
    return OVERDUE if today > rules.partner_paid_by(prime_paid_on) else NOT_YET_DUE


def supply_chain(contract: Contract, *, today: datetime.date, terms: ContractVersion | None = None) -> SupplyChain:
    """The contract's partners: committed share beside delivered share, and for each period the
    prime was paid for, whether the partner was paid within 30 days. A fixed number of queries."""
    terms = terms or terms_in_force(contract)
    claims = list(contract.claims.filter(PRIME_PAID).values_list("period_start", "amount", "corrects_id", "paid_on"))
    prime_paid = sum((amount for _start, amount, _c, _p in claims), ZERO)
    prime_paid_on = {start: paid_on for start, _amount, corrects, paid_on in claims if corrects is None}
    payments = list(contract.partner_payments.select_related("recorded_by").order_by("period_start", "name", "pk"))
    partners: dict[str, PartnerShare] = {}
    for partner in terms.partners.all():
        key = PartnerPayment.key_for(partner)
        partners[key] = PartnerShare(
            key=key,
            name=partner.name,
            role=partner.role,
            organisation_id=partner.organisation_id,
            committed_percent=partner.share_percent,
            partner=partner,
        )
    by_period: dict[tuple[str, datetime.date], list[PartnerPayment]] = {}
    for payment in payments:
        share = partners.setdefault(
            payment.partner_key,
            PartnerShare(
                key=payment.partner_key,
                name=payment.name,
                role="",
                organisation_id=payment.organisation_id,
                committed_percent=None,
            ),
        )
        share.paid += payment.amount
        by_period.setdefault((payment.partner_key, payment.period_start), []).append(payment)
    # When each partner joined: the first version in force that names it. A period that ended
    # before then is not one the partner was owed for.
    joined: dict[str, datetime.date] = {}
    for partner in ContractVersionPartner.objects.filter(
        rules.VERSION_IN_FORCE.q(prefix="version__"), version__contract=contract
    ).select_related("version"):
        # Partners of the contract as made were there from the start.
        day = (
            datetime.date.min if partner.version.number == 1 else partner.version.accepted_at.astimezone(LONDON).date()
        )
        key = PartnerPayment.key_for(partner)
        joined[key] = min(joined.get(key, day), day)
    periods = payment_periods(contract, terms)
    for share in partners.values():
        share.delivered_percent = delivered_percent(share.paid, prime_paid)
        for start, end in periods:
            records = by_period.get((share.key, start), [])
            prime_on = prime_paid_on.get(start)
            if not records and (
                prime_on is None or share.committed_percent is None or end < joined.get(share.key, end)
            ):
                continue
            first = next((r for r in records if r.corrects_id is None), None)
            share.periods.append(
                PartnerPeriod(
                    period_start=start,
                    period_end=end,
                    prime_paid_on=prime_on,
                    paid_by=rules.partner_paid_by(prime_on) if prime_on else None,
                    amount=sum((r.amount for r in records), ZERO),
                    first_paid_on=first.paid_on if first else None,
                    timeliness=_timeliness(first.paid_on if first else None, prime_on, today),
                )
            )
    partner_paid = sum((p.amount for p in payments), ZERO)
    ordered = sorted(partners.values(), key=lambda s: (s.committed_percent is None, s.name.casefold()))
    return SupplyChain(
        prime_paid=prime_paid,
        partner_paid=partner_paid,
        committed_percent=sum((s.committed_percent or 0 for s in ordered), Decimal(0)),
        delivered_percent=delivered_percent(partner_paid, prime_paid),
        partners=ordered,
        payments=payments,
    )


def recordable_periods(contract: Contract, terms: ContractVersion, *, today: datetime.date) -> list:
    """The payment periods a partner payment may be for: the contract's periods that have begun."""
    return [(start, end) for start, end in payment_periods(contract, terms) if start <= today]


# --- Many contracts (the public register, the benchmark) -----------------------------------------


def with_shares(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """Each contract with `committed_share` (its partners' shares of the work under the terms in
    force, in percent), `prime_paid` and `partner_paid` (money paid to the prime, and by the prime
    to its partners). Subqueries, so a list costs the same number of queries however long it is;
    `delivered_percent(contract.partner_paid, contract.prime_paid)` gives the delivered share."""
    in_force = (
        ContractVersion.objects.filter(rules.VERSION_IN_FORCE.q(), contract=OuterRef(OuterRef("pk")))
        .order_by("-number")
        .values("pk")[:1]
    )
    committed = (
        ContractVersionPartner.objects.filter(version=Subquery(in_force))
        .order_by()
        .values("version")
        .annotate(total=Sum("share_percent"))
        .values("total")
    )
    prime = (
        PaymentClaim.objects.filter(PRIME_PAID, contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    partner = (
        PartnerPayment.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    zero = Value(ZERO, output_field=MONEY_FIELD)
    return contracts.annotate(
        committed_share=Coalesce(Subquery(committed, output_field=MONEY_FIELD), zero),
        prime_paid=Coalesce(Subquery(prime, output_field=MONEY_FIELD), zero),
        partner_paid=Coalesce(Subquery(partner, output_field=MONEY_FIELD), zero),
    )


def delivered_shares() -> list[dict]:
    """Committed and delivered shares of every contract (the benchmark's figure, and the shape an
    open-data export would take). Four grouped queries whatever the number of contracts: the
    contracts, the partners' shares of each version in force (the latest per contract kept), and
    the money paid to primes and by primes."""
    committed: dict[int, tuple[int, Decimal]] = {}
    for contract_id, number, total in (
        ContractVersionPartner.objects.filter(rules.VERSION_IN_FORCE.q(prefix="version__"))
        .order_by()
        .values_list("version__contract_id", "version__number")
        .annotate(total=Sum("share_percent"))
    ):
        if contract_id not in committed or number > committed[contract_id][0]:
            committed[contract_id] = (number, total)
    # A version in force with no partners takes its contract's partners away.
    for contract_id, number in (
        ContractVersion.objects.filter(rules.VERSION_IN_FORCE.q(), partners__isnull=True)
        .order_by()
        .values_list("contract_id", "number")
    ):
        if contract_id in committed and number > committed[contract_id][0]:
            committed[contract_id] = (number, ZERO)
    prime = dict(
        PaymentClaim.objects.filter(PRIME_PAID).order_by().values_list("contract_id").annotate(total=Sum("amount"))
    )
    partner = dict(PartnerPayment.objects.order_by().values_list("contract_id").annotate(total=Sum("amount")))
    rows = []
    for pk in Contract.objects.order_by("pk").values_list("pk", flat=True):
        prime_paid, partner_paid = prime.get(pk, ZERO), partner.get(pk, ZERO)
        rows.append(
            {
                "contract_id": pk,
                "committed_percent": committed.get(pk, (0, ZERO))[1],
                "prime_paid": prime_paid,
                "partner_paid": partner_paid,
                "delivered_percent": delivered_percent(partner_paid, prime_paid),
            }
        )
    return rows

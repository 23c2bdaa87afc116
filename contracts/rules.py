"""The contract rules other code relies on, each written once (see `core.rules`).

A contract's terms live in its versions (ADR 9): the terms in force are the latest version in
force, and a contract's status is asked of that version (its end date) and of the contract (its
start and any termination). Pages, selectors and the demo all use these rules.
"""

from __future__ import annotations

import datetime

from django.db.models import DateField, ExpressionWrapper, F, Q

from core.clock import LONDON
from core.rules import Rule


def _today(now: datetime.datetime) -> datetime.date:
    return now.astimezone(LONDON).date()


# A version is in force once the provider has accepted it (after a second commissioner approved
# it); the contract as made (version 1) is in force from the day it is made.
VERSION_IN_FORCE = Rule(
    "a version in force",
    lambda now: Q(approved_at__isnull=False, accepted_at__isnull=False, declined_at__isnull=True),
    uses_clock=False,
)

# Still open: a draft, or proposed and waiting for approval or acceptance.
VERSION_OPEN = Rule(
    "a version still open", lambda now: Q(accepted_at__isnull=True, declined_at__isnull=True), uses_clock=False
)

# Live (asked of the terms in force): started, not past its end date, and not terminated. A
# terminated contract's last day is `terminates_on`.
CONTRACT_LIVE = Rule(
    "a live contract",
    lambda now: (
        Q(contract__starts_on__lte=_today(now), ends_on__gte=_today(now)) & ~Q(contract__terminates_on__lt=_today(now))
    ),
)

# Not started yet (asked of the terms in force, like CONTRACT_LIVE).
CONTRACT_NOT_STARTED = Rule(
    "a contract not started",
    lambda now: Q(contract__starts_on__gt=_today(now)) & ~Q(contract__terminates_on__lt=_today(now)),
)

# Terminated: past the last day the termination gave.
CONTRACT_TERMINATED = Rule("a terminated contract", lambda now: Q(contract__terminates_on__lt=_today(now)))


# --- Who a contract is for (issue 12) ------------------------------------------------------------


def order_taken(order_type: str) -> Rule:
    """A contract takes people supervised under this kind of order (`OrderType`). Part of
    `person_admitted`; a referral asks it alone of its contract once the order is known."""
    from contracts.models import OrderType

    orders = {OrderType.COMMUNITY_ORDER: Q(for_community_orders=True), OrderType.LICENCE: Q(for_licences=True)}
    if order_type not in orders:
        raise ValueError("order_type must be one of OrderType")
    condition = orders[order_type]
    return Rule("a contract taking the order", lambda now: condition, uses_clock=False)


def sex_admitted(sex: str) -> Rule:
    """A contract is for people of this sex (`PersonSex`): it is for anyone, or for this sex only.
    Part of `person_admitted`; a referral asks it alone of its contract once the sex is known."""
    from contracts.models import EligibleSex, PersonSex

    sexes = {PersonSex.FEMALE: EligibleSex.WOMEN, PersonSex.MALE: EligibleSex.MEN}
    if sex not in sexes:
        raise ValueError("sex must be one of PersonSex")
    condition = Q(eligible_sex__in=[EligibleSex.ANY.value, sexes[sex].value])
    return Rule("a contract for the person's sex", lambda now: condition, uses_clock=False)


def person_admitted(*, age: int, sex: str, order_type: str, pre_release: bool) -> Rule:
    """A contract's eligibility admits a person of this age and sex, supervised under this kind of
    order (`OrderType`), and (`pre_release`) still in prison before release. Asked of a contract;
    of its versions with `prefix="contract__"`. Finding services filters by it, and a referral can
    ask it of the one contract chosen."""
    from contracts.models import OrderType, PersonSex

    if sex not in PersonSex.values or order_type not in OrderType.values:
        raise ValueError("sex and order_type must be one of PersonSex and OrderType")
    condition = Q(min_age__lte=age, max_age__gte=age) & sex_admitted(sex).q() & order_taken(order_type).q()
    if pre_release:
        condition &= Q(pre_release=True)
    return Rule("a contract admitting the person", lambda now: condition, uses_clock=False)


# --- Payment claims: where a claim stands, from its timestamps. `PaymentClaim.is_waiting` and
# `is_payable` ask these of a claim in memory; the lists of claims filter with the same rules.

# Sent, neither queried nor approved yet: the commissioner decides it.
CLAIM_WAITING = Rule(
    "a claim waiting for the commissioner",
    lambda now: Q(queried_at__isnull=True, approved_at__isnull=True),
    uses_clock=False,
)

# Approved and not yet marked as paid.
CLAIM_PAYABLE = Rule(
    "a claim approved and not yet paid",
    lambda now: Q(approved_at__isnull=False, paid_on__isnull=True),
    uses_clock=False,
)

# Still to be paid: waiting for approval or approved and unpaid (a queried claim is answered by a
# new one, so it is not).
CLAIM_OUTSTANDING = Rule(
    "a claim still to be paid", lambda now: Q(queried_at__isnull=True, paid_on__isnull=True), uses_clock=False
)

# Standing: not queried (a queried claim is answered by a new one). What a year's claims add up to
# counts these: corrections included, since they change what was claimed.
CLAIM_STANDING = Rule("a claim standing", lambda now: Q(queried_at__isnull=True), uses_clock=False)

# --- The supply chain ----------------------------------------------------------------------------

# The 30-day rule passed down the supply chain: a prime pays each partner for a period within 30
# days of the day the prime itself was paid for that period (its claim for the period). A partner
# paid before the prime was paid is in time. Written once, as a predicate and as the same
# condition for a queryset; `contracts/tests/test_supply_chain.py` checks the two agree at the edges.
PARTNER_PAYMENT_DAYS = 30


def partner_paid_by(prime_paid_on: datetime.date) -> datetime.date:
    """The last day a partner may be paid for a period the prime was paid for on `prime_paid_on`."""
    return prime_paid_on + datetime.timedelta(days=PARTNER_PAYMENT_DAYS)


def partner_paid_in_time(*, paid_on: datetime.date, prime_paid_on: datetime.date) -> bool:
    """The predicate: a partner's payment for a period made by the day `partner_paid_by` gives."""
    return paid_on <= partner_paid_by(prime_paid_on)


def partner_paid_in_time_q(prime_paid_on: str = "prime_paid_on") -> Q:
    """The same rule on partner payments, `prime_paid_on` naming a field or annotation with the day
    the prime was paid for the payment's period (see `selectors_supply_chain.with_prime_paid_on`)."""
    return Q(
        paid_on__lte=ExpressionWrapper(
            F(prime_paid_on) + datetime.timedelta(days=PARTNER_PAYMENT_DAYS), output_field=DateField()
        )
    )

"""Small worlds built by hand for the volumes and flags tests: contracts copied from one awarded
contract (only their dates, terms, areas and service type matter here), with the terms in force
set directly, referrals sent on given days and claims paid on given days."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from contracts.models import Contract, PaymentClaim
from contracts.tests.terms import agree_as_made
from core.clock import LONDON
from reference.models import Area
from referrals.tests.factories import referral_world
from referrals.tests.test_counts import Build, another_contract

_numbers = itertools.count(1)


def base_world() -> dict:
    """The referrals world (a contract, a practitioner, a caseworker, the provider's people) and a
    builder of referral rows."""
    world = referral_world()
    world["build"] = Build(world)
    world["kent"] = Area.objects.get(code="K")
    return world


def london_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


def make_contract(
    world: dict,
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    years: dict[int, tuple[int, int]],
    areas: list[Area] | None = None,
    service_type=None,
    terminates_on: datetime.date | None = None,
    payment_days: int = 30,
) -> Contract:
    """A contract with the terms as made in force: `years` {financial year: (value in pounds,
    people)}."""
    contract = another_contract(world["contract"], next(_numbers))
    contract.starts_on, contract.ends_on = starts_on, ends_on
    if service_type is not None:
        contract.service_type = service_type
    if terminates_on is not None:
        contract.terminates_on = terminates_on
        contract.termination_notice_on = terminates_on
        contract.termination_reason = "mutual"
        contract.termination_recorded_at = timezone.now()
    contract.save()
    agree_as_made(
        contract,
        at=london_noon(starts_on) - datetime.timedelta(days=60),
        areas=areas if areas is not None else [world["kent"]],
        years=years,
        payment_days=payment_days,
    )
    return contract


def referrals(world: dict, contract: Contract, days: list[datetime.date]) -> None:
    """A referral sent at noon (London) on each day."""
    for day in days:
        world["build"].referral(contract, world["kent"], london_noon(day))


def paid_claim(
    world: dict, contract: Contract, *, period_start: datetime.date, sent_on: datetime.date, paid_on: datetime.date
) -> PaymentClaim:
    """An approved claim for a month, sent and paid on the days given."""
    sent_at = london_noon(sent_on)
    period_end = (period_start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return PaymentClaim.objects.create(
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        amount=Decimal("1000"),
        sent_at=sent_at,
        sent_by=world["provider"],
        approved_at=sent_at,
        approved_by=world["first"],
        paid_on=paid_on,
        paid_recorded_at=sent_at,
        paid_recorded_by=world["first"],
    )

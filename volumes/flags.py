"""The five flags of issue 13, each written once: a predicate on one contract year
(`volumes.selectors.ContractYear`) with its thresholds from settings, its name, and its meaning in
plain English for the pages that show it. The named selectors (`demand_above_contract`, …) are
`flagged(FLAG, …)`: the rows the same predicate holds for, so a page and a test cannot disagree
(ADR 13). The figures are worked out in `volumes.selectors`, in a fixed number of queries.

Every comparison is exact (whole numbers, or fractions), so a figure exactly at a threshold never
fires a flag: "above 110%" is not 110% itself."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.db.models import QuerySet

from contracts.models import Contract
from volumes.selectors import ContractYear, contract_years


@dataclass(frozen=True)
class Thresholds:
    demand_above_percent: int
    demand_below_percent: int
    demand_min_days: int
    thin_funding_percent: int
    late_rise_points: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            demand_above_percent=settings.VOLUMES_DEMAND_ABOVE_PERCENT,
            demand_below_percent=settings.VOLUMES_DEMAND_BELOW_PERCENT,
            demand_min_days=settings.VOLUMES_DEMAND_MIN_DAYS,
            thin_funding_percent=settings.VOLUMES_THIN_FUNDING_PERCENT,
            late_rise_points=settings.VOLUMES_LATE_RISE_POINTS,
        )


@dataclass(frozen=True)
class Flag:
    slug: str
    title: str
    # The meaning, in plain English, with the thresholds in force.
    explain: Callable[[Thresholds], str]
    predicate: Callable[[ContractYear, Thresholds], bool]

    def holds(self, year: ContractYear, thresholds: Thresholds | None = None) -> bool:
        return self.predicate(year, thresholds or Thresholds.from_settings())

    def meaning(self, thresholds: Thresholds | None = None) -> str:
        return self.explain(thresholds or Thresholds.from_settings())


def _pro_rata_known(year: ContractYear, t: Thresholds) -> bool:
    """Enough of the year has passed to compare referrals with the contract pro rata."""
    return bool(year.volume) and year.covered_days > 0 and year.elapsed_days >= t.demand_min_days


def _demand_above(year: ContractYear, t: Thresholds) -> bool:
    # received / (volume × elapsed / covered) > above%, multiplied out to whole numbers.
    return _pro_rata_known(year, t) and (
        year.received * year.covered_days * 100 > t.demand_above_percent * year.volume * year.elapsed_days
    )


def _demand_below(year: ContractYear, t: Thresholds) -> bool:
    return _pro_rata_known(year, t) and (
        year.received * year.covered_days * 100 < t.demand_below_percent * year.volume * year.elapsed_days
    )


def _thin_funding(year: ContractYear, t: Thresholds) -> bool:
    per_person = year.value_per_person
    if per_person is None or year.service_median is None:
        return False
    return per_person * 100 < year.service_median * (100 - t.thin_funding_percent)


def _ramp_up_below_known_demand(year: ContractYear, t: Thresholds) -> bool:
    # The year's volume made up to a whole year (a first or last year may be part of one), against
    # the referrals the replaced contract received in its last twelve months.
    if year.volume is None or year.known_demand is None or year.covered_days == 0:
        return False
    return year.volume * year.days_in_year < year.known_demand * year.covered_days


def _late_payment_rising(year: ContractYear, t: Thresholds) -> bool:
    if not year.paid_claims or not year.previous_paid_claims:
        return False
    share = Fraction(year.late_claims, year.paid_claims)
    before = Fraction(year.previous_late_claims, year.previous_paid_claims)
    return (share - before) * 100 > t.late_rise_points


DEMAND_ABOVE = Flag(
    "demand-above",
    "Demand above contract",
    lambda t: (
        f"More referrals than the contract pays for. Referrals so far this year are above {t.demand_above_percent}% "
        "of the people contracted for the same part of the year. The provider may be doing work it is not paid for."
    ),
    _demand_above,
)
DEMAND_BELOW = Flag(
    "demand-below",
    "Demand below contract",
    lambda t: (
        f"Fewer referrals than the contract expects. Referrals so far this year are below {t.demand_below_percent}% "
        "of the people contracted for the same part of the year. Money may go unspent, or people may not be reaching "
        f"the service. Not shown until {t.demand_min_days} days of the year have passed."
    ),
    _demand_below,
)
THIN_FUNDING = Flag(
    "thin-funding",
    "Thin funding",
    lambda t: (
        "Less money for each person than similar contracts. The value for each person contracted is more than "
        f"{t.thin_funding_percent}% below the middle value (the median) for the same type of service that year."
    ),
    _thin_funding,
)
RAMP_UP_BELOW_KNOWN_DEMAND = Flag(
    "ramp-up-below-demand",
    "Volume below known demand",
    lambda t: (
        "The contract pays for fewer people than the contract it replaced was sent. The year's volume, for a whole "
        "year, is below the referrals the last contract for the same service and area got in its last 12 months."
    ),
    _ramp_up_below_known_demand,
)
LATE_PAYMENT_RISING = Flag(
    "late-payment-rising",
    "Late payment rising",
    lambda t: (
        "More claims are paid late than last year. The share of paid claims paid after the payment terms (or after "
        f"30 days, if sooner) rose by more than {t.late_rise_points} percentage points."
    ),
    _late_payment_rising,
)

FLAGS: tuple[Flag, ...] = (
    DEMAND_ABOVE,
    DEMAND_BELOW,
    THIN_FUNDING,
    RAMP_UP_BELOW_KNOWN_DEMAND,
    LATE_PAYMENT_RISING,
)
BY_SLUG = {flag.slug: flag for flag in FLAGS}


def flags_of(year: ContractYear, thresholds: Thresholds | None = None) -> list[Flag]:
    """The flags that hold for a contract year, in the order of FLAGS."""
    thresholds = thresholds or Thresholds.from_settings()
    return [flag for flag in FLAGS if flag.holds(year, thresholds)]


def flagged(flag: Flag, contracts: QuerySet[Contract], *, today: datetime.date) -> list[ContractYear]:
    """The contract years of `contracts` the flag holds for."""
    thresholds = Thresholds.from_settings()
    return [year for year in contract_years(contracts, today=today) if flag.holds(year, thresholds)]


# The named selectors, one for each flag.
def demand_above_contract(contracts: QuerySet[Contract], *, today: datetime.date) -> list[ContractYear]:
    return flagged(DEMAND_ABOVE, contracts, today=today)


def demand_below_contract(contracts: QuerySet[Contract], *, today: datetime.date) -> list[ContractYear]:
    return flagged(DEMAND_BELOW, contracts, today=today)


def thin_funding(contracts: QuerySet[Contract], *, today: datetime.date) -> list[ContractYear]:
    return flagged(THIN_FUNDING, contracts, today=today)


def ramp_up_below_known_demand(contracts: QuerySet[Contract], *, today: datetime.date) -> list[ContractYear]:
    return flagged(RAMP_UP_BELOW_KNOWN_DEMAND, contracts, today=today)


def late_payment_rising(contracts: QuerySet[Contract], *, today: datetime.date) -> list[ContractYear]:
    return flagged(LATE_PAYMENT_RISING, contracts, today=today)

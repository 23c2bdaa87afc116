"""Each contract's financial years (April to March, London dates) set against what was contracted
(issue 13): the people and value in the terms in force (the latest version accepted: ADR 9), beside
referrals received, started and completed and sessions delivered (counted by the referrals app,
asked through `contracts.delivery`), money claimed and paid, and the value per person contracted and
delivered. Everything a flag (`volumes.flags`) needs is worked out here, in a fixed number of
queries whatever the number of contracts (ADR 13)."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import QuerySet

from accounts.permissions import membership_of
from contracts import rules as contract_rules
from contracts.delivery import delivery_counts_by_month
from contracts.models import Contract, ContractVersion, ContractVersionYear
from contracts.selectors import (
    claims_by_financial_year,
    contracts_commissioned_by,
    late_claims_by_financial_year,
    term_financial_years,
)
from core.clock import financial_year_label, financial_year_of

# Months of the replaced contract's referrals that count as the demand it knew: its last twelve.
KNOWN_DEMAND_MONTHS = 12


def year_bounds(financial_year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a financial year (1 April to 31 March)."""
    return datetime.date(financial_year, 4, 1), datetime.date(financial_year + 1, 3, 31)


def _days(first: datetime.date, last: datetime.date) -> int:
    """Days from `first` to `last`, both counted; none when `last` is before `first`."""
    return max((last - first).days + 1, 0)


class _PerPerson:
    """Value per person contracted (each class says how) and delivered (money paid for each person
    who started), exactly and in pounds: one definition for a contract year and for totals."""

    paid: Decimal
    started: int

    @property
    def value_per_person(self) -> Fraction | None:
        raise NotImplementedError

    @property
    def value_per_person_delivered(self) -> Fraction | None:
        """Money paid for each person who started."""
        return _per_person(self.paid, self.started)

    @property
    def value_per_person_pounds(self) -> Decimal | None:
        return _pounds(self.value_per_person)

    @property
    def value_per_person_delivered_pounds(self) -> Decimal | None:
        return _pounds(self.value_per_person_delivered)


@dataclass
class ContractYear(_PerPerson):
    """One contract in one financial year."""

    contract: Contract
    financial_year: int
    # In the terms in force; None when they set nothing for the year.
    volume: int | None
    value: Decimal | None
    # Delivery in the year (London months of the year).
    received: int
    started: int
    completed: int
    sessions_delivered: int
    # Standing claims for periods starting in the year, and the part of them paid.
    claimed: Decimal
    paid: Decimal
    # Days of the year the contract runs, and of those the days up to today.
    days_in_year: int
    covered_days: int
    elapsed_days: int
    # For the flags. The median value per person contracted of every contract of the same service
    # type in the same year across the framework (None when no contract sets a volume).
    service_median: Fraction | None
    # The contract this one replaced (same service type, an area in common, ended before this one
    # started; the latest to end), and the referrals it received in its last twelve months.
    replaced: Contract | None
    known_demand: int | None
    # Paid claims for periods in this year and the year before, and how many of them were paid late.
    late_claims: int
    paid_claims: int
    previous_late_claims: int
    previous_paid_claims: int
    # The areas in the terms in force (ids), for pages that add contracts up by area.
    area_ids: frozenset[int] = frozenset()

    @property
    def year_label(self) -> str:
        return financial_year_label(self.financial_year)

    @property
    def value_per_person(self) -> Fraction | None:
        """The year's contracted value for each person contracted."""
        if self.value is None:
            return None
        return _per_person(self.value, self.volume)


def _per_person(amount: Decimal, people: int | None) -> Fraction | None:
    """Money for each person, exactly; None when there is nobody to share it between."""
    if not people:
        return None
    return Fraction(amount) / people


@dataclass
class VolumeTotals(_PerPerson):
    """Contract years added up (`add_up`): the people and value contracted beside delivery and money,
    with the value per person worked out from the totals (not an average of each year's)."""

    contract_years: int = 0
    volume: int = 0
    value: Decimal = Decimal(0)
    received: int = 0
    started: int = 0
    completed: int = 0
    claimed: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    # Value and people of only the years whose terms set both: a year with a value but no volume
    # would make everyone else's share look bigger.
    priced_value: Decimal = Decimal(0)
    priced_volume: int = 0

    @property
    def value_per_person(self) -> Fraction | None:
        """Contracted value for each person contracted, over the years that set both."""
        return _per_person(self.priced_value, self.priced_volume)


def add_up(rows: Iterable[ContractYear]) -> VolumeTotals:
    """The totals of some contract years (`contract_years` rows)."""
    totals = VolumeTotals()
    for row in rows:
        totals.contract_years += 1
        totals.volume += row.volume or 0
        totals.value += row.value or 0
        totals.received += row.received
        totals.started += row.started
        totals.completed += row.completed
        totals.claimed += row.claimed
        totals.paid += row.paid
        if row.value_per_person is not None:
            totals.priced_value += row.value
            totals.priced_volume += row.volume
    return totals


def _pounds(amount: Fraction | None) -> Decimal | None:
    """An exact amount rounded to whole pounds, for showing."""
    if amount is None:
        return None
    return (Decimal(amount.numerator) / Decimal(amount.denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _latest_terms(
    service_type_ids: set[int], financial_years: set[int] | None = None
) -> tuple[dict[int, dict], dict[int, dict[int, tuple]], dict[int, set]]:
    """For every contract of these service types: its facts and the terms in force (the latest
    version accepted), the years those terms set (only `financial_years` when given: the medians
    need every contract of the service type, but only for the years shown), and their areas. Four
    queries."""
    contracts = {
        row["id"]: row
        for row in Contract.objects.filter(service_type_id__in=service_type_ids)
        .order_by()
        .values("id", "service_type_id", "starts_on", "terminates_on")
    }
    latest: dict[int, tuple[int, int, datetime.date]] = {}
    for version_id, contract_id, number, ends_on in (
        ContractVersion.objects.filter(
            contract_rules.VERSION_IN_FORCE.q(), contract__service_type_id__in=service_type_ids
        )
        .order_by()
        .values_list("id", "contract_id", "number", "ends_on")
    ):
        if contract_id not in latest or number > latest[contract_id][1]:
            latest[contract_id] = (version_id, number, ends_on)
    in_force = {version_id: contract_id for contract_id, (version_id, _n, _e) in latest.items()}
    for contract_id, (_v, _n, ends_on) in latest.items():
        row = contracts[contract_id]
        # The last day under the terms in force, or the day it ends early (`selectors_find.last_day`).
        row["last_day"] = min(ends_on, row["terminates_on"] or ends_on)
    years: dict[int, dict[int, tuple]] = defaultdict(dict)
    for version_id, year, value, volume in (
        # Every version in force of these contracts, the latest kept: a filter on the same
        # service types, not a list of thousands of ids.
        ContractVersionYear.objects.filter(
            contract_rules.VERSION_IN_FORCE.q(prefix="version__"),
            version__contract__service_type_id__in=service_type_ids,
            **({} if financial_years is None else {"financial_year__in": financial_years}),
        )
        .order_by()
        .values_list("version_id", "financial_year", "value", "volume")
    ):
        if version_id in in_force:
            years[in_force[version_id]][year] = (value, volume)
    areas: dict[int, set] = defaultdict(set)
    for version_id, area_id in (
        ContractVersion.areas.through.objects.filter(
            contract_rules.VERSION_IN_FORCE.q(prefix="contractversion__"),
            contractversion__contract__service_type_id__in=service_type_ids,
        )
        .order_by()
        .values_list("contractversion_id", "area_id")
    ):
        if version_id in in_force:
            areas[in_force[version_id]].add(area_id)
    return {k: v for k, v in contracts.items() if k in latest}, years, areas


def _replaced(contract_id: int, contracts: dict[int, dict], areas: dict[int, set]) -> int | None:
    """The contract this one replaced: of the same service type, with an area in common, whose last
    day was before this one started; the latest to end (then the latest made)."""
    me = contracts[contract_id]
    candidates = [
        (other["last_day"], other_id)
        for other_id, other in contracts.items()
        if other_id != contract_id
        and other["service_type_id"] == me["service_type_id"]
        and other["last_day"] < me["starts_on"]
        and areas[other_id] & areas[contract_id]
    ]
    return max(candidates)[1] if candidates else None


def _month_back(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _term_years(contract: Contract, facts: dict[int, dict], financial_years: set[int] | None) -> list[int]:
    """The financial years of the contract's term, only those asked for when some are."""
    every = term_financial_years(contract.starts_on, facts[contract.pk]["last_day"])
    return every if financial_years is None else [year for year in every if year in financial_years]


def _known_demand_window(last_day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The months whose referrals a replaced contract knew: its last twelve calendar months, from
    the first day of the first to the last day (`last_day`) of its term."""
    return _month_back(last_day, KNOWN_DEMAND_MONTHS - 1), last_day


def contract_years(
    contracts: QuerySet[Contract], *, today: datetime.date, financial_years: set[int] | None = None
) -> list[ContractYear]:
    """Each financial year of each contract's term (only those in `financial_years` when given;
    every year when None), oldest contract title first. A fixed number of queries whatever the
    number of contracts (about fifteen: the contracts, the terms of every contract of the same
    service types, the claims, and the delivery counts; seven more for the replaced contracts'
    referrals when the years are restricted). Given years, every query reads only what those years
    need: the claims for them and the year before (late payment compares with it), the years set
    by the terms for them, and the delivery in them plus the replaced contracts' last twelve months
    (ADR 13: the account page asks for this year only)."""
    shown = list(contracts.select_related("service_type", "supplier").order_by("title", "pk"))
    if not shown or financial_years is not None and not financial_years:
        return []
    facts, years, areas = _latest_terms({contract.service_type_id for contract in shown}, financial_years)
    # Contracts with no year asked for give no row: nothing more is read for them.
    shown = [contract for contract in shown if contract.pk in facts and _term_years(contract, facts, financial_years)]
    if not shown:
        return []
    shown_ids = [contract.pk for contract in shown]
    replaced = {contract.pk: _replaced(contract.pk, facts, areas) for contract in shown}
    replaced_contracts = Contract.objects.in_bulk({pk for pk in replaced.values() if pk is not None})
    if financial_years is None:
        counts = delivery_counts_by_month(shown_ids + list(replaced_contracts))
        known_counts = counts
    else:
        counts = delivery_counts_by_month(
            shown_ids, since=year_bounds(min(financial_years))[0], until=year_bounds(max(financial_years))[1]
        )
        windows = [_known_demand_window(facts[pk]["last_day"]) for pk in replaced_contracts]
        # Whole months, as known demand counts them: the month of the last day to its end.
        known_counts = (
            delivery_counts_by_month(
                list(replaced_contracts),
                since=min(first for first, _last in windows),
                until=_month_back(max(last for _first, last in windows), -1) - datetime.timedelta(days=1),
            )
            if windows
            else {}
        )
    by_year: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (contract_id, month), figures in counts.items():
        for name, count in figures.items():
            by_year[(contract_id, financial_year_of(month))][name] += count
    money = claims_by_financial_year(shown_ids, financial_years=financial_years)
    lateness = late_claims_by_financial_year(
        shown_ids,
        financial_years=None if financial_years is None else financial_years | {year - 1 for year in financial_years},
    )
    medians = _service_medians(facts, years)

    rows = []
    for contract in shown:
        own = facts[contract.pk]
        was = replaced[contract.pk]
        known = None
        if was is not None:
            since, last = _known_demand_window(facts[was]["last_day"])
            known = sum(
                figures["received"]
                for (contract_id, month), figures in known_counts.items()
                if contract_id == was and since <= month <= last
            )
        for year in _term_years(contract, facts, financial_years):
            first, last = year_bounds(year)
            runs_from, runs_to = max(first, contract.starts_on), min(last, own["last_day"])
            value, volume = years[contract.pk].get(year, (None, None))
            delivered = by_year.get((contract.pk, year), {})
            claims = money.get((contract.pk, year), {})
            late, paid = lateness.get((contract.pk, year), (0, 0))
            previous_late, previous_paid = lateness.get((contract.pk, year - 1), (0, 0))
            rows.append(
                ContractYear(
                    contract=contract,
                    financial_year=year,
                    volume=volume,
                    value=value,
                    received=delivered.get("received", 0),
                    started=delivered.get("started", 0),
                    completed=delivered.get("completed", 0),
                    sessions_delivered=delivered.get("sessions_delivered", 0),
                    claimed=claims.get("claimed", Decimal(0)),
                    paid=claims.get("paid", Decimal(0)),
                    days_in_year=_days(first, last),
                    covered_days=_days(runs_from, runs_to),
                    elapsed_days=_days(runs_from, min(runs_to, today)),
                    service_median=medians.get((contract.service_type_id, year)),
                    replaced=replaced_contracts.get(was) if was is not None else None,
                    known_demand=known,
                    late_claims=late,
                    paid_claims=paid,
                    previous_late_claims=previous_late,
                    previous_paid_claims=previous_paid,
                    area_ids=frozenset(areas[contract.pk]),
                )
            )
    return rows


def _service_medians(facts: dict[int, dict], years: dict[int, dict[int, tuple]]) -> dict[tuple[int, int], Fraction]:
    """{(service type, financial year): the median value per person contracted} over every contract
    of the framework whose terms in force set a volume for the year."""
    per_person: dict[tuple[int, int], list[Fraction]] = defaultdict(list)
    for contract_id, contract_years_ in years.items():
        if contract_id not in facts:
            continue
        for year, (value, volume) in contract_years_.items():
            if volume:
                per_person[(facts[contract_id]["service_type_id"], year)].append(Fraction(value) / volume)
    return {key: statistics.median(values) for key, values in per_person.items()}


def contracts_for(user) -> QuerySet[Contract]:
    """The contracts whose volumes and flags this person sees: a commissioner's organisation's
    contracts (`contracts_commissioned_by`) and an organisation's own contracts for its members."""
    mine = contracts_commissioned_by(user)
    membership = membership_of(user)
    if membership is not None:
        mine = mine | Contract.objects.filter(supplier_id=membership.organisation_id)
    return mine.distinct()

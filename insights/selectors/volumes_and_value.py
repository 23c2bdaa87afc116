"""7. Volumes and value: the people contracted against the referrals received, started and completed,
the value per person, and the flags of issue 13, added up by service, area and financial year.

Every figure comes from `volumes.selectors.contract_years` (each contract year with its terms in
force) and every flag from `volumes.flags`: nothing is worked out again here. Counts of people
(referrals) from 1 to 4 are published as "fewer than 5" (`referrals.selectors.public_figure`), and
so is the money paid for each person started when the people started are that few (it would give
the number away: the money paid is shown beside it)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from contracts import rules as contract_rules
from contracts.models import Contract, ContractVersion
from core.clock import financial_year_label, london_now
from insights.scope import Scope, overlap_q, overlaps
from insights.selectors.common import EVERYWHERE, pounds
from insights.selectors.smaller_providers import breakdown_areas
from reference.models import Area, AreaLevel, ServiceType
from referrals.selectors import public_figure
from volumes import flags
from volumes.selectors import ContractYear, VolumeTotals, add_up, contract_years

LEVELS = (AreaLevel.REGION, AreaLevel.PCC_AREA)
LEVEL_NAMES = {AreaLevel.REGION: "region", AreaLevel.PCC_AREA: "PCC area"}
# The line for contracts whose areas are not inside one area at the level shown.
MORE_THAN_ONE = "more-than-one"
ALL_AREAS = "all"
# What the money for each person started shows when the number started is withheld.
NOT_SHOWN = "not shown: fewer than 5 started"


# How the page works its figures out, in plain words: on the page and in the spreadsheet.
HOW_WE_WORK_IT_OUT = (
    "We start from each contract in each financial year (April to March). We use the terms in force: the latest "
    "version of the contract that both sides agreed to.",
    "People contracted is how many people the contract pays for in the year. We set it against the referrals the "
    "provider got, started and completed in the same year. This year is not over yet, so its referrals are only "
    "those so far.",
    "Value for each person contracted is the contract value split between the people contracted. We only count "
    "years where the contract sets both.",
    "Money paid for each person started is the money paid on claims for the year, split between the people who "
    "started that year. We use people who started, not people who completed.",
    "We do not split a contract between areas. A contract for more than one area has a line of its own. With an "
    "area chosen, we count contracts for that area, inside it or covering it.",
    'To keep people from being known, we show counts of people from 1 to 4 as "fewer than 5". When fewer than 5 '
    "people started, we do not show the money paid for each person started, as it would give the number away. "
    "Money is to the nearest pound.",
    "The flags point to contracts that may need a closer look. A contract counts once for each year a flag is on. "
    "What each flag means is in the flags table.",
)
ABOUT = " ".join(HOW_WE_WORK_IT_OUT)


@dataclass
class VolumeRow:
    service_type: str
    service_type_name: str
    area_code: str
    area_name: str
    financial_year: int
    year_label: str
    contract_years: int
    people_contracted: int
    # Counts of people: a number, or "fewer than 5".
    referrals_received: int | str
    referrals_started: int | str
    referrals_completed: int | str
    contracted_value: Decimal
    money_paid: Decimal
    # Whole pounds; None when there is nobody to divide by.
    value_per_person_contracted: Decimal | None
    # Whole pounds, None when nobody started, or NOT_SHOWN when fewer than 5 did.
    value_per_person_started: Decimal | str | None
    # {flag slug: contract years it holds for}
    flagged: dict[str, int] = field(default_factory=dict)


@dataclass
class FlagTotal:
    slug: str
    title: str
    meaning: str
    contract_years: int


@dataclass
class VolumesAndValue:
    level: str
    by_service: list[VolumeRow]
    by_area: list[VolumeRow]
    flags: list[FlagTotal]

    @property
    def how_we_work_it_out(self) -> tuple[str, ...]:
        return HOW_WE_WORK_IT_OUT


def default_level(area: Area | None) -> str:
    """Regions for England and Wales, PCC areas inside a region or for one PCC area."""
    return AreaLevel.REGION if area is None else AreaLevel.PCC_AREA


def _row(
    service: tuple[str, str], area: tuple[str, str], year: int, years: list[ContractYear], held: dict[str, int]
) -> VolumeRow:
    totals: VolumeTotals = add_up(years)
    per_started = totals.value_per_person_delivered_pounds
    # Withheld with the count of people started: beside the money paid it would give that count away.
    if public_figure(totals.started) != totals.started:
        per_started = NOT_SHOWN
    return VolumeRow(
        service_type=service[0],
        service_type_name=service[1],
        area_code=area[0],
        area_name=area[1],
        financial_year=year,
        year_label=financial_year_label(year),
        contract_years=totals.contract_years,
        people_contracted=totals.volume,
        referrals_received=public_figure(totals.received),
        referrals_started=public_figure(totals.started),
        referrals_completed=public_figure(totals.completed),
        contracted_value=pounds(totals.value),
        money_paid=pounds(totals.paid),
        value_per_person_contracted=totals.value_per_person_pounds,
        value_per_person_started=per_started,
        flagged={flag.slug: held.get(flag.slug, 0) for flag in flags.FLAGS},
    )


def _in_scope_contracts(scope: Scope):
    """Contracts with a version in force covering, inside or above the chosen area: more than the
    terms in force may cover (an older version's areas), checked exactly on their rows."""
    contracts = Contract.objects.all()
    if scope.area is not None:
        contracts = contracts.filter(
            Exists(
                ContractVersion.areas.through.objects.filter(
                    contract_rules.VERSION_IN_FORCE.q(prefix="contractversion__"),
                    Q(contractversion__contract=OuterRef("pk")) & overlap_q("area__path", scope.area),
                )
            )
        )
    return contracts


def volumes_and_value(
    *, scope: Scope = EVERYWHERE, level: str | None = None, today: datetime.date | None = None
) -> VolumesAndValue:
    """Contract years added up by service type, area at `level` (a region or a PCC area) and financial
    year (only the chosen one, when chosen), and by service type and year over every area in scope;
    and how many contract years each flag holds for. A contract counts under the area at `level`
    that holds all its areas, or on a line of its own when there is none. A fixed number of queries
    whatever the number of contracts: those of `contract_years`, one for the service types and two for
    the areas."""
    level = level or default_level(scope.area)
    if level not in LEVELS:
        raise ValueError(f"Volumes and value are shown by region or PCC area, not {level}")
    today = today or london_now().date()
    years = contract_years(
        _in_scope_contracts(scope),
        today=today,
        financial_years=None if scope.financial_year is None else {scope.financial_year},
    )
    names, prefix_length = breakdown_areas(level)
    paths = dict(Area.objects.filter(pk__in={pk for row in years for pk in row.area_ids}).values_list("pk", "path"))
    if scope.area is not None:
        years = [row for row in years if any(overlaps(paths[pk], scope.area) for pk in row.area_ids)]
    services = list(ServiceType.objects.order_by("display_order", "name").values_list("code", "name"))
    service_names = dict(services)
    order = {code: index for index, (code, _name) in enumerate(services)}
    thresholds = flags.Thresholds.from_settings()

    grouped: dict[tuple[str, str, int], list[ContractYear]] = defaultdict(list)
    held: dict[tuple[str, str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in years:
        keys = {paths[pk][:prefix_length] for pk in row.area_ids if len(paths[pk]) >= prefix_length}
        whole = len(keys) == 1 and all(len(paths[pk]) >= prefix_length for pk in row.area_ids)
        area_key = keys.pop() if whole else MORE_THAN_ONE
        code = row.contract.service_type.code
        for key in ((code, area_key, row.financial_year), (code, ALL_AREAS, row.financial_year)):
            grouped[key].append(row)
            for flag in flags.flags_of(row, thresholds):
                held[key][flag.slug] += 1

    more_than_one = (MORE_THAN_ONE, f"Contracts for more than one {LEVEL_NAMES[level]}")
    everywhere = (ALL_AREAS, scope.area.name if scope.area is not None else "England and Wales")

    def area_of(key: str) -> tuple[str, str]:
        if key == ALL_AREAS:
            return everywhere
        return more_than_one if key == MORE_THAN_ONE else names[key]

    def sort_key(key: tuple[str, str, int]) -> tuple:
        code, area_key, year = key
        return (order.get(code, len(order)), area_key == MORE_THAN_ONE, area_of(area_key)[1], year)

    rows = {
        key: _row((key[0], service_names[key[0]]), area_of(key[1]), key[2], grouped[key], held[key])
        for key in sorted(grouped, key=sort_key)
    }
    by_service = [row for key, row in rows.items() if key[1] == ALL_AREAS]
    by_area = [row for key, row in rows.items() if key[1] != ALL_AREAS]
    totals = defaultdict(int)
    for row in by_service:
        for slug, count in row.flagged.items():
            totals[slug] += count
    flag_totals = [
        FlagTotal(flag.slug, flag.title, flag.meaning(thresholds), totals[flag.slug]) for flag in flags.FLAGS
    ]
    return VolumesAndValue(level=level, by_service=by_service, by_area=by_area, flags=flag_totals)

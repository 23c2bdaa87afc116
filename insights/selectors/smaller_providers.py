"""2. Work for smaller providers: contracts and subcontracts won, by area and by size and type of organisation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections, router
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat, Substr

from contracts.models import Contract, ContractYear, PartnerPayment, PaymentClaim, Subcontract
from contracts.selectors_supply_chain import PRIME_PAID
from insights.scope import Scope, overlap_q
from insights.selectors.common import EVERYWHERE, MONEY_FIELD, ZERO, percent, pounds, type_group
from reference.models import Area, AreaLevel

SMALLER_GROUPS = [
    ("all", "All organisations"),
    ("sme", "Micro, small and medium organisations"),
    ("micro", "Micro organisations"),
    ("small", "Small organisations"),
    ("medium", "Medium organisations"),
    ("vcse", "Voluntary, community or social enterprise organisations"),
]
LARGER_AREAS = "larger"

# What the money figures measure: the value of contracts as awarded, or the money actually paid
# (to main organisations by commissioners, their paid claims; to partners by the main
# organisations, the payments they recorded: contracts/selectors_supply_chain.py).
AWARDED, PAID = "awarded", "paid"
MEASURES = [(AWARDED, "Value as awarded"), (PAID, "Money actually paid")]


@dataclass
class SmallerProvidersRow:
    area_code: str
    area_name: str
    who: str
    who_label: str
    contracts: int = 0
    contract_value: Decimal = ZERO
    share_of_contract_value: Decimal | None = None
    subcontracts: int = 0
    subcontract_value: Decimal = ZERO


@dataclass
class SmallerProviders:
    level: str
    rows: list[SmallerProvidersRow]
    measure: str = AWARDED


def default_breakdown_level(area: Area | None) -> str:
    """One level below the chosen area: regions for England and Wales, PCC areas inside a region."""
    if area is None:
        return AreaLevel.REGION
    if area.level == AreaLevel.REGION:
        return AreaLevel.PCC_AREA
    return AreaLevel.LOCAL_AUTHORITY


def fold_smaller_providers(
    *,
    level: str,
    names: dict[str, tuple[str, str]],
    tallies: list[tuple[str, str | None, str | None, str | None, int, Decimal]],
    measure: str = AWARDED,
) -> SmallerProviders:
    """(kind, area path cut to `level`, size, organisation type, number, value) tallies → rows by area
    and group. `names` maps the path of each area at the level to its code and name; a path not in
    it (a contract for a larger area) counts under "larger areas"."""
    totals: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(lambda: [0, ZERO, 0, ZERO]))
    for kind, key, size, organisation_type, number, value in tallies:
        group_key = key if key in names else LARGER_AREAS
        whos = ["all"]
        if size in ("micro", "small", "medium"):
            whos += ["sme", size]
        if type_group(organisation_type) == "vcse":
            whos.append("vcse")
        offset = 0 if kind == "contract" else 2
        for who in whos:
            tally = totals[group_key][who]
            tally[offset] += number
            tally[offset + 1] += Decimal(value or 0)
    rows: list[SmallerProvidersRow] = []
    ordered = sorted(k for k in totals if k != LARGER_AREAS) + ([LARGER_AREAS] if LARGER_AREAS in totals else [])
    level_name = AreaLevel(level).label.lower()
    for key in ordered:
        if key == LARGER_AREAS:
            code, name = LARGER_AREAS, f"Contracts for an area larger than a {level_name}"
        else:
            code, name = names[key]
        whole = pounds(totals[key]["all"][1])
        for who, label in SMALLER_GROUPS:
            tally = totals[key][who]
            rows.append(
                SmallerProvidersRow(
                    area_code=code,
                    area_name=name,
                    who=who,
                    who_label=label,
                    contracts=tally[0],
                    contract_value=pounds(tally[1]),
                    share_of_contract_value=percent(pounds(tally[1]), whole),
                    subcontracts=tally[2],
                    subcontract_value=pounds(tally[3]),
                )
            )
    return SmallerProviders(level=level, rows=rows, measure=measure)


def breakdown_areas(level: str) -> tuple[dict[str, tuple[str, str]], int]:
    """The areas at a level, as path → (code, name), and the length of their paths (codes at one
    level are all one length)."""
    names = {
        path: (code, name) for path, code, name in Area.objects.filter(level=level).values_list("path", "code", "name")
    }
    lengths = {len(path) for path in names}
    if len(lengths) != 1:
        raise ValueError(f"Areas at level {level} have paths of different lengths: {sorted(lengths)}")
    return names, lengths.pop()


def smaller_providers(
    *, scope: Scope = EVERYWHERE, level: str | None = None, measure: str = AWARDED
) -> SmallerProviders:
    """Contracts and subcontracts won, and their value, by area and by size and type of organisation.

    A contract counts under the area it was let for (the first of its areas), rolled up to `level`;
    with a financial year, only contracts with a value that year count, at that year's value.
    Three queries: the areas at the level, then contracts and subcontracts grouped. With
    `measure=PAID`, the money actually paid instead (`_smaller_providers_paid`).
    """
    level = level or default_breakdown_level(scope.area)
    if measure == PAID:
        return _smaller_providers_paid(scope=scope, level=level)
    names, prefix_length = breakdown_areas(level)
    # The first of the contract's areas (by path), as MIN rather than ORDER BY … LIMIT 1: PostgreSQL
    # would otherwise walk the whole area index for every contract.
    first_area = (
        Contract.areas.through.objects.filter(contract=OuterRef("contract_ref"))
        .order_by()
        .values("contract")
        .annotate(first=Min("area__path"))
        .values("first")
    )
    year_filter = Q(financial_year=scope.financial_year) if scope.financial_year is not None else Q()
    value = (
        ContractYear.objects.filter(year_filter, contract=OuterRef("contract_ref"))
        .order_by()
        .values("contract")
        .annotate(total=Sum("value"))
        .values("total")
    )
    contract_filter = Q()
    if scope.area is not None:
        contract_filter &= Exists(
            Contract.areas.through.objects.filter(
                Q(contract=OuterRef("contract_ref")) & overlap_q("area__path", scope.area)
            )
        )
    if scope.financial_year is not None:
        contract_filter &= Exists(
            ContractYear.objects.filter(contract=OuterRef("contract_ref"), financial_year=scope.financial_year)
        )

    contracts = (
        Contract.objects.annotate(contract_ref=F("pk"))
        .filter(contract_filter)
        .annotate(key=Substr(Subquery(first_area), 1, prefix_length), cv=Subquery(value, output_field=MONEY_FIELD))
        .order_by()
        .values("key", "supplier__size", "supplier__organisation_type")
        .annotate(number=Count("pk"), total=Sum("cv"))
    )
    subcontracts = (
        Subcontract.objects.annotate(contract_ref=F("contract_id"))
        .filter(contract_filter)
        .annotate(
            key=Substr(Subquery(first_area), 1, prefix_length),
            sv=Subquery(value, output_field=MONEY_FIELD) * F("share_percent") / Value(Decimal("100")),
        )
        .order_by()
        .values("key", "organisation__size", "organisation__organisation_type")
        .annotate(number=Count("pk"), total=Sum("sv", output_field=MONEY_FIELD))
    )
    tallies = [
        ("contract", r["key"], r["supplier__size"], r["supplier__organisation_type"], r["number"], r["total"])
        for r in contracts
    ] + [
        (
            "subcontract",
            r["key"],
            r["organisation__size"],
            r["organisation__organisation_type"],
            r["number"],
            r["total"],
        )
        for r in subcontracts
    ]
    return fold_smaller_providers(level=level, names=names, tallies=tallies)


def _first_area_key(prefix_length: int) -> Substr:
    first_area = (
        Contract.areas.through.objects.filter(contract=OuterRef("contract_ref"))
        .order_by()
        .values("contract")
        .annotate(first=Min("area__path"))
        .values("first")
    )
    return Substr(Subquery(first_area), 1, prefix_length)


# The two statements of `_smaller_providers_paid`, compiled once for each database vendor, area,
# year and level: building and compiling them costs Django more than running them does (see
# docs/performance.md). Only the SQL text and its parameters are kept, never an answer.
_PAID_STATEMENTS: dict[tuple, tuple[tuple[str, tuple], ...]] = {}


def _paid_statements(*, scope: Scope, level: str, prefix_length: int, alias: str) -> tuple[tuple[str, tuple], ...]:
    vendor = connections[alias].vendor
    area = (scope.area.pk, scope.area.path) if scope.area else None
    key = (vendor, area, scope.financial_year, level, prefix_length)
    if key not in _PAID_STATEMENTS:
        paid_in_year = Q()
        if scope.year_dates is not None:
            first, last = scope.year_dates
            paid_in_year = Q(paid_on__gte=first, paid_on__lte=last)
        in_area = Q()
        if scope.area is not None:
            # The contracts in the area once, not a test for each payment.
            in_area = Q(
                contract_id__in=Contract.objects.filter(
                    Exists(
                        Contract.areas.through.objects.filter(
                            Q(contract=OuterRef("pk")) & overlap_q("area__path", scope.area)
                        )
                    )
                ).values("pk")
            )
        contracts = (
            PaymentClaim.objects.filter(PRIME_PAID & paid_in_year)
            .annotate(contract_ref=F("contract_id"))
            .filter(in_area)
            .annotate(key=_first_area_key(prefix_length))
            .order_by()
            .values_list("key", "contract__supplier__size", "contract__supplier__organisation_type")
            .annotate(number=Count("contract_id", distinct=True), total=Sum("amount"))
        )
        partners = (
            PartnerPayment.objects.filter(paid_in_year)
            .annotate(contract_ref=F("contract_id"))
            .filter(in_area)
            .annotate(key=_first_area_key(prefix_length), who=Concat(Cast("contract_id", CharField()), "partner_key"))
            .order_by()
            .values_list("key", "organisation__size", "organisation__organisation_type")
            .annotate(number=Count("who", distinct=True), total=Sum("amount"))
        )
        _PAID_STATEMENTS[key] = tuple(
            queryset.query.get_compiler(using=alias).as_sql() for queryset in (contracts, partners)
        )
    return _PAID_STATEMENTS[key]


def _money(value) -> Decimal | None:
    """A sum of money as the database gave it, to the penny (SQLite sums in floating point)."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _smaller_providers_paid(*, scope: Scope, level: str) -> SmallerProviders:
    """The same figures by money actually paid: to each main organisation, what its paid claims
    add up to (corrections included); to each partner, what the main organisation recorded paying
    it. A contract counts once it has been paid something, a partner once it has been paid
    something (a subcontract: one partner of one contract). With a financial year, only money
    paid in that year. Three queries, as for values awarded; the two statements are compiled once
    (`_paid_statements`)."""
    names, prefix_length = breakdown_areas(level)
    alias = router.db_for_read(PaymentClaim)
    tallies = []
    with connections[alias].cursor() as cursor:
        for kind, (sql, params) in zip(
            ("contract", "subcontract"),
            _paid_statements(scope=scope, level=level, prefix_length=prefix_length, alias=alias),
            strict=True,
        ):
            cursor.execute(sql, params)
            tallies += [
                (kind, key, size, organisation_type, int(number), _money(total))
                for key, size, organisation_type, number, total in cursor.fetchall()
            ]
    return fold_smaller_providers(level=level, names=names, tallies=tallies, measure=PAID)

"""The six public insights: one function each, returning plain rows.

The page, its chart, its CSV and XLSX downloads and the JSON API all read these rows, so they can
never disagree. Each function runs a small, fixed number of aggregate queries whatever the size of
the data; `insights.floors` computes the same rows with one hand-written SQL query each.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Lookup,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Substr
from django.utils import timezone

from accounts.models import VCSE_TYPES, Organisation, OrganisationType
from competitions.models import Award, Bid, Competition, CompetitionInvitation, Lot, LotYear, LotYearRevision
from contracts.models import Contract, ContractYear, Subcontract
from core.clock import LONDON, db_now, financial_year_label
from insights.scope import Scope, current_financial_year, in_year_q, overlap_q, within_q
from qualification.models import Application, Interest, Qualification, RequestedCoverage
from reference.models import LEVEL_DEPTH, Area, AreaLevel, ServiceType
from reference.selectors import covering_paths

ZERO = Decimal("0")
EVERYWHERE = Scope()
MONEY_FIELD = DecimalField(max_digits=20, decimal_places=2)


def pounds(value) -> Decimal:
    """Whole pounds, half up: insight figures are published to the pound."""
    return Decimal(value or 0).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def type_group(organisation_type: str | None) -> str | None:
    """vcse | private | public (None for an organisation not on the framework)."""
    if organisation_type is None:
        return None
    if organisation_type in VCSE_TYPES:
        return "vcse"
    if organisation_type == OrganisationType.PUBLIC_BODY:
        return "public"
    return "private"


# --- 1. Who takes part ----------------------------------------------------------------------

FUNNEL_STEPS = [
    ("interest", "Registered interest"),
    ("questionnaire", "Sent the questionnaire"),
    ("qualified", "Qualified to bid"),
    ("invited", "Invited to bid"),
    ("bid", "Sent a bid"),
    ("won", "Won work"),
]
DROPOUT_STEPS = [
    ("questionnaire_unsent", "Started the questionnaire but never sent it"),
    ("bid_unsent", "Started a bid but never sent it"),
]
FUNNEL_GROUPS = [
    ("all", "All organisations"),
    ("vcse", "Voluntary, community or social enterprise"),
    ("private", "Private company"),
    ("public", "Public body"),
    ("micro", "Micro"),
    ("small", "Small"),
    ("medium", "Medium"),
    ("large", "Large"),
]


@dataclass
class FunnelRow:
    step: str
    label: str
    all: int = 0
    vcse: int = 0
    private: int = 0
    public: int = 0
    micro: int = 0
    small: int = 0
    medium: int = 0
    large: int = 0


@dataclass
class WhoTakesPart:
    steps: list[FunnelRow]
    dropouts: list[FunnelRow]


def _funnel_conditions(scope: Scope, now: datetime.datetime) -> dict[str, Q]:
    org = OuterRef("pk")
    # Bids are sealed until the closing date: only closed competitions' bids are counted.
    closed = Q(competition__closes_at__lte=now)
    area = scope.area
    awarded_at = Coalesce("approved_at", "recommended_at")
    in_area = Q()
    if area is not None:
        in_area = Exists(
            RequestedCoverage.objects.filter(Q(application__organisation=org) & overlap_q("area__path", area))
        )
    # Two tests, not one with OR, so each can use its organisation index.
    awards = Award.objects.annotate(awarded=awarded_at).filter(
        Q(cancelled_at__isnull=True) & in_year_q("awarded", scope) & overlap_q("lot__areas__path", area)
    )
    award_won = Exists(awards.filter(bid__organisation=org, approved_at__isnull=False)) | Exists(
        awards.filter(direct_organisation=org)
    )
    return {
        "interest": Exists(Interest.objects.filter(Q(organisation=org) & in_year_q("registered_at", scope))) & in_area,
        "questionnaire": Exists(
            Application.objects.filter(
                Q(organisation=org, submitted_at__isnull=False)
                & in_year_q("submitted_at", scope)
                & overlap_q("requested__area__path", area)
            )
        ),
        "qualified": Exists(
            Qualification.objects.active().filter(
                Q(organisation=org) & in_year_q("granted_at", scope) & overlap_q("area_path", area)
            )
        ),
        "invited": Exists(
            CompetitionInvitation.objects.filter(
                Q(organisation=org, kind=CompetitionInvitation.Kind.ELIGIBLE)
                & in_year_q("invited_at", scope)
                & overlap_q("competition__lots__areas__path", area)
            )
        ),
        "bid": Exists(
            Bid.objects.filter(
                Q(organisation=org, submitted_at__isnull=False, withdrawn_at__isnull=True)
                & closed
                & in_year_q("submitted_at", scope)
                & overlap_q("competition__lots__areas__path", area)
            )
        ),
        "won": award_won,
        "questionnaire_unsent": Exists(
            Application.objects.filter(
                Q(organisation=org, submitted_at__isnull=True)
                & in_year_q("started_at", scope)
                & overlap_q("requested__area__path", area)
            )
        )
        & ~Exists(Application.objects.filter(organisation=org, submitted_at__isnull=False)),
        "bid_unsent": Exists(
            Bid.objects.filter(
                Q(organisation=org, submitted_at__isnull=True)
                & closed
                & in_year_q("started_at", scope)
                & overlap_q("competition__lots__areas__path", area)
            )
        ),
    }


def fold_funnel(counts: list[tuple[str, str, dict[str, int]]]) -> WhoTakesPart:
    """Turn (organisation type, size, {step: count}) groups into the funnel's rows."""
    rows = {key: FunnelRow(step=key, label=label) for key, label in FUNNEL_STEPS + DROPOUT_STEPS}
    for organisation_type, size, by_step in counts:
        group = type_group(organisation_type)
        for key, number in by_step.items():
            row = rows[key]
            row.all += number
            setattr(row, group, getattr(row, group) + number)
            if size in ("micro", "small", "medium", "large"):
                setattr(row, size, getattr(row, size) + number)
    return WhoTakesPart(steps=[rows[key] for key, _ in FUNNEL_STEPS], dropouts=[rows[key] for key, _ in DROPOUT_STEPS])


def who_takes_part(*, scope: Scope = EVERYWHERE, now: datetime.datetime | None = None) -> WhoTakesPart:
    """Organisations at each step of taking part, by type and size; and where they stop. One query.
    Bids count only once their competition's closing date has passed (they are sealed until then)."""
    conditions = _funnel_conditions(scope, now or db_now())
    grouped = (
        Organisation.objects.order_by()
        .values("organisation_type", "size")
        .annotate(**{key: Count("pk", filter=condition) for key, condition in conditions.items()})
    )
    return fold_funnel([(g["organisation_type"], g["size"], {key: g[key] for key in conditions}) for g in grouped])


# --- 2. Work for smaller providers ----------------------------------------------------------

SMALLER_GROUPS = [
    ("all", "All organisations"),
    ("sme", "Micro, small and medium organisations"),
    ("micro", "Micro organisations"),
    ("small", "Small organisations"),
    ("medium", "Medium organisations"),
    ("vcse", "Voluntary, community or social enterprise organisations"),
]
LARGER_AREAS = "larger"


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
    return SmallerProviders(level=level, rows=rows)


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


def smaller_providers(*, scope: Scope = EVERYWHERE, level: str | None = None) -> SmallerProviders:
    """Contracts and subcontracts won, and their value, by area and by size and type of organisation.

    A contract counts under the area it was let for (the first of its areas), rolled up to `level`;
    with a financial year, only contracts with a value that year count, at that year's value.
    Three queries: the areas at the level, then contracts and subcontracts grouped.
    """
    level = level or default_breakdown_level(scope.area)
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


# --- 3. Where the money goes ----------------------------------------------------------------


@dataclass
class ShareRow:
    service_type: str
    service_type_name: str
    value: Decimal
    share: Decimal | None


@dataclass
class RampRow:
    service_type: str
    service_type_name: str
    financial_year: int
    value: Decimal


@dataclass
class ChangeRow:
    service_type: str
    service_type_name: str
    first_published: Decimal
    now_published: Decimal
    change: Decimal
    change_percent: Decimal | None
    changes_made: int


@dataclass
class WhereTheMoneyGoes:
    financial_year: int
    shares: list[ShareRow]
    ramp_up: list[RampRow]
    changes: list[ChangeRow]

    @property
    def years(self) -> list[int]:
        return sorted({row.financial_year for row in self.ramp_up})


def _published_lot_years(scope: Scope):
    """Estimated values of lots still on offer in competitions that are planned or launched."""
    lot_years = LotYear.objects.filter(
        Q(lot__abandoned_at__isnull=True, lot__competition__abandoned_at__isnull=True)
        & (Q(lot__competition__planned_at__isnull=False) | Q(lot__competition__launched_at__isnull=False))
    )
    if scope.area is not None:
        lot_years = lot_years.filter(
            Exists(Lot.areas.through.objects.filter(Q(lot=OuterRef("lot")) & within_q("area__path", scope.area)))
        )
    return lot_years


def fold_money(
    *,
    financial_year: int,
    service_types: list[tuple[str, str]],
    shares: dict[str, Decimal],
    ramp: list[tuple[str, int, Decimal]],
    changes: dict[str, tuple[Decimal, Decimal, int]],
) -> WhereTheMoneyGoes:
    names = dict(service_types)
    total = sum((pounds(v) for v in shares.values()), ZERO)
    share_rows = [
        ShareRow(code, name, pounds(shares.get(code)), percent(pounds(shares.get(code)), total))
        for code, name in service_types
    ]
    share_rows.append(ShareRow("all", "All services", total, percent(total, total)))
    order = {code: index for index, (code, _) in enumerate(service_types)}
    ramp_rows = [
        RampRow(code, names[code], year, pounds(value))
        for code, year, value in sorted(ramp, key=lambda r: (order[r[0]], r[1]))
    ]
    change_rows = []
    for code, name in service_types:
        if code not in changes:
            continue
        first, now, made = changes[code]
        first, now = pounds(first), pounds(now)
        change_rows.append(ChangeRow(code, name, first, now, now - first, percent(now - first, first), made))
    return WhereTheMoneyGoes(financial_year=financial_year, shares=share_rows, ramp_up=ramp_rows, changes=change_rows)


def where_the_money_goes(*, scope: Scope = EVERYWHERE) -> WhereTheMoneyGoes:
    """Estimated value by service type for one financial year (the current one unless chosen), the
    value each year (ramp-up), and how published values changed since first published. Four queries."""
    year = scope.financial_year if scope.financial_year is not None else current_financial_year()
    service_types = list(ServiceType.objects.order_by("display_order", "name").values_list("code", "name"))
    lot_years = _published_lot_years(scope)
    shares = {
        r["lot__competition__service_type__code"]: r["total"]
        for r in lot_years.filter(financial_year=year)
        .order_by()
        .values("lot__competition__service_type__code")
        .annotate(total=Sum("value"))
    }
    ramp = [
        (r["lot__competition__service_type__code"], r["financial_year"], r["total"])
        for r in lot_years.order_by()
        .values("lot__competition__service_type__code", "financial_year")
        .annotate(total=Sum("value"))
    ]
    first_value = (
        LotYearRevision.objects.filter(lot_year=OuterRef("pk")).order_by("recorded_at", "pk").values("value")[:1]
    )
    revisions = (
        LotYearRevision.objects.filter(lot_year=OuterRef("pk"))
        .order_by()
        .values("lot_year")
        .annotate(n=Count("pk"))
        .values("n")
    )
    changed_lot_years = lot_years.filter(financial_year=scope.financial_year) if scope.financial_year else lot_years
    # "Changes made": revisions after the first (the first is the original publication).
    changes = {
        r["lot__competition__service_type__code"]: (r["first"], r["now"], r["made"])
        for r in changed_lot_years.annotate(
            first_value=Coalesce(Subquery(first_value), F("value")),
            later=Greatest(Coalesce(Subquery(revisions), Value(0)) - Value(1), Value(0)),
        )
        .order_by()
        .values("lot__competition__service_type__code")
        .annotate(first=Sum("first_value", output_field=MONEY_FIELD), now=Sum("value"), made=Sum("later"))
    }
    return fold_money(financial_year=year, service_types=service_types, shares=shares, ramp=ramp, changes=changes)


# --- 4. Coverage and continuity -------------------------------------------------------------

CONTRACTED = "contracted"
IN_COMPETITION = "in_competition"
PLANNED = "planned"
NO_PROVISION = "none"
NOT_BOUGHT = "not_bought"
COVERAGE_LABELS = {
    CONTRACTED: "Contracted",
    IN_COMPETITION: "In competition",
    PLANNED: "Planned",
    NO_PROVISION: "No provision",
    NOT_BOUGHT: "Not bought here",
}


@dataclass
class CoverageCell:
    area_code: str
    area_name: str
    service_type: str
    service_type_name: str
    day_one: bool
    status: str
    contracted_until: datetime.date | None = None

    @property
    def label(self) -> str:
        if self.status == CONTRACTED and self.contracted_until:
            return f"Contracted until {self.contracted_until.day} {self.contracted_until:%B %Y}"
        return COVERAGE_LABELS[self.status]


@dataclass
class EndingContract:
    title: str
    service_type_name: str
    supplier: str
    areas: str
    ends_on: datetime.date


@dataclass
class Coverage:
    level: str
    service_types: list[tuple[str, str, bool]]
    areas: list[tuple[str, str]]
    cells: list[CoverageCell]
    ending: list[EndingContract]
    ending_window: tuple[datetime.date, datetime.date]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(COVERAGE_LABELS, 0)
        for cell in self.cells:
            counts[cell.status] += 1
        return counts

    def row(self, area_code: str) -> list[CoverageCell]:
        return [cell for cell in self.cells if cell.area_code == area_code]

    @property
    def day_one_gaps(self) -> int:
        return sum(1 for cell in self.cells if cell.day_one and cell.status == NO_PROVISION)


def covers(thing_path: str, cell_path: str, level: str) -> bool:
    """A contract or lot for `thing_path` covers a cell if it is the cell's area or above it; for a
    region cell, anything inside the region counts too."""
    return cell_path.startswith(thing_path) or (level == AreaLevel.REGION and thing_path.startswith(cell_path))


def coverage_window(scope: Scope, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Contracts count as in place if they run at some point in this window."""
    if scope.year_dates is not None:
        return scope.year_dates
    return today, today


def ending_window(scope: Scope, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    if scope.year_dates is not None:
        return scope.year_dates
    return today, today + datetime.timedelta(days=365)


def coverage_areas(scope: Scope, level: str) -> list[Area]:
    """The areas down the side of the matrix: those at `level` inside the chosen area, or the one
    containing it when the chosen area is at that level or below."""
    areas = Area.objects.filter(level=level)
    if scope.area is not None:
        if LEVEL_DEPTH[AreaLevel(scope.area.level)] >= LEVEL_DEPTH[AreaLevel(level)]:
            areas = areas.filter(path__in=covering_paths(scope.area))
        else:
            areas = areas.filter(path__startswith=scope.area.path)
    return list(areas.order_by("name"))


def fold_coverage(
    *,
    level: str,
    areas: list[Area],
    service_types: list[tuple[str, str, bool, str | None]],
    contracts: list[tuple[str, str, datetime.date]],
    lots: list[tuple[str, str, str]],
    ending: list[EndingContract],
    window: tuple[datetime.date, datetime.date],
) -> Coverage:
    """Cells from (service type, contract area path, latest end) and (service type, lot area path, stage)."""
    contract_ends: dict[str, list[tuple[str, datetime.date]]] = defaultdict(list)
    for code, path, until in contracts:
        contract_ends[code].append((path, until))
    lot_stages: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, path, stage in lots:
        lot_stages[code].append((path, stage))
    cells = []
    for area in areas:
        for code, name, day_one, restricted_path in service_types:
            cell = CoverageCell(area.code, area.name, code, name, day_one, NO_PROVISION)
            if restricted_path and not (area.path.startswith(restricted_path) or restricted_path.startswith(area.path)):
                cell.status = NOT_BOUGHT
            else:
                ends = [until for path, until in contract_ends[code] if covers(path, area.path, level)]
                stages = {stage for path, stage in lot_stages[code] if covers(path, area.path, level)}
                if ends:
                    cell.status, cell.contracted_until = CONTRACTED, max(ends)
                elif IN_COMPETITION in stages:
                    cell.status = IN_COMPETITION
                elif PLANNED in stages:
                    cell.status = PLANNED
            cells.append(cell)
    return Coverage(
        level=level,
        service_types=[(code, name, day_one) for code, name, day_one, _ in service_types],
        areas=[(area.code, area.name) for area in areas],
        cells=cells,
        ending=ending,
        ending_window=window,
    )


class PathWithin(Lookup):
    """`lhs` is the area path `rhs` or inside it: `lhs LIKE rhs || '%'`. Area paths hold only letters,
    digits and slashes, so unlike `startswith` nothing needs escaping (and the database does less)."""

    lookup_name = "path_within"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs} || '%%'", [*lhs_params, *rhs_params]


def _follow_on_exists() -> Exists:
    """Something planned to follow a contract: for one of its areas (or above or inside it), a planned
    or live competition of the same service type with a lot not yet contracted, or a later contract."""
    contract_area_path = OuterRef("area__path")
    overlapping = Q(PathWithin(F("area__path"), contract_area_path)) | Q(
        PathWithin(contract_area_path, F("area__path"))
    )
    lot_follows = Lot.areas.through.objects.filter(
        overlapping,
        lot__competition__service_type=OuterRef(OuterRef("service_type")),
        lot__abandoned_at__isnull=True,
        lot__competition__abandoned_at__isnull=True,
        lot__contract__isnull=True,
    ).filter(Q(lot__competition__planned_at__isnull=False) | Q(lot__competition__launched_at__isnull=False))
    contract_follows = Contract.areas.through.objects.filter(
        overlapping,
        contract__service_type=OuterRef(OuterRef("service_type")),
        contract__ends_on__gt=OuterRef(OuterRef("ends_on")),
    )
    return Exists(
        Contract.areas.through.objects.filter(contract=OuterRef("pk")).filter(
            Exists(lot_follows) | Exists(contract_follows)
        )
    )


def coverage(
    *, scope: Scope = EVERYWHERE, level: str = AreaLevel.PCC_AREA, today: datetime.date | None = None
) -> Coverage:
    """Service type × area: contracted (until when), in competition, planned or no provision; and
    contracts ending soon with nothing planned to follow. Six queries."""
    today = today or timezone.now().astimezone(LONDON).date()
    areas = coverage_areas(scope, level)
    service_types = [
        (st.code, st.name, st.required_by_court_orders, st.restricted_to.path if st.restricted_to_id else None)
        for st in ServiceType.objects.select_related("restricted_to").order_by("display_order", "name")
    ]
    start, end = coverage_window(scope, today)
    contracts = [
        (r["contract__service_type__code"], r["area__path"], r["until"])
        for r in Contract.areas.through.objects.filter(
            Q(contract__ends_on__gte=start, contract__starts_on__lte=end) & overlap_q("area__path", scope.area)
        )
        .order_by()
        .values("contract__service_type__code", "area__path")
        .annotate(until=Max("contract__ends_on"))
    ]
    lots = [
        (r["lot__competition__service_type__code"], r["area__path"], r["stage"])
        for r in Lot.areas.through.objects.filter(
            Q(lot__abandoned_at__isnull=True, lot__competition__abandoned_at__isnull=True, lot__contract__isnull=True)
            & overlap_q("area__path", scope.area)
        )
        .filter(Q(lot__competition__planned_at__isnull=False) | Q(lot__competition__launched_at__isnull=False))
        .annotate(
            stage=Case(
                When(lot__competition__launched_at__isnull=False, then=Value(IN_COMPETITION)),
                default=Value(PLANNED),
                output_field=CharField(),
            )
        )
        .order_by()
        .values("lot__competition__service_type__code", "area__path", "stage")
        .distinct()
    ]
    window = ending_window(scope, today)
    ending_qs = Contract.objects.filter(ends_on__gte=window[0], ends_on__lte=window[1])
    if scope.area is not None:
        # The cheap test first: only then look for something to follow each contract.
        ending_qs = ending_qs.filter(
            Exists(
                Contract.areas.through.objects.filter(Q(contract=OuterRef("pk")) & overlap_q("area__path", scope.area))
            )
        )
    ending_qs = (
        ending_qs.filter(~_follow_on_exists())
        .select_related("service_type", "supplier")
        .prefetch_related("areas")
        .order_by("ends_on", "title", "pk")
    )
    ending = [
        EndingContract(
            title=c.title,
            service_type_name=c.service_type.name,
            supplier=c.supplier.display_name,
            areas=", ".join(sorted(a.name for a in c.areas.all())),
            ends_on=c.ends_on,
        )
        for c in ending_qs
    ]
    return fold_coverage(
        level=level,
        areas=areas,
        service_types=service_types,
        contracts=contracts,
        lots=lots,
        ending=ending,
        window=window,
    )


# --- 5. Pipeline ----------------------------------------------------------------------------

PIPELINE_STAGES = {"planned": "Planned", "open": "Open for bids", "deciding": "Deciding who wins"}


@dataclass
class PipelineRow:
    reference: str
    title: str
    service_type_name: str
    owner_area_name: str
    stage: str
    stage_label: str
    starts_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    intended_award_at: datetime.datetime | None
    contract_start: datetime.date | None
    estimated_value: Decimal


def _award_done(now: datetime.datetime) -> Q:
    """An award that is final: a direct award, or approved, unchallenged (or resolved) and past standstill."""
    return Q(cancelled_at__isnull=True) & (
        Q(bid__isnull=True, direct_organisation__isnull=False)
        | (
            Q(approved_at__isnull=False)
            & ~Q(challenged_at__isnull=False, challenge_resolved_at__isnull=True)
            & (Q(standstill_ends_at__isnull=True) | Q(standstill_ends_at__lte=now))
        )
    )


def pipeline(*, scope: Scope = EVERYWHERE, now: datetime.datetime | None = None) -> list[PipelineRow]:
    """Planned and live competitions (not yet awarded or cancelled), earliest first. One query."""
    now = now or timezone.now()
    # Conditions are built as one Q and applied once: each .filter() would copy the query again.
    live_lot_not_done = Lot.objects.filter(
        Q(competition=OuterRef("pk"), abandoned_at__isnull=True)
        & ~Exists(Award.objects.filter(_award_done(now) & Q(lot=OuterRef("pk"))))
    )
    conditions = (
        Q(abandoned_at__isnull=True)
        & (Q(planned_at__isnull=False) | Q(launched_at__isnull=False))
        & (
            Q(launched_at__isnull=True)
            | Q(closes_at__gt=now)
            | Exists(live_lot_not_done)
            | ~Exists(Lot.objects.filter(competition=OuterRef("pk")))
        )
    )
    if scope.area is not None:
        conditions &= Exists(
            Lot.areas.through.objects.filter(Q(lot__competition=OuterRef("pk")) & overlap_q("area__path", scope.area))
        ) | overlap_q("owner_area__path", scope.area)
    if scope.year_dates is not None:
        conditions &= Q(contract_start__range=scope.year_dates)
    value = (
        LotYear.objects.filter(lot__competition=OuterRef("pk"), lot__abandoned_at__isnull=True)
        .order_by()
        .values("lot__competition")
        .annotate(total=Sum("value"))
        .values("total")
    )
    competitions = (
        Competition.objects.filter(conditions)
        .annotate(
            stage=Case(
                When(launched_at__isnull=True, then=Value("planned")),
                When(closes_at__gt=now, then=Value("open")),
                default=Value("deciding"),
                output_field=CharField(),
            ),
            starts=Coalesce("launched_at", "planned_at"),
            estimated=Coalesce(Subquery(value, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD),
        )
        .order_by("starts", "closes_at", "reference", "pk")
        .values_list(
            "reference",
            "title",
            "service_type__name",
            "owner_area__name",
            "stage",
            "starts",
            "closes_at",
            "intended_award_at",
            "contract_start",
            "estimated",
        )
    )
    return [
        PipelineRow(
            reference=reference,
            title=title,
            service_type_name=service_type_name,
            owner_area_name=owner_area_name,
            stage=stage,
            stage_label=PIPELINE_STAGES[stage],
            starts_at=starts,
            closes_at=closes_at,
            intended_award_at=intended_award_at,
            contract_start=contract_start,
            estimated_value=pounds(estimated),
        )
        for (
            reference,
            title,
            service_type_name,
            owner_area_name,
            stage,
            starts,
            closes_at,
            intended_award_at,
            contract_start,
            estimated,
        ) in competitions
    ]


# --- 6. Burden on providers -----------------------------------------------------------------


@dataclass
class BurdenRow:
    service_type: str
    service_type_name: str
    competitions: int | None
    basis: str


@dataclass
class TimeTakenRow:
    activity: str
    median_days: Decimal | None
    measured: int


@dataclass
class Burden:
    place: str
    competitions: list[BurdenRow]
    time_taken: list[TimeTakenRow]


LEVEL_PLURAL = {
    AreaLevel.COUNTRY: "England and Wales as a whole",
    AreaLevel.REGION: "regions",
    AreaLevel.PCC_AREA: "PCC areas",
    AreaLevel.LOCAL_AUTHORITY: "local authorities",
}


def median_days(median: float | None) -> Decimal | None:
    """Days to one decimal place (never "-0.0")."""
    if median is None:
        return None
    return max(Decimal(repr(float(median))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), Decimal("0.0"))


def _median(durations: list[float]) -> tuple[float | None, int]:
    return (statistics.median(durations) if durations else None), len(durations)


def fold_burden(
    *,
    scope: Scope,
    service_types: list[tuple[str, str, str | None]],
    current: dict[str, int],
    lot_levels: dict[str, dict[str, int]],
    area_paths: list[tuple[str, str]],
    questionnaire_median: tuple[float | None, int],
    bid_medians: dict[str, tuple[float | None, int]],
) -> Burden:
    place = scope.area.name if scope.area is not None else "England and Wales"
    rows = []
    for code, name, restricted_path in service_types:
        scope_path = scope.area.path if scope.area is not None else None
        if (
            restricted_path
            and scope_path
            and not (scope_path.startswith(restricted_path) or restricted_path.startswith(scope_path))
        ):
            rows.append(BurdenRow(code, name, None, "Not bought here"))
            continue
        # The place to cover: the deeper of the chosen area and where the service is bought.
        candidates = [p for p in (scope_path, restricted_path) if p]
        cover_path = max(candidates, key=len) if candidates else ""
        if current.get(code):
            rows.append(
                BurdenRow(code, name, current[code], "Planned or open competitions now, with a lot in the area")
            )
            continue
        levels = lot_levels.get(code)
        if not levels:
            rows.append(BurdenRow(code, name, None, "Not known: no competitions yet"))
            continue
        # The level most lots were let at (on a tie, the smaller areas).
        level = max(levels, key=lambda lv: (levels[lv], LEVEL_DEPTH[AreaLevel(lv)]))
        cover_depth = cover_path.count("/") - 1 if cover_path else 0
        if LEVEL_DEPTH[AreaLevel(level)] <= cover_depth:
            needed = 1
        else:
            needed = sum(1 for path, lv in area_paths if lv == level and path.startswith(cover_path))
        rows.append(
            BurdenRow(
                code, name, needed, f"None open or planned: one per area, as most past lots were {LEVEL_PLURAL[level]}"
            )
        )
    names = {code: name for code, name, _ in service_types}
    time_taken = [
        TimeTakenRow(
            "Questionnaire to join the framework", median_days(questionnaire_median[0]), questionnaire_median[1]
        )
    ]
    for code, _name, _ in service_types:
        median, measured = bid_medians.get(code, (None, 0))
        time_taken.append(TimeTakenRow(f"Bid: {names[code]}", median_days(median), measured))
    return Burden(place=place, competitions=rows, time_taken=time_taken)


def _days(start: datetime.datetime, end: datetime.datetime) -> float:
    return (end - start).total_seconds() / 86400


def burden(*, scope: Scope = EVERYWHERE, now: datetime.datetime | None = None) -> Burden:
    """How many competitions a provider must enter to cover the country (or the chosen area) for each
    service type, and the median days from starting to sending a questionnaire and a bid. Six queries."""
    now = now or timezone.now()
    service_types = [
        (st.code, st.name, st.restricted_to.path if st.restricted_to_id else None)
        for st in ServiceType.objects.select_related("restricted_to").order_by("display_order", "name")
    ]
    live_lot = Lot.objects.filter(
        Q(competition=OuterRef("pk"), abandoned_at__isnull=True) & overlap_q("areas__path", scope.area)
    )
    current = {
        r["service_type__code"]: r["n"]
        for r in Competition.objects.filter(abandoned_at__isnull=True)
        .filter(Q(launched_at__isnull=True, planned_at__isnull=False) | Q(launched_at__isnull=False, closes_at__gt=now))
        .filter(Exists(live_lot))
        .order_by()
        .values("service_type__code")
        .annotate(n=Count("pk"))
    }
    lot_levels: dict[str, dict[str, int]] = defaultdict(dict)
    for r in (
        Lot.areas.through.objects.filter(lot__competition__launched_at__isnull=False)
        .order_by()
        .values("lot__competition__service_type__code", "area__level")
        .annotate(n=Count("lot", distinct=True))
    ):
        lot_levels[r["lot__competition__service_type__code"]][r["area__level"]] = r["n"]
    area_paths = list(Area.objects.exclude(level=AreaLevel.COUNTRY).values_list("path", "level"))
    questionnaire_days = [
        _days(started, submitted)
        for started, submitted in Application.objects.filter(
            Q(submitted_at__isnull=False)
            & in_year_q("submitted_at", scope)
            & (
                Exists(
                    RequestedCoverage.objects.filter(
                        Q(application=OuterRef("pk")) & overlap_q("area__path", scope.area)
                    )
                )
                if scope.area is not None
                else Q()
            )
        ).values_list("started_at", "submitted_at")
    ]
    bid_days: dict[str, list[float]] = defaultdict(list)
    bids = Bid.objects.filter(
        Q(submitted_at__isnull=False, competition__closes_at__lte=now) & in_year_q("submitted_at", scope)
    )
    if scope.area is not None:
        bids = bids.filter(
            Exists(
                Lot.areas.through.objects.filter(
                    Q(lot__competition=OuterRef("competition")) & overlap_q("area__path", scope.area)
                )
            )
        )
    for code, started, submitted in bids.values_list("competition__service_type__code", "started_at", "submitted_at"):
        bid_days[code].append(_days(started, submitted))
    return fold_burden(
        scope=scope,
        service_types=service_types,
        current=current,
        lot_levels=lot_levels,
        area_paths=area_paths,
        questionnaire_median=_median(questionnaire_days),
        bid_medians={code: _median(days) for code, days in bid_days.items()},
    )


def financial_year_choices(first: int = 2020, ahead: int = 6) -> list[tuple[int, str]]:
    """Financial years people can choose: from the framework's first year to a few years ahead."""
    return [(year, financial_year_label(year)) for year in range(first, current_financial_year() + ahead)]

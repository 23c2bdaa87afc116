"""4. Coverage and continuity: each service in each area, and contracts ending with nothing to follow."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Value,
    When,
)

from competitions import rules
from competitions.models import Award, Lot
from contracts.models import Contract
from core.clock import LONDON, db_now
from insights.scope import Scope, overlap_q
from insights.selectors.common import EVERYWHERE, PathWithin
from reference.models import LEVEL_DEPTH, Area, AreaLevel, ServiceType
from reference.selectors import covering_paths

CONTRACTED = "contracted"
AWARDED = "awarded"
IN_COMPETITION = "in_competition"
PLANNED = "planned"
NO_PROVISION = "none"
NOT_BOUGHT = "not_bought"
COVERAGE_LABELS = {
    CONTRACTED: "Contracted",
    AWARDED: "Awarded",
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
    # Awarded: when the first contract awarded is due to start, if known.
    contract_starts: datetime.date | None = None

    @property
    def label(self) -> str:
        if self.status == CONTRACTED and self.contracted_until:
            return f"Contracted until {_long_date(self.contracted_until)}"
        if self.status == AWARDED and self.contract_starts:
            return f"Awarded, contract starts {_long_date(self.contract_starts)}"
        return COVERAGE_LABELS[self.status]


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


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


def matrix_area(scope: Scope, level: str, areas: list[Area]) -> Area | None:
    """The area whose contracts and lots can fill the matrix. A PCC area chosen with regions shown
    is shown as its region, and then everything in the region counts, not only what is in the PCC area."""
    if scope.area is not None and areas and LEVEL_DEPTH[AreaLevel(scope.area.level)] >= LEVEL_DEPTH[AreaLevel(level)]:
        return areas[0]
    return scope.area


def settle(
    cell: CoverageCell, *, ends: list[datetime.date], starts: list[datetime.date | None], stages: set[str]
) -> None:
    """The best the cell has: a contract in force (until its latest end), else an award (a contract
    that starts later, or an awarded lot whose contract is not made yet; `starts` holds their start
    dates, None where not known), else a lot in competition, else one planned."""
    if ends:
        cell.status, cell.contracted_until = CONTRACTED, max(ends)
    elif starts:
        known = [day for day in starts if day is not None]
        cell.status, cell.contract_starts = AWARDED, min(known) if known else None
    elif IN_COMPETITION in stages:
        cell.status = IN_COMPETITION
    elif PLANNED in stages:
        cell.status = PLANNED


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
    contracts: list[tuple[str, str, datetime.date | None, datetime.date | None]],
    lots: list[tuple[str, str, str, datetime.date | None]],
    ending: list[EndingContract],
    window: tuple[datetime.date, datetime.date],
) -> Coverage:
    """Cells from (service type, contract area path, latest end of those in force, first start of
    those starting later) and (service type, lot area path, stage, contract start)."""
    by_type_contracts: dict[str, list] = defaultdict(list)
    for code, *rest in contracts:
        by_type_contracts[code].append(rest)
    by_type_lots: dict[str, list] = defaultdict(list)
    for code, *rest in lots:
        by_type_lots[code].append(rest)
    cells = []
    for area in areas:
        for code, name, day_one, restricted_path in service_types:
            cell = CoverageCell(area.code, area.name, code, name, day_one, NO_PROVISION)
            if restricted_path and not (area.path.startswith(restricted_path) or restricted_path.startswith(area.path)):
                cell.status = NOT_BOUGHT
            else:
                here = [row for row in by_type_contracts[code] if covers(row[0], area.path, level)]
                lots_here = [row for row in by_type_lots[code] if covers(row[0], area.path, level)]
                settle(
                    cell,
                    ends=[until for _, until, _ in here if until is not None],
                    starts=[later for _, _, later in here if later is not None]
                    + [starts for _, stage, starts in lots_here if stage == AWARDED],
                    stages={stage for _, stage, _ in lots_here},
                )
            cells.append(cell)
    return Coverage(
        level=level,
        service_types=[(code, name, day_one) for code, name, day_one, _ in service_types],
        areas=[(area.code, area.name) for area in areas],
        cells=cells,
        ending=ending,
        ending_window=window,
    )


def _follow_on_exists() -> Exists:
    """Something planned to follow a contract: for one of its areas (or above or inside it), a planned
    or live competition of the same service type with a lot not yet contracted, or a later contract."""
    contract_area_path = OuterRef("area__path")
    overlapping = Q(PathWithin(F("area__path"), contract_area_path)) | Q(
        PathWithin(contract_area_path, F("area__path"))
    )
    lot_follows = Lot.areas.through.objects.filter(
        overlapping,
        rules.ANNOUNCED.q(prefix="lot__competition__"),
        lot__competition__service_type=OuterRef(OuterRef("service_type")),
        lot__abandoned_at__isnull=True,
        lot__contract__isnull=True,
    )
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
    """Service type × area: contracted (until when), awarded (contract starting when), in competition,
    planned or no provision; and contracts ending soon with nothing planned to follow. Six queries."""
    today = today or db_now().astimezone(LONDON).date()
    areas = coverage_areas(scope, level)
    service_types = [
        (st.code, st.name, st.required_by_court_orders, st.restricted_to.path if st.restricted_to_id else None)
        for st in ServiceType.objects.select_related("restricted_to").order_by("display_order", "name")
    ]
    start, end = coverage_window(scope, today)
    shown = matrix_area(scope, level, areas)
    # Contracts not ended before the window: in force during it, or awarded and starting after it.
    contracts = [
        (r["contract__service_type__code"], r["area__path"], r["until"], r["later"])
        for r in Contract.areas.through.objects.filter(Q(contract__ends_on__gte=start) & overlap_q("area__path", shown))
        .order_by()
        .values("contract__service_type__code", "area__path")
        .annotate(
            until=Max("contract__ends_on", filter=Q(contract__starts_on__lte=end)),
            later=Min("contract__starts_on", filter=Q(contract__starts_on__gt=end)),
        )
    ]
    awarded = Exists(Award.objects.published().filter(lot=OuterRef("lot")))
    lots = [
        (r["lot__competition__service_type__code"], r["area__path"], r["stage"], r["lot__competition__contract_start"])
        for r in Lot.areas.through.objects.filter(
            Q(lot__abandoned_at__isnull=True, lot__contract__isnull=True)
            & rules.ANNOUNCED.q(prefix="lot__competition__")
            & overlap_q("area__path", shown)
        )
        .annotate(
            stage=Case(
                When(awarded, then=Value(AWARDED)),
                When(rules.PLANNED.q(prefix="lot__competition__"), then=Value(PLANNED)),
                default=Value(IN_COMPETITION),
                output_field=CharField(),
            )
        )
        .order_by()
        .values("lot__competition__service_type__code", "area__path", "stage", "lot__competition__contract_start")
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

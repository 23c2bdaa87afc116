"""6. Burden on providers: what it takes to bid everywhere, and how long applying and bidding take."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
)
from django.utils import timezone

from competitions.models import Bid, Competition, Lot
from insights.scope import Scope, in_year_q, overlap_q
from insights.selectors.common import EVERYWHERE
from qualification.models import Application, RequestedCoverage
from reference.models import LEVEL_DEPTH, Area, AreaLevel, ServiceType


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
        for r in Competition.objects.open_or_planned(now=now)
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
    # Sent bids only, and only once bidding has closed: until then even how long a bid took is sealed.
    bids = Bid.objects.sent_and_closed(now=now).filter(in_year_q("submitted_at", scope))
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

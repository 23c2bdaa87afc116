"""6. Burden on providers: what it takes to bid everywhere, and how long applying and bidding take."""

from __future__ import annotations

import bisect
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

from competitions import rules
from competitions.models import Bid, Lot, Question
from core.clock import db_now
from insights.scope import Scope, in_year_q, overlap_q
from insights.selectors.common import EVERYWHERE
from qualification.models import Application, RequestedCoverage
from reference.models import Area, AreaLevel, ServiceType

MEASURE = (
    "Bids to send is the fewest separate bids one organisation would need to send to offer a service in every "
    "PCC area. There are 42 PCC areas in England and Wales. If you choose an area, we count the PCC areas in it. "
    "We only use opportunities that are open now or planned. One bid is one opportunity, however many of its areas "
    "you bid for. Answers to write counts the questions in those bids. Each question counts once. A question about "
    "each area counts once for each area you bid for. An opportunity covers a PCC area only if it covers all of it. "
    "If some PCC areas have no open or planned opportunity, it is not possible yet."
)
NOT_BOUGHT = "Not bought here"
# How many steps the search for the fewest bids may take before it settles for the best found so far.
SEARCH_BUDGET = 2_000


@dataclass
class BurdenRow:
    service_type: str
    service_type_name: str
    # The fewest separate bids, and the answers to write in them; None when it is not possible yet
    # (or the service is not bought here).
    bids: int | None
    answers: int | None
    areas_to_cover: int
    areas_not_covered: int
    # The opportunities to bid for (their references), and whether the search proved no fewer would do.
    opportunities: list[str]
    fewest_proven: bool
    explanation: str


@dataclass
class TimeTakenRow:
    activity: str
    median_days: Decimal | None
    measured: int


@dataclass
class Burden:
    place: str
    measure: str
    services: list[BurdenRow]
    time_taken: list[TimeTakenRow]


# --- The fewest bids: a search over the open and planned opportunities ------------------------


@dataclass(frozen=True)
class Offer:
    """One opportunity: its questions and, for each of its lots, the places (numbered) it covers."""

    reference: str
    general_questions: int
    lot_questions: int
    lots: tuple[frozenset[int], ...]


@dataclass(frozen=True)
class Plan:
    bids: int
    answers: int
    references: tuple[str, ...]
    proven: bool


class _Search:
    """Depth-first search for the lots that cover every element at the least cost: first the number of
    opportunities (bids), then the answers. Costs only grow, so a branch costing as much as the best
    plan found is dropped, and so is one that cannot beat it: what the opportunities chosen cannot
    cover needs at least that many elements' worth of new opportunities, each covering at most as
    many as the largest. The element with the fewest lots able to cover it is branched on first, and
    lots of opportunities already chosen, then the largest lots, are tried first, so the first plan
    found is already a good one."""

    def __init__(self, offers: list[Offer], lots: list[tuple[int, int]], elements: int, budget: int):
        self.offers = offers
        self.lots = lots
        self.candidates = [[i for i, (_, mask) in enumerate(lots) if mask >> e & 1] for e in range(elements)]
        self.reach = [0] * len(offers)
        for offer_index, mask in lots:
            self.reach[offer_index] |= mask
        self.widest = max(mask.bit_count() for mask in self.reach)
        # Each new opportunity adds at least its own questions and one lot's.
        self.cheapest = min(offers[i].general_questions + offers[i].lot_questions for i, _ in lots)
        self.budget = budget
        self.steps = 0
        self.best: tuple[int, int] | None = None
        self.best_offers: frozenset[int] = frozenset()
        self.proven = True

    def run(self, uncovered: int) -> None:
        self._step(uncovered, frozenset(), 0, 0)

    def _step(self, uncovered: int, chosen: frozenset[int], bids: int, answers: int) -> None:
        if uncovered == 0:
            if self.best is None or (bids, answers) < self.best:
                self.best, self.best_offers = (bids, answers), chosen
            return
        more = self._more_bids(uncovered, chosen)
        if self.best is not None and (bids + more, answers + more * self.cheapest) >= self.best:
            return
        self.steps += 1
        if self.best is not None and self.steps > self.budget:
            self.proven = False
            return
        element = min(_bits(uncovered), key=lambda e: (len(self.candidates[e]), e))
        for index in sorted(self.candidates[element], key=lambda i: self._order(i, chosen, uncovered)):
            offer_index, mask = self.lots[index]
            offer = self.offers[offer_index]
            new = offer_index not in chosen
            cost = (bids + new, answers + offer.lot_questions + (offer.general_questions if new else 0))
            if self.best is not None and cost >= self.best:
                continue
            self._step(uncovered & ~mask, chosen | {offer_index}, *cost)

    def _more_bids(self, uncovered: int, chosen: frozenset[int]) -> int:
        """At least this many more opportunities are needed to cover `uncovered`."""
        for offer_index in chosen:
            uncovered &= ~self.reach[offer_index]
        return -(-uncovered.bit_count() // self.widest)

    def _order(self, index: int, chosen: frozenset[int], uncovered: int) -> tuple:
        offer_index, mask = self.lots[index]
        return (offer_index not in chosen, -(mask & uncovered).bit_count(), self.offers[offer_index].reference, mask)


def _bits(mask: int) -> list[int]:
    return [e for e in range(mask.bit_length()) if mask >> e & 1]


def _reduced(universe: list[int], lots: list[tuple[int, frozenset[int]]]) -> tuple[list[tuple[int, int]], int]:
    """The lots as bit masks over fewer elements: elements covered by exactly the same lots are merged,
    and an element is dropped when covering another element always covers it too."""
    covering = {e: frozenset(i for i, (_, places) in enumerate(lots) if e in places) for e in universe}
    distinct = sorted(set(covering.values()), key=lambda s: (len(s), sorted(s)))
    kept = [s for s in distinct if not any(other < s for other in distinct)]
    masks = [0] * len(lots)
    for bit, lot_set in enumerate(kept):
        for i in lot_set:
            masks[i] |= 1 << bit
    return [(offer_index, masks[i]) for i, (offer_index, _) in enumerate(lots)], len(kept)


def cheapest_plan(universe: frozenset[int], offers: list[Offer], *, budget: int = SEARCH_BUDGET) -> Plan | None:
    """The fewest opportunities whose lots together cover every element of `universe` and, with that
    few, the fewest answers; None if some element is covered by no lot. After `budget` steps the
    search stops with the best plan found (not proven the fewest)."""
    lots = []
    for offer_index, offer in enumerate(offers):
        places = {lot & universe for lot in offer.lots} - {frozenset()}
        # A lot inside another lot of the same opportunity is never needed.
        lots += [(offer_index, lot) for lot in places if not any(lot < other for other in places)]
    if not universe or set().union(*(places for _, places in lots)) != universe:
        return None
    masks, elements = _reduced(sorted(universe), lots)
    search = _Search(offers, masks, elements, budget)
    search.run((1 << elements) - 1)
    bids, answers = search.best
    references = tuple(sorted(offers[i].reference for i in search.best_offers))
    return Plan(bids=bids, answers=answers, references=references, proven=search.proven)


# --- The places to cover ----------------------------------------------------------------------


class Place:
    """A place to cover: its smallest areas (those with no area inside them), numbered in path order,
    and its PCC areas (the place itself if it is a PCC area)."""

    def __init__(self, path: str, areas: list[tuple[str, str, str]]):
        self.path = path
        parents = {area_path[: area_path.rstrip("/").rfind("/") + 1] for area_path, _, _ in areas}
        self.smallest = sorted(p for p, _, _ in areas if p.startswith(path) and p not in parents)
        units = sorted(p for p, level, _ in areas if level == AreaLevel.PCC_AREA and p.startswith(path))
        self.units = units if units and units != [path] else [path]

    def covered_by(self, lot_paths: set[str]) -> frozenset[int]:
        """The numbers of the smallest areas here that a lot for `lot_paths` covers: all of them for a lot
        for this place or a larger one, else those inside each of its areas (a range of the sorted paths)."""
        if any(self.path.startswith(path) for path in lot_paths):
            return frozenset(range(len(self.smallest)))
        covered: set[int] = set()
        for path in lot_paths:
            first = bisect.bisect_left(self.smallest, path)
            covered.update(range(first, bisect.bisect_left(self.smallest, path + "\x7f", first)))
        return frozenset(covered)

    def units_missing(self, covered: frozenset[int]) -> int:
        """PCC areas with at least one smallest area not covered."""
        missed = [leaf for i, leaf in enumerate(self.smallest) if i not in covered]
        return sum(1 for unit in self.units if any(leaf.startswith(unit) for leaf in missed))


def place_to_cover(scope: Scope, restricted_path: str | None, country: str) -> str | None:
    """The deeper of the chosen area and where the service is bought; None if they do not meet."""
    scope_path = scope.area.path if scope.area is not None else country
    if restricted_path is None or scope_path.startswith(restricted_path):
        return scope_path
    if restricted_path.startswith(scope_path):
        return restricted_path
    return None


def median_days(median: float | None) -> Decimal | None:
    """Days to one decimal place (never "-0.0")."""
    if median is None:
        return None
    return max(Decimal(repr(float(median))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), Decimal("0.0"))


def _median(durations: list[float]) -> tuple[float | None, int]:
    return (statistics.median(durations) if durations else None), len(durations)


def explain(row: BurdenRow, place_name: str) -> str:
    units = row.areas_to_cover
    where = f"all {units} PCC areas in {place_name}" if units > 1 else place_name
    if row.bids is None:
        if units == 1:
            return f"Not possible yet: {place_name} has no open or planned opportunity for the whole area."
        if row.areas_not_covered == units:
            return (
                f"Not possible yet: no PCC area in {place_name} has an open or planned opportunity for the whole area."
            )
        verb = "has" if row.areas_not_covered == 1 else "have"
        return (
            f"Not possible yet: {row.areas_not_covered} of the {units} PCC areas in {place_name} {verb} no open or "
            "planned opportunity for the whole area."
        )
    bids = f"{row.bids} bid{'' if row.bids == 1 else 's'} {'covers' if row.bids == 1 else 'cover'}"
    text = f"{bids} {where}, with {row.answers} answer{'' if row.answers == 1 else 's'} to write."
    if not row.fewest_proven:
        text = f"At most {text} There are too many ways to combine these opportunities to check them all."
    return text


def _service_row(code: str, name: str, place: Place, place_name: str, offers: list[Offer]) -> BurdenRow:
    missing = place.units_missing(frozenset().union(*(lot for offer in offers for lot in offer.lots)))
    plan = None if missing else cheapest_plan(frozenset(range(len(place.smallest))), offers)
    row = BurdenRow(
        service_type=code,
        service_type_name=name,
        bids=plan.bids if plan else None,
        answers=plan.answers if plan else None,
        areas_to_cover=len(place.units),
        areas_not_covered=missing,
        opportunities=list(plan.references) if plan else [],
        fewest_proven=plan.proven if plan else True,
        explanation="",
    )
    row.explanation = explain(row, place_name)
    return row


def fold_burden(
    *,
    scope: Scope,
    service_types: list[tuple[str, str, str | None]],
    areas: list[tuple[str, str, str]],
    lots: list[tuple[str, int, str, int, str]],
    questions: dict[int, tuple[int, int]],
    questionnaire_median: tuple[float | None, int],
    bid_medians: dict[str, tuple[float | None, int]],
) -> Burden:
    """`lots` are (service type, opportunity id, reference, lot id, area path) for the lots of the
    opportunities open and planned; `questions` maps an opportunity to its (once a bid, once a lot)
    question counts."""
    names = {path: name for path, _, name in areas}
    country = next(path for path, level, _ in areas if level == AreaLevel.COUNTRY)
    lot_areas: dict[tuple[str, int, str, int], set[str]] = defaultdict(set)
    for code, competition_id, reference, lot_id, path in lots:
        lot_areas[(code, competition_id, reference, lot_id)].add(path)
    rows = []
    for code, name, restricted_path in service_types:
        place_path = place_to_cover(scope, restricted_path, country)
        if place_path is None:
            rows.append(BurdenRow(code, name, None, None, 0, 0, [], True, NOT_BOUGHT))
            continue
        place = Place(place_path, areas)
        by_offer: dict[tuple[int, str], list[frozenset[int]]] = defaultdict(list)
        for (lot_code, competition_id, reference, _), paths in sorted(lot_areas.items()):
            if lot_code == code:
                by_offer[(competition_id, reference)].append(place.covered_by(paths))
        offers = [
            Offer(reference, *questions.get(competition_id, (0, 0)), lots=tuple(places))
            for (competition_id, reference), places in sorted(by_offer.items(), key=lambda item: item[0][1])
        ]
        rows.append(_service_row(code, name, place, names[place_path], offers))
    time_taken = [
        TimeTakenRow(
            "Questionnaire to join the framework", median_days(questionnaire_median[0]), questionnaire_median[1]
        )
    ]
    for code, service_name, _ in service_types:
        median, measured = bid_medians.get(code, (None, 0))
        time_taken.append(TimeTakenRow(f"Bid: {service_name}", median_days(median), measured))
    return Burden(
        place=scope.area.name if scope.area is not None else names[country],
        measure=MEASURE,
        services=rows,
        time_taken=time_taken,
    )


def _days(start: datetime.datetime, end: datetime.datetime) -> float:
    return (end - start).total_seconds() / 86400


def burden(*, scope: Scope = EVERYWHERE, now: datetime.datetime | None = None) -> Burden:
    """For each service, the fewest separate bids (and the answers in them) one organisation needs to
    bid in every PCC area of England and Wales (or the chosen area) from the opportunities open and
    planned now; and the median days from starting to sending a questionnaire and a bid. Six queries."""
    now = now or db_now()
    service_types = [
        (st.code, st.name, st.restricted_to.path if st.restricted_to_id else None)
        for st in ServiceType.objects.select_related("restricted_to").order_by("display_order", "name")
    ]
    areas = list(Area.objects.values_list("path", "level", "name"))
    open_or_planned = rules.OPEN_OR_PLANNED.q(prefix="lot__competition__", now=now)
    lots = list(
        Lot.areas.through.objects.filter(
            Q(lot__abandoned_at__isnull=True) & open_or_planned & overlap_q("area__path", scope.area)
        ).values_list(
            "lot__competition__service_type__code",
            "lot__competition_id",
            "lot__competition__reference",
            "lot_id",
            "area__path",
        )
    )
    questions: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for competition_id, lot_specific, number in (
        Question.objects.filter(rules.OPEN_OR_PLANNED.q(prefix="competition__", now=now))
        .order_by()
        .values_list("competition_id", "lot_specific")
        .annotate(n=Count("pk"))
    ):
        questions[competition_id][1 if lot_specific else 0] = number
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
        areas=areas,
        lots=lots,
        questions={competition_id: (once, per_lot) for competition_id, (once, per_lot) in questions.items()},
        questionnaire_median=_median(questionnaire_days),
        bid_medians={code: _median(days) for code, days in bid_days.items()},
    )

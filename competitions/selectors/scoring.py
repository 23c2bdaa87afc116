"""Scores, prices and ranking per lot. All arithmetic in Decimal; round only when showing.

Per lot, for each submitted bid for it:
- quality = Σ over quality questions (agreed score ÷ scale maximum × question weight), using the
  lot's own answer for a lot-specific question (`competitions.selectors.answers` decides which
  answer counts for which lot); social value likewise;
- price = the bid's whole-term price for the lot (the sum of its yearly prices); price score =
  lowest compliant whole-term price ÷ this price × price weight;
- a price is flagged abnormally low when it is more than `abnormally_low_percent` below the mean
  of compliant prices for the lot (a flag to look into, not a reason to exclude);
- compliant = submitted, every pass/fail check that counts for the lot passed, every scored answer moderated, a price for
  every year;
- ranking by total, ties broken by the competition's rule, then by who submitted first;
- the cap on lots per provider: lots are taken in number order; a provider that has already been
  given the cap is skipped and the next-ranked compliant bidder takes the lot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from competitions.models import (
    SCALE_MAX,
    Bid,
    BidAnswer,
    BidLot,
    Competition,
    Lot,
    Question,
    QuestionKind,
    ScoringScale,
    TieBreak,
)
from competitions.selectors.answers import answer_key

SCORED_KINDS = (QuestionKind.QUALITY, QuestionKind.SOCIAL_VALUE)


# --- Pure arithmetic (tested with hand-computed numbers and properties) ---------------------


def scale_max(competition: Competition) -> int:
    return SCALE_MAX[ScoringScale(competition.scoring_scale)]


def weighted_score(score: int, maximum: int, weight: Decimal) -> Decimal:
    """An agreed score as marks: 3 out of 4 on a question worth 30 is 22.5."""
    return Decimal(score) / Decimal(maximum) * Decimal(weight)


def price_score(*, lowest: Decimal, price: Decimal, weight: Decimal) -> Decimal:
    """Lowest compliant price ÷ this price × the price weight. The lowest price gets the full weight."""
    if price <= 0:
        return Decimal(weight)
    return Decimal(lowest) / Decimal(price) * Decimal(weight)


def is_abnormally_low(*, price: Decimal, mean: Decimal, percent: Decimal) -> bool:
    """More than `percent` below the mean."""
    return Decimal(price) < Decimal(mean) * (Decimal(1) - Decimal(percent) / Decimal(100))


def tie_break_text(competition: Competition) -> str:
    rule = TieBreak(competition.tie_break).label
    return f"If two bids have the same total score: {rule[0].lower()}{rule[1:]}. If they are still equal, the bid submitted first ranks higher."


def cap_text(competition: Competition) -> str:
    cap = competition.max_lots_per_provider
    if not cap:
        return "There is no limit on how many lots one organisation can win."
    lots = "lot" if cap == 1 else "lots"
    return (
        f"One organisation can win at most {cap} {lots}. We go through the lots in number order: an organisation "
        f"that has already won {cap} {lots} is passed over, and the next-ranked compliant bid wins that lot."
    )


# --- Results --------------------------------------------------------------------------------


@dataclass
class AnswerResult:
    question: Question
    answer: BidAnswer | None
    agreed: int | None
    rationale: str
    marks: Decimal | None


@dataclass
class PassFailRow:
    question: Question
    answer: BidAnswer | None
    passed: bool | None
    note: str


@dataclass
class BidLotResult:
    bid: Bid
    lot: Lot
    answers: list[AnswerResult]
    pass_fail: list[PassFailRow]
    whole_term_price: Decimal | None
    reasons: list[str]
    quality: Decimal | None = None
    social_value: Decimal | None = None
    price_score: Decimal | None = None
    total: Decimal | None = None
    abnormally_low: bool = False
    rank: int | None = None
    skipped_for_cap: bool = False
    winner: bool = False

    @property
    def compliant(self) -> bool:
        return not self.reasons


@dataclass
class LotResults:
    lot: Lot
    bids: list[BidLotResult] = field(default_factory=list)
    mean_price: Decimal | None = None

    @property
    def winner(self) -> BidLotResult | None:
        return next((result for result in self.bids if result.winner), None)

    def for_bid(self, bid_id: int) -> BidLotResult | None:
        return next((result for result in self.bids if result.bid.pk == bid_id), None)


def _submitted_bids(competition: Competition) -> list[Bid]:
    return list(
        Bid.objects.sent()
        .filter(competition=competition)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("bid_lots", queryset=BidLot.objects.prefetch_related("prices")),
            Prefetch("answers", queryset=BidAnswer.objects.select_related("moderated", "pass_fail")),
        )
        .order_by("submitted_at", "pk")
    )


def _related_or_none(instance, name: str):
    # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    return getattr(instance, name, None)


def _bid_lot_result(
    bid: Bid, bid_lot: BidLot, lot: Lot, questions: list[Question], maximum: int, years: list[int]
) -> BidLotResult:
    answers = {(a.question_id, a.lot_id): a for a in bid.answers.all()}

    def answer_for(question: Question) -> tuple[BidAnswer | None, object, object]:
        answer = answers.get(answer_key(question, lot))
        if answer is None:
            return None, None, None
        return answer, _related_or_none(answer, "moderated"), _related_or_none(answer, "pass_fail")

    prices = {price.financial_year: price.amount for price in bid_lot.prices.all()}
    return score_bid_lot(
        bid=bid, lot=lot, questions=questions, maximum=maximum, years=years, answer_for=answer_for, prices=prices
    )


def score_bid_lot(
    *,
    bid: Bid,
    lot: Lot,
    questions: list[Question],
    maximum: int,
    years: list[int],
    answer_for: Callable[[Question], tuple[BidAnswer | None, object, object]],
    prices: dict[int, Decimal],
) -> BidLotResult:
    """One bid's result for one lot, before ranking: agreed marks, pass/fail checks, whole-term
    price and what stops it being compliant.

    `answer_for(question)` gives the bid's answer for that question for this lot, with its agreed
    score (a `ModeratedScore`) and its pass/fail result (a `PassFailResult`), each None if there
    is none; `prices` maps financial years to the bid's price for the lot. Reading from the
    database or from rows still in memory (the national data generator), the arithmetic is this one.
    """
    reasons: list[str] = []
    rows: list[AnswerResult] = []
    pass_fail: list[PassFailRow] = []
    sums = {QuestionKind.QUALITY: Decimal(0), QuestionKind.SOCIAL_VALUE: Decimal(0)}
    unmoderated = False
    for question in questions:
        answer, moderated, result = answer_for(question)
        if question.kind == QuestionKind.PASS_FAIL:
            pass_fail.append(
                PassFailRow(question, answer, None if result is None else result.passed, result.note if result else "")
            )
            continue
        if moderated is None:
            unmoderated = True
            rows.append(AnswerResult(question, answer, None, "", None))
            continue
        marks = weighted_score(moderated.score, maximum, question.weight)
        sums[QuestionKind(question.kind)] += marks
        rows.append(AnswerResult(question, answer, moderated.score, moderated.rationale, marks))
    if any(row.passed is False for row in pass_fail):
        reasons.append("Failed a pass or fail question")
    elif any(row.passed is None for row in pass_fail):
        reasons.append("Pass or fail questions not all checked yet")
    if unmoderated:
        reasons.append("Not every answer has an agreed score yet")
    whole_term = sum((prices[year] for year in years if year in prices), Decimal(0)) if prices else None
    if any(year not in prices for year in years):
        reasons.append("No price for every year")
    result = BidLotResult(bid, lot, rows, pass_fail, whole_term, reasons)
    if not unmoderated:
        result.quality = sums[QuestionKind.QUALITY]
        result.social_value = sums[QuestionKind.SOCIAL_VALUE]
    return result


def _rank_key(result: BidLotResult, tie_break: str):
    submitted = (result.bid.submitted_at, result.bid.pk)
    if tie_break == TieBreak.PRICE_THEN_QUALITY:
        return (-result.total, result.whole_term_price, -result.quality, *submitted)
    return (-result.total, -result.quality, result.whole_term_price, *submitted)


def _score_lot(lot_results: LotResults, competition: Competition) -> None:
    compliant = [result for result in lot_results.bids if result.compliant]
    if compliant:
        lowest = min(result.whole_term_price for result in compliant)
        lot_results.mean_price = sum((r.whole_term_price for r in compliant), Decimal(0)) / len(compliant)
        for result in compliant:
            result.price_score = price_score(
                lowest=lowest, price=result.whole_term_price, weight=competition.price_weight
            )
            result.total = result.quality + result.social_value + result.price_score
        for result in lot_results.bids:
            if result.whole_term_price is not None:
                result.abnormally_low = is_abnormally_low(
                    price=result.whole_term_price,
                    mean=lot_results.mean_price,
                    percent=competition.abnormally_low_percent,
                )
    compliant.sort(key=lambda result: _rank_key(result, competition.tie_break))
    for rank, result in enumerate(compliant, start=1):
        result.rank = rank
    others = [result for result in lot_results.bids if not result.compliant]
    lot_results.bids = compliant + others


def competition_results(competition: Competition) -> list[LotResults]:
    """Every live lot's bids, scored and ranked, with each lot's winner after the cap is applied."""
    lots = list(competition.lots.filter(abandoned_at__isnull=True).prefetch_related("years").order_by("number"))
    questions = list(competition.questions.order_by("number"))
    maximum = scale_max(competition)
    bids = _submitted_bids(competition)
    results: list[LotResults] = []
    for lot in lots:
        years = [year.financial_year for year in lot.years.all()]
        lot_results = LotResults(lot)
        for bid in bids:
            bid_lot = next((bl for bl in bid.bid_lots.all() if bl.lot_id == lot.pk), None)
            if bid_lot is not None:
                lot_results.bids.append(_bid_lot_result(bid, bid_lot, lot, questions, maximum, years))
        results.append(lot_results)
    rank_lots(results, competition)
    return results


def rank_lots(results: list[LotResults], competition: Competition) -> None:
    """Score and rank each lot's bids (in the order they were submitted), then choose each lot's
    winner with the cap on lots per provider applied across the lots, in lot number order."""
    for lot_results in results:
        _score_lot(lot_results, competition)
    _apply_cap(results, competition.max_lots_per_provider)


def _apply_cap(results: list[LotResults], cap: int | None) -> None:
    won: dict[int, int] = defaultdict(int)
    for lot_results in results:
        for result in lot_results.bids:
            if not result.compliant:
                break
            organisation_id = result.bid.organisation_id
            if cap and won[organisation_id] >= cap:
                result.skipped_for_cap = True
                continue
            result.winner = True
            won[organisation_id] += 1
            break


def lot_results(lot: Lot) -> LotResults:
    for results in competition_results(lot.competition):
        if results.lot.pk == lot.pk:
            return results
    return LotResults(lot)

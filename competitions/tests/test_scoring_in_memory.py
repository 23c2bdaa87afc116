"""`score_bid_lot` and `rank_lots` score rows that are still in memory (the national data
generator's, before they are saved) exactly as `competition_results` scores them from the database."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from competitions.models import Bid, BidAnswer, Competition
from competitions.selectors.scoring import LotResults, competition_results, rank_lots, scale_max, score_bid_lot
from competitions.tests.evaluation_factories import (
    check_pass_fail,
    closed_competition,
    commissioner_of,
    evaluate,
    priced_bid,
)

pytestmark = pytest.mark.django_db


def _unsaved(row):
    """A copy of a row as the generator holds it: not saved, so no id and no related managers."""
    twin = copy.copy(row)
    twin.pk = None
    return twin


def _in_memory_results(competition: Competition) -> list[LotResults]:
    questions = list(competition.questions.order_by("number"))
    bids = list(Bid.objects.sent().filter(competition=competition).order_by("submitted_at", "pk"))
    answers = {
        (answer.bid_id, answer.question_id, answer.lot_id): (
            _unsaved(answer),
            getattr(answer, "moderated", None),
            getattr(answer, "pass_fail", None),
        )
        for answer in BidAnswer.objects.filter(bid__in=bids).select_related("moderated", "pass_fail")
    }
    results = []
    for lot in competition.lots.filter(abandoned_at__isnull=True).order_by("number"):
        years = list(lot.years.order_by("financial_year").values_list("financial_year", flat=True))
        lot_results = LotResults(lot)
        for bid in bids:
            bid_lot = bid.bid_lots.filter(lot=lot).first()
            if bid_lot is None:
                continue

            def answer_for(question, bid=bid, lot=lot):
                key = (bid.pk, question.pk, lot.pk if question.lot_specific else None)
                return answers.get(key, (None, None, None))

            prices = {price.financial_year: price.amount for price in bid_lot.prices.all()}
            lot_results.bids.append(
                score_bid_lot(
                    bid=bid,
                    lot=lot,
                    questions=questions,
                    maximum=scale_max(competition),
                    years=years,
                    answer_for=answer_for,
                    prices=prices,
                )
            )
        results.append(lot_results)
    rank_lots(results, competition)
    return results


def _summary(results: list[LotResults]) -> list:
    return [
        [
            (
                r.bid.pk,
                r.quality,
                r.social_value,
                r.price_score,
                r.total,
                r.rank,
                r.winner,
                r.skipped_for_cap,
                r.reasons,
            )
            for r in lot_results.bids
        ]
        for lot_results in results
    ]


def test_rows_in_memory_score_and_rank_as_they_do_from_the_database():
    competition = closed_competition(lots=("Kent", "Surrey", "Sussex"))
    Competition.objects.filter(pk=competition.pk).update(max_lots_per_provider=1)
    competition.refresh_from_db()
    kent, surrey, sussex = competition.lots.order_by("number")
    strong = priced_bid(competition, "400000")
    cheap = priced_bid(competition, "310000", lots=[kent, surrey])
    weak = priced_bid(competition, "390000", lots=[surrey, sussex])
    failed = priced_bid(competition, "300000")
    evaluate(competition, [(strong, 4), (cheap, {1: 3, 2: 2, 3: 4}), (weak, 2), (failed, 4)])
    check_pass_fail(failed, commissioner_of(competition), passed=False)

    from_db = competition_results(competition)
    in_memory = _in_memory_results(competition)

    assert _summary(in_memory) == _summary(from_db)
    # The cases the comparison covers: a cap passing over a winner, a failed bid, a lot-specific answer.
    assert any(r.skipped_for_cap for lot in from_db for r in lot.bids)
    assert any(not r.compliant for lot in from_db for r in lot.bids)
    assert [lot.winner.bid for lot in from_db] == [strong, cheap, weak]
    assert from_db[0].for_bid(cheap.pk).price_score == Decimal("30")

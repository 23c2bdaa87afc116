"""Scoring and ranking: hand-computed numbers, the tie-break rules, the cap on lots, compliance,
and properties of the price formula."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competitions.models import Competition, TieBreak
from competitions.selectors.scoring import (
    cap_text,
    competition_results,
    is_abnormally_low,
    price_score,
    tie_break_text,
    weighted_score,
)
from competitions.tests.evaluation_factories import (
    check_pass_fail,
    closed_competition,
    commissioner_of,
    declare,
    evaluate,
    evaluators,
    moderate,
    priced_bid,
    score_and_submit,
)

pytestmark = pytest.mark.django_db

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000000"), places=2)
weights = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)


@given(prices=st.lists(money, min_size=1, max_size=8), weight=weights)
def test_lowest_price_always_gets_the_full_price_weight_and_others_stay_within_it(prices, weight):
    lowest = min(prices)
    assert price_score(lowest=lowest, price=lowest, weight=weight) == weight
    for price in prices:
        assert Decimal(0) <= price_score(lowest=lowest, price=price, weight=weight) <= weight


@given(score=st.integers(min_value=0, max_value=10), maximum=st.sampled_from([4, 5, 10]), weight=weights)
def test_weighted_score_stays_within_zero_and_the_weight(score, maximum, weight):
    score = min(score, maximum)
    marks = weighted_score(score, maximum, weight)
    assert Decimal(0) <= marks <= weight
    assert weighted_score(maximum, maximum, weight) == weight


def test_hand_computed_scores():
    assert weighted_score(3, 4, Decimal("30")) == Decimal("22.5")
    assert price_score(lowest=Decimal("900000"), price=Decimal("1200000"), weight=Decimal("30")) == Decimal("22.5")
    # Mean 1,000,000, 20% below is 800,000: 799,999 is flagged, 800,000 is not.
    assert is_abnormally_low(price=Decimal("799999"), mean=Decimal("1000000"), percent=Decimal("20"))
    assert not is_abnormally_low(price=Decimal("800000"), mean=Decimal("1000000"), percent=Decimal("20"))


def test_lot_results_match_hand_computed_numbers():
    competition = closed_competition(lots=("Kent",))
    bid_a = priced_bid(competition, "400000")  # whole term 1,200,000
    bid_b = priced_bid(competition, "300000")  # whole term 900,000
    evaluate(competition, [(bid_a, {1: 4, 2: 3, 3: 2}), (bid_b, {1: 2, 2: 2, 3: 4})])

    [lot] = competition_results(competition)
    a, b = lot.for_bid(bid_a.pk), lot.for_bid(bid_b.pk)
    # A: quality 4/4×30 + 3/4×30 = 52.5; social value 2/4×10 = 5; price 900,000 ÷ 1,200,000 × 30 = 22.5.
    assert (a.quality, a.social_value, a.price_score, a.total) == (
        Decimal("52.5"),
        Decimal("5"),
        Decimal("22.5"),
        Decimal("80"),
    )
    assert a.whole_term_price == Decimal("1200000")
    # B: quality 15 + 15 = 30; social value 10; lowest price gets the full 30.
    assert (b.quality, b.social_value, b.price_score, b.total) == (
        Decimal("30"),
        Decimal("10"),
        Decimal("30"),
        Decimal("70"),
    )
    assert [r.bid.pk for r in lot.bids] == [bid_a.pk, bid_b.pk]
    assert (a.rank, b.rank) == (1, 2)
    assert lot.winner.bid == bid_a
    assert lot.mean_price == Decimal("1050000")
    assert not a.abnormally_low and not b.abnormally_low


def test_abnormally_low_price_is_flagged_but_still_ranked():
    competition = closed_competition(lots=("Kent",))
    cheap = priced_bid(competition, "100000")  # 300,000
    others = [priced_bid(competition, "400000"), priced_bid(competition, "400000")]  # 1,200,000 each
    evaluate(competition, [(cheap, 3), *[(bid, 3) for bid in others]])
    [lot] = competition_results(competition)
    # Mean 900,000; 20% below is 720,000: 300,000 is abnormally low.
    assert lot.for_bid(cheap.pk).abnormally_low
    assert lot.for_bid(cheap.pk).rank == 1
    assert not lot.for_bid(others[0].pk).abnormally_low


@pytest.mark.parametrize(("rule", "expected"), [(TieBreak.QUALITY_THEN_PRICE, "x"), (TieBreak.PRICE_THEN_QUALITY, "y")])
def test_tie_break_rule_decides_equal_totals(rule, expected):
    competition = closed_competition(lots=("Kent",))
    Competition.objects.filter(pk=competition.pk).update(tie_break=rule)
    competition.refresh_from_db()
    x = priced_bid(competition, "400000")  # quality 60, social value 0, price 22.5 → 82.5
    y = priced_bid(competition, "300000")  # quality 52.5, social value 0, price 30 → 82.5
    evaluate(competition, [(x, {1: 4, 2: 4, 3: 0}), (y, {1: 4, 2: 3, 3: 0})])
    [lot] = competition_results(competition)
    assert lot.for_bid(x.pk).total == lot.for_bid(y.pk).total == Decimal("82.5")
    assert lot.winner.bid == {"x": x, "y": y}[expected]
    assert rule.label.lower() in tie_break_text(competition).lower()


def test_equal_on_everything_the_first_submitted_wins():
    competition = closed_competition(lots=("Kent",))
    first = priced_bid(competition, "400000")
    second = priced_bid(competition, "400000")
    evaluate(competition, [(second, 3), (first, 3)])
    [lot] = competition_results(competition)
    assert lot.winner.bid == first


def test_cap_on_lots_passes_over_a_provider_that_has_won_enough():
    competition = closed_competition(lots=("Kent", "Surrey"))
    Competition.objects.filter(pk=competition.pk).update(max_lots_per_provider=1)
    competition.refresh_from_db()
    strong = priced_bid(competition, "400000")
    weaker = priced_bid(competition, "400000")
    evaluate(competition, [(strong, 4), (weaker, 2)])
    kent, surrey = competition_results(competition)
    assert kent.winner.bid == strong
    assert surrey.for_bid(strong.pk).rank == 1
    assert surrey.for_bid(strong.pk).skipped_for_cap
    assert surrey.winner.bid == weaker
    assert "at most 1 lot" in cap_text(competition)


def test_without_a_cap_one_provider_wins_every_lot():
    competition = closed_competition(lots=("Kent", "Surrey"))
    strong = priced_bid(competition, "400000")
    weaker = priced_bid(competition, "400000")
    evaluate(competition, [(strong, 4), (weaker, 2)])
    assert [lot.winner.bid for lot in competition_results(competition)] == [strong, strong]
    assert "no limit" in cap_text(competition)


def test_lot_specific_answer_of_that_lot_is_used():
    competition = closed_competition(lots=("Kent", "Surrey"))
    bid = priced_bid(competition, "400000")
    commissioner = evaluate(competition, [])
    for evaluator in evaluators(competition):
        declare(evaluator, competition)
        score_and_submit(evaluator, bid)
    check_pass_fail(bid, commissioner)
    from competitions.selectors.evaluation import scored_answers
    from competitions.services.evaluation import moderation_record

    for answer in scored_answers(bid):
        value = 4 if (answer.lot and answer.lot.name == "Kent") else 2
        moderation_record(answer=answer, score=value, rationale="Agreed.", actor=commissioner)
    kent, surrey = competition_results(competition)
    # q1 2/4×30 = 15 in both; q2 is 4/4×30 = 30 for Kent, 2/4×30 = 15 for Surrey.
    assert kent.for_bid(bid.pk).quality == Decimal("45")
    assert surrey.for_bid(bid.pk).quality == Decimal("30")


def test_failed_pass_fail_makes_a_bid_non_compliant():
    competition = closed_competition(lots=("Kent",))
    failing = priced_bid(competition, "100000")
    passing = priced_bid(competition, "400000")
    commissioner = commissioner_of(competition)
    for evaluator in evaluators(competition):
        declare(evaluator, competition)
        score_and_submit(evaluator, failing)
        score_and_submit(evaluator, passing)
    check_pass_fail(failing, commissioner, passed=False)
    check_pass_fail(passing, commissioner)
    moderate(failing, commissioner, 4)
    moderate(passing, commissioner, 2)
    [lot] = competition_results(competition)
    result = lot.for_bid(failing.pk)
    assert not result.compliant and result.rank is None and result.price_score is None
    assert "Failed a pass or fail question" in result.reasons
    # The lowest compliant price is the passing bid's own, so it gets the full price weight.
    assert lot.for_bid(passing.pk).price_score == Decimal("30")
    assert lot.winner.bid == passing


def test_unmoderated_and_withdrawn_bids_are_not_ranked():
    competition = closed_competition(lots=("Kent",))
    bid = priced_bid(competition, "400000")
    withdrawn = priced_bid(competition, "400000")
    withdrawn.withdrawn_at = withdrawn.submitted_at
    withdrawn.save()
    [lot] = competition_results(competition)
    assert [r.bid for r in lot.bids] == [bid]
    assert "Not every answer has an agreed score yet" in lot.bids[0].reasons
    assert lot.winner is None

"""Which lot an answer belongs to, decided in one place (`competitions.selectors.answers`) for
bidding, completeness, the bid's content, scoring, pass/fail checks and moderation.

A lot-specific question of any kind, pass/fail included, is answered once for each lot bid for;
any other question once for the whole bid, and that answer counts for every lot."""

from decimal import Decimal

import pytest

from competitions.models import BidAnswer, Question, QuestionKind
from competitions.selectors import bids as bid_selectors
from competitions.selectors.answers import answer_applies_to_lot, answer_lot, answers_for_lots
from competitions.selectors.evaluation import moderators_of_lot, pass_fail_answers, scored_answers
from competitions.selectors.scoring import competition_results
from competitions.services import bids as bid_services
from competitions.services import evaluation as evaluation_services
from competitions.tests.evaluation_factories import (
    close_bidding,
    commissioner_of,
    declare,
    evaluators,
    moderate,
    score_and_submit,
)
from competitions.tests.factories import invite, make_competition
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition():
    """Two lots; question 4 (pass/fail) is answered separately for each lot."""
    competition = make_competition(lots=("Kent", "Surrey"), evaluators=2)
    Question.objects.filter(competition=competition, kind=QuestionKind.PASS_FAIL).update(lot_specific=True)
    return competition


def _write_and_send_bid(competition, *, price: str):
    """A bid for both lots, written and sent through the bidding services as a provider would."""
    organisation = invite(competition).organisation
    user = make_provider_user(organisation=organisation)
    bid = bid_services.bid_start(competition=competition, user=user)
    lots = list(competition.lots.order_by("number"))
    bid_services.bid_lots_set(bid=bid, user=user, lot_ids=[lot.pk for lot in lots])
    for question in competition.questions.order_by("number"):
        for lot in lots if question.lot_specific else [None]:
            if question.kind == QuestionKind.PASS_FAIL:
                bid_services.bid_answer_save(bid=bid, user=user, question=question, lot=lot, confirmed=True)
            else:
                bid_services.bid_answer_save(bid=bid, user=user, question=question, lot=lot, text="We will help.")
    for lot in lots:
        bid_services.bid_prices_save(
            bid=bid, user=user, lot=lot, prices={year.financial_year: Decimal(price) for year in lot.years.all()}
        )
    bid = bid_services.bid_declarations_confirm(bid=bid, user=user)
    assert bid_selectors.bid_missing(bid) == []
    bid_services.bid_submit(bid=bid, user=user)
    bid.refresh_from_db()
    return bid


def _evaluate(competition, bids, *, failed_lots=()):
    """Scores, agreed scores and pass/fail checks; a check fails for the lots named in `failed_lots`."""
    commissioner = commissioner_of(competition)
    for evaluator in evaluators(competition):
        declare(evaluator, competition)
        for bid in bids:
            score_and_submit(evaluator, bid)
    for bid in bids:
        for answer in pass_fail_answers(bid):
            evaluation_services.pass_fail_record(
                answer=answer,
                passed=answer.lot is None or answer.lot.name not in failed_lots,
                note="",
                actor=commissioner,
            )
        moderate(bid, commissioner, 3)


def test_a_lot_specific_pass_fail_question_is_answered_for_each_lot_bid_for(competition):
    bid = _write_and_send_bid(competition, price="400000")
    pass_fail = competition.questions.get(kind=QuestionKind.PASS_FAIL)
    kent, surrey = competition.lots.order_by("number")
    targets = bid_selectors.answer_targets(bid)
    assert (pass_fail, kent) in targets and (pass_fail, surrey) in targets
    assert (pass_fail, None) not in targets
    answers = BidAnswer.objects.filter(bid=bid, question=pass_fail)
    assert sorted(answer.lot.name for answer in answers) == ["Kent", "Surrey"]
    # What was sent (and its digest) holds both answers.
    sent = [a for a in bid_selectors.bid_content(bid)["answers"] if a["question_id"] == pass_fail.pk]
    assert sorted(a["lot_id"] for a in sent) == sorted([kent.pk, surrey.pk])


def test_a_bid_that_passes_a_lot_specific_pass_fail_question_is_compliant_and_ranked_in_every_lot(competition):
    bid = _write_and_send_bid(competition, price="400000")
    other = _write_and_send_bid(competition, price="450000")
    close_bidding(competition)
    _evaluate(competition, [bid, other])
    assert len(pass_fail_answers(bid)) == 2
    for lot_results in competition_results(competition):
        result = lot_results.for_bid(bid.pk)
        assert result.reasons == [], lot_results.lot.name
        assert result.compliant and result.rank == 1
        assert [row.passed for row in result.pass_fail] == [True]
        assert lot_results.for_bid(other.pk).rank == 2
        assert lot_results.winner.bid == bid


def test_failing_a_lot_specific_pass_fail_question_for_one_lot_makes_only_that_lot_non_compliant(competition):
    bid = _write_and_send_bid(competition, price="400000")
    other = _write_and_send_bid(competition, price="450000")
    close_bidding(competition)
    _evaluate(competition, [bid, other], failed_lots=("Surrey",))
    kent, surrey = competition_results(competition)
    assert kent.for_bid(bid.pk).compliant and kent.for_bid(bid.pk).rank == 1 and kent.winner.bid == bid
    assert not surrey.for_bid(bid.pk).compliant
    assert surrey.for_bid(bid.pk).reasons == ["Failed a pass or fail question"]
    # The other bid failed in Surrey too, so nobody wins Surrey.
    assert surrey.winner is None
    assert [row.passed for row in surrey.for_bid(bid.pk).pass_fail] == [False]


def test_every_reader_agrees_which_answers_count_for_a_lot(competition):
    bid = _write_and_send_bid(competition, price="400000")
    close_bidding(competition)
    _evaluate(competition, [bid])
    kent, surrey = competition.lots.order_by("number")
    for lot in (kent, surrey):
        counted = set(BidAnswer.objects.filter(bid=bid).filter(answers_for_lots([lot.pk])).values_list("pk", flat=True))
        by_predicate = {a.pk for a in BidAnswer.objects.filter(bid=bid) if answer_applies_to_lot(a, lot)}
        assert counted == by_predicate
        # Whole-bid answers (questions 1, 3) and this lot's own answers (questions 2, 4).
        assert sorted(
            (a.question.number, a.lot_id) for a in BidAnswer.objects.filter(pk__in=counted).select_related("question")
        ) == [(1, None), (2, lot.pk), (3, None), (4, lot.pk)]
        for question in competition.questions.all():
            expected = lot if question.lot_specific else None
            assert answer_lot(question, lot) == expected
    assert {(a.question.number, a.lot_id) for a in scored_answers(bid)} == {
        (1, None),
        (2, kent.pk),
        (2, surrey.pk),
        (3, None),
    }
    assert moderators_of_lot(kent) == {commissioner_of(competition).pk}


def test_an_answer_that_counts_for_no_lot_of_the_bid_cannot_be_checked_scored_or_agreed(competition):
    from django.core.exceptions import PermissionDenied

    bid = _write_and_send_bid(competition, price="400000")
    close_bidding(competition)
    commissioner = commissioner_of(competition)
    pass_fail = competition.questions.get(kind=QuestionKind.PASS_FAIL)
    quality = competition.questions.get(number=2)
    # Answers stored for the whole bid to questions answered per lot count for no lot.
    stray_check = BidAnswer.objects.create(bid=bid, question=pass_fail, confirmed=True, updated_by=bid.started_by)
    stray_answer = BidAnswer.objects.create(bid=bid, question=quality, text="Stray", updated_by=bid.started_by)
    assert stray_check not in pass_fail_answers(bid) and stray_answer not in scored_answers(bid)
    with pytest.raises(PermissionDenied):
        evaluation_services.pass_fail_record(answer=stray_check, passed=True, note="", actor=commissioner)
    evaluator = evaluators(competition)[0]
    declare(evaluator, competition)
    with pytest.raises(PermissionDenied):
        evaluation_services.score_save_draft(evaluator=evaluator, answer=stray_answer, score=3, justification="Good")
    with pytest.raises(PermissionDenied):
        evaluation_services.moderation_record(answer=stray_answer, score=3, rationale="Agreed", actor=commissioner)


def test_a_commissioner_checks_a_lot_specific_pass_fail_question_for_each_lot_in_the_browser(ui, competition):
    from tests.fixtures import browser_sign_in

    bid = _write_and_send_bid(competition, price="400000")
    close_bidding(competition)
    for evaluator in evaluators(competition):
        declare(evaluator, competition)
        score_and_submit(evaluator, bid)
    commissioner = commissioner_of(competition)
    moderate(bid, commissioner, 3)
    name = bid.organisation.display_name
    browser_sign_in(ui, commissioner)

    page = ui.goto(f"/opportunities/{competition.pk}/evaluate/evaluators/")
    first = evaluators(competition)[0]
    button = page.get_by_role("button", name=f"Remove {first.full_name}", exact=True)
    assert "<span" not in button.inner_text()
    assert button.locator(".govuk-visually-hidden").inner_text().strip() == first.full_name

    page = ui.goto(f"/opportunities/{competition.pk}/evaluate/")
    for lot, verdict in (("Kent", "yes"), ("Surrey", "no")):
        page.get_by_role("link", name=f"Check question 4 for {lot} from {name}").click()
        ui.check()
        assert page.get_by_role("heading", name=f"Question 4: {lot}").is_visible()
        page.check(f"input[name='passed'][value='{verdict}']")
        page.get_by_role("button", name="Save").click()
        ui.check()
    page.get_by_role("button", name="See results and ranking").click()
    ui.check()
    kent = page.get_by_role("table", name="Lot 1: Kent")
    surrey = page.get_by_role("table", name="Lot 2: Surrey")
    assert kent.get_by_text("Wins this lot").is_visible()
    assert surrey.get_by_text("Failed a pass or fail question").is_visible()
    assert surrey.get_by_text("Not ranked").is_visible()


def test_the_opportunity_page_says_a_lot_specific_pass_fail_question_is_answered_for_each_area(client, competition):
    member = make_provider_user(organisation=invite(competition).organisation)
    client.force_login(member)
    page = client.get(f"/opportunities/{competition.pk}/").content.decode()
    assert "(yes or no: you must answer yes, once for each area)" in page

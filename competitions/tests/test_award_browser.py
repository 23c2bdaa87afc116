"""One journey in a real browser, every page checked with axe: after the closing date two
evaluators score (one declares a conflict), a commissioner agrees scores and recommends, a second
commissioner approves, a bidder reads their result, the waiting period passes, the contract is made
and appears in the register."""

import datetime

import pytest

from accounts.models import Membership
from competitions.models import Award
from competitions.selectors.evaluation import pass_fail_answers, scored_answers
from competitions.tests.evaluation_factories import add_commissioner, close_bidding, commissioner_of, evaluators
from competitions.tests.factories import make_bid, make_competition
from tests.factories import OrganisationFactory
from tests.fixtures import browser_sign_in


def _score_every_answer(ui, bid, score: str, why: str):
    for answer in scored_answers(bid):
        ui.page.check(f"input[name='score_{answer.pk}'][value='{score}']")
        ui.page.fill(f"#justification_{answer.pk}", why)


@pytest.mark.django_db(transaction=True)
def test_evaluate_award_and_contract_journey(ui):
    competition = make_competition(lots=("Kent",), evaluators=2)
    charity = make_bid(competition, OrganisationFactory(legal_name="Two Person Charity"))
    national = make_bid(competition, OrganisationFactory(legal_name="National Rehab Ltd"))
    close_bidding(competition)
    first, second = evaluators(competition)
    moderator = commissioner_of(competition)
    approver = add_commissioner(competition, full_name="Second Commissioner")
    c = competition.pk

    # Evaluator 1 declares a conflict with the charity, then scores only the national bid.
    browser_sign_in(ui, first)
    page = ui.goto(f"/opportunities/{c}/evaluate/")
    page.get_by_role("button", name="Declare conflicts of interest").click()
    ui.check()
    page.check(f"input[name='conflict_{charity.pk}'][value='yes']")
    page.fill(f"#details_{charity.pk}", "I was a trustee of this charity until last year.")
    page.check(f"input[name='conflict_{national.pk}'][value='no']")
    page.get_by_role("button", name="Confirm and continue").click()
    ui.check()
    assert page.get_by_text("Conflict of interest: you do not score this bid").is_visible()
    page.get_by_role("link", name="National Rehab Ltd").click()
    ui.check()
    _score_every_answer(ui, national, "3", "Clear plan with local partners.")
    page.get_by_role("button", name="Submit scores").click()
    ui.check()
    assert page.get_by_text("Scores submitted").is_visible()

    # Evaluator 2 scores both; after submitting sees evaluator 1's scores for the national bid.
    browser_sign_in(ui, second)
    page = ui.goto(f"/opportunities/{c}/evaluate/conflicts/")
    page.check(f"input[name='conflict_{charity.pk}'][value='no']")
    page.check(f"input[name='conflict_{national.pk}'][value='no']")
    page.get_by_role("button", name="Confirm and continue").click()
    ui.check()
    for bid, score in ((national, "4"), (charity, "2")):
        ui.goto(f"/opportunities/{c}/evaluate/bids/{bid.pk}/")
        _score_every_answer(ui, bid, score, "Scored against the guidance.")
        page.get_by_role("button", name="Submit scores").click()
        ui.check()
    ui.goto(f"/opportunities/{c}/evaluate/bids/{national.pk}/")
    assert page.get_by_text("Clear plan with local partners.").first.is_visible()

    # The moderator checks pass/fail, agrees scores and recommends.
    browser_sign_in(ui, moderator)
    ui.goto(f"/opportunities/{c}/evaluate/evaluators/")
    for bid in (charity, national):
        [check] = pass_fail_answers(bid)
        ui.goto(f"/opportunities/{c}/evaluate/bids/{bid.pk}/pass-fail/{check.pk}/")
        page.check("input[name='passed'][value='yes']")
        page.get_by_role("button", name="Save").click()
        ui.check()
    for bid, score in ((national, "4"), (charity, "2")):
        ui.goto(f"/opportunities/{c}/evaluate/bids/{bid.pk}/moderate/")
        for answer in scored_answers(bid):
            page.check(f"input[name='score_{answer.pk}'][value='{score}']")
            page.fill(f"#rationale_{answer.pk}", f"Agreed {score}: the evaluators' views were close.")
        page.get_by_role("button", name="Save agreed scores").click()
        ui.check()
    page.get_by_role("button", name="See results and ranking").click()
    ui.check()
    assert page.get_by_text("Wins this lot").is_visible()
    page.get_by_role("button", name="Go to award").click()
    ui.check()
    page.get_by_role("button", name="Recommend National Rehab Ltd for Kent").click()
    ui.check()
    assert page.get_by_text("Another commissioner must approve it").is_visible()

    # A second commissioner approves.
    browser_sign_in(ui, approver)
    page = ui.goto(f"/opportunities/{c}/award/")
    page.get_by_role("button", name="Approve the award for Kent").click()
    ui.check()
    page.get_by_role("button", name="Approve and send results").click()
    ui.check()
    assert page.get_by_text("working days left").is_visible()
    lot = competition.lots.get()
    ui.goto(f"/opportunities/{c}/award/lots/{lot.pk}/challenge/")
    ui.goto(f"/opportunities/{c}/award/lots/{lot.pk}/direct/")

    # The charity reads its result.
    browser_sign_in(ui, Membership.objects.filter(organisation=charity.organisation).first().user)
    page = ui.goto(f"/opportunities/{c}/award/results/")
    page.get_by_role("link", name="Kent result for Two Person Charity").click()
    ui.check()
    assert page.get_by_text("Your bid was not successful.").is_visible()
    assert page.get_by_text("working days from today").is_visible()

    # The waiting period passes; the first commissioner makes the contract.
    award = Award.objects.get(lot=lot)
    Award.objects.filter(pk=award.pk).update(standstill_ends_at=award.approved_at - datetime.timedelta(minutes=1))
    browser_sign_in(ui, moderator)
    page = ui.goto(f"/opportunities/{c}/award/")
    page.get_by_role("button", name="Make the contract for Kent").click()
    ui.check()
    assert page.get_by_role("heading", level=1).inner_text().endswith(": Kent")
    page.get_by_role("link", name="Back to contracts").click()
    ui.check()
    assert page.get_by_role("cell", name="National Rehab Ltd").is_visible()

"""Award: recommendation, four-eyes approval, waiting period, letters, challenges, direct award,
and contracts made by the service and by the periodic task."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Membership
from competitions.models import Award, BidPartner, CoCommissioner, Competition, LotFunding, OutcomeLetter
from competitions.services import award as services
from competitions.tasks_award import send_standstill_ending_reminders
from competitions.tests.evaluation_factories import (
    add_commissioner,
    closed_competition,
    commissioner_of,
    evaluate,
    priced_bid,
)
from competitions.tests.factories import seal_as_sent
from contracts.models import Contract
from contracts.services import contract_create_for_award
from contracts.tasks import create_due_contracts
from core.clock import LONDON, add_working_days
from qualification.tests.factories import QualificationFactory
from tests.factories import OrganisationFactory, make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated():
    competition = closed_competition(lots=("Kent",))
    winner = priced_bid(competition, "400000")
    loser = priced_bid(competition, "300000")
    evaluate(competition, [(winner, {1: 4, 2: 3, 3: 2}), (loser, {1: 2, 2: 2, 3: 4})])
    return competition, winner, loser


def _past_standstill(award):
    Award.objects.filter(pk=award.pk).update(standstill_ends_at=award.approved_at - datetime.timedelta(minutes=1))
    award.refresh_from_db()
    return award


def test_recommend_picks_the_top_ranked_bid(evaluated):
    competition, winner, _ = evaluated
    lot = competition.lots.get()
    award = services.award_recommend(lot=lot, actor=commissioner_of(competition))
    assert award.bid == winner and award.approved_at is None


def test_recommender_cannot_approve_and_the_database_refuses_it_too(evaluated):
    competition, _, _ = evaluated
    lot = competition.lots.get()
    recommender = add_commissioner(competition)
    award = services.award_recommend(lot=lot, actor=recommender)
    with pytest.raises(ValidationError, match="someone else must approve"):
        services.award_approve(award=award, actor=recommender)
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(approved_by=recommender)


def test_moderator_of_the_lot_cannot_approve(evaluated):
    competition, _, _ = evaluated
    moderator = commissioner_of(competition)  # agreed every score
    award = services.award_recommend(lot=competition.lots.get(), actor=add_commissioner(competition))
    with pytest.raises(ValidationError, match="agreed scores"):
        services.award_approve(award=award, actor=moderator)
    assert services.approval_refusal(award, moderator)


def test_approval_by_a_second_person_starts_the_waiting_period_and_writes_to_every_bidder(
    evaluated, django_capture_on_commit_callbacks
):
    competition, winner, loser = evaluated
    lot = competition.lots.get()
    award = services.award_recommend(lot=lot, actor=add_commissioner(competition))
    approver = add_commissioner(competition)
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award_approve(award=award, actor=approver)
    assert award.approved_by == approver
    assert award.standstill_ends_at == add_working_days(award.approved_at, competition.standstill_days)
    letters = {letter.bid: letter for letter in OutcomeLetter.objects.filter(lot=lot)}
    assert letters[winner].successful and not letters[loser].successful
    body = letters[loser].body
    assert "was not successful" in body
    assert "Your score: 2 out of 4 (15.00 of 30 marks)" in body
    assert "Winning bid: 4 out of 4 (30.00 marks)" in body
    assert "Feedback: Agreed 2: well evidenced." in body
    assert "Your total: 70.00 out of 100" in body and "Winning total: 80.00 out of 100" in body
    # Every member of each bidding organisation is e-mailed their letter.
    recipients = {address for message in mail.outbox for address in message.to}
    for bid in (winner, loser):
        for membership in Membership.objects.filter(organisation=bid.organisation):
            assert membership.user.email in recipients


def test_waiting_period_ends_after_eight_working_days_skipping_christmas(evaluated, monkeypatch):
    competition, _, _ = evaluated
    award = services.award_recommend(lot=competition.lots.get(), actor=add_commissioner(competition))
    # Thursday 17 December 2026, 3pm. Working days: 18, 21, 22, 23, 24, (25 and 28 are bank holidays), 29, 30, 31.
    approved = datetime.datetime(2026, 12, 17, 15, 0, tzinfo=LONDON)
    monkeypatch.setattr("competitions.services.award.db_now", lambda: approved)
    award = services.award_approve(award=award, actor=add_commissioner(competition))
    assert award.standstill_ends_at == datetime.datetime(2027, 1, 1, 0, 0, tzinfo=LONDON)


def test_no_contract_before_the_waiting_period_ends_then_exactly_one(evaluated):
    competition, winner, _ = evaluated
    lot = competition.lots.get()
    co = CoCommissioner.objects.create(competition=competition, name="Kent PCC", party_type="pcc")
    LotFunding.objects.create(lot=lot, co_commissioner=co, share_percent=Decimal("25"))
    partner = BidPartner.objects.create(bid=winner, name="Local Housing CIC", share_percent=Decimal("20"))
    partner.lots.set([lot])
    seal_as_sent(winner, user=winner.submitted_by)  # the partner was part of what was sent
    award = services.award_recommend(lot=lot, actor=add_commissioner(competition))
    award = services.award_approve(award=award, actor=add_commissioner(competition))
    with pytest.raises(ValidationError, match="waiting period"):
        contract_create_for_award(award=award)
    award = _past_standstill(award)
    contract = contract_create_for_award(award=award)
    assert contract_create_for_award(award=award) == contract
    assert contract.supplier == winner.organisation
    assert [(y.financial_year, y.value, y.volume) for y in contract.years.all()] == [
        (2027, Decimal("400000.00"), 150),
        (2028, Decimal("400000.00"), 150),
        (2029, Decimal("400000.00"), 150),
    ]
    assert (contract.starts_on, contract.ends_on) == (datetime.date(2027, 7, 1), datetime.date(2030, 6, 30))
    assert [(s.name, s.share_percent) for s in contract.subcontracts.all()] == [("Local Housing CIC", Decimal("20.00"))]
    assert [(f.name, f.share_percent) for f in contract.funding.all()] == [("Kent PCC", Decimal("25.00"))]
    assert list(contract.areas.all()) == list(lot.areas.all())


def test_challenge_pauses_the_contract_and_an_upheld_challenge_cancels_the_award(evaluated):
    competition, _, _ = evaluated
    lot = competition.lots.get()
    commissioner = add_commissioner(competition)
    award = services.award_recommend(lot=lot, actor=commissioner)
    award = services.award_approve(award=award, actor=add_commissioner(competition))
    award = services.award_challenge_record(award=award, details="Bidder says scores were wrong", actor=commissioner)
    award = _past_standstill(award)
    with pytest.raises(ValidationError, match="challenged"):
        contract_create_for_award(award=award)
    assert create_due_contracts.call() == 0
    award = services.award_challenge_resolve(
        award=award, upheld=True, resolution="Scores re-checked", actor=commissioner
    )
    assert award.cancelled_at is not None
    with pytest.raises(ValidationError, match="cancelled"):
        contract_create_for_award(award=award)
    # The lot can be recommended again.
    again = services.award_recommend(lot=lot, actor=commissioner)
    assert again.pk == award.pk and again.cancelled_at is None and again.approved_at is None


def test_challenge_not_upheld_lets_the_contract_be_made(evaluated):
    competition, _, _ = evaluated
    commissioner = add_commissioner(competition)
    award = services.award_recommend(lot=competition.lots.get(), actor=commissioner)
    award = services.award_approve(award=award, actor=add_commissioner(competition))
    services.award_challenge_record(award=award, details="Complaint", actor=commissioner)
    award = services.award_challenge_resolve(award=award, upheld=False, resolution="No error found", actor=commissioner)
    _past_standstill(award)
    assert create_due_contracts.call() == 1
    assert Contract.objects.filter(award=award).exists()


def test_periodic_task_makes_only_due_contracts_and_is_idempotent(evaluated):
    competition, _, _ = evaluated
    award = services.award_recommend(lot=competition.lots.get(), actor=add_commissioner(competition))
    award = services.award_approve(award=award, actor=add_commissioner(competition))
    assert create_due_contracts.call() == 0
    _past_standstill(award)
    assert create_due_contracts.call() == 1
    assert create_due_contracts.call() == 0
    assert Contract.objects.count() == 1


def test_standstill_reminder_is_sent_once_to_the_commissioners(evaluated):
    competition, _, _ = evaluated
    award = services.award_recommend(lot=competition.lots.get(), actor=add_commissioner(competition))
    award = services.award_approve(award=award, actor=add_commissioner(competition))
    Award.objects.filter(pk=award.pk).update(standstill_ends_at=award.approved_at + datetime.timedelta(hours=2))
    mail.outbox.clear()
    assert send_standstill_ending_reminders.call() == 1
    assert send_standstill_ending_reminders.call() == 0
    assert len(mail.outbox) == 1
    assert commissioner_of(competition).email in mail.outbox[0].to
    assert "waiting period" in mail.outbox[0].subject


def _qualify(organisation, competition):
    for category in competition.service_type.categories.all():
        QualificationFactory(organisation=organisation, category=category, area=competition.owner_area)


def test_direct_award_of_a_lot_without_a_compliant_bid():
    competition = closed_competition(lots=("Kent",))
    priced_bid(competition, "400000")  # never moderated: not compliant
    lot = competition.lots.get()
    qualified, unqualified = OrganisationFactory(), OrganisationFactory()
    _qualify(qualified, competition)
    commissioner = commissioner_of(competition)
    with pytest.raises(ValidationError):
        services.award_direct(lot=lot, organisation=qualified, justification=" ", actor=commissioner)
    with pytest.raises(ValidationError):
        services.award_direct(lot=lot, organisation=unqualified, justification="Urgent need", actor=commissioner)
    award = services.award_direct(
        lot=lot,
        organisation=qualified,
        justification="No compliant bid; service must start in July",
        actor=commissioner,
    )
    assert award.direct_organisation == qualified and award.bid is None
    letter = OutcomeLetter.objects.get(lot=lot)
    assert not letter.successful and "awarded this lot directly" in letter.body
    contract = contract_create_for_award(award=award, actor=commissioner)
    assert contract.supplier == qualified
    # No bid price: the lot's estimated values stand.
    assert [y.value for y in contract.years.all()] == [y.value for y in lot.years.all()]


def test_direct_award_refused_when_a_compliant_bid_exists(evaluated):
    competition, _, _ = evaluated
    organisation = OrganisationFactory()
    _qualify(organisation, competition)
    with pytest.raises(ValidationError, match="compliant bid"):
        services.award_direct(
            lot=competition.lots.get(), organisation=organisation, justification="x", actor=commissioner_of(competition)
        )


def test_scores_are_fixed_once_an_award_is_recommended(evaluated):
    from competitions.selectors.evaluation import scored_answers
    from competitions.services.evaluation import moderation_record

    competition, winner, _ = evaluated
    commissioner = commissioner_of(competition)
    services.award_recommend(lot=competition.lots.get(), actor=commissioner)
    with pytest.raises(ValidationError, match="cannot change"):
        moderation_record(answer=scored_answers(winner)[0], score=0, rationale="Late change", actor=commissioner)


def test_other_staff_cannot_award(evaluated):
    from django.core.exceptions import PermissionDenied

    competition, _, _ = evaluated
    for role in ("administrator", "commissioner", "evaluator", "assessor"):
        with pytest.raises(PermissionDenied):
            services.award_recommend(lot=competition.lots.get(), actor=make_user_with_role(role))
    assert Competition.objects.get(pk=competition.pk).lots.get().outcome_letters.count() == 0

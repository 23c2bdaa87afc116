"""One world for the authorisation matrix (tests/test_authorisation_matrix.py): a person for every
role and a real object for every id a URL pattern takes, built once through the factories and the
services.

Three opportunities of region K, all with the same commissioner and the same two evaluators:

- `draft`: not launched, with documents and a funding partner (the set-up pages);
- `open`: launched, bidding open, with a bid from the bidding organisation already sent, holding a
  document and a partner (the sealed bid: before the deadline only that organisation may read it);
- `closed`: bidding closed, the bidding organisation's bid the winner, scored, moderated, awarded
  (Kent, with a contract; Surrey, challenged during its waiting period), outcome letters sent; the evaluator who declared
  a conflict did so against the bidding organisation's bid. Its contract started five months ago:
  a change proposed, approved by a second commissioner and accepted by the provider (version 2), a
  draft change still open (version 3, the commissioners' own), a claim from the provider waiting, and a
  document the provider added.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Role
from competitions.models import (
    Award,
    Clarification,
    CompetitionMember,
    ConflictDeclaration,
    OutcomeLetter,
)
from competitions.selectors.answers import answer_targets
from competitions.services import award as award_services
from competitions.services import bids as bid_services
from competitions.services import setup
from competitions.tests.document_factories import PDF
from competitions.tests.evaluation_factories import (
    check_pass_fail,
    close_bidding,
    moderate,
    priced_bid,
    score_and_submit,
)
from competitions.tests.factories import invite, make_competition
from contracts import services as contract_services
from contracts.models import Contract, ContractVersionYear, VariationGround
from contracts.selectors import claimable_periods, terms_in_force
from contracts.services import contract_create_for_award
from contracts.services_documents import contract_document_add
from contracts.services_supply_chain import partner_payment_record
from contracts.tests.payments_world import first_of_month_months_ago
from core.clock import financial_year_of
from qualification.models import SectionKey
from qualification.services.applications import application_document_add
from qualification.tests.assessor_factories import qualify, submitted_application
from qualification.tests.factories import HelpRequestFactory, make_complete_application
from tests.factories import OrganisationFactory, UserFactory, make_provider_user, make_user_with_role

# The roles of the matrix, in the order its table lists them.
ROLES = (
    "anonymous",
    "member",  # a member (not an administrator) of the bidding organisation
    "org_admin",  # the bidding organisation's administrator
    "other_provider",  # the administrator of another organisation: not invited, its own application in
    "assessor",
    "commissioner",  # a commissioner for region K, on every opportunity's team
    "commissioner_elsewhere",  # a commissioner for Wales, on no opportunity's team
    "evaluator",  # on every opportunity's team, no conflict declared
    "evaluator_conflicted",  # on every team, a conflict declared with the bidding organisation
    "practitioner",
    "administrator",  # a framework administrator, also Django staff
)


def _pdf(name: str = "document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _people() -> dict:
    org_admin = make_provider_user(is_admin=True, full_name="Bidder Admin")
    bidder = org_admin.memberships.get().organisation
    member = make_provider_user(is_admin=False, organisation=bidder, full_name="Bidder Member")
    other_provider = make_provider_user(is_admin=True, full_name="Other Admin")
    return {
        "anonymous": None,
        "member": member,
        "org_admin": org_admin,
        "other_provider": other_provider,
        "assessor": make_user_with_role(Role.ASSESSOR),
        "commissioner": make_user_with_role(Role.COMMISSIONER, area_code="K"),
        "commissioner_elsewhere": make_user_with_role(Role.COMMISSIONER, area_code="D"),
        "evaluator": make_user_with_role(Role.EVALUATOR, full_name="Clear Evaluator"),
        "evaluator_conflicted": make_user_with_role(Role.EVALUATOR, full_name="Conflicted Evaluator"),
        "practitioner": make_user_with_role(Role.PRACTITIONER),
        "administrator": make_user_with_role(Role.ADMINISTRATOR, is_staff=True),
    }


def _team(competition, people) -> None:
    for role in ("evaluator", "evaluator_conflicted"):
        CompetitionMember.objects.create(
            competition=competition, user=people[role], role="evaluator", added_by=people["commissioner"]
        )


def _draft(people) -> dict:
    commissioner = people["commissioner"]
    competition = make_competition(launched=False, lots=("Kent", "Surrey"), commissioner=commissioner)
    competition.planned_at = competition.planned_by = None
    competition.save(update_fields=["planned_at", "planned_by"])
    _team(competition, people)
    document = setup.competition_document_add(
        competition=competition, actor=commissioner, title="Draft specification", upload=_pdf(), public=True
    )
    kent = competition.lots.get(name="Kent")
    partner = setup.co_commissioner_add(
        competition=competition,
        actor=commissioner,
        name="Kent Police and Crime Commissioner",
        party_type="pcc",
        shares={kent.pk: Decimal("25")},
    )
    return {
        "competition": competition,
        "lot": kent,
        "question": competition.questions.get(number=1),
        "document": document,
        "funding_partner": partner,
    }


def _write_bid(competition, user, lots, price: str):
    """A complete bid written through the services, with a partner and a document, not yet sent."""
    bid = bid_services.bid_start(competition=competition, user=user)
    bid_services.bid_lots_set(bid=bid, user=user, lot_ids=[lot.pk for lot in lots])
    for question, lot in answer_targets(competition.questions.order_by("number"), lots):
        if question.kind == "pass_fail":
            bid_services.bid_answer_save(bid=bid, user=user, question=question, lot=lot, confirmed=True)
        else:
            bid_services.bid_answer_save(bid=bid, user=user, question=question, lot=lot, text="Our sealed plan.")
    for lot in lots:
        prices = {year.financial_year: Decimal(price) for year in lot.years.all()}
        bid_services.bid_prices_save(bid=bid, user=user, lot=lot, prices=prices)
    partner = bid_services.bid_partner_add(
        bid=bid,
        user=user,
        organisation=None,
        name="A partner CIC",
        role="subcontractor",
        share_percent=Decimal("10"),
        lot_ids=[lot.pk for lot in lots],
    )
    document = bid_services.bid_document_add(bid=bid, user=user, title="Our method", upload=_pdf("method.pdf"))
    bid_services.bid_declarations_confirm(bid=bid, user=user)
    return bid, partner, document


def _open(people) -> dict:
    """Launched after its documents were added (documents are added while it is a draft)."""
    commissioner = people["commissioner"]
    competition = make_competition(launched=False, lots=("Kent", "Surrey"), commissioner=commissioner)
    _team(competition, people)
    document = setup.competition_document_add(
        competition=competition, actor=commissioner, title="Service specification", upload=_pdf()
    )
    now = timezone.now()
    competition.launched_at, competition.launched_by = now, commissioner
    competition.save(update_fields=["launched_at", "launched_by"])
    bidder = people["org_admin"].memberships.get().organisation
    invite(competition, bidder)
    user = people["org_admin"]
    lot = competition.lots.get(name="Kent")
    bid, partner, bid_document = _write_bid(competition, user, [lot], "400000")
    clarification = Clarification.objects.create(
        competition=competition,
        asked_by_organisation=bidder,
        question="Can we bid for one area only?",
        asked_by=user,
    )
    bid_services.bid_submit(bid=bid, user=user)
    bid.refresh_from_db()
    return {
        "competition": competition,
        "lot": lot,
        "question": competition.questions.get(number=2),
        "document": document,
        "bid": bid,
        "bid_document": bid_document,
        "partner": partner,
        "answer": bid.answers.get(question__kind="pass_fail"),
        "clarification": clarification,
    }


def _closed(people) -> dict:
    """Like `award_world` (competitions/tests/evaluation_factories.py), with the bidding
    organisation as the winner and the matrix's evaluators scoring."""
    commissioner = people["commissioner"]
    competition = make_competition(lots=("Kent", "Surrey"), commissioner=commissioner)
    _team(competition, people)
    bidder = people["org_admin"].memberships.get().organisation
    invite(competition, bidder)
    winner, _partner, bid_document = _write_bid(
        competition, people["org_admin"], list(competition.lots.all()), "400000"
    )
    bid_services.bid_submit(bid=winner, user=people["org_admin"])
    winner.refresh_from_db()
    loser = priced_bid(competition, "300000")
    close_bidding(competition)
    clear, conflicted = people["evaluator"], people["evaluator_conflicted"]
    for bid in (winner, loser):
        ConflictDeclaration.objects.create(competition=competition, evaluator=clear, bid=bid, has_conflict=False)
        ConflictDeclaration.objects.create(
            competition=competition,
            evaluator=conflicted,
            bid=bid,
            has_conflict=bid == winner,
            details="My sister works there" if bid == winner else "",
        )
        score_and_submit(clear, bid)
    score_and_submit(conflicted, loser)
    for bid, scores in ((winner, {1: 4, 2: 3, 3: 2}), (loser, {1: 2, 2: 2, 3: 4})):
        check_pass_fail(bid, commissioner)
        moderate(bid, commissioner, scores)
    # Four eyes: neither the moderator nor whoever recommends may approve.
    recommender, approver = (make_user_with_role(Role.COMMISSIONER, area_code="K") for _ in range(2))
    for user in (recommender, approver):
        CompetitionMember.objects.create(competition=competition, user=user, role="commissioner", added_by=commissioner)
    kent, surrey = competition.lots.order_by("number")
    kent_award = award_services.award_approve(
        award=award_services.award_recommend(lot=kent, actor=recommender), actor=approver
    )
    Award.objects.filter(pk=kent_award.pk).update(
        standstill_ends_at=kent_award.approved_at - datetime.timedelta(minutes=1)
    )
    kent_award.refresh_from_db()
    contract = contract_create_for_award(award=kent_award, actor=approver)
    life = _contract_life(contract, people["commissioner"], approver, people["org_admin"])
    surrey_award = award_services.award_approve(
        award=award_services.award_recommend(lot=surrey, actor=recommender), actor=approver
    )
    surrey_award = award_services.award_challenge_record(
        award=surrey_award, details="The other bidder asked for a review", actor=recommender
    )
    return {
        "competition": competition,
        "lot": surrey,
        "bid": winner,
        "bid_document": bid_document,
        "answer": winner.answers.get(question__kind="pass_fail"),
        "award": surrey_award,
        "contract": contract,
        **life,
        "letter": OutcomeLetter.objects.filter(bid=winner).order_by("pk").first(),
        "question": competition.questions.get(number=1),
    }


def _contract_life(contract, commissioner, approver, provider) -> dict:
    """Moved to have started five months ago, as contracts/tests/payments_world.py does, so that
    periods have ended to claim for; then a change all the way through, a draft, a claim, and a payment
    to the partner."""
    starts_on = first_of_month_months_ago(5)
    Contract.objects.filter(pk=contract.pk).update(starts_on=starts_on)
    contract.refresh_from_db()
    terms = terms_in_force(contract)
    for year in range(financial_year_of(starts_on), financial_year_of(terms.ends_on) + 1):
        ContractVersionYear.objects.get_or_create(
            version=terms, financial_year=year, defaults={"value": Decimal("120000"), "volume": 40}
        )

    def start(explanation: str):
        return contract_services.variation_start(
            contract=contract, ground=VariationGround.UNFORESEEABLE, explanation=explanation, actor=commissioner
        )

    accepted = contract_services.variation_change(
        version=start("More people were referred than modelled."),
        actor=commissioner,
        ends_on=terms.ends_on + datetime.timedelta(days=90),
    )
    contract_services.variation_propose(version=accepted, actor=commissioner)
    contract_services.variation_approve(version=accepted, actor=approver)
    contract_services.variation_accept(version=accepted, actor=provider)
    draft = start("The service moves to new premises.")
    period_start = claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[0][0]
    claim = contract_services.claim_send(
        contract=contract,
        period_start=period_start,
        quantity=None,
        amount=Decimal("10000"),
        note="Delivered as planned.",
        actor=provider,
    )
    partner = terms_in_force(contract).partners.first()
    partner_payment = partner_payment_record(
        contract=contract,
        partner=partner,
        period_start=period_start,
        amount=Decimal("1000"),
        paid_on=datetime.date.today(),
        note="",
        actor=provider,
    )
    contract_document = contract_document_add(
        contract=contract, actor=provider, title="Signed contract", kind="signed_contract", upload=_pdf("signed.pdf")
    )
    return {
        "accepted_version": accepted,
        "draft_version": draft,
        "claim": claim,
        "partner_payment": partner_payment,
        "contract_document": contract_document,
    }


def _accounts(people) -> dict:
    administrator, org_admin = people["administrator"], people["org_admin"]
    bidder = org_admin.memberships.get().organisation
    org_invitation, org_token = account_services.invitation_create_for_organisation(
        invited_by=org_admin, organisation=bidder, email="colleague@example.org", as_org_admin=False
    )
    staff_invitation, _ = account_services.invitation_create_for_staff(
        invited_by=administrator, email="new.assessor@example.org", role=Role.ASSESSOR, area=None
    )
    spare = make_user_with_role(Role.ASSESSOR, full_name="Spare Assessor")
    return {
        "org_invitation": org_invitation,
        "org_token": org_token,
        "staff_invitation": staff_invitation,
        "membership": people["member"].memberships.get(),
        "spare_staff": spare,
        "spare_role": spare.staff_roles.get(),
    }


def _qualification(people) -> dict:
    org_admin = people["org_admin"]
    bidder = org_admin.memberships.get().organisation
    # The bidding organisation's application is still being written (its documents can be read by
    # its members), and it already holds a qualification from an earlier one.
    application = make_complete_application(organisation=bidder, user=org_admin)
    document = application_document_add(
        application=application, key=SectionKey.FINANCE, upload=_pdf("accounts.pdf"), user=org_admin
    )
    qualification = qualify(bidder, "accommodation", "K")
    # Another organisation's application is with the assessors.
    other = people["other_provider"].memberships.get().organisation
    sent = submitted_application(organisation=other)
    help_request = HelpRequestFactory(organisation=bidder, requested_by=org_admin)
    return {
        "application": sent,
        "document": document,
        "qualification": qualification,
        "help_request": help_request,
        "organisation": bidder,
    }


def _referrals(people, contract) -> dict:
    """A referral the practitioner sent to the closed opportunity's contract (the bidding
    organisation's; its administrator manages referrals, its member is not the caseworker), and a
    draft of theirs. Made as rows: the contract's dates need not be live for the pages to be asked."""
    from reference.models import Area
    from referrals.models import Referral
    from referrals.sealing import crn_digest

    region = Area.objects.get(code="K")
    sent = Referral.objects.create(
        contract=contract,
        prime_id=contract.supplier_id,
        created_by=people["practitioner"],
        area=region,
        crn="X123456",
        crn_digest=crn_digest("X123456"),
        first_name="Matrix",
        last_name="Person",
        reference="MX1234AB",
        sent_at=timezone.now(),
        provider=contract.supplier,
    )
    draft = Referral.objects.create(
        contract=contract, prime_id=contract.supplier_id, created_by=people["practitioner"], area=region
    )
    return {"sent": sent, "draft": draft}


def _provider_referral(people, contract) -> dict:
    """A referral on the closed opportunity's contract from the practitioner, with the provider's
    work under way: the member its caseworker, the first assessment booked, the action plan
    approved. The provider's pages (referrals/views_provider.py) take it."""
    from referrals import services as referral_services
    from referrals.models import Referral, ReferralOutcome
    from referrals.tests.factories import PERSON, category_choices

    practitioner = people["practitioner"]
    referral = referral_services.referral_create(actor=practitioner, contract=contract)
    today = timezone.localdate()
    referral_services.referral_update(
        actor=practitioner,
        referral=referral,
        **PERSON,
        order_type="community_order",
        order_end_on=today + datetime.timedelta(days=365),
        max_rar_days=10,
        risk_summary="Low risk",
        complete_by=today + datetime.timedelta(days=90),
    )
    referral_services.referral_set_categories(actor=practitioner, referral=referral, choices=category_choices(contract))
    referral = referral_services.referral_send(actor=practitioner, referral=referral)
    referral_services.referral_assign(actor=people["org_admin"], referral=referral, caseworker=people["member"])
    referral.refresh_from_db()
    referral_services.appointment_book(
        actor=people["member"], referral=referral, starts_at=referral.sent_at, duration_minutes=60, method="phone"
    )
    outcomes = list(ReferralOutcome.objects.filter(referral_category__referral=referral).order_by("pk"))
    referral_services.action_plan_save(
        actor=people["member"],
        referral=referral,
        number_of_sessions=4,
        activities=[(outcome.pk, "Meet each week") for outcome in outcomes],
    )
    referral_services.action_plan_submit(actor=people["member"], referral=referral)
    referral_services.action_plan_approve(actor=practitioner, referral=referral, version=1)
    referral.refresh_from_db()
    # Another, given to a partner (an organisation none of the roles belongs to): the prime's
    # referral managers may take it back (referrals/views_provider.take_back).
    with_partner = Referral.objects.create(
        contract=contract,
        prime_id=contract.supplier_id,
        created_by=practitioner,
        area=referral.area,
        reference="MX5678CD",
        sent_at=timezone.now(),
        provider=OrganisationFactory(legal_name="Matrix Partner"),
    )
    return {"referral": referral, "outcome": outcomes[0], "with_partner": with_partner}


def build_world() -> dict:
    people = _people()
    UserFactory()  # someone with no role and no organisation, so no id above is everyone's first
    closed = _closed(people)
    return {
        "people": people,
        "draft": _draft(people),
        "open": _open(people),
        "closed": closed,
        "accounts": _accounts(people),
        "qualification": _qualification(people),
        "referrals": _referrals(people, closed["contract"]),
        "provider_referrals": _provider_referral(people, closed["contract"]),
    }

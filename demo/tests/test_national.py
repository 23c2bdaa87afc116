"""The generated national world: reproducible from the seed, and consistent with the rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum

from audit.models import AuditEvent
from competitions.models import (
    Award,
    Bid,
    BidLot,
    Competition,
    CompetitionInvitation,
    Lot,
    LotYear,
    LotYearRevision,
    ModeratedScore,
)
from competitions.selectors.status import competition_stage
from contracts.models import Contract, PaymentClaim, Subcontract
from contracts.selectors import terms_in_force
from core.clock import financial_year_of
from demo.national import _london, first_financial_year, generate_national_data
from insights.selectors.who_takes_part import FUNNEL_GROUPS
from qualification import sections
from qualification.models import (
    Application,
    ApplicationDocument,
    DeclarationConfirmation,
    Interest,
    Qualification,
    RequestedCoverage,
)
from qualification.selectors.coverage import minimal_areas
from qualification.selectors.eligibility import eligible_organisations
from qualification.services.applications import submission_problems

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
NOW = _london(TODAY, 12)
SCALE = 0.05  # 100 organisations, a few series of competitions


def _fingerprint() -> dict:
    """Counts and first rows, by natural values only (never database ids)."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Competition, Lot, CompetitionInvitation, Bid, BidLot, ModeratedScore, Award, Contract)
        },
        "competitions": list(
            Competition.objects.order_by("reference").values_list("reference", "title", "closes_at")[:5]
        ),
        "contracts": list(
            Contract.objects.order_by("title").values_list("title", "supplier__legal_name", "starts_on")[:5]
        ),
        "bids": list(
            Bid.objects.order_by("competition__reference", "organisation__legal_name").values_list(
                "competition__reference", "organisation__legal_name", "submitted_at"
            )[:5]
        ),
        "value": Contract.objects.aggregate(total=Sum("years__value"))["total"],
    }


def _generate_and_forget(seed: int) -> dict:
    with transaction.atomic():
        generate_national_data(scale=SCALE, seed=seed, today=TODAY)
        fingerprint = _fingerprint()
        transaction.set_rollback(True)
    return fingerprint


def test_same_seed_same_world_and_another_seed_another():
    first = _generate_and_forget(7)
    assert Competition.objects.count() == 0  # rolled back
    again = _generate_and_forget(7)
    other = _generate_and_forget(8)
    assert first == again
    assert first["counts"]["Contract"] > 0 and first["counts"]["Bid"] > 0
    assert other != first


@pytest.fixture
def world():
    return generate_national_data(scale=SCALE, seed=7, today=TODAY)


def test_world_has_every_stage_of_a_framework_in_motion(world):
    stages = {competition_stage(c, now=NOW) for c in Competition.objects.prefetch_related("lots__award")}
    assert {"planned", "open", "awarded"} <= stages
    # Contracts from at least ten years back (claims from April 2016), this year and plans for up to
    # two years ahead.
    starts = {financial_year_of(day) for day in Competition.objects.values_list("contract_start", flat=True)}
    assert min(starts) == first_financial_year(TODAY) == 2016
    assert financial_year_of(TODAY) < max(starts) <= financial_year_of(TODAY) + 2
    first_claim = PaymentClaim.objects.order_by("period_start").values_list("period_start", flat=True).first()
    assert first_claim == datetime.date(2016, 4, 1)
    assert world.contracts == Contract.objects.count() > 0
    # Values ramp up: a lot's first year is worth less than its third.
    lot = Lot.objects.filter(competition__contract_years__gte=3).first()
    values = list(lot.years.order_by("financial_year").values_list("value", flat=True))
    assert values[0] < values[-1]
    # The generator bypasses the services: it writes no audit events (see the module docstring).
    assert not AuditEvent.objects.exists()


def test_every_contract_follows_an_approved_award_of_a_bid_sent_in_time(world):
    contracts = Contract.objects.select_related("award__bid", "lot__competition")
    assert contracts
    for contract in contracts:
        award, competition = contract.award, contract.lot.competition
        assert award.lot_id == contract.lot_id
        assert award.approved_at is not None and award.cancelled_at is None
        assert award.approved_by_id != award.recommended_by_id
        assert award.standstill_ends_at <= NOW
        assert award.bid.submitted_at < competition.closes_at
        assert award.bid.withdrawn_at is None
        assert award.bid.bid_lots.filter(lot=contract.lot).exists()
        assert contract.supplier_id == award.bid.organisation_id


def test_every_bid_comes_from_an_organisation_invited_as_eligible_for_its_lots(world):
    for bid_lot in BidLot.objects.select_related("bid"):
        invitation = CompetitionInvitation.objects.get(
            competition_id=bid_lot.bid.competition_id, organisation_id=bid_lot.bid.organisation_id
        )
        assert invitation.kind == CompetitionInvitation.Kind.ELIGIBLE
        assert invitation.lots.filter(pk=bid_lot.lot_id).exists()


def test_invitations_follow_the_eligibility_selector(world):
    lots = Lot.objects.filter(competition__launched_at__isnull=False).select_related("competition__service_type")
    assert lots
    for lot in lots:
        expected = None
        for area in lot.areas.all():
            here = set(
                eligible_organisations(service_type=lot.competition.service_type, area=area).values_list(
                    "id", flat=True
                )
            )
            expected = here if expected is None else expected & here
        assert set(lot.invitations.values_list("organisation_id", flat=True)) == expected


def test_shares_years_and_revisions_add_up(world):
    for contract in Contract.objects.prefetch_related("years", "subcontracts", "lot__years"):
        shares = sum((s.share_percent for s in contract.subcontracts.all()), Decimal("0"))
        assert shares <= 100
        assert [y.financial_year for y in contract.years.all()] == [y.financial_year for y in contract.lot.years.all()]
        assert [y.volume for y in contract.years.all()] == [y.volume for y in contract.lot.years.all()]
        # Version 1 is the terms as made, as the service writes it (ADR 9); later versions are the
        # changes since (demo/national_contracts.py, tested in test_national_contracts.py).
        terms = contract.versions.get(number=1)
        assert terms.ends_on == contract.ends_on
        assert [(y.financial_year, y.value) for y in terms.years.all()] == [
            (y.financial_year, y.value) for y in contract.years.all()
        ]
        assert {a.pk for a in terms.areas.all()} == {a.pk for a in contract.areas.all()}
    assert Subcontract.objects.filter(share_percent__gt=100).count() == 0
    # The latest revision of each published value is the value shown.
    for lot_year in LotYear.objects.filter(lot__competition__planned_at__isnull=False)[:200]:
        latest = LotYearRevision.objects.filter(lot_year=lot_year).order_by("recorded_at").last()
        assert latest is not None and latest.value == lot_year.value


def test_command_refuses_with_debug_off_unless_forced(settings, capsys):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_national_data", "--scale", "0.01")
    assert not Competition.objects.exists()
    call_command("generate_national_data", "--scale", "0.01", "--seed", "3", "--today", "2026-11-25", "--force")
    out = capsys.readouterr().out
    assert "organisations: 24" in out
    with pytest.raises(CommandError, match="already holds generated data"):
        call_command("generate_national_data", "--scale", "0.01", "--force")


def test_the_public_funnel_narrows_at_every_step_for_every_group(client, world):
    """Every organisation that reached a step is recorded at each step before it (issue 8.7)."""
    response = client.get("/api/v1/insights/who-takes-part")
    assert response.status_code == 200
    steps = response.json()["steps"]
    assert [step["step"] for step in steps] == ["interest", "questionnaire", "qualified", "invited", "bid", "won"]
    for group, _label in FUNNEL_GROUPS:
        numbers = [step[group] for step in steps]
        assert numbers == sorted(numbers, reverse=True), (group, numbers)
    everyone = [step["all"] for step in steps]
    assert everyone[0] == world.organisations
    assert everyone[2] == world.organisations_qualified
    # It really narrows: some stop before sending the questionnaire, some are refused, most never win.
    assert everyone[0] > everyone[1] > everyone[2] > everyone[-1] > 0
    dropouts = {row["step"]: row["all"] for row in response.json()["dropouts"]}
    assert dropouts["questionnaire_unsent"] > 0


def test_each_step_of_joining_is_written_as_the_services_write_it(world):
    interests = {i.organisation_id: i for i in Interest.objects.all()}
    applications = Application.objects.select_related("organisation").prefetch_related(
        "sections__documents", "requested__category", "requested__area"
    )
    assert len(interests) == world.organisations == applications.count()
    for application in applications:
        interest = interests[application.organisation_id]
        # Registering interest opens the application, by the same person at the same moment.
        assert (application.started_at, application.started_by_id) == (
            interest.registered_at,
            interest.registered_by_id,
        )
        assert application.organisation.created_by_id == interest.registered_by_id
        for section in application.sections.all():
            has_document = section.documents.exists()
            assert has_document == (section.key == "finance" and application.organisation.size != "micro")
            complete = sections.is_complete(
                section.key, section.answers, application=application, has_document=has_document
            )
            assert (section.completed_at is not None) == complete
            assert application.started_at <= section.updated_at
        services = next((s for s in application.sections.all() if s.key == "services"), None)
        # As section_save keeps it: every type of support chosen, in the fewest areas covering the choice.
        expected = set()
        if services:
            areas = minimal_areas(sections.chosen_areas(services.answers))
            expected = {(c.pk, a.pk) for c in sections.chosen_categories(services.answers) for a in areas}
        requested = {(r.category_id, r.area_id) for r in application.requested.all()}
        assert requested == expected
        if application.submitted_at is None:
            assert application.decided_at is None
            continue
        assert submission_problems(application) == []
        assert DeclarationConfirmation.objects.filter(
            organisation=application.organisation, confirmed_at=application.submitted_at
        ).exists()
        # Nobody is left waiting for the assessor: every sent application is decided, every section accepted.
        assert application.decided_at is not None and application.decision_letter
        assert all(s.accepted_at and s.accepted_at <= application.decided_at for s in application.sections.all())
        granted = set(
            Qualification.objects.filter(application=application).values_list("category_id", "area_id", "granted_at")
        )
        assert granted in (set(), {(c, a, application.decided_at) for c, a in requested})
        assert ("Why:" in application.decision_letter) == (not granted)
    assert not Qualification.objects.filter(application__isnull=True).exists()
    assert ApplicationDocument.objects.exists()
    assert RequestedCoverage.objects.exists()


def test_every_qualification_is_decided_before_the_first_competition_launches(world):
    """Eligibility is worked out once from the qualifications, so none may come after a launch."""
    first_launch = Competition.objects.exclude(launched_at=None).order_by("launched_at").first().launched_at
    assert Qualification.objects.filter(granted_at__gte=first_launch).count() == 0


def test_partner_payments_follow_paid_claims_some_late(world):
    from contracts import rules
    from contracts.models import PartnerPayment, PaymentClaim
    from contracts.selectors_supply_chain import with_prime_paid_on

    payments = with_prime_paid_on(PartnerPayment.objects.all())
    assert PaymentClaim.objects.filter(paid_on__isnull=False).exists()
    assert payments.count() == world.partner_payments > 0
    assert world.payment_claims == PaymentClaim.objects.count()
    # Every payment is for a period its prime was paid for, by a partner of the contract's terms.
    assert not payments.filter(prime_paid_on__isnull=True).exists()
    in_time = payments.filter(rules.partner_paid_in_time_q()).count()
    assert 0 < in_time < payments.count()  # most in time, some late
    for payment in PartnerPayment.objects.select_related("contract")[:50]:
        keys = {PartnerPayment.key_for(p) for p in terms_in_force(payment.contract).partners.all()}
        assert payment.partner_key in keys
        assert payment.amount > 0 and payment.paid_on >= payment.period_start


def test_queries_kept_for_debugging_are_forgotten_after_each_batch(settings):
    """The command runs with DEBUG on, when Django keeps the last 9,000 queries with their values;
    a bulk insert's text is large, so each batch forgets them and memory stays bounded at scale 10."""
    from django.db import connection

    settings.DEBUG = True
    with transaction.atomic():
        generate_national_data(scale=SCALE, seed=7, today=TODAY)
        assert Contract.objects.exists()
        transaction.set_rollback(True)
    # Only the few queries made after the last phase (the rollback's) are still kept.
    assert len(connection.queries) < 50

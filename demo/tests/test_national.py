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
from contracts.models import Contract, Subcontract
from demo.national import _london, generate_national_data
from qualification.selectors.eligibility import eligible_organisations

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
    years = set(LotYear.objects.values_list("financial_year", flat=True))
    assert len(years) >= 8  # about ten financial years of work
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
    assert "organisations: 20" in out
    with pytest.raises(CommandError, match="already holds generated data"):
        call_command("generate_national_data", "--scale", "0.01", "--force")

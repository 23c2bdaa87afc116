"""Competitions at every stage, for open data tests: built with the competitions factories, then
moved back in time with direct writes (the services that do this are tested elsewhere)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import OrganisationType, Size, StaffBand, TurnoverBand
from competitions.models import (
    Award,
    Bid,
    CoCommissioner,
    Competition,
    LotFunding,
    LotYear,
    LotYearRevision,
)
from competitions.tests.factories import make_bid, make_competition
from contracts.models import Contract, ContractYear
from tests.factories import OrganisationFactory, make_user_with_role

DAY = datetime.timedelta(days=1)


def retime(competition: Competition, *, launched_days_ago: float, closes_in_days: float) -> Competition:
    """Planned a week before launch; questions close 5 days before the closing date."""
    now = timezone.now()
    launched = now - launched_days_ago * DAY
    closes = now + closes_in_days * DAY
    Competition.objects.filter(pk=competition.pk).update(
        planned_at=launched - 7 * DAY,
        launched_at=launched,
        clarification_deadline=closes - 5 * DAY,
        closes_at=closes,
        evaluation_ends_at=closes + 14 * DAY,
        intended_award_at=closes + 21 * DAY,
    )
    competition.refresh_from_db()
    return competition


def sent_before_close(bid: Bid, competition: Competition) -> Bid:
    moment = competition.closes_at - 2 * DAY
    Bid.objects.filter(pk=bid.pk).update(submitted_at=moment, started_at=moment - DAY, updated_at=moment)
    bid.refresh_from_db()
    return bid


def small_charity(name: str):
    return OrganisationFactory(legal_name=name, contact_email=f"{name.split()[0].lower()}@charity.example")


def large_company(name: str):
    return OrganisationFactory(
        legal_name=name,
        organisation_type=OrganisationType.COMPANY_BY_SHARES,
        charity_number="",
        company_number="01234567",
        staff_band=StaffBand.OVER_250,
        turnover_band=TurnoverBand.OVER_50M,
        size=Size.LARGE,
        contact_email="bids@company.example",
        contact_phone="020 7946 0000",
    )


def approve(lot, bid, *, approved_at, standstill_ends_at) -> Award:
    return Award.objects.create(
        lot=lot,
        bid=bid,
        recommended_by=make_user_with_role("commissioner"),
        recommended_at=approved_at - DAY,
        approved_at=approved_at,
        approved_by=make_user_with_role("commissioner"),
        standstill_ends_at=standstill_ends_at,
    )


def make_contract(award: Award, *, created_at) -> Contract:
    lot = award.lot
    competition = lot.competition
    contract = Contract.objects.create(
        lot=lot,
        award=award,
        title=f"{competition.title}: {lot.name}",
        service_type=competition.service_type,
        supplier=award.bid.organisation,
        starts_on=competition.contract_start,
        ends_on=datetime.date(competition.contract_start.year + competition.contract_years, 6, 30),
        payment_frequency=competition.payment_frequency,
        payment_days=competition.payment_days,
        created_at=created_at,
    )
    contract.areas.set(lot.areas.all())
    for price in award.bid.bid_lots.get(lot=lot).prices.all():
        ContractYear.objects.create(
            contract=contract, financial_year=price.financial_year, value=price.amount, volume=150
        )
    return contract


def make_stages() -> dict[str, Competition]:
    """One competition at each stage, by name."""
    stages: dict[str, Competition] = {}

    stages["planned"] = make_competition(launched=False, lots=["Kent"])

    open_competition = make_competition(lots=["Kent", "Surrey"])
    retime(open_competition, launched_days_ago=2, closes_in_days=12)
    # A bid already sent: sealed until the closing date.
    make_bid(open_competition, small_charity("Sealed Hope Trust"))
    stages["open"] = open_competition

    closed = retime(make_competition(lots=["Kent", "Surrey"]), launched_days_ago=20, closes_in_days=-1)
    kent, surrey = closed.lots.all()
    sent_before_close(make_bid(closed, small_charity("Closed Kent Charity"), lots=[kent]), closed)
    sent_before_close(make_bid(closed, large_company("Closed National Ltd")), closed)
    # Started but never sent: never counted, never named.
    make_bid(closed, small_charity("Unsent Draft Charity"), submitted=False)
    stages["closed"] = closed

    standstill = retime(make_competition(lots=["Kent"]), launched_days_ago=40, closes_in_days=-20)
    winner = sent_before_close(make_bid(standstill, small_charity("Standstill Winner Charity")), standstill)
    sent_before_close(make_bid(standstill, large_company("Standstill Runner Ltd"), price=Decimal("450000")), standstill)
    approve(
        standstill.lots.get(),
        winner,
        approved_at=timezone.now() - 2 * DAY,
        standstill_ends_at=timezone.now() + 6 * DAY,
    )
    stages["standstill"] = standstill

    contracted = retime(make_competition(lots=["Kent"]), launched_days_ago=80, closes_in_days=-60)
    co_commissioner = CoCommissioner.objects.create(
        competition=contracted, name="Kent Police and Crime Commissioner", party_type=CoCommissioner.PartyType.PCC
    )
    LotFunding.objects.create(lot=contracted.lots.get(), co_commissioner=co_commissioner, share_percent=25)
    winner = sent_before_close(
        make_bid(contracted, small_charity("Contract Winner Charity"), price=Decimal("400000.50")), contracted
    )
    award = approve(
        contracted.lots.get(),
        winner,
        approved_at=timezone.now() - 30 * DAY,
        standstill_ends_at=timezone.now() - 20 * DAY,
    )
    make_contract(award, created_at=timezone.now() - 10 * DAY)
    stages["contract"] = contracted

    abandoned = retime(make_competition(lots=["Kent"]), launched_days_ago=10, closes_in_days=4)
    Competition.objects.filter(pk=abandoned.pk).update(
        abandoned_at=timezone.now() - DAY, abandoned_by=abandoned.created_by, abandoned_reason="No longer needed"
    )
    abandoned.refresh_from_db()
    stages["abandoned"] = abandoned

    revised = retime(make_competition(lots=["Kent"]), launched_days_ago=10, closes_in_days=4)
    revise_first_year(revised, Decimal("412345.67"), at=timezone.now() - 3 * DAY)
    stages["revised"] = revised
    return stages


def revise_first_year(competition: Competition, value: Decimal, *, at, first_revision: bool = True) -> LotYear:
    """Publish the launch values as revisions (on the first revision), then a new value for the
    first year at `at`."""
    lot_year = LotYear.objects.filter(lot__competition=competition).order_by("lot__number", "financial_year").first()
    for year in LotYear.objects.filter(lot__competition=competition) if first_revision else []:
        LotYearRevision.objects.create(
            lot_year=year,
            value=year.value,
            volume=year.volume,
            recorded_at=competition.launched_at,
            recorded_by=competition.created_by,
        )
    LotYearRevision.objects.create(
        lot_year=lot_year, value=value, volume=lot_year.volume, recorded_at=at, recorded_by=competition.created_by
    )
    lot_year.value = value
    lot_year.save()
    return lot_year

"""Competitions at each public stage, and contracts with partners, written straight to the database."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from competitions.models import Award, CoCommissioner, LotFunding
from competitions.tests.factories import make_bid, make_competition
from contracts.models import Contract, ContractFunding, ContractYear, Subcontract
from reference.models import Area, ServiceType
from tests.factories import OrganisationFactory, UserFactory, make_user_with_role


def award_lot(lot, bid, *, approved: bool = True, days_ago: int = 20) -> Award:
    recommender = make_user_with_role("commissioner")
    approved_at = timezone.now() - datetime.timedelta(days=days_ago) if approved else None
    return Award.objects.create(
        lot=lot,
        bid=bid,
        recommended_by=recommender,
        approved_at=approved_at,
        approved_by=UserFactory() if approved else None,
        standstill_ends_at=approved_at + datetime.timedelta(days=12) if approved else None,
    )


def make_closed_competition(*, days_ago: int = 60, **kwargs):
    return make_competition(closes_in=-datetime.timedelta(days=days_ago), **kwargs)


def make_contract(
    *,
    supplier=None,
    service_type_code: str = "accommodation",
    area_codes: tuple[str, ...] = ("E23000032",),
    years: dict[int, Decimal] | None = None,
    partners: list[tuple[object, str, Decimal]] = (),
    funding: list[tuple[str, Decimal]] = (),
    title: str = "Accommodation services: Kent",
    starts_on: datetime.date = datetime.date(2027, 7, 1),
) -> Contract:
    """A contract on an approved award of a closed competition; partners are (organisation or
    name, role, share)."""
    supplier = supplier or OrganisationFactory()
    competition = make_closed_competition(lots=["Kent"])
    competition.service_type = ServiceType.objects.get(code=service_type_code)
    competition.save()
    lot = competition.lots.get()
    bid = make_bid(competition, supplier)
    award = award_lot(lot, bid, days_ago=40)
    for name, share in funding:
        partner = CoCommissioner.objects.create(competition=competition, name=name, party_type="pcc")
        LotFunding.objects.create(lot=lot, co_commissioner=partner, share_percent=share)
    contract = Contract.objects.create(
        lot=lot,
        award=award,
        title=title,
        service_type=competition.service_type,
        supplier=supplier,
        starts_on=starts_on,
        ends_on=starts_on.replace(year=starts_on.year + 3) - datetime.timedelta(days=1),
        extension_years=1,
        payment_frequency=competition.payment_frequency,
        payment_days=competition.payment_days,
    )
    contract.areas.set(Area.objects.filter(code__in=area_codes))
    for year, value in (years or {2027: Decimal("400000"), 2028: Decimal("500000")}).items():
        ContractYear.objects.create(contract=contract, financial_year=year, value=value, volume=150)
    for who, role, share in partners:
        if isinstance(who, str):
            Subcontract.objects.create(contract=contract, name=who, role=role, share_percent=share)
        else:
            Subcontract.objects.create(
                contract=contract, organisation=who, name=who.legal_name, role=role, share_percent=share
            )
    for name, share in funding:
        ContractFunding.objects.create(contract=contract, name=name, party_type="pcc", share_percent=share)
    return contract

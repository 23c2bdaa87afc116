"""Test data for the insights: awards, contracts and subcontracts written straight to the database."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from competitions.models import Award, Bid, Lot, LotYear, LotYearRevision
from competitions.tests.factories import make_bid, make_competition
from contracts.models import Contract, ContractVersion, ContractYear, Subcontract
from contracts.tests.terms import agree_as_made
from reference.models import Area, ServiceType
from tests.factories import OrganisationFactory, UserFactory


def service_type(code: str = "accommodation") -> ServiceType:
    return ServiceType.objects.get(code=code)


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def award_lot(lot: Lot, *, bid: Bid | None = None, organisation=None, approved: bool = True) -> Award:
    """An approved award of the lot to a bid, or a direct award to an organisation."""
    recommender, approver = UserFactory(), UserFactory()
    now = timezone.now()
    return Award.objects.create(
        lot=lot,
        bid=bid,
        direct_organisation=organisation if bid is None else None,
        direct_justification="No compliant bid." if bid is None else "",
        recommended_by=recommender,
        recommended_at=now,
        approved_by=approver if approved else None,
        approved_at=now if approved else None,
        standstill_ends_at=now - datetime.timedelta(days=1) if approved else None,
    )


def make_contract(
    *,
    lot: Lot | None = None,
    supplier=None,
    areas: list[Area] | None = None,
    code: str = "accommodation",
    starts_on: datetime.date = datetime.date(2025, 4, 1),
    ends_on: datetime.date = datetime.date(2028, 3, 31),
    years: dict[int, Decimal] | None = None,
    subcontracts: list[tuple] = (),
) -> Contract:
    """A contract for a lot (a new launched competition's lot unless given), with values per year and
    subcontracts as (organisation or None, share percent)."""
    supplier = supplier or OrganisationFactory()
    if lot is None:
        competition = make_competition(lots=["Kent"], years=())
        competition.service_type = service_type(code)
        competition.save()
        lot = competition.lots.get()
    if areas is not None:
        lot.areas.set(areas)
    award = award_lot(lot, organisation=supplier)
    contract = Contract.objects.create(
        lot=lot,
        award=award,
        title=f"{lot.competition.service_type.name}: {lot.name}",
        service_type=lot.competition.service_type,
        supplier=supplier,
        starts_on=starts_on,
        ends_on=ends_on,
        payment_frequency="monthly_arrears",
        payment_days=30,
    )
    contract.areas.set(list(lot.areas.all()))
    for year, value in (years or {2025: Decimal("100000")}).items():
        ContractYear.objects.create(contract=contract, financial_year=year, value=value)
    for organisation, share in subcontracts:
        Subcontract.objects.create(
            contract=contract,
            organisation=organisation,
            name=organisation.legal_name if organisation else "A local partner",
            role="subcontractor",
            share_percent=Decimal(share),
        )
    return contract


def agree_terms(contract: Contract, *, volume: int = 50) -> ContractVersion:
    """The contract's terms as made, accepted by both sides: its yearly values, `volume` people a
    year, its areas. The volumes and value insight reads these (the terms in force)."""
    return agree_as_made(
        contract,
        at=timezone.now() - datetime.timedelta(days=60),
        areas=contract.areas.all(),
        years={year.financial_year: (year.value, volume) for year in contract.years.all()},
    )


def revise(lot_year: LotYear, *values: Decimal) -> None:
    """Record the published history of an estimated value; the last one is the value now."""
    user = UserFactory()
    start = timezone.now() - datetime.timedelta(days=len(values))
    for index, value in enumerate(values):
        LotYearRevision.objects.create(
            lot_year=lot_year,
            value=value,
            volume=lot_year.volume,
            recorded_by=user,
            recorded_at=start + datetime.timedelta(days=index),
        )
    lot_year.value = values[-1]
    lot_year.save()


__all__ = ["make_bid", "make_competition"]

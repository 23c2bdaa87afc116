"""A small, varied, reproducible world for the insight tests: organisations of every type and size
at every step, competitions at every stage across service types and areas, awards, contracts with
subcontracts, revised estimated values. Written straight to the database (services are tested in
their own apps)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import OrganisationType, Size
from competitions.models import (
    Award,
    Bid,
    BidLot,
    Competition,
    CompetitionInvitation,
    Lot,
    LotYear,
)
from insights.tests.factories import agree_terms, make_contract, revise
from qualification.models import Application, Interest, Qualification, RequestedCoverage
from qualification.tests.factories import category
from reference.models import Area, ServiceType
from tests.factories import OrganisationFactory, UserFactory

TYPES = [
    OrganisationType.REGISTERED_CHARITY,
    OrganisationType.CIC,
    OrganisationType.COMPANY_BY_SHARES,
    OrganisationType.PUBLIC_BODY,
    OrganisationType.OTHER,
]
SIZES = [Size.MICRO, Size.SMALL, Size.MEDIUM, Size.LARGE]


def build_world(*, competitions: int = 6, organisations: int = 12, seed: int = 7, first_stage: int = 0) -> dict:
    rng = random.Random(seed)
    now = timezone.now()
    user = UserFactory()
    pccs = list(Area.objects.filter(level="pcc_area").order_by("code"))
    orgs = [_organisation(index, rng.choice(pccs), user, now) for index in range(organisations)]
    places = {
        "regions": list(Area.objects.filter(level="region").order_by("code")),
        "pccs": pccs,
        "las": list(Area.objects.filter(level="local_authority").order_by("code")),
    }
    service_types = list(ServiceType.objects.exclude(code="young-adults-wales").order_by("display_order"))
    stages = ["planned", "open", "closed", "awarded", "abandoned", "contracted"]
    made = []
    for index in range(competitions):
        stage = stages[(index + first_stage) % len(stages)]
        competition, lots = _competition(
            index, stage, service_types[index % len(service_types)], places, rng, user, now, seed
        )
        if stage == "planned":
            continue
        _bids(competition, lots, stage, rng.sample(orgs, min(4, len(orgs))), user, now)
        if stage == "awarded":
            _award(competition, lots, user, now, index)
        elif stage == "contracted":
            made += _contracts(competition, lots, orgs, rng, now, index)
    return {"organisations": orgs, "contracts": made}


def _organisation(index: int, place: Area, user, now: datetime.datetime):
    """Every type and size; most register interest, some apply (one never sends), most of those qualify."""
    org = OrganisationFactory(organisation_type=TYPES[index % len(TYPES)], size=SIZES[(index // 2) % len(SIZES)])
    if index % 6 != 5:
        Interest.objects.create(organisation=org, registered_by=user, registered_at=now - datetime.timedelta(days=400))
    if index % 6 not in (0, 1, 2, 3):
        return org
    started = now - datetime.timedelta(days=300 + index)
    submitted = index % 6 != 3
    application = Application.objects.create(
        organisation=org,
        started_by=user,
        started_at=started,
        submitted_at=started + datetime.timedelta(days=2 + index, hours=3) if submitted else None,
        submitted_by=user if submitted else None,
    )
    RequestedCoverage.objects.create(application=application, category=category(), area=place)
    if submitted and index % 6 != 2:
        granted = place.parent if index % 2 else place
        Qualification.objects.create(
            organisation=org,
            category=category(),
            area=granted,
            area_path=granted.path,
            granted_by=user,
            granted_at=started + datetime.timedelta(days=20),
        )
    return org


def _competition(index, stage, service_type, places, rng, user, now, seed) -> tuple[Competition, list[Lot]]:
    region = places["regions"][index % len(places["regions"])]
    launched = stage != "planned"
    closes = now + datetime.timedelta(days=10) if stage == "open" else now - datetime.timedelta(days=30 + index)
    competition = Competition.objects.create(
        title=f"{service_type.name} in {region.name} {index}",
        reference=f"W-{seed}-{index:04d}",
        service_type=service_type,
        owner_area=region,
        contract_start=datetime.date(2026 + index % 3, 7, 1),
        created_by=user,
        planned_at=now - datetime.timedelta(days=90 + index),
        planned_by=user,
        launched_at=now - datetime.timedelta(days=60 + index) if launched else None,
        launched_by=user if launched else None,
        closes_at=closes if launched else None,
        intended_award_at=closes + datetime.timedelta(days=20),
        abandoned_at=now - datetime.timedelta(days=5) if stage == "abandoned" else None,
        abandoned_by=user if stage == "abandoned" else None,
    )
    lot_areas = {0: [region], 1: [p for p in places["pccs"] if p.parent_id == region.id][:2] or [region]}.get(
        index % 3, [rng.choice(places["las"])]
    )
    lots = []
    for number, lot_area in enumerate(lot_areas, start=1):
        lot = Lot.objects.create(competition=competition, number=number, name=lot_area.name)
        lot.areas.set([lot_area])
        lots.append(lot)
        for year in (2025, 2026, 2027):
            lot_year = LotYear.objects.create(
                lot=lot, financial_year=year, value=Decimal(100000 + 25000 * index + 1000 * year % 7), volume=50
            )
            if index % 2:
                revise(lot_year, lot_year.value + Decimal("50000"), lot_year.value)
    return competition, lots


def _bids(competition, lots, stage, bidders, user, now) -> None:
    """Four invited; three send (only one while bidding is open); the third withdraws; the fourth never sends."""
    for position, org in enumerate(bidders):
        invitation = CompetitionInvitation.objects.create(
            competition=competition, organisation=org, kind="eligible", invited_at=now - datetime.timedelta(days=55)
        )
        invitation.lots.set(lots)
        started = now - datetime.timedelta(days=50)
        sent = position < 3 and stage != "open" or position == 0
        bid = Bid.objects.create(
            competition=competition,
            organisation=org,
            started_by=user,
            started_at=started,
            submitted_at=started + datetime.timedelta(days=3 + position, hours=5) if sent else None,
            submitted_by=user if sent else None,
            withdrawn_at=now - datetime.timedelta(days=40) if position == 2 and sent else None,
        )
        for lot in lots:
            BidLot.objects.create(bid=bid, lot=lot)


def _winner(competition: Competition) -> Bid:
    return competition.bids.filter(submitted_at__isnull=False, withdrawn_at__isnull=True).first()


def _award(competition, lots, user, now, index) -> None:
    winner, approver = _winner(competition), UserFactory()
    for lot in lots:
        Award.objects.create(
            lot=lot,
            bid=winner,
            recommended_by=user,
            approved_by=approver,
            approved_at=now - datetime.timedelta(days=3),
            standstill_ends_at=now + datetime.timedelta(days=5) if index % 4 else now,
        )


def _contracts(competition, lots, orgs, rng, now, index) -> list:
    winner = _winner(competition)
    made = [
        make_contract(
            lot=lot,
            supplier=winner.organisation,
            starts_on=datetime.date(2025, 7, 1),
            ends_on=(now + datetime.timedelta(days=100 + 200 * index % 3)).date(),
            # Whole-pound values and whole-number shares give fractions of a pound: the sums must not
            # fall into integer division.
            years={2025: Decimal("90001") + index, 2026: Decimal("120000")},
            subcontracts=[(rng.choice(orgs), 25), (rng.choice(orgs), 12.5), (None, 5)],
        )
        for lot in lots
    ]
    for contract in made:
        agree_terms(contract, volume=40 + index)
    return made

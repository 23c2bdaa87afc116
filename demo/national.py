"""A synthetic national world for benchmarks and for seeing the service at scale.

Reproducible from a seed. Written with bulk inserts, not through the services, because it makes
tens of thousands of rows; it therefore writes no audit events and must never run against a
real database (the command refuses unless DEBUG is on or --force is given).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrganisationType, StaffBand, TurnoverBand, User, size_from_bands
from qualification.models import Qualification
from reference.models import Area, ServiceCategory

ORGANISATIONS_AT_SCALE_1 = 2000
NAME_WORDS = [
    "Bridge",
    "Harbour",
    "Compass",
    "Beacon",
    "Pathway",
    "Horizon",
    "Anchor",
    "Open Door",
    "New Leaf",
    "Second Chance",
    "Foundation",
    "Step Forward",
    "Lighthouse",
    "Turning Point",
    "Fresh Start",
    "Roots",
]
NAME_KINDS = ["Trust", "Project", "Partnership", "Network", "Services", "Support", "Community", "Futures"]

TYPE_WEIGHTS = [
    (OrganisationType.REGISTERED_CHARITY, 40),
    (OrganisationType.CIO, 15),
    (OrganisationType.CIC, 15),
    (OrganisationType.COMPANY_BY_GUARANTEE, 10),
    (OrganisationType.COMPANY_BY_SHARES, 15),
    (OrganisationType.PUBLIC_BODY, 5),
]
BAND_WEIGHTS = [
    ((StaffBand.UNDER_10, TurnoverBand.UP_TO_2M), 45),
    ((StaffBand.FROM_10_TO_49, TurnoverBand.UP_TO_2M), 25),
    ((StaffBand.FROM_10_TO_49, TurnoverBand.UP_TO_10M), 10),
    ((StaffBand.FROM_50_TO_249, TurnoverBand.UP_TO_50M), 12),
    ((StaffBand.OVER_250, TurnoverBand.OVER_50M), 8),
]


@dataclass
class NationalWorld:
    organisations: int
    qualifications: int


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights, k=1)[0]


def _footprint(rng: random.Random, size: str, areas_by_level: dict[str, list[Area]]) -> list[Area]:
    """Where an organisation works: large ones nationally or regionally, small ones locally."""
    roll = rng.random()
    if size == "large" and roll < 0.4:
        return areas_by_level["country"]
    if size in ("large", "medium") or roll < 0.15:
        return rng.sample(areas_by_level["region"], rng.randint(1, 3))
    if roll < 0.7:
        return rng.sample(areas_by_level["pcc_area"], rng.randint(1, 3))
    return rng.sample(areas_by_level["local_authority"], rng.randint(1, 4))


@transaction.atomic
def generate_organisations_and_qualifications(*, scale: float = 1, seed: int = 2026) -> NationalWorld:
    rng = random.Random(seed)
    count = int(ORGANISATIONS_AT_SCALE_1 * scale)
    areas_by_level: dict[str, list[Area]] = {}
    for area in Area.objects.order_by("path"):
        areas_by_level.setdefault(area.level, []).append(area)
    categories = list(ServiceCategory.objects.order_by("display_order"))
    granter, _ = User.objects.get_or_create(
        email="national-data@generated.example", defaults={"full_name": "Generated data"}
    )
    now = timezone.now()
    organisations = []
    for index in range(count):
        staff_band, turnover_band = _weighted(rng, BAND_WEIGHTS)
        organisation_type = _weighted(rng, TYPE_WEIGHTS)
        organisations.append(
            Organisation(
                legal_name=f"{rng.choice(NAME_WORDS)} {rng.choice(NAME_KINDS)} {index + 1}",
                organisation_type=organisation_type,
                charity_number=str(1_000_000 + index)
                if organisation_type in (OrganisationType.REGISTERED_CHARITY, OrganisationType.CIO)
                else "",
                company_number=f"{10_000_000 + index:08d}"[-8:]
                if organisation_type
                in (OrganisationType.CIC, OrganisationType.COMPANY_BY_GUARANTEE, OrganisationType.COMPANY_BY_SHARES)
                else "",
                staff_band=staff_band,
                turnover_band=turnover_band,
                size=size_from_bands(staff_band, turnover_band),
                address_line_1="1 Generated Street",
                town=rng.choice(areas_by_level["local_authority"]).name,
                postcode="AB1 2CD",
                contact_email=f"org{index + 1}@generated.example",
            )
        )
    Organisation.objects.bulk_create(organisations, batch_size=500)
    qualifications = []
    for organisation in organisations:
        chosen_categories = rng.sample(categories, rng.choice([1, 1, 2, 3, 4, 8]))
        for area in _footprint(rng, organisation.size, areas_by_level):
            for category in chosen_categories:
                qualifications.append(
                    Qualification(
                        organisation=organisation,
                        category=category,
                        area=area,
                        area_path=area.path,
                        granted_at=now,
                        granted_by=granter,
                    )
                )
    Qualification.objects.bulk_create(qualifications, batch_size=2000)
    return NationalWorld(organisations=len(organisations), qualifications=len(qualifications))

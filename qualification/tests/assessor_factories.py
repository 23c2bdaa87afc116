"""Helpers for the assessor, register and eligibility tests (built on tests/factories.py)."""

from __future__ import annotations

import random

from django.utils import timezone

from accounts.models import Organisation
from qualification.models import Application, ApplicationSection, Qualification, RequestedCoverage, SectionKey
from qualification.tests.factories import ApplicationFactory
from reference.models import Area, ServiceCategory
from tests.factories import OrganisationFactory, UserFactory, make_provider_user

SAMPLE_ANSWERS = {
    SectionKey.ABOUT: {"contact_name": "Sam Jones", "what_you_do": "We help people find a home."},
    SectionKey.EXCLUSION: {"mandatory_grounds": "no", "discretionary_grounds": "no"},
    SectionKey.FINANCE: {"turnover": "85000"},
    SectionKey.INSURANCE: {"employers_liability": "yes", "public_liability": "yes"},
    SectionKey.SAFEGUARDING: {"safeguarding_policy": "yes", "data_protection_policy": "yes"},
    SectionKey.SECURITY: {"security_statement": "yes"},
    SectionKey.SERVICES: {"categories": ["Accommodation"]},
    SectionKey.DECLARATION: {"confirmed": "yes"},
}


def submitted_application(
    *,
    organisation: Organisation | None = None,
    requested: list[tuple[str, str]] = (("accommodation", "K"),),
    submitted_days_ago: int = 0,
    keys: list[str] | None = None,
) -> Application:
    """A submitted application with every section answered, asking for (category code, area code) pairs.
    The organisation gets one member (its administrator)."""
    if organisation is None:
        organisation = make_provider_user().memberships.get().organisation
    user = UserFactory()
    submitted_at = timezone.now() - timezone.timedelta(days=submitted_days_ago)
    application = ApplicationFactory(
        organisation=organisation, started_by=user, submitted_at=submitted_at, submitted_by=user
    )
    for key in keys or SectionKey.values:
        ApplicationSection.objects.create(
            application=application,
            key=key,
            answers=dict(SAMPLE_ANSWERS[key]),
            updated_by=user,
            completed_at=submitted_at,
        )
    for category_code, area_code in requested:
        RequestedCoverage.objects.create(
            application=application,
            category=ServiceCategory.objects.get(code=category_code),
            area=Area.objects.get(code=area_code),
        )
    return application


def qualify(organisation: Organisation, category_code: str, area_code: str, **extra) -> Qualification:
    area = Area.objects.get(code=area_code)
    return Qualification.objects.create(
        organisation=organisation,
        category=ServiceCategory.objects.get(code=category_code),
        area=area,
        area_path=area.path,
        granted_by=extra.pop("granted_by", None) or UserFactory(),
        **extra,
    )


def make_qualified_world(*, organisations: int, seed: int = 1, max_qualifications: int = 6) -> list[Organisation]:
    """Many organisations, each qualified for a few random categories in random areas at every
    level (country, region, PCC area, local authority). Bulk inserts, so it scales to the
    2,000-organisation benchmark: `make_qualified_world(organisations=2000)`."""
    rng = random.Random(seed)
    granter = UserFactory()
    categories = list(ServiceCategory.objects.all())
    by_level: dict[str, list[Area]] = {}
    for a in Area.objects.all():
        by_level.setdefault(a.level, []).append(a)
    levels = sorted(by_level)
    orgs = Organisation.objects.bulk_create(
        [
            OrganisationFactory.build(legal_name=f"Bulk Organisation {seed}-{i:05d}", charity_number=f"{2000000 + i}")
            for i in range(organisations)
        ]
    )
    rows = {}
    for org in orgs:
        for _ in range(rng.randint(1, max_qualifications)):
            category = rng.choice(categories)
            area = rng.choice(by_level[rng.choice(levels)])  # every level equally likely
            rows[(org.pk, category.pk, area.pk)] = Qualification(
                organisation=org, category=category, area=area, area_path=area.path, granted_by=granter
            )
    Qualification.objects.bulk_create(rows.values(), batch_size=1000)
    return orgs

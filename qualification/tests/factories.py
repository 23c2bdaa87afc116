"""factory_boy factories for the qualification app (shared by the provider and assessor tests)."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from qualification.models import (
    Application,
    ApplicationKind,
    ApplicationSection,
    DeclarationConfirmation,
    HelpRequest,
    Interest,
    Qualification,
    RequestedCoverage,
    SectionKey,
)
from reference.models import Area, ServiceCategory
from tests.factories import OrganisationFactory, UserFactory


def category(code: str = "accommodation") -> ServiceCategory:
    return ServiceCategory.objects.get(code=code)


def area(code: str = "K") -> Area:
    return Area.objects.get(code=code)


class InterestFactory(DjangoModelFactory):
    class Meta:
        model = Interest

    organisation = factory.SubFactory(OrganisationFactory)
    registered_by = factory.SubFactory(UserFactory)


class ApplicationFactory(DjangoModelFactory):
    """A draft application. `submitted=True` gives a submitted one; `decided=True` a decided one."""

    class Meta:
        model = Application

    organisation = factory.SubFactory(OrganisationFactory)
    kind = ApplicationKind.JOIN
    started_by = factory.SubFactory(UserFactory)

    class Params:
        submitted = factory.Trait(
            submitted_at=factory.LazyFunction(timezone.now), submitted_by=factory.SelfAttribute("started_by")
        )
        decided = factory.Trait(
            submitted_at=factory.LazyFunction(timezone.now),
            submitted_by=factory.SelfAttribute("started_by"),
            decided_at=factory.LazyFunction(timezone.now),
            decided_by=factory.SubFactory(UserFactory),
        )


class ApplicationSectionFactory(DjangoModelFactory):
    class Meta:
        model = ApplicationSection

    application = factory.SubFactory(ApplicationFactory)
    key = SectionKey.ABOUT
    answers = factory.LazyFunction(dict)
    updated_by = factory.SelfAttribute("application.started_by")


class RequestedCoverageFactory(DjangoModelFactory):
    class Meta:
        model = RequestedCoverage

    application = factory.SubFactory(ApplicationFactory, submitted=True)
    category = factory.LazyFunction(category)
    area = factory.LazyFunction(area)


class QualificationFactory(DjangoModelFactory):
    class Meta:
        model = Qualification

    organisation = factory.SubFactory(OrganisationFactory)
    category = factory.LazyFunction(category)
    area = factory.LazyFunction(area)
    area_path = factory.LazyAttribute(lambda o: o.area.path)
    granted_by = factory.SubFactory(UserFactory)


class HelpRequestFactory(DjangoModelFactory):
    class Meta:
        model = HelpRequest

    organisation = factory.SubFactory(OrganisationFactory)
    requested_by = factory.SubFactory(UserFactory)
    message = "We need help with the money section."


class DeclarationConfirmationFactory(DjangoModelFactory):
    class Meta:
        model = DeclarationConfirmation

    organisation = factory.SubFactory(OrganisationFactory)
    confirmed_by = factory.SubFactory(UserFactory)


# Valid, complete answers for every section: a micro charity giving Accommodation in Kent.
EXAMPLE_ANSWERS: dict[str, dict] = {
    SectionKey.ABOUT: {"what_you_do": "We help people find a home.", "probation_experience": "yes"},
    SectionKey.EXCLUSION: {
        "mandatory": "no",
        "mandatory_details": "",
        "discretionary": "no",
        "discretionary_details": "",
    },
    SectionKey.FINANCE: {"turnover": "45000.00"},
    SectionKey.INSURANCE: {
        "employers_liability": "yes",
        "employers_liability_amount": "5000000.00",
        "public_liability": "yes",
        "public_liability_amount": "1000000.00",
        "professional_indemnity": "no",
        "professional_indemnity_amount": "",
    },
    SectionKey.SAFEGUARDING: {
        "safeguarding_policy": "yes",
        "dbs_checks": "yes",
        "data_protection_policy": "yes",
        "ico_number": "ZA123456",
    },
    SectionKey.SECURITY: {"all_true": "yes", "gaps": "", "cyber_essentials": ""},
    SectionKey.SERVICES: {"categories": ["accommodation"], "where": "some", "areas": ["E23000032"]},
    SectionKey.DECLARATION: {"confirmed": True},
}


def make_complete_application(*, organisation=None, user=None, **kwargs) -> Application:
    """A draft application whose every section is complete, ready to submit."""
    user = user or UserFactory()
    application = ApplicationFactory(organisation=organisation or OrganisationFactory(), started_by=user, **kwargs)
    now = timezone.now()
    for key in SectionKey.values:
        ApplicationSection.objects.create(
            application=application, key=key, answers=dict(EXAMPLE_ANSWERS[key]), updated_by=user, completed_at=now
        )
    RequestedCoverage.objects.create(application=application, category=category(), area=area("E23000032"))
    return application

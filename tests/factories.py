"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import (
    Membership,
    Organisation,
    OrganisationType,
    Role,
    Size,
    StaffBand,
    StaffRole,
    TurnoverBand,
    User,
)
from reference.models import Area

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    # Most tests are about people who have confirmed their address; pass None for one who has not.
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Example Charity {n}")
    organisation_type = OrganisationType.REGISTERED_CHARITY
    charity_number = factory.Sequence(lambda n: f"{1100000 + n}")
    staff_band = StaffBand.UNDER_10
    turnover_band = TurnoverBand.UP_TO_2M
    size = Size.MICRO
    address_line_1 = "1 High Street"
    town = "Maidstone"
    postcode = "ME14 1AA"
    contact_email = factory.Sequence(lambda n: f"office{n}@example.org")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    is_admin = False


class StaffRoleFactory(DjangoModelFactory):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    role = Role.ASSESSOR
    area = None


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def make_user_with_role(role: str, *, area_code: str | None = None, **user_kwargs) -> User:
    """A staff user holding one role; commissioners default to region K, practitioners to region K."""
    user = UserFactory(**user_kwargs)
    if role in (Role.COMMISSIONER, Role.PRACTITIONER) and area_code is None:
        area_code = "K"
    StaffRoleFactory(user=user, role=role, area=Area.objects.get(code=area_code) if area_code else None)
    return user


def make_provider_user(*, is_admin: bool = True, organisation: Organisation | None = None, **user_kwargs) -> User:
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organisation=organisation or OrganisationFactory(), is_admin=is_admin)
    return user

"""Bad input to the draft and to sending: a plain message for each, nothing saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role
from contracts.models import Contract
from referrals import services
from referrals.models import Referral
from referrals.tests.factories import complete_draft, referral_world
from tests.factories import make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return referral_world()


def errors(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict if hasattr(error.value, "error_dict") else {"": error.value.messages}


def test_a_date_of_birth_in_the_future_is_refused(world):
    draft = complete_draft(world)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    problem = errors(
        lambda: services.referral_update(actor=world["practitioner"], referral=draft, date_of_birth=tomorrow)
    )
    assert problem == {"date_of_birth": ["The date of birth must be in the past"]}
    draft.refresh_from_db()
    assert draft.date_of_birth == datetime.date(1990, 4, 1)  # nothing saved


@pytest.mark.parametrize("crn", ["X12345", "X1234567", "1234567", "XX23456", "X12345Z", ""])
def test_a_malformed_crn_is_refused(world, crn):
    draft = complete_draft(world)
    if crn == "":
        services.referral_update(actor=world["practitioner"], referral=draft, crn=crn)  # blank: not given yet
        return
    assert "crn" in errors(lambda: services.referral_update(actor=world["practitioner"], referral=draft, crn=crn))


@pytest.mark.parametrize(
    ("years_old", "problem"),
    [
        (17, "This service is for people aged 18 or over"),
        (18, None),  # the youngest the contract takes, on their birthday
        (25, None),  # the oldest
        (26, "This service is for people aged 25 or under"),
    ],
)
def test_the_contracts_age_range_is_asked_at_its_edges(world, years_old, problem):
    """Who the contract is for is the contracts app's (min_age/max_age, both ends included)."""
    draft = complete_draft(world)
    Contract.objects.filter(pk=world["contract"].pk).update(min_age=18, max_age=25)
    today = timezone.localdate()
    born = (
        today.replace(year=today.year - years_old)
        if (today.month, today.day) != (2, 29)
        else today.replace(year=today.year - years_old, day=28)
    )
    if problem is None:
        services.referral_update(actor=world["practitioner"], referral=draft, date_of_birth=born)
        return
    found = errors(lambda: services.referral_update(actor=world["practitioner"], referral=draft, date_of_birth=born))
    assert found["date_of_birth"][0].startswith(problem)


def test_a_contract_not_yet_started_or_ended_takes_no_referral(world):
    contract = world["contract"]
    Contract.objects.filter(pk=contract.pk).update(starts_on=timezone.localdate() + datetime.timedelta(days=1))
    contract.refresh_from_db()
    assert "has not started yet" in str(
        errors(lambda: services.referral_create(actor=world["practitioner"], contract=contract))
    )
    Contract.objects.filter(pk=contract.pk).update(starts_on=timezone.localdate() - datetime.timedelta(days=400))
    contract.versions.update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    contract.refresh_from_db()
    assert "has ended" in str(errors(lambda: services.referral_create(actor=world["practitioner"], contract=contract)))


def test_only_a_practitioner_with_a_region_starts_one(world):
    for user in (
        world["commissioner"] if "commissioner" in world else make_user_with_role(Role.COMMISSIONER),
        world["admin"],
    ):
        assert "Only a probation practitioner" in str(
            errors(lambda u=user: services.referral_create(actor=u, contract=world["contract"]))
        )
    national = make_user_with_role(Role.PRACTITIONER, area_code="K04000001")
    national.staff_roles.update(area=None)
    assert "no probation region" in str(
        errors(lambda: services.referral_create(actor=national, contract=world["contract"]))
    )


def test_an_incomplete_draft_says_everything_missing(world):
    referral = services.referral_create(actor=world["practitioner"], contract=world["contract"])
    problems = errors(lambda: services.referral_send(actor=world["practitioner"], referral=referral))
    assert {"crn", "first_name", "date_of_birth", "categories", "risk_summary", "complete_by"} <= set(problems)
    assert Referral.objects.get(pk=referral.pk).sent_at is None


def test_support_outside_the_contracts_service_type_is_refused(world):
    from reference.models import ServiceCategory

    draft = complete_draft(world)
    other = ServiceCategory.objects.exclude(pk__in=world["contract"].service_type.categories.all()).first()
    problem = errors(
        lambda: services.referral_set_categories(actor=world["practitioner"], referral=draft, choices={other.pk: {}})
    )
    assert problem == {"categories": ["Select types of support this service offers"]}


def test_another_practitioner_cannot_change_the_draft(world):
    draft = complete_draft(world)
    assert errors(lambda: services.referral_update(actor=world["colleague"], referral=draft, first_name="Someone"))

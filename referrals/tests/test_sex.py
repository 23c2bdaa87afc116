"""A referral records the person's sex as probation records it (`Referral.sex`, apart from the
gender they describe), and a draft or a send is refused, with a plain message, when the contract is
for the other sex only (`contracts.rules.sex_admitted`, the part of `person_admitted` about sex)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from contracts.models import Contract, EligibleSex, OrderType, PersonSex
from contracts.rules import person_admitted, sex_admitted
from referrals import services
from referrals.eligibility import sex_refusal
from referrals.models import Referral
from referrals.tests.factories import PERSON, complete_draft, referral_world, sent_referral

pytestmark = pytest.mark.django_db

ONLY_MEN = "This service is only for men"
ONLY_WOMEN = "This service is only for women"


@pytest.fixture
def world():
    return referral_world()


def _eligible_sex(world, eligible: str) -> None:
    Contract.objects.filter(pk=world["contract"].pk).update(eligible_sex=eligible)
    world["contract"].refresh_from_db()


def test_sex_admitted_is_the_sex_part_of_person_admitted():
    for sex in PersonSex:
        part = sex_admitted(sex).q().children
        whole = person_admitted(age=30, sex=sex, order_type=OrderType.LICENCE, pre_release=False).q().children
        assert part and all(condition in whole for condition in part)
    with pytest.raises(ValueError, match="PersonSex"):
        sex_admitted("Female")  # the gender as described, not a recorded sex


@pytest.mark.parametrize(
    ("eligible", "sex", "problem"),
    [
        (EligibleSex.WOMEN, PersonSex.FEMALE, None),
        (EligibleSex.WOMEN, PersonSex.MALE, ONLY_WOMEN),
        (EligibleSex.MEN, PersonSex.MALE, None),
        (EligibleSex.MEN, PersonSex.FEMALE, ONLY_MEN),
        (EligibleSex.ANY, PersonSex.FEMALE, None),
        (EligibleSex.ANY, PersonSex.MALE, None),
    ],
)
def test_the_refusal_follows_the_contract(eligible, sex, problem):
    contract = Contract(eligible_sex=eligible)
    refusal = sex_refusal(contract, sex)
    assert refusal == problem if problem is None else refusal.startswith(problem)


@pytest.mark.parametrize(
    ("eligible", "sex", "problem"),
    [
        (EligibleSex.WOMEN, PersonSex.FEMALE, None),
        (EligibleSex.MEN, PersonSex.FEMALE, ONLY_MEN),
        (EligibleSex.WOMEN, PersonSex.MALE, ONLY_WOMEN),
        (EligibleSex.ANY, PersonSex.FEMALE, None),
        (EligibleSex.ANY, PersonSex.MALE, None),
    ],
)
def test_the_draft_keeps_only_a_sex_the_contract_takes(world, eligible, sex, problem):
    draft = complete_draft(world)  # a woman, saved while the contract took anyone
    _eligible_sex(world, eligible)
    draft.contract.refresh_from_db()
    save = lambda: services.referral_update(actor=world["practitioner"], referral=draft, sex=sex)  # noqa: E731
    if problem is None:
        save()
        assert Referral.objects.get(pk=draft.pk).sex == sex
        return
    with pytest.raises(ValidationError) as error:
        save()
    assert error.value.message_dict["sex"][0].startswith(problem)
    assert Referral.objects.get(pk=draft.pk).sex == PERSON["sex"]


def test_send_refused_when_the_contract_is_for_men_only(world):
    draft = complete_draft(world)  # a woman, saved while the contract took anyone
    _eligible_sex(world, EligibleSex.MEN)
    with pytest.raises(ValidationError) as error:
        services.referral_send(actor=world["practitioner"], referral=draft)
    assert error.value.message_dict["sex"][0].startswith(ONLY_MEN)
    assert Referral.objects.get(pk=draft.pk).sent_at is None
    _eligible_sex(world, EligibleSex.WOMEN)
    assert services.referral_send(actor=world["practitioner"], referral=draft).sent_at is not None


def test_send_needs_the_sex(world):
    draft = complete_draft(world)
    Referral.objects.filter(pk=draft.pk).update(sex=None)  # a draft started before the question was asked
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.referral_send(actor=world["practitioner"], referral=draft)
    assert error.value.message_dict == {"sex": ["Select their sex"]}


def test_only_a_recorded_sex_is_kept(world):
    draft = complete_draft(world)
    with pytest.raises(ValidationError) as error:
        services.referral_update(actor=world["practitioner"], referral=draft, sex="Non-binary")
    assert "sex" in error.value.message_dict
    assert Referral.objects.get(pk=draft.pk).sex == PERSON["sex"]


def test_the_sex_is_sealed_at_rest(world):
    draft = complete_draft(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sex FROM referrals_referral WHERE id = %s", [draft.pk])
        stored = cursor.fetchone()[0]
    assert stored and PERSON["sex"] not in stored
    assert Referral.objects.get(pk=draft.pk).sex == PERSON["sex"]


def _person_page(client, world, draft, **changes):
    client.force_login(world["practitioner"])
    born = PERSON["date_of_birth"]
    data = {
        "crn": "X123456",
        "first_name": PERSON["first_name"],
        "last_name": PERSON["last_name"],
        "date_of_birth-day": born.day,
        "date_of_birth-month": born.month,
        "date_of_birth-year": born.year,
        "sex": PersonSex.FEMALE,
        "gender": "Woman",
        **changes,
    }
    return client.post(reverse("referrals:person", args=[draft.pk]), {k: v for k, v in data.items() if v is not None})


def test_the_person_page_asks_the_sex_apart_from_the_gender(client, world):
    draft = complete_draft(world)
    client.force_login(world["practitioner"])
    page = client.get(reverse("referrals:person", args=[draft.pk])).content.decode()
    assert "What is their sex?" in page and "As recorded on their probation record" in page
    assert 'name="sex" type="radio" value="female" checked' in page  # as saved
    response = _person_page(client, world, draft, sex=PersonSex.MALE)
    assert response.status_code == 302
    saved = Referral.objects.get(pk=draft.pk)
    assert (saved.sex, saved.gender) == (PersonSex.MALE, "Woman")


def test_the_person_page_needs_the_sex(client, world):
    draft = complete_draft(world)
    response = _person_page(client, world, draft, sex=None, gender="Man")
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "Select their sex" in page
    assert Referral.objects.get(pk=draft.pk).gender == PERSON["gender"]


def test_the_person_page_says_why_in_a_govuk_error(client, world):
    draft = complete_draft(world)
    _eligible_sex(world, EligibleSex.WOMEN)
    response = _person_page(client, world, draft, sex=PersonSex.MALE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and ONLY_WOMEN in page
    assert Referral.objects.get(pk=draft.pk).sex == PersonSex.FEMALE


def _summary_row(page: str, key: str) -> str | None:
    """The value of the summary list row `key` on the page (whitespace squashed), or None."""
    found = re.search(
        rf'<dt class="govuk-summary-list__key"> {key} </dt> <dd class="govuk-summary-list__value"> (.*?) </dd>',
        re.sub(r"\s+", " ", page),
    )
    return found.group(1) if found else None


def test_check_your_answers_shows_the_sex_and_asks_for_it_when_missing(client, world):
    draft = complete_draft(world)
    Referral.objects.filter(pk=draft.pk).update(gender="Woman")
    client.force_login(world["practitioner"])
    page = client.get(reverse("referrals:check", args=[draft.pk])).content.decode()
    assert (_summary_row(page, "Sex"), _summary_row(page, "Gender")) == ("Female", "Woman")
    Referral.objects.filter(pk=draft.pk).update(sex=None)
    page = client.get(reverse("referrals:check", args=[draft.pk])).content.decode()
    assert "Select their sex" in _summary_row(page, "Sex")


def test_the_practitioner_and_the_provider_see_the_sex(client, world):
    referral = sent_referral(world)
    Referral.objects.filter(pk=referral.pk).update(sex=PersonSex.MALE, gender="Non-binary")
    for user, name in ((world["practitioner"], "referrals:detail"), (world["manager"], "referrals_provider:detail")):
        client.force_login(user)
        page = client.get(reverse(name, args=[referral.pk])).content.decode()
        assert (_summary_row(page, "Sex"), _summary_row(page, "Gender")) == ("Male", "Non-binary"), name

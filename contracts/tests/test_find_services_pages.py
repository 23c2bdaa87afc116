"""Who a contract is for (the commissioners' page and service) and the practitioner's page that
finds services (issue 12): what each shows, bad input as GOV.UK errors, and the "Refer" link that
appears once the referrals app names its start page."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
import textstat
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from contracts.models import Contract, EligibleSex, OrderType, PersonSex
from contracts.services_eligibility import contract_set_eligibility
from contracts.tests.find_world import MAIDSTONE, contract, place, today
from contracts.tests.payments_world import live_contract_world
from contracts.views_find import referral_start_url
from reference.models import Area, ServiceCategory
from tests.factories import make_user_with_role

pytestmark = pytest.mark.django_db
FIND = "/contracts/find-services/"
OPEN = {"min_age": 18, "max_age": 120, "sex": EligibleSex.ANY, "community_orders": True, "licences": True}


# --- The service ---------------------------------------------------------------------------------


def test_a_commissioner_says_who_the_contract_is_for_and_it_is_audited():
    world = live_contract_world()
    contract = world["contract"]
    changed = contract_set_eligibility(
        contract=contract,
        actor=world["first"],
        min_age=18,
        max_age=25,
        sex=EligibleSex.WOMEN,
        community_orders=False,
        licences=True,
        pre_release=False,
    )
    changed.refresh_from_db()
    assert (changed.min_age, changed.max_age, changed.eligible_sex) == (18, 25, "women")
    assert not changed.for_community_orders and changed.for_licences and not changed.pre_release
    event = AuditEvent.objects.filter(action="contract.eligibility_changed").get()
    assert event.before["max_age"] == 120 and event.before["eligible_sex"] == "any"
    assert event.after == {
        "min_age": 18,
        "max_age": 25,
        "eligible_sex": "women",
        "for_community_orders": False,
        "for_licences": True,
        "pre_release": False,
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"min_age": 17}, "min_age"),
        ({"max_age": 121}, "max_age"),
        ({"min_age": 41, "max_age": 40}, "max_age"),
        ({"min_age": True}, "min_age"),
        ({"sex": "nobody"}, "eligible_sex"),
        ({"community_orders": False, "licences": False}, "orders"),
    ],
)
def test_the_service_refuses_what_cannot_be(values, field):
    world = live_contract_world()
    with pytest.raises(ValidationError) as refused:
        contract_set_eligibility(
            contract=world["contract"], actor=world["first"], **(OPEN | {"pre_release": True} | values)
        )
    assert field in refused.value.message_dict
    assert not AuditEvent.objects.filter(action="contract.eligibility_changed").exists()
    assert Contract.objects.get(pk=world["contract"].pk).max_age == 120


def test_only_the_contracts_commissioners_may_change_it_and_not_once_it_is_over():
    world = live_contract_world()
    contract = world["contract"]
    for someone in (world["provider"], make_user_with_role(Role.COMMISSIONER), make_user_with_role(Role.PRACTITIONER)):
        with pytest.raises(ValidationError, match="Only this contract's commissioners"):
            contract_set_eligibility(contract=contract, actor=someone, pre_release=False, **OPEN)
    Contract.objects.filter(pk=contract.pk).update(
        termination_reason="mutual",
        termination_notice_on=contract.starts_on,
        terminates_on=contract.starts_on,
        termination_recorded_at=contract.created_at,
    )
    with pytest.raises(ValidationError, match="terminated"):
        contract_set_eligibility(contract=contract, actor=world["first"], pre_release=False, **OPEN)


# --- The commissioners' page and the contract page -----------------------------------------------


def test_the_contract_page_shows_who_it_is_for_and_its_commissioners_change_it(client):
    world = live_contract_world()
    contract = world["contract"]
    page_url = reverse("contracts:detail", kwargs={"pk": contract.pk})
    edit_url = reverse("contracts:eligibility", kwargs={"pk": contract.pk})
    client.force_login(world["provider"])
    page = client.get(page_url).content.decode()
    assert "Who the service is for" in page and "18 and over" in page and edit_url not in page
    assert client.get(edit_url).status_code == 404

    client.force_login(world["first"])
    assert edit_url in client.get(page_url).content.decode()
    form = client.get(edit_url).content.decode()
    assert 'name="min_age" type="text" value="18"' in form or 'value="18"' in form
    answers = {
        "min_age": "18",
        "max_age": "25",
        "eligible_sex": "women",
        "orders": ["licence"],
        "pre_release": "yes",
    }
    response = client.post(edit_url, answers)
    assert response.status_code == 302 and response["Location"] == page_url
    page = client.get(page_url).content.decode()
    assert "18 to 25" in page and "Women only" in page and "People on licences" in page


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({}, "Enter the youngest age"),
        ({"min_age": "30", "max_age": "20"}, "The oldest age must be the same as or more than the youngest age"),
        ({"min_age": "9" * 400}, "Enter the youngest age from 18 to 120"),
        ({"min_age": "ten"}, "Enter the youngest age as a whole number, like 30"),
        ({"orders": []}, "Select at least one: community orders or licences"),
        ({"orders": ["bail"]}, "Select at least one: community orders or licences"),
        ({"eligible_sex": "x"}, "Select who the service is for"),
    ],
)
def test_bad_answers_are_gov_uk_errors(client, answers, message):
    world = live_contract_world()
    client.force_login(world["first"])
    good = {"min_age": "18", "max_age": "120", "eligible_sex": "any", "orders": ["licence"], "pre_release": "no"}
    data = answers if answers == {} else good | answers
    response = client.post(reverse("contracts:eligibility", kwargs={"pk": world["contract"].pk}), data)
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert Contract.objects.get(pk=world["contract"].pk).max_age == 120


# --- The practitioner's page -------------------------------------------------------------------


@pytest.fixture
def practitioner(client):
    user = make_user_with_role(Role.PRACTITIONER, area_code="K")
    client.force_login(user)
    return client


def _query(**changes) -> dict:
    return {
        "local_authority": str(place(MAIDSTONE).pk),
        "categories": [str(ServiceCategory.objects.get(code="accommodation").pk)],
        "age": "30",
        "sex": PersonSex.FEMALE,
        "order_type": OrderType.LICENCE,
        "pre_release": "no",
    } | changes


def _text(html: str) -> str:
    main = html.split('id="main-content"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1])))


def test_the_practitioner_finds_services_for_a_person(practitioner):
    womens = contract(service_type="womens-services", title="Women's services: Kent", eligible_sex=EligibleSex.WOMEN)
    men = contract(title="Men only", eligible_sex=EligibleSex.MEN)
    Contract.objects.filter(pk=womens.pk).update(max_age=60)
    blank = practitioner.get(FIND).content.decode()
    assert "Find services" in blank and "service found" not in blank and "services found" not in blank
    # Only the places in the practitioner's region are offered.
    assert f'value="{place(MAIDSTONE).pk}"' in blank and "Leeds" not in blank

    page = practitioner.get(FIND, _query()).content.decode()
    text = _text(page)
    assert "1 service found" in text
    assert womens.supplier.display_name in text and men.supplier.display_name not in text
    assert "Women's Services" in text and "Kent" in text and "18 to 60" in text and "Women only" in text
    assert "Accommodation" in text  # what it offers
    assert f'href="/referrals/start/{womens.pk}/"' in page  # the result's "Refer" link
    # The page's own words are plain English (the types of help are reference data, left out).
    words = text.split("Find services", 1)[1].split("1 service found", 1)[0]
    for category in ServiceCategory.objects.all():
        words = words.replace(category.name, " ").replace(category.description, " ")
    words += " " + _text(practitioner.get(FIND, _query(age="61")).content.decode()).split("found", 1)[1]
    grade = textstat.flesch_kincaid_grade(words)
    assert grade <= 8, (grade, words)

    nothing = _text(practitioner.get(FIND, _query(age="61")).content.decode())
    assert "0 services found" in nothing and "No service open today fits this person" in nothing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"age": ""}, "Enter their age"),
        ({"age": "17"}, "Enter their age from 18 to 120"),
        ({"age": "121"}, "Enter their age from 18 to 120"),
        ({"age": "9" * 5000}, "Enter their age as a whole number, like 30"),
        ({"age": "-1"}, "Enter their age from 18 to 120"),
        ({"age": "thirty"}, "Enter their age as a whole number, like 30"),
        ({"local_authority": ""}, "Select where the person lives"),
        ({"local_authority": "abc"}, "Select where the person lives from the list"),
        ({"local_authority": "99999999999999999999999"}, "Select where the person lives from the list"),
        ({"categories": []}, "Select at least one type of help"),
        ({"categories": ["x"]}, "Select the types of help from the list"),
        ({"sex": "other"}, "Select their sex"),
        ({"order_type": "bail"}, "Select what they are on"),
        ({"pre_release": "maybe"}, "Select yes if they are still in prison"),
        ({"age": "3\x000"}, "How old are they? must not include hidden characters"),
    ],
)
def test_bad_input_is_a_gov_uk_error_never_a_server_error(practitioner, changes, message):
    response = practitioner.get(FIND, _query(**changes))
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "There is a problem" in page and message in page and "found" not in _text(page)


def test_a_place_outside_the_practitioners_region_is_refused(practitioner):
    outside = Area.objects.filter(level="local_authority").exclude(path__startswith=place("K").path).first()
    page = unescape(practitioner.get(FIND, _query(local_authority=str(outside.pk))).content.decode())
    assert "Select where the person lives from the list" in page


def test_a_practitioner_without_a_region_is_told_why_the_list_is_empty(client):
    user = make_user_with_role(Role.PRACTITIONER, area_code="K")
    user.staff_roles.update(area=None)
    client.force_login(user)
    assert "Your role is not linked to a region yet" in client.get(FIND).content.decode()


def test_each_result_links_to_the_referrals_start_page(practitioner):
    """The referrals app names its start page (`referrals:start`); the link is made in one place."""
    service = contract()
    assert referral_start_url(service) == f"/referrals/start/{service.pk}/"
    page = practitioner.get(FIND, _query(sex=PersonSex.MALE)).content.decode()
    assert f'href="/referrals/start/{service.pk}/"' in page and ">Refer<" in page


def test_dates_are_asked_of_today(practitioner):
    """The page asks for services live today (the database's London date)."""
    ended = contract(ends_on=today() - datetime.timedelta(days=2))
    page = practitioner.get(FIND, _query(sex=PersonSex.MALE)).content.decode()
    assert ended.supplier.display_name not in page

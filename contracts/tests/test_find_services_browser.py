"""In a real browser, every page checked with axe: a probation practitioner finds a service for a
person (issue 12), choosing the place through the autocomplete, first making a mistake; a
commissioner says who a contract is for from its page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from contracts.models import Contract, EligibleSex
from contracts.tests.find_world import contract
from contracts.tests.payments_world import live_contract_world
from tests.factories import make_user_with_role
from tests.fixtures import browser_sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_practitioner_finds_a_service_for_a_person(ui):
    womens = contract(service_type="womens-services", title="Women's services: Kent", eligible_sex=EligibleSex.WOMEN)
    men = contract(title="Accommodation: Kent", eligible_sex=EligibleSex.MEN)
    problems: list[str] = []
    ui.page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    ui.page.on("pageerror", lambda e: problems.append(str(e)))
    browser_sign_in(ui, make_user_with_role(Role.PRACTITIONER, area_code="K"))
    page = ui.goto("/")
    page.get_by_role("link", name="Find services").click()
    ui.check()
    expect(page.get_by_role("heading", name="Find services")).to_be_visible()

    # A mistake first: nothing chosen.
    page.get_by_role("button", name="Find services").click()
    ui.check()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select where the person lives")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their age")

    box = page.locator("input#local_authority.autocomplete__input")
    expect(box).to_be_visible()
    box.fill("Maid")
    option = page.get_by_role("option", name="Maidstone")
    expect(option).to_be_visible()
    ui.check()  # axe with the list open
    option.click()
    page.get_by_label("Accommodation").check()
    page.get_by_label("How old are they?").fill("34")
    page.get_by_role("group", name="What is their sex?").get_by_label("Female").check()
    page.get_by_label("A licence").check()
    page.get_by_role("group", name="Are they still in prison?").get_by_label("No").check()
    page.get_by_role("button", name="Find services").click()
    ui.check()
    expect(page.get_by_role("heading", name="1 service found")).to_be_visible()
    card = page.locator(".govuk-summary-card")
    expect(card).to_contain_text(womens.supplier.display_name)
    expect(card).to_contain_text("Women only")
    expect(page.locator("main")).not_to_contain_text(men.supplier.display_name)
    # The answers stay on the form to change.
    expect(page.get_by_label("How old are they?")).to_have_value("34")
    assert not problems, problems


def test_a_commissioner_says_who_a_contract_is_for(ui):
    world = live_contract_world()
    browser_sign_in(ui, world["first"])
    page = ui.goto(f"/contracts/{world['contract'].pk}/")
    page.get_by_role("link", name="Change who the service is for: ages").click()
    ui.check()
    page.get_by_label("Oldest age").fill("10")
    page.get_by_role("button", name="Save").click()
    ui.check()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the oldest age from 18 to 120")
    page.get_by_label("Oldest age").fill("25")
    page.get_by_label("Women only").check()
    page.get_by_label("People on a community order").uncheck()
    page.get_by_role("button", name="Save").click()
    ui.check()
    expect(page.locator("#eligibility + .govuk-summary-list")).to_contain_text("18 to 25")
    contract = Contract.objects.get(pk=world["contract"].pk)
    assert (contract.max_age, contract.eligible_sex, contract.for_community_orders) == (25, "women", False)

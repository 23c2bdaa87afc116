"""Choosing a partner in a real browser, with axe on every page: without JavaScript through the
search form and its results, and with JavaScript through the autocomplete (checked with its list open)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from competitions.models import BidPartner
from competitions.services import bids as svc
from competitions.tests.factories import invite, make_competition
from qualification.tests.assessor_factories import qualify
from tests.factories import OrganisationFactory, make_provider_user
from tests.fixtures import browser_sign_in

pytestmark = pytest.mark.browser
KENT = "E23000032"
SURREY = "E23000031"


@pytest.fixture
def world(transactional_db):
    from reference.loading import load
    from reference.models import Area

    if not Area.objects.exists():
        load()
    competition = make_competition()
    user = make_provider_user(full_name="Cy National")
    invite(competition, user.memberships.get().organisation)
    bid = svc.bid_start(competition=competition, user=user)
    svc.bid_lots_set(bid=bid, user=user, lot_ids=[lot.pk for lot in competition.lots.all()])
    hostel = OrganisationFactory(legal_name="Hostel Partners", town="Canterbury")
    qualify(hostel, "accommodation", KENT)
    qualify(OrganisationFactory(legal_name="Hostel Partners Surrey", town="Guildford"), "accommodation", SURREY)
    qualify(OrganisationFactory(legal_name="Women's Hostel", town="Dover"), "women", KENT)
    for n in range(25):
        qualify(OrganisationFactory(legal_name=f"Kent Support {n:02d}"), "accommodation", KENT)
    return {"competition": competition, "user": user, "hostel": hostel, "bid": bid}


def add_url(competition):
    return reverse("competitions:bid-partner-add", kwargs={"competition_id": competition.pk})


def fill_partner_details(ui, *, share: str):
    page = ui.page
    page.get_by_label("Subcontractor: they do part of the work for you").check()
    page.get_by_label("Their share of the work, as a percentage").fill(share)
    page.get_by_label("Lot 1: Kent").check()
    page.get_by_role("button", name="Add partner").click()
    ui.check()


def test_choose_a_partner_without_javascript(world, ui):
    # None of the service's scripts run (axe itself still needs the browser's JavaScript engine,
    # so the scripts are refused rather than JavaScript switched off).
    ui.page.route("**/*.mjs", lambda route: route.abort())
    ui.page.route("**/*.js", lambda route: route.abort())
    competition = world["competition"]
    browser_sign_in(ui, world["user"])
    page = ui.goto(reverse("competitions:bid-partners", kwargs={"competition_id": competition.pk}))
    page.get_by_role("button", name="Add a partner").click()
    ui.check()
    # A search that finds too many: results a page at a time.
    page.get_by_label("Type of support").select_option(label="Accommodation")
    page.get_by_role("button", name="Search").click()
    ui.check()
    expect(page.locator("#results")).to_have_text("27 organisations found")
    page.get_by_role("link", name="Next").click()
    ui.check()
    # A narrower search: by name and area.
    expect(page.locator("input#search")).not_to_have_class("autocomplete__input")
    page.get_by_label("Organisation name").fill("hostel")
    page.get_by_label("Area they work in").select_option(label="— — Kent")
    page.get_by_role("button", name="Search").click()
    ui.check()
    expect(page.locator("#results")).to_have_text("1 organisation found")
    expect(page.locator("main")).not_to_contain_text("Hostel Partners Surrey")
    page.get_by_role("link", name="Choose Hostel Partners").click()
    ui.check()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Hostel Partners")
    # A mistake is shown with the choice kept.
    page.get_by_role("button", name="Add partner").click()
    ui.check()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their share of the work")
    fill_partner_details(ui, share="20")
    expect(page.locator(".govuk-summary-card__title")).to_have_text("Hostel Partners")
    assert BidPartner.objects.get().organisation == world["hostel"]
    # A partner that is not on the framework, by name.
    page.get_by_role("button", name="Add a partner").click()
    ui.check()
    page.get_by_role("link", name="Add a partner by name").click()
    ui.check()
    page.get_by_label("Name of the organisation").fill("Local Food Bank")
    fill_partner_details(ui, share="5")
    assert set(BidPartner.objects.values_list("name", flat=True)) == {"Hostel Partners", "Local Food Bank"}


def test_choose_a_partner_with_the_autocomplete(world, ui):
    competition = world["competition"]
    problems: list[str] = []
    ui.page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    ui.page.on("pageerror", lambda e: problems.append(str(e)))
    browser_sign_in(ui, world["user"])
    page = ui.goto(add_url(competition))
    box = page.locator("input#search.autocomplete__input")
    expect(box).to_be_visible()
    page.get_by_label("Type of support").select_option(label="Accommodation")
    box.fill("hostel")
    option = page.get_by_role("option", name="Hostel Partners, Canterbury")
    expect(option).to_be_visible()
    expect(page.get_by_role("option", name="Hostel Partners Surrey, Guildford")).to_be_visible()
    expect(page.get_by_role("option", name="Women's Hostel, Dover")).to_have_count(0)  # other support
    ui.check()  # axe with the list open
    box.fill("no such organisation")
    expect(page.locator(".autocomplete__option--no-results")).to_have_text("No organisations found")
    ui.check()
    box.fill("hostel part")
    expect(option).to_be_visible()
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")  # on the option, which has the focus now
    page.wait_for_url(re.compile(re.escape(f"{add_url(competition)}?organisation={world['hostel'].pk}") + "$"))
    ui.check()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Hostel Partners")
    fill_partner_details(ui, share="20")
    expect(page.locator(".govuk-summary-card__title")).to_have_text("Hostel Partners")
    assert BidPartner.objects.get().organisation == world["hostel"]
    # Pressing Search without choosing a suggestion gives the same results page as without JavaScript.
    ui.goto(add_url(competition))
    page.locator("input#search").fill("Kent Support 1")
    page.locator("input#search").press("Escape")
    page.get_by_role("button", name="Search").click()
    ui.check()
    expect(page.locator("#results")).to_have_text("12 organisations found")  # every word matches: 01, 10 to 19, 21
    assert not problems, problems

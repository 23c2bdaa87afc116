"""The public pages in a real browser, each checked with axe."""

from __future__ import annotations

from decimal import Decimal

from competitions.tests.factories import make_bid, make_competition
from publicdata.tests.factories import make_contract
from tests.factories import OrganisationFactory


def test_a_member_of_the_public_follows_opportunities_and_contracts(ui):
    open_competition = make_competition()
    make_bid(open_competition, OrganisationFactory(legal_name="Hidden Bidder"))
    contract = make_contract(
        title="Kent housing",
        partners=[(OrganisationFactory(legal_name="Little Helpers"), "subcontractor", Decimal("15"))],
        funding=[("Police and Crime Commissioner for Kent", Decimal("20"))],
    )

    page = ui.goto("/public/opportunities/")
    assert page.locator("h1").inner_text() == "Opportunities"
    page.get_by_label("Region").select_option("K")
    page.get_by_role("button", name="Show opportunities").click()
    ui.check()
    page.get_by_role("link", name=open_competition.title).click()
    ui.check()
    assert page.locator("h1").inner_text() == open_competition.title
    assert "Hidden Bidder" not in page.content()

    page = ui.goto(f"/public/opportunities/{contract.lot.competition_id}/")
    assert "Won by" in page.content()

    page = ui.goto("/public/contracts/")
    page.get_by_label("Organisation name").fill("little")
    page.get_by_role("button", name="Show contracts").click()
    ui.check()
    assert "1 contract matches your filters" in page.content()
    page.get_by_role("link", name="Kent housing").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Kent housing"
    assert "Little Helpers" in page.content()

    page = ui.goto("/public/contracts/?size=enormous")
    assert page.title().startswith("Error:")
    assert page.locator(".govuk-error-summary").is_visible()


def test_a_member_of_the_public_reads_opportunities_a_page_at_a_time(ui):
    from publicdata.views import PER_PAGE

    for number in range(PER_PAGE + 1):
        competition = make_competition(lots=["Kent"])
        competition.title = f"Housing support {number:02d}"
        competition.save(update_fields=["title"])

    page = ui.goto("/public/opportunities/")
    ui.check()
    page.get_by_role("link", name="Next").click()
    ui.check()
    assert f"Open for bids ({PER_PAGE + 1}), continued" in page.content()
    assert page.get_by_role("link", name="Previous").is_visible()

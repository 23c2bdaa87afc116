"""In a real browser, every page checked with axe: a commissioner lands on the account page after
signing in, reads the flags of their contracts, follows one to the contract years it holds for and
shows every year; the provider does the same for its own contract."""

from __future__ import annotations

import pytest

from contracts.tests.payments_world import live_contract_world
from tests.fixtures import browser_sign_in


@pytest.mark.django_db(transaction=True)
def test_commissioner_and_provider_read_their_contracts_flags(ui):
    # A contract five months into its first year with no referrals: "Demand below contract".
    world = live_contract_world()
    title = world["contract"].title
    for person in (world["first"], world["provider"]):
        browser_sign_in(ui, person)
        page = ui.goto("/account/")
        assert page.get_by_role("heading", name="Flags on your contracts").is_visible()
        page.get_by_role("link", name="Demand below contract").click()
        ui.check()
        assert page.get_by_role("heading", name="Volumes and value: demand below contract").is_visible()
        assert page.get_by_role("link", name=title).is_visible()
        page.get_by_role("link", name="Show every year").click()
        ui.check()
        assert page.get_by_role("heading", name="What the flags mean").is_visible()
        assert page.get_by_text("Demand below contract", exact=True).first.is_visible()

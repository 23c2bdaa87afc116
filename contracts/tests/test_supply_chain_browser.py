"""In a real browser, every page checked with axe: a prime records what it paid its partners
(with a mistake the page explains, and a correction); the commissioner sees committed beside
delivered share on the contract page; the public register and the smaller-providers insight,
read by money actually paid, show the shares."""

import datetime

import pytest

from contracts.models import PartnerPayment
from contracts.selectors import payment_periods, terms_in_force
from contracts.tests.payments_world import live_contract_world
from contracts.tests.test_supply_chain import _prime_paid, add_partners
from tests.fixtures import browser_sign_in


def _fill_date(page, day: datetime.date) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


@pytest.mark.django_db(transaction=True)
def test_a_prime_records_partner_payments_and_the_public_sees_the_shares(ui):
    world = live_contract_world()
    contract = world["contract"]
    add_partners(contract)
    periods = payment_periods(contract, terms_in_force(contract))
    _prime_paid(world, periods[0], amount="20000", paid_on=periods[0][1] + datetime.timedelta(days=5))
    c = contract.pk

    browser_sign_in(ui, world["provider"])
    page = ui.goto(f"/contracts/{c}/")
    page.get_by_role("link", name="Supply chain", exact=True).click()
    ui.check()
    page.get_by_role("link", name="Record a payment to a partner").click()
    ui.check()
    # A payment dated before its period starts: a clear message, and nothing recorded.
    page.get_by_label("Medway Mentors").check()
    page.get_by_label("Which payment period was it for?").select_option(periods[0][0].isoformat())
    page.get_by_label("Amount paid").fill("£5,000")
    _fill_date(page, periods[0][0] - datetime.timedelta(days=1))
    page.get_by_role("button", name="Record payment").click()
    ui.check()
    assert page.get_by_text("must be on or after the period starts").first.is_visible()
    _fill_date(page, periods[0][1] + datetime.timedelta(days=15))
    page.get_by_role("button", name="Record payment").click()
    ui.check()
    assert page.get_by_text("Payment to the partner recorded").is_visible()
    # The other partner, paid late (more than 30 days after the prime was paid).
    page.get_by_role("link", name="Record a payment to a partner").click()
    page.get_by_label("Kent Housing Co-op").check()
    page.get_by_label("Which payment period was it for?").select_option(periods[0][0].isoformat())
    page.get_by_label("Amount paid").fill("3000")
    _fill_date(page, min(periods[0][1] + datetime.timedelta(days=45), datetime.date.today()))
    page.get_by_label("Note (optional)").fill("Invoice KHC-104")
    page.get_by_role("button", name="Record payment").click()
    ui.check()
    assert page.get_by_text("Paid late").first.is_visible()
    # A correction: money returned, never an edit of the payment.
    first = PartnerPayment.objects.get(name="Medway Mentors")
    page.get_by_role("link", name="Correct the payment to Medway Mentors").click()
    ui.check()
    page.get_by_label("Amount of the correction").fill("-1000")
    _fill_date(page, first.paid_on)
    page.get_by_label("What is the correction for?").fill("One workshop was cancelled; the money came back.")
    page.get_by_role("button", name="Record correction").click()
    ui.check()
    assert page.get_by_text("(correction)").is_visible()

    # The commissioner sees the same on the contract page.
    browser_sign_in(ui, world["first"])
    page = ui.goto(f"/contracts/{c}/")
    ui.check()
    summary = page.locator("#supply-chain-summary")
    assert summary.get_by_role("cell", name="25%").is_visible()  # Medway Mentors' committed share
    assert summary.get_by_role("cell", name="20%").first.is_visible()  # its delivered share: 4,000 of 20,000

    # The public: the register with both shares, and the insight by money actually paid.
    page = ui.goto("/public/contracts/")
    ui.check()
    row = page.get_by_role("row").filter(has_text=contract.title)
    assert row.get_by_role("cell", name="40%").is_visible() and row.get_by_role("cell", name="35%").is_visible()
    page = ui.goto("/insights/smaller-providers/")
    page.get_by_label("Count the money").select_option("paid")
    page.get_by_role("button", name="Show figures").click()
    ui.check()
    assert page.get_by_role("columnheader", name="Money paid to partners").is_visible()

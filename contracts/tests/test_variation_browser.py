"""In a real browser, every page checked with axe: a commissioner names the contract manager and
proposes a variation (reason, end date, years, areas, payment terms), a second commissioner
approves it, the provider names its manager and accepts it; then an extension is proposed and
withdrawn, and the contract is ended early."""

import datetime

import pytest

from accounts.models import Membership
from competitions.tests.evaluation_factories import award_world
from contracts.models import Contract
from contracts.selectors import terms_in_force
from tests.fixtures import browser_sign_in


@pytest.mark.django_db(transaction=True)
def test_variation_extension_and_termination_journey(ui):
    world = award_world()
    contract = world["contract"]
    Contract.objects.filter(pk=contract.pk).update(extension_years=2)
    first, second = [m.user for m in contract.lot.competition.members.filter(role="commissioner").order_by("pk")][:2]
    membership = Membership.objects.filter(organisation=contract.supplier).first()
    Membership.objects.filter(pk=membership.pk).update(is_admin=True)
    provider = membership.user
    c = contract.pk

    browser_sign_in(ui, first)
    page = ui.goto(f"/contracts/{c}/")
    page.get_by_role("link", name="Change commissioners' contract manager").click()
    ui.check()
    page.get_by_role("button", name="Save").click()
    ui.check()
    assert page.get_by_text("Select a contract manager").first.is_visible()
    page.get_by_label(first.full_name).check()
    page.get_by_role("button", name="Save").click()
    ui.check()
    page.get_by_role("link", name="Propose a change").click()
    ui.check()
    page.get_by_label("Circumstances nobody could have foreseen").check()
    page.get_by_label("Explain the change").fill("Twice as many people were referred as the model said.")
    page.get_by_role("button", name="Continue").click()
    ui.check()
    page.get_by_role("link", name="Change end date").click()
    ui.check()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2031")
    page.get_by_role("button", name="Save").click()
    ui.check()
    page.get_by_role("link", name="Change value and people each year").click()
    ui.check()
    page.get_by_label("People, April 2028 to March 2029").fill("-3")
    page.get_by_role("button", name="Save").click()
    ui.check()
    assert page.get_by_text("Number of people for 2028 to 2029 must be 0 or more").first.is_visible()
    page.get_by_label("People, April 2028 to March 2029").fill("240")
    page.get_by_label("Value, April 2028 to March 2029").fill("£800,000")
    page.get_by_role("button", name="Save").click()
    ui.check()
    page.get_by_role("link", name="Change areas").click()
    ui.check()
    page.get_by_role("button", name="Save").click()
    ui.check()
    page.get_by_role("link", name="Change payment terms").click()
    ui.check()
    page.get_by_label("Quarterly in arrears").check()
    page.get_by_role("button", name="Save").click()
    ui.check()
    page.get_by_role("button", name="Send for approval").click()
    ui.check()
    assert page.get_by_text("Change sent for approval").is_visible()
    assert not page.get_by_role("button", name="Approve this change").count()

    browser_sign_in(ui, second)
    page = ui.goto(f"/contracts/{c}/changes/2/")
    page.get_by_role("button", name="Approve this change").click()
    ui.check()

    browser_sign_in(ui, provider)
    page = ui.goto(f"/contracts/{c}/")
    page.get_by_role("link", name="Change provider's contract manager").click()
    ui.check()
    page.get_by_label(provider.full_name).check()
    page.get_by_role("button", name="Save").click()
    ui.check()
    page.get_by_role("link", name="Version 2", exact=True).click()
    ui.check()
    page.get_by_role("button", name="Accept this change").click()
    ui.check()
    assert page.get_by_text("Change accepted").is_visible()
    assert terms_in_force(contract).ends_on == datetime.date(2031, 3, 31)
    page = ui.goto(f"/audit/contracts.contract/{c}/")

    browser_sign_in(ui, first)
    page = ui.goto(f"/contracts/{c}/")
    assert page.get_by_text("£800,000").first.is_visible()
    page.get_by_role("link", name="Extend the contract").click()
    ui.check()
    page.get_by_label("1 year").check()
    page.get_by_label("Why extend it?").fill("Results are good.")
    page.get_by_role("button", name="Continue").click()
    ui.check()
    page.get_by_role("link", name="Decline this change").click()
    ui.check()
    page.get_by_label("Why?").fill("We will decide next spring.")
    page.get_by_role("button", name="Decline").click()
    ui.check()
    page.get_by_role("link", name="End the contract early").click()
    ui.check()
    today = datetime.date.today()
    page.get_by_label("Both sides agreed to end it").check()
    page.get_by_label("Explain why").fill("The service moves to a new model.")
    page.locator("#notice_on-day").fill(str(today.day))
    page.locator("#notice_on-month").fill(str(today.month))
    page.locator("#notice_on-year").fill(str(today.year))
    page.locator("#terminates_on-day").fill("31")
    page.locator("#terminates_on-month").fill("3")
    page.locator("#terminates_on-year").fill("2029")
    page.get_by_role("button", name="Record the termination").click()
    ui.check()
    assert page.get_by_text("Termination recorded").is_visible()
    assert page.get_by_role("heading", name="Ending early").is_visible()

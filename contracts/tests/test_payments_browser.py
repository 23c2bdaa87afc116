"""In a real browser, every page checked with axe: the provider sends a claim, the commissioner
queries it, the provider sends it again, the commissioner approves it and records the payment;
the public page of payment times."""

import datetime

import pytest

from contracts.models import PaymentClaim
from contracts.tests.payments_world import live_contract_world
from tests.fixtures import browser_sign_in


@pytest.mark.django_db(transaction=True)
def test_claim_queried_sent_again_approved_and_paid(ui):
    world = live_contract_world()
    c = world["contract"].pk

    browser_sign_in(ui, world["provider"])
    page = ui.goto(f"/contracts/{c}/")
    page.get_by_role("link", name="Payments").click()
    ui.check()
    page.get_by_role("link", name="Send a claim").click()
    ui.check()
    page.get_by_role("button", name="Send claim").click()
    ui.check()
    assert page.get_by_text("Select the period").first.is_visible()
    page.locator("input[name='period']").first.check()
    page.get_by_label("Amount claimed").fill("£12,500")
    page.get_by_label("Note (optional)").fill("Twelve people started.")
    page.get_by_role("button", name="Send claim").click()
    ui.check()
    assert page.get_by_text("Claim sent").is_visible()

    browser_sign_in(ui, world["first"])
    page = ui.goto(f"/contracts/{c}/payments/")
    page.locator("table a").first.click()
    ui.check()
    page.get_by_role("link", name="Query this claim").click()
    ui.check()
    page.get_by_label("What is wrong with the claim?").fill("The amount is more than one month's fee.")
    page.get_by_role("button", name="Send back").click()
    ui.check()

    browser_sign_in(ui, world["provider"])
    claim = PaymentClaim.objects.get()
    page = ui.goto(f"/contracts/{c}/payments/{claim.pk}/")
    page.get_by_role("link", name="Send the claim again").click()
    ui.check()
    page.get_by_label("Amount claimed").fill("10000")
    page.get_by_role("button", name="Send claim").click()
    ui.check()

    browser_sign_in(ui, world["first"])
    again = PaymentClaim.objects.get(replaces=claim)
    page = ui.goto(f"/contracts/{c}/payments/{again.pk}/")
    page.get_by_role("button", name="Approve this claim").click()
    ui.check()
    page.get_by_role("link", name="Record the payment").click()
    ui.check()
    today = datetime.date.today()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Save").click()
    ui.check()
    assert page.get_by_text("Payment recorded").is_visible()
    page = ui.goto(f"/contracts/{c}/payments/")
    assert page.get_by_text("Paid (0 days)").is_visible()

    # Too much was paid: the provider sends a negative correction, never an edit.
    browser_sign_in(ui, world["provider"])
    page = ui.goto(f"/contracts/{c}/payments/{again.pk}/")
    page.get_by_role("link", name="Send a correction").click()
    ui.check()
    page.get_by_label("Amount of the correction").fill("-250")
    page.get_by_label("What is the correction for?").fill("Two sessions were cancelled.")
    page.get_by_role("button", name="Send correction").click()
    ui.check()
    assert page.get_by_text("(correction)").is_visible()

    page = ui.goto("/contracts/payment-times/")
    assert page.get_by_text("Fewer than 5 claims paid").is_visible()


@pytest.mark.django_db(transaction=True)
def test_payment_times_page_with_figures(ui):
    from contracts.tests.test_payments import _paid_claims

    world = live_contract_world()
    _paid_claims(world, 6, [10, 20, 40])
    page = ui.goto("/contracts/payment-times/")
    assert page.get_by_role("cell", name="66.7%").is_visible()

"""In a real browser, every page checked with axe: a commissioner goes from the dashboard to the
claims waiting and late, and on to a claim; the provider reads what it is owed and when."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts import services
from contracts.models import PaymentClaim
from contracts.selectors import claimable_periods, terms_in_force
from contracts.tests.payments_world import live_contract_world
from tests.fixtures import browser_sign_in


def _send(world, index: int, *, sent_days_ago: int = 0) -> PaymentClaim:
    contract = world["contract"]
    start = claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[index][0]
    claim = services.claim_send(
        contract=contract, period_start=start, quantity=None, amount=Decimal("2500"), note="", actor=world["provider"]
    )
    PaymentClaim.objects.filter(pk=claim.pk).update(sent_at=timezone.now() - datetime.timedelta(days=sent_days_ago))
    return claim


@pytest.mark.django_db(transaction=True)
def test_claims_waiting_and_late_and_what_the_provider_is_owed(ui):
    world = live_contract_world()
    _send(world, 0)
    late = _send(world, 1, sent_days_ago=40)
    services.claim_approve(claim=late, actor=world["second"])

    browser_sign_in(ui, world["first"])
    page = ui.goto("/opportunities/manage/")
    page.get_by_role("link", name="Payment claims waiting for you and claims paid late").click()
    ui.check()
    assert page.get_by_role("heading", name="Payment claims").is_visible()
    page.get_by_role("link", name="Late (1)").click()
    ui.check()
    assert page.get_by_text("Late", exact=True).last.is_visible()
    page.locator("table a").first.click()
    ui.check()
    assert (
        page.get_by_role("button", name="Record the payment").count()
        + page.get_by_role("link", name="Record the payment").count()
        == 1
    )

    browser_sign_in(ui, world["provider"])
    page = ui.goto("/contracts/")
    page.get_by_role("link", name="What you are owed, and when it should be paid").click()
    ui.check()
    assert page.get_by_role("heading", name="What you are owed").is_visible()
    assert page.get_by_text("£2,500.00").first.is_visible()

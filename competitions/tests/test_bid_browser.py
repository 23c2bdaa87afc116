"""Bidding in a real browser, every page checked with axe: a two-person charity bids for one lot,
a national provider bids for all three lots in one submission with a subcontractor, withdraws
and sends again; after the closing date a late bid is refused with the GOV.UK message."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from competitions.models import Bid
from competitions.services import bids as svc
from competitions.tests.factories import invite, make_competition
from competitions.tests.test_bid_services import fill
from qualification.models import Qualification
from reference.models import Area, ServiceCategory
from tests.factories import OrganisationFactory, make_provider_user
from tests.fixtures import browser_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def reference_data(transactional_db):
    from reference.loading import load
    from reference.models import Area

    if not Area.objects.exists():
        load()


def u(name, competition, **kwargs):
    return reverse(f"competitions:{name}", kwargs={"competition_id": competition.pk, **kwargs})


def save(ui, button="Save and continue"):
    ui.page.get_by_role("button", name=button).click()
    ui.check()


def answer_questions(ui, competition, lots, words):
    for question in competition.questions.order_by("number"):
        if question.kind == "pass_fail":
            ui.goto(u("bid-answer", competition, question_id=question.pk))
            ui.page.get_by_label("Yes").check()
            save(ui)
        elif question.lot_specific:
            for lot in lots:
                ui.goto(u("bid-answer-lot", competition, question_id=question.pk, lot_id=lot.pk))
                ui.page.locator("#text").fill(f"{words} in {lot.name}.")
                save(ui)
        else:
            ui.goto(u("bid-answer", competition, question_id=question.pk))
            ui.page.locator("#text").fill(words)
            save(ui)


def price_lots(ui, competition, lots, amount):
    for lot in lots:
        ui.goto(u("bid-prices", competition, lot_id=lot.pk))
        for year in lot.years.all():
            ui.page.locator(f"#price_{year.financial_year}").fill(amount)
        save(ui)


def declare_check_and_send(ui, competition):
    ui.goto(u("bid-declarations", competition))
    ui.page.get_by_label("I confirm these statements on behalf of my organisation").check()
    save(ui)
    expect(ui.page.get_by_role("button", name="Check your answers")).to_be_visible()
    ui.page.get_by_role("button", name="Check your answers").click()
    ui.check()
    ui.page.get_by_role("button", name="Send your bid").click()
    ui.check()
    expect(ui.page.locator(".govuk-panel__title")).to_have_text("Bid sent")


def test_charity_and_national_provider_bid_then_a_late_bid_is_refused(reference_data, ui):
    competition = make_competition()
    lots = list(competition.lots.order_by("number"))

    # A two-person charity: one person chooses the lot and writes, the other prices and sends.
    writer = make_provider_user(full_name="Ana Writer")
    charity = writer.memberships.get().organisation
    charity.legal_name = "Two Person Charity"
    charity.save()
    treasurer = make_provider_user(full_name="Bo Treasurer", organisation=charity, is_admin=False)
    invitation = invite(competition, charity)
    invitation.lots.set([lots[0]])

    browser_sign_in(ui, writer)
    page = ui.goto(reverse("competitions:for-you"))
    page.get_by_role("link", name=competition.title).click()
    ui.check()
    page.get_by_role("button", name="Start your bid").click()
    ui.check()
    expect(page.locator("h1")).to_have_text("Your bid")
    page.get_by_role("link", name="Choose the areas you are bidding for").click()
    ui.check()
    page.get_by_label("Lot 1: Kent").check()
    save(ui)
    answer_questions(ui, competition, [lots[0]], "We find homes for women leaving prison")

    browser_sign_in(ui, treasurer)
    price_lots(ui, competition, [lots[0]], "120,000")
    declare_check_and_send(ui, competition)
    charity_bid = Bid.objects.get(organisation=charity)
    expect(page.locator("#digest")).to_have_text(charity_bid.submitted_digest)

    # A national provider: all three lots in one bid, with a subcontractor from the register.
    national_user = make_provider_user(full_name="Cy National")
    national = national_user.memberships.get().organisation
    national.legal_name = "National Rehabilitation Ltd"
    national.save()
    invite(competition, national)
    hostel = OrganisationFactory(legal_name="Hostel Partners")
    Qualification.objects.create(
        organisation=hostel,
        category=ServiceCategory.objects.first(),
        area=Area.objects.get(code="K"),
        area_path=Area.objects.get(code="K").path,
        granted_by=national_user,
    )
    browser_sign_in(ui, national_user)
    page = ui.goto(u("opportunity", competition))
    page.get_by_role("button", name="Start your bid").click()
    ui.check()
    ui.goto(u("bid-lots", competition))
    for lot in lots:
        page.get_by_label(f"Lot {lot.number}: {lot.name}").check()
    save(ui)
    answer_questions(ui, competition, lots, "Our national model with local teams")
    price_lots(ui, competition, lots, "1,000,000.00")
    ui.goto(u("bid-partners", competition))
    page.get_by_role("button", name="Add a partner").click()
    ui.check()
    page.get_by_role("combobox", name="Organisation name").fill("Hostel")
    page.get_by_role("option", name=re.compile("^Hostel Partners")).click()
    ui.check()
    page.get_by_label("Subcontractor: they do part of the work for you").check()
    page.locator("#share_percent").fill("20")
    page.get_by_label("Lot 1: Kent").check()
    page.get_by_label("Lot 3: Sussex").check()
    save(ui, "Add partner")
    expect(page.locator(".govuk-summary-card__title")).to_have_text("Hostel Partners")
    # A supporting document (checked by content) and an answer reused from the answer library.
    ui.goto(u("bid-documents", competition))
    page.get_by_label("What is this document?").fill("Safeguarding policy")
    page.locator("#file").set_input_files(
        files=[{"name": "policy.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    save(ui, "Add document")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Safeguarding policy")
    question = competition.questions.get(number=3)
    ui.goto(u("bid-library", competition, question_id=question.pk))
    page.get_by_role("link", name="Use this answer").first.click()
    ui.check()
    expect(page.locator("#text")).to_have_value(re.compile("Our national model"))
    save(ui)
    declare_check_and_send(ui, competition)
    national_bid = Bid.objects.get(organisation=national)
    ui.goto(u("bid-view", competition, bid_id=national_bid.pk))
    expect(page.locator("main")).to_contain_text("Hostel Partners")
    ui.goto(u("bid-receipt", competition))
    assert national_bid.bid_lots.count() == 3
    first_digest = national_bid.submitted_digest

    # Withdraw, change a price, send again: a new digest.
    page.get_by_role("link", name="Withdraw your bid to change it").click()
    ui.check()
    page.get_by_role("button", name="Withdraw bid").click()
    ui.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your bid was withdrawn")
    price_lots(ui, competition, [lots[2]], "950,000")
    ui.goto(u("bid-check", competition))
    page.get_by_role("button", name="Send your bid").click()
    ui.check()
    national_bid.refresh_from_db()
    assert national_bid.is_sent and national_bid.submitted_digest != first_digest

    # A third organisation is ready to send, but the closing date passes first.
    late_user = make_provider_user(full_name="Di Late")
    invite(competition, late_user.memberships.get().organisation)
    fill(svc.bid_start(competition=competition, user=late_user), late_user, lots=[lots[1]])
    browser_sign_in(ui, late_user)
    page = ui.goto(u("bid-check", competition))
    competition.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    competition.save(update_fields=["closes_at"])
    page.get_by_role("button", name="Send your bid").click()
    ui.check()
    expect(page.locator("h1")).to_have_text("The closing date has passed")
    expect(page.locator("main")).to_contain_text("The closing date has passed. Bids can no longer be sent.")
    assert Bid.objects.get(organisation=late_user.memberships.get().organisation).submitted_at is None
    assert Bid.objects.filter(competition=competition, submitted_at__isnull=False).count() == 2

"""An organisation qualifies after an opportunity was sent: it sees the opportunity and why it
cannot bid; the commissioner invites it from the opportunity's pages, and the invitation shows on
the opportunity's history. In a real browser, axe on every page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from competitions.tests.factories import make_competition
from qualification.tests.assessor_factories import qualify
from tests.factories import OrganisationFactory, make_provider_user
from tests.fixtures import browser_sign_in

pytestmark = pytest.mark.browser
KENT = "E23000032"
MAIDSTONE = "E07000110"


@pytest.fixture
def reference_data(transactional_db):
    from reference.loading import load
    from reference.models import Area

    if not Area.objects.exists():
        load()


def test_late_qualified_organisation_is_told_then_invited(reference_data, ui):
    competition = make_competition()
    provider = make_provider_user(full_name="Lee Late")
    organisation = provider.memberships.get().organisation
    organisation.legal_name = "Kent Late Homes"
    organisation.save()
    qualify(organisation, "accommodation", KENT)
    qualify(OrganisationFactory(legal_name="Maidstone Late"), "accommodation", MAIDSTONE)

    # The organisation sees the opportunity, marked plainly, and why it cannot bid.
    browser_sign_in(ui, provider)
    page = ui.goto(reverse("competitions:for-you"))
    expect(page.locator("main")).to_contain_text("Open now, but you were not invited")
    page.get_by_role("link", name=competition.title).click()
    ui.check()
    expect(page.locator("#why-not-invited")).to_contain_text("You were not invited because you qualified after")
    expect(page.get_by_role("button", name="Start your bid")).to_have_count(0)

    # The commissioner finds it from the summary and invites it.
    browser_sign_in(ui, competition.created_by)
    page = ui.goto(reverse("competitions:manage-detail", args=[competition.pk]))
    page.get_by_role("link", name="Organisations that qualified after launch").click()
    ui.check()
    page.get_by_role("button", name="Invite and email them").click()
    ui.check()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the organisations to invite")
    page.get_by_label("Kent Late Homes").check()
    page.get_by_role("button", name="Invite and email them").click()
    ui.check()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 organisation invited")
    page.get_by_role("link", name="history of this opportunity").click()
    ui.check()
    expect(page.locator("main")).to_contain_text("competition.invited_after_launch")
    expect(page.locator("main")).to_contain_text("Kent Late Homes")

    # Invited now: the usual opportunity page, with its questions and answers.
    browser_sign_in(ui, provider)
    page = ui.goto(reverse("competitions:opportunity", kwargs={"competition_id": competition.pk}))
    expect(page.get_by_role("button", name="Start your bid")).to_be_visible()
    page.get_by_role("link", name="Read the answers to questions, or ask a question").click()
    ui.check()

    # After the last day for questions the commissioner can no longer invite; the other one is told so.
    competition.clarification_deadline = timezone.now() - datetime.timedelta(seconds=1)
    competition.save(update_fields=["clarification_deadline"])
    browser_sign_in(ui, competition.created_by)
    page = ui.goto(reverse("competitions:manage-newly-qualified", args=[competition.pk]))
    expect(page.locator("main")).to_contain_text("You can no longer invite organisations")
    expect(page.locator("main")).to_contain_text("Maidstone Late")

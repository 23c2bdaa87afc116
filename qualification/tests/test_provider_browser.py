"""A two-person charity joins in a real browser, every page checked with axe: it registers, answers
the questionnaire over two visits, asks for help, and sends its application."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import User
from qualification.models import Application, HelpRequest
from tests.factories import DEFAULT_PASSWORD
from tests.fixtures import browser_sign_in


@pytest.fixture
def reference_data(transactional_db):
    """A transactional test before this one may have emptied the reference tables (the shared
    fixture only checks areas); loading again is safe, it updates in place."""
    from reference.loading import load
    from reference.models import Area, ServiceCategory

    if not (Area.objects.exists() and ServiceCategory.objects.exists()):
        load()


def click(ui, name: str, *, role: str = "button"):
    ui.page.get_by_role(role, name=name).first.click()
    ui.check()


def test_two_person_charity_registers_answers_over_two_visits_asks_for_help_and_submits(reference_data, ui):
    page = ui.goto("/join/")
    click(ui, "Start now")

    # Register the organisation: one short page at a time.
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email address").fill("priya@hopehomes.example")
    page.get_by_label("Create a password").fill(DEFAULT_PASSWORD)
    click(ui, "Continue")
    page.get_by_label("Legal name").fill("Hope Homes Kent")
    page.get_by_label("Registered charity", exact=True).check()
    page.get_by_label("Charity number").fill("12345")  # too short: a clear error, nothing lost
    click(ui, "Continue")
    assert page.locator(".govuk-error-summary").inner_text().count("Enter a charity number in the correct format") == 1
    assert page.get_by_label("Legal name").input_value() == "Hope Homes Kent"
    page.get_by_label("Charity number").fill("1123456")
    click(ui, "Continue")
    page.get_by_label("Fewer than 10").check()
    page.get_by_label("Up to £2 million").check()
    click(ui, "Continue")
    page.get_by_label("Address line 1", exact=True).fill("1 High Street")
    page.get_by_label("Town or city").fill("Maidstone")
    page.get_by_label("Postcode").fill("ME14 1AA")
    page.get_by_label("Email address for your organisation").fill("office@hopehomes.example")
    click(ui, "Continue")
    assert "Micro" in page.locator("main").inner_text()
    click(ui, "Create account")
    # The same page whether or not the address had an account: check your email.
    assert page.locator("h1").inner_text() == "Check your email"
    assert "priya@hopehomes.example" in page.locator("main").inner_text()
    assert mail.outbox[-1].to == ["priya@hopehomes.example"]
    # The link from the e-mail shows a button (a mail scanner following links confirms nothing).
    ui.goto(re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1))
    assert page.locator("h1").inner_text() == "Confirm your email address"
    click(ui, "Confirm my email address")
    assert page.locator("h1").inner_text() == "Your email address is confirmed"
    click(ui, "Sign in")  # the page's button (it carries on where she left off), not the header link
    page.get_by_label("Email address").fill("priya@hopehomes.example")
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    click(ui, "Sign in")
    click(ui, "Register interest and start")
    assert page.locator("h1").inner_text() == "Application to join"

    # First visit: three parts.
    click(ui, "About your organisation", role="link")
    page.locator("#what_you_do").fill("We find homes for people leaving prison in Kent.")
    page.locator("#probation_experience").check()
    click(ui, "Save and continue")
    click(ui, "Reasons you might not be able to join", role="link")
    page.locator("#mandatory-2").check()
    page.locator("#discretionary-2").check()
    click(ui, "Save and continue")
    click(ui, "Money and accounts", role="link")
    page.locator("#turnover").fill("48000")
    click(ui, "Save and continue")

    # Sign out, and come back later.
    click(ui, "Sign out", role="link")
    click(ui, "Sign out")
    user = User.objects.get(email="priya@hopehomes.example")
    browser_sign_in(ui, user)
    ui.goto("/join/application/")
    statuses = page.locator(".govuk-task-list__status").all_inner_texts()
    assert [s.strip() for s in statuses[:4]] == ["Completed", "Completed", "Completed", "Not yet started"]

    # Second visit: the rest.
    click(ui, "Insurance", role="link")
    page.locator("#employers_liability").check()
    page.locator("#employers_liability_amount").fill("5000000")
    page.locator("#public_liability").check()
    page.locator("#public_liability_amount").fill("1000000")
    page.locator("#professional_indemnity-2").check()
    click(ui, "Save and continue")
    click(ui, "Keeping people and data safe", role="link")
    page.locator("#safeguarding_policy").check()
    page.locator("#dbs_checks").check()
    page.locator("#data_protection_policy").check()
    click(ui, "Save and continue")
    click(ui, "Information security", role="link")
    page.locator("#all_true").check()
    click(ui, "Save and continue")

    # Ask for help along the way.
    click(ui, "Ask for help", role="link")
    page.locator("#message").fill("Which areas should we choose if we only work in Maidstone?")
    click(ui, "Send")
    assert "We have your request" in page.locator("h1").inner_text()
    assert HelpRequest.objects.filter(organisation__legal_name="Hope Homes Kent").count() == 1
    click(ui, "Go back to your application", role="link")

    click(ui, "Types of support and areas", role="link")
    page.get_by_label("Accommodation").check()
    click(ui, "Save and continue")
    page.get_by_label("Only in some regions or areas").check()
    click(ui, "Save and continue")
    page.get_by_label("Kent", exact=True).check()
    click(ui, "Save and continue")
    assert "You can deliver Accommodation in Kent." in page.locator("main").inner_text()
    click(ui, "Save and go back to your application", role="button")
    click(ui, "Declaration", role="link")
    page.get_by_label("I confirm this on behalf of my organisation").check()
    click(ui, "Save and continue")

    click(ui, "Check your answers")
    click(ui, "Confirm and send")
    assert page.locator(".govuk-panel__title").inner_text() == "Application sent"
    application = Application.objects.get(organisation__legal_name="Hope Homes Kent")
    assert application.submitted_at is not None
    assert [str(r) for r in application.requested.all()] == ["Accommodation in Kent"]

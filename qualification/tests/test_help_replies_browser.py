"""A request for help answered, in a real browser with axe on every page: the assessor replies (and
keeps a note for colleagues); the charity follows the e-mail's link and reads the reply."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from qualification.tests.factories import ApplicationFactory, HelpRequestFactory, InterestFactory
from tests.factories import make_provider_user, make_user_with_role
from tests.fixtures import browser_sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def reference_data(transactional_db):
    """Browser tests use transactional_db, whose flush between tests empties the reference tables."""
    from reference.loading import load
    from reference.models import Area

    if not Area.objects.exists():
        load()


def test_assessor_replies_and_the_charity_reads_the_reply(reference_data, ui):
    charity = make_provider_user(is_admin=True, email="jo@hope.example")
    organisation = charity.memberships.get().organisation
    InterestFactory(organisation=organisation, registered_by=charity)
    ApplicationFactory(organisation=organisation, started_by=charity)
    HelpRequestFactory(organisation=organisation, requested_by=charity, message="What insurance do we need?")

    # The charity sees its request waiting.
    browser_sign_in(ui, charity)
    page = ui.goto("/join/application/")
    page.get_by_role("link", name="Read your requests for help and our replies").click()
    ui.check()
    assert "Waiting for a reply" in page.locator("main").inner_text()

    # The assessor replies: an empty reply is a clear error, then the reply goes.
    page.context.clear_cookies()
    browser_sign_in(ui, make_user_with_role("assessor"))
    page = ui.goto("/join/assess/help-requests/")
    page.get_by_role("link", name=f"Reply to {organisation.display_name}").click()
    ui.check()
    page.get_by_role("button", name="Send reply").click()
    ui.check()
    assert "Enter your reply" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Your reply").fill("You need public liability insurance.\nWe can talk it through by phone.")
    page.get_by_label("Note for colleagues (optional)").fill("Phoned their treasurer.")
    page.get_by_role("button", name="Send reply").click()
    ui.check()
    assert "You replied to" in page.locator(".govuk-notification-banner").inner_text()
    assert "There are no open requests for help" in page.locator("main").inner_text()

    # The charity follows the e-mail's link and reads the reply, but not the note.
    message = next(m for m in mail.outbox if m.to == ["jo@hope.example"])
    path = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)
    page.context.clear_cookies()
    browser_sign_in(ui, charity)
    page = ui.goto(path)
    main = page.locator("main").inner_text()
    assert "You need public liability insurance." in main and "We can talk it through by phone." in main
    assert "Phoned their treasurer" not in main
    assert "Replied" in main

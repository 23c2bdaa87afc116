"""Accounts journeys in a real browser, each page checked with axe."""

from __future__ import annotations

import re

from django.core import mail

from accounts.models import Membership
from tests.factories import DEFAULT_PASSWORD, UserFactory, make_provider_user
from tests.fixtures import browser_sign_in


def _path_from_last_email() -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)


def test_sign_in_with_wrong_then_right_password(ui):
    UserFactory(email="sam@example.org", full_name="Sam Jones")
    page = ui.goto("/account/sign-in/")
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Password", exact=True).fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    ui.check()
    assert page.title().startswith("Error: Sign in")
    summary_link = page.locator(".govuk-error-summary a")
    assert summary_link.inner_text() == "Enter a correct email address and password"
    # The summary link takes the person to the password field; the e-mail they typed is kept.
    summary_link.click()
    assert page.evaluate("document.activeElement.id") == "password"
    assert page.get_by_label("Email address").input_value() == "sam@example.org"

    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Your account"
    assert "Sam Jones" in page.locator("main").inner_text()


def test_org_admin_invites_a_colleague_who_joins(ui):
    admin = make_provider_user(is_admin=True)
    organisation = admin.memberships.get().organisation
    browser_sign_in(ui, admin)
    page = ui.goto("/account/organisation/")
    page.get_by_role("button", name="Invite a colleague").click()
    ui.check()
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_label("No").check()
    page.get_by_role("button", name="Send invitation").click()
    ui.check()
    assert "We have sent an invitation to robin@example.org" in page.locator(".govuk-notification-banner").inner_text()
    assert "robin@example.org" in page.locator("main").inner_text()

    # The colleague, in a fresh browser session, opens the link from the e-mail.
    page.context.clear_cookies()
    assert mail.outbox[-1].to == ["robin@example.org"]
    page = ui.goto(_path_from_last_email())
    assert organisation.display_name in page.locator("main").inner_text()
    page.get_by_label("Full name").fill("Robin Green")
    page.get_by_label("Create a password", exact=True).fill("three good words together")
    page.get_by_label("Confirm password", exact=True).fill("three good words together")
    page.get_by_role("button", name="Create account").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Your account"
    main = page.locator("main").inner_text()
    assert "Robin Green" in main and organisation.display_name in main and "Member" in main
    assert Membership.objects.filter(user__email="robin@example.org", organisation=organisation).exists()


def test_password_reset_through_the_emailed_link(ui):
    UserFactory(email="sam@example.org")
    page = ui.goto("/account/sign-in/")
    page.get_by_role("link", name="I have forgotten my password").click()
    ui.check()
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_role("button", name="Send the link").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Check your email"

    page = ui.goto(_path_from_last_email())
    page.get_by_label("New password", exact=True).fill("a fresh long passphrase")
    page.get_by_label("Confirm new password", exact=True).fill("a fresh long passphrase")
    page.get_by_role("button", name="Save new password").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Your password has been changed"

    page.get_by_role("link", name="Sign in").last.click()
    ui.check()
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Password", exact=True).fill("a fresh long passphrase")
    page.get_by_role("button", name="Sign in").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Your account"


def test_provider_on_staff_page_sees_govuk_403(ui):
    browser_sign_in(ui, make_provider_user(is_admin=True))
    response = ui.page.goto(ui.base_url + "/account/staff/")
    assert response.status == 403
    ui.check()
    assert ui.page.locator("h1").inner_text() == "You cannot see this page"
    assert ui.page.locator(".govuk-header").count() == 1


def test_unconfirmed_charity_asks_for_a_new_link_and_meets_every_link_page(ui):
    """The confirm page, a resend refused as too soon, then an expired, a broken, a good and a used link."""
    import datetime

    from django.utils import timezone

    from accounts import confirmation, services
    from tests.factories import MembershipFactory

    user = UserFactory(email="sam@example.org", email_confirmed_at=None)
    MembershipFactory(user=user, is_admin=True, organisation__legal_name="Hope Homes")
    browser_sign_in(ui, user)

    # Any page of the service sends them to the page that says what to do.
    page = ui.goto("/join/application/")
    assert page.locator("h1").inner_text() == "Confirm your email address"
    assert "Hope Homes" in page.locator("main").inner_text()
    page.get_by_role("button", name="Send me a link").click()
    ui.check()
    assert "We have sent a new link to sam@example.org" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("button", name="Send a new link").click()
    ui.check()
    assert page.title().startswith("Error: Confirm your email address")
    assert "Wait a minute" in page.locator(".govuk-error-summary").inner_text()
    assert len(mail.outbox) == 1

    stale = timezone.now() - confirmation.VALID_FOR - datetime.timedelta(minutes=1)
    page = ui.goto(f"/account/confirm-email/{confirmation.make_token(user, now=stale)}/")
    assert page.locator("h1").inner_text() == "This link has expired"
    page = ui.goto("/account/confirm-email/not-a-real-link/")
    assert page.locator("h1").inner_text() == "This link does not work"

    page = ui.goto(_path_from_last_email())
    # Opening the link only shows a button: a mail scanner following it confirms nothing.
    assert page.locator("h1").inner_text() == "Confirm your email address"
    page.get_by_role("button", name="Confirm my email address").click()
    ui.check()
    assert page.url.endswith("/join/interest/")
    assert "Your email address is confirmed" in page.locator(".govuk-notification-banner").inner_text()
    page = ui.goto(_path_from_last_email())
    assert page.locator("h1").inner_text() == "Your email address is already confirmed"
    page.get_by_role("button", name="Continue").click()
    ui.check()

    # Opened later in a browser that is not signed in.
    page.context.clear_cookies()
    other = UserFactory(email="kit@example.org", email_confirmed_at=None)
    MembershipFactory(user=other, is_admin=True)
    services.email_confirmation_send(user=other)
    page = ui.goto(_path_from_last_email())
    page.get_by_role("button", name="Confirm my email address").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Your email address is confirmed"
    page.locator("main").get_by_role("button", name="Sign in").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Sign in"

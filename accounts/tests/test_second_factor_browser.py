"""Two-factor sign-in and the confirm button, in a real browser, each page checked with axe.
(Registration's "check your email" is in qualification/tests/test_provider_browser.py.)"""

from __future__ import annotations

import re

from django.core import mail
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Role
from accounts.tests.test_email_confirmation import _unconfirmed_member
from tests.factories import DEFAULT_PASSWORD, make_user_with_role
from tests.fixtures import browser_sign_in


def _code(device) -> str:
    device.refresh_from_db()
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def _sign_in_with_password(ui, email: str):
    page = ui.goto("/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    ui.check()
    return page


def test_staff_set_up_an_app_save_recovery_codes_then_sign_in_with_a_code(ui):
    user = make_user_with_role(Role.ASSESSOR, email="asha@example.org")
    page = _sign_in_with_password(ui, "asha@example.org")
    assert page.locator("h1").inner_text() == "Set up an authenticator app"
    assert page.locator("img[alt='QR code to scan with your authenticator app']").is_visible()
    page.get_by_text("I cannot scan the QR code").click()
    assert re.fullmatch(r"[A-Z2-7 ]+", page.locator("#set-up-key").inner_text())

    page.get_by_label("Code from your app").fill("12")
    page.get_by_role("button", name="Continue").click()
    ui.check()
    assert page.title().startswith("Error:")

    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Code from your app").fill(_code(device))
    page.get_by_role("button", name="Continue").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Save your recovery codes"
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("button", name="I have saved my codes").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Your account"

    # Next time: the password, then a recovery code (the phone is at home).
    page.context.clear_cookies()
    page = _sign_in_with_password(ui, "asha@example.org")
    assert page.locator("h1").inner_text() == "Enter the code from your authenticator app"
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    ui.check()
    assert "The code is not right" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Your account"


def test_an_administrator_resets_a_colleagues_sign_in_codes(ui):
    admin = make_user_with_role(Role.ADMINISTRATOR, is_staff=True)
    colleague = make_user_with_role(Role.EVALUATOR, full_name="Tom Hughes")
    device = services.second_factor_set_up_start(user=colleague)
    services.second_factor_set_up(user=colleague, code=_code(device))
    browser_sign_in(ui, admin)
    page = ui.goto("/account/staff/")
    page.get_by_role("link", name="Reset sign-in codes for Tom Hughes").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Reset sign-in codes for Tom Hughes?"
    page.get_by_role("button", name="Reset sign-in codes").click()
    ui.check()
    assert "Tom Hughes will set up a new authenticator app" in page.locator(".govuk-notification-banner").inner_text()
    assert not TOTPDevice.objects.filter(user=colleague).exists()


def test_the_confirmation_link_shows_a_button_first(ui):
    user = _unconfirmed_member(email="sam@example.org")
    services.email_confirmation_send(user=user)
    path = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    page = ui.goto(path)
    assert page.locator("h1").inner_text() == "Confirm your email address"
    user.refresh_from_db()
    assert user.email_confirmed_at is None
    page.get_by_role("button", name="Confirm my email address").click()
    ui.check()
    assert page.locator("h1").inner_text() == "Your email address is confirmed"

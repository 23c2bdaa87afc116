"""Fixtures available to every test (imported by the root conftest)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.a11y import axe_violations, format_violations, text_problems

# --- Signing in without the forms -----------------------------------------------------------------
#
# Staff give a code from an authenticator app after their password (accounts.middleware). In tests,
# `client.force_login(user)` stands for a whole sign-in, code included: it is wrapped below so
# that a staff member's session is also marked verified (django-otp's `login`, with an app set up
# for them if they have none). Tests of the code pages themselves use `force_login_password_only`.

_django_force_login = Client.force_login


def verify_session(client, user) -> None:
    """Mark the client's session as having given a code from the user's app (setting one up if needed)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.permissions import needs_second_factor

    if not needs_second_factor(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def force_login_password_only(client, user, backend=None) -> None:
    """Signed in with a password only: staff are then asked for a code."""
    _django_force_login(client, user, backend)


def force_login_verified(client, user, backend=None) -> None:
    _django_force_login(client, user, backend)
    verify_session(client, user)


Client.force_login = force_login_verified


class AccessiblePage:
    """Wraps a Playwright page: `goto` and `check` run axe and check the page's words (tests/a11y.py),
    and at the end of the test every distinct page the browser landed on must have been checked."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.visited: set[str] = set()
        self.checked: set[str] = set()
        page.on("framenavigated", self._on_navigate)

    def _on_navigate(self, frame):
        if frame == self.page.main_frame and frame.url.startswith(self.base_url):
            self.visited.add(self._key(frame.url))

    @staticmethod
    def _key(url: str) -> str:
        parts = urlsplit(url)
        return parts.path

    def goto(self, path: str):
        self.page.goto(self.base_url + path)
        self.check()
        return self.page

    def check(self):
        """Run axe on the current page and check its words; fail on any violation or problem."""
        self.page.wait_for_load_state("load")
        violations = axe_violations(self.page)
        assert not violations, format_violations(self.page.url, violations)
        problems = text_problems(self.page)
        assert not problems, f"On {self.page.url}:\n- " + "\n- ".join(problems)
        self.checked.add(self._key(self.page.url))

    def __getattr__(self, name):
        return getattr(self.page, name)


@pytest.fixture
def ui(page, live_server, transactional_db):
    """A browser page on the live server whose every visited page gets an axe check."""
    wrapper = AccessiblePage(page, live_server.url)
    yield wrapper
    unchecked = wrapper.visited - wrapper.checked
    assert not unchecked, f"Pages visited without an accessibility check: {sorted(unchecked)}"


def browser_sign_in(ui: AccessiblePage, user) -> None:
    """Sign a user in to the browser without the sign-in form (tests of the form itself use the form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    ui.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": ui.base_url}])


# Every role a permission test must try, including the anonymous public and provider users.
ALL_ROLES = [
    "anonymous",
    "provider",
    "provider_admin",
    "assessor",
    "commissioner",
    "evaluator",
    "practitioner",
    "administrator",
]


@pytest.fixture
def user_for_role(db):
    """Make a user for a role name from ALL_ROLES (None for anonymous)."""
    from tests.factories import make_provider_user, make_user_with_role

    def make(role: str, **kwargs):
        if role == "anonymous":
            return None
        if role == "provider":
            return make_provider_user(is_admin=False, **kwargs)
        if role == "provider_admin":
            return make_provider_user(is_admin=True, **kwargs)
        return make_user_with_role(role, **kwargs)

    return make


@pytest.fixture
def client_for_role(client, user_for_role):
    """A Django test client signed in as a user of the given role (anonymous: not signed in)."""

    def make(role: str, **kwargs):
        user = user_for_role(role, **kwargs)
        if user is not None:
            client.force_login(user)
        return client, user

    return make

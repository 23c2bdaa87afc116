"""Fixtures available to every test (imported by the root conftest)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.a11y import axe_violations, format_violations, text_problems


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

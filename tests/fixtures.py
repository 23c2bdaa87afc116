"""Fixtures available to every test (imported by the root conftest)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.a11y import axe_violations, format_violations


class AccessiblePage:
    """Wraps a Playwright page: `goto` and `check` run axe, and at the end of the test every
    distinct page the browser landed on must have been checked."""

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
        """Run axe on the current page; fail on any violation."""
        self.page.wait_for_load_state("load")
        violations = axe_violations(self.page)
        assert not violations, format_violations(self.page.url, violations)
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

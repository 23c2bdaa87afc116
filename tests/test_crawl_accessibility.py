"""Every page, checked: on the demo world, sign in as each kind of user and follow the links.

Each distinct page (by URL pattern) reached this way gets one axe check (WCAG 2.2 AA, zero
violations) and the check of its words (no markup shown as text, a title that starts with its <h1>:
tests/a11y.py), and must not be a server error. This catches pages that the journey tests do not visit.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.models import User
from demo.world import build_demo_world
from tests.fixtures import browser_sign_in

# Who to browse as, in order. None is the public, not signed in. On 25 November 2026 this reached
# 85 distinct pages.
PEOPLE = [
    None,
    "jo@medway-womens.example",  # two-person charity, organisation administrator
    "bids@pathway.example",  # national company with bids and a contract
    "morgan@brighton-recovery.example",  # application waiting for a decision
    "assessor@demo.example",
    "commissioner.kss@demo.example",
    "commissioner2.kss@demo.example",
    "evaluator@demo.example",
    "practitioner@demo.example",
    "admin@demo.example",
]
SKIP_PREFIXES = ("/admin/", "/api/", "/account/sign-out/", "/static/", "/assets/", "/uploads/")
SKIP_SUFFIXES = (".csv", ".xlsx", ".json")
PAGES_PER_PERSON = 45


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if "document" in (match.url_name or ""):
        return None  # file downloads, not pages
    return f"{match.namespace}:{match.url_name}"


def _links(html: str) -> list[str]:
    return re.findall(r'<a[^>]+href="([^"]+)"', html)


def _next_links(response, visited: set[str]) -> list[str]:
    found = []
    for href in _links(response.content.decode()):
        href = urldefrag(html.unescape(href))[0]
        if not href.startswith("/") or href.startswith("//"):
            continue
        if href.startswith(SKIP_PREFIXES) or urlsplit(href).path.endswith(SKIP_SUFFIXES):
            continue
        if href not in visited:
            found.append(href)
    return found


def _crawl_as(email: str | None, ui, seen_routes: set[str], errors: list[str]) -> None:
    """Follow links as one person with the test client; open each new kind of page in the browser."""
    client = Client()
    ui.page.context.clear_cookies()
    if email is not None:
        user = User.objects.get(email=email)
        client.force_login(user)
        browser_sign_in(ui, user)
    queue = ["/", "/account/"] if email else ["/", "/public/opportunities/", "/insights/", "/join/register/"]
    visited: set[str] = set()
    checked = 0
    while queue and checked < PAGES_PER_PERSON:
        path = html.unescape(queue.pop(0))
        if path in visited:
            continue
        visited.add(path)
        route = _route(urlsplit(path).path)
        if route is None:
            continue
        response = client.get(path)
        if response.status_code >= 500:
            errors.append(f"{response.status_code} at {path} as {email or 'the public'}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if route not in seen_routes:
            seen_routes.add(route)
            ui.goto(path)
            checked += 1
        queue.extend(_next_links(response, visited))


@pytest.mark.django_db(transaction=True)
def test_every_page_reached_from_the_demo_world_is_accessible(ui, live_server):
    """Links are followed with Django's test client (fast); each page whose URL pattern has not been
    seen yet is then opened in the browser and checked with axe."""
    build_demo_world(national_scale=0.01)
    seen_routes: set[str] = set()
    errors: list[str] = []
    for email in PEOPLE:
        _crawl_as(email, ui, seen_routes, errors)
    assert not errors, "\n".join(errors)
    # The crawl must really reach the service, not stop at the start page.
    assert len(seen_routes) >= 80, sorted(seen_routes)
    print(f"Checked {len(seen_routes)} distinct pages: {sorted(seen_routes)}")

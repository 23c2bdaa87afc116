"""Pages given bad values in their address, in a real browser: a GOV.UK error message (or "Page not
found") that passes axe and the check of the page's words, never a server error (issue 8.9)."""

from __future__ import annotations

from tests.factories import make_user_with_role
from tests.fixtures import browser_sign_in


def _error_summary_links_to(page, field: str) -> None:
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert summary.locator(f'a[href="#{field}"]').count() == 1
    assert page.title().startswith("Error: ")


def test_bad_filters_in_the_address_get_an_error_message(ui):
    for path, field in [
        ("/public/contracts/?financial_year=" + "1" * 100, "financial_year"),
        ("/public/contracts/?provider=" + "x" * 101, "provider"),
        ("/public/opportunities/?region=1e309", "region"),
        ("/join/register/?area=-1", "area"),
        ("/insights/burden/?year=2026-02-30", "year"),
        ("/insights/coverage/?by=abc", "by"),
    ]:
        page = ui.goto(path)
        _error_summary_links_to(page, field)


def test_a_page_number_that_is_not_a_page_is_not_found(ui):
    for path in [
        "/public/contracts/?page=" + "9" * 19,
        "/join/register/?page=abc",
        "/public/contracts/1" + "0" * 99 + "/",
    ]:
        page = ui.goto(path)
        assert page.locator("h1").inner_text() == "Page not found"


def test_the_assessors_queue_shows_an_error_for_a_bad_filter(ui):
    browser_sign_in(ui, make_user_with_role("assessor"))
    page = ui.goto("/join/assess/?category=9223372036854775808")
    _error_summary_links_to(page, "category")
    assert "Choose a type of support from the list" in page.locator(".govuk-error-summary").inner_text()

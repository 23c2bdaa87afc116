"""Public pages in a real browser, each checked with axe."""

import pytest

PUBLIC_PAGES = [
    ("/", "Commission probation services"),
    ("/accessibility/", "Accessibility statement"),
    ("/privacy/", "Privacy notice"),
    ("/cookies/", "Cookies"),
    ("/words-we-use/", "Words we use"),
    ("/help/", "Get help"),
    ("/feedback/", "Tell us what you think"),
]


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_page_is_styled_and_accessible(ui, path, heading):
    page = ui.goto(path)
    assert page.locator("h1").inner_text() == heading
    # GOV.UK Frontend's stylesheet loaded: headings use GDS Transport.
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" in font
    # GOV.UK Frontend's JavaScript ran (from a module file, not inline script).
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert page.locator(".govuk-phase-banner .govuk-tag").inner_text() == "Beta"
    assert page.locator(".govuk-service-navigation__service-name").inner_text() == "Commission probation services"


def test_skip_link_moves_focus_to_main_content(ui):
    page = ui.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_missing_page_shows_govuk_404(ui):
    response = ui.page.goto(ui.base_url + "/no-such-page/")
    assert response.status == 404
    ui.check()
    assert ui.page.locator("h1").inner_text() == "Page not found"

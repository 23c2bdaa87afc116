"""Every insight page in a real browser, checked with axe; the filters work without JavaScript."""

from __future__ import annotations

from insights.tests.world import build_world
from insights.views import INSIGHTS


def test_every_insight_page_is_accessible_and_filters(ui, tmp_path):
    build_world(competitions=12, organisations=12)
    page = ui.goto("/insights/")
    assert page.locator("h1").inner_text() == "Facts and figures about the framework"
    for insight in INSIGHTS:
        page = ui.goto(f"/insights/{insight.slug}/")
        assert page.locator("h1").inner_text() == insight.title
        chart = page.locator("svg.insights-chart").first
        assert chart.get_attribute("role") == "img"
        # The chart is drawn with its stylesheet (bars are filled, not black by default).
        assert page.evaluate("getComputedStyle(document.querySelector('.insights-bar')).fill") != "rgb(0, 0, 0)"
    # What the burden page counts is said on the page, and each service has its answer in words.
    page = ui.goto("/insights/burden/")
    assert page.get_by_role("heading", name="What we count").is_visible()
    table = page.locator("table[aria-labelledby='table-bids-to-send-caption']")
    assert table.locator("th").first.inner_text() == "Service"
    assert "PCC area" in table.locator("tbody tr").first.inner_text()
    # Volumes and value says how it works its figures out, and draws a bar for the people contracted.
    page = ui.goto("/insights/volumes-and-value/")
    assert page.get_by_role("heading", name="How we work these out").is_visible()
    assert page.locator("#chart-volumes rect.insights-bar--0").count() > 1
    # Coverage names awarded work with a tag of its own.
    page = ui.goto("/insights/coverage/")
    assert page.locator(".govuk-tag--turquoise").first.inner_text().startswith("Awarded")
    # Filter the pipeline to a region and a year with the form.
    page = ui.goto("/insights/coverage/")
    page.get_by_label("Region").select_option(label="Kent, Surrey and Sussex")
    page.get_by_label("Show each").select_option(label="Region")
    page.get_by_role("button", name="Show figures").click()
    ui.check()
    assert "Showing: Kent, Surrey and Sussex" in page.locator("#showing").inner_text()
    assert page.locator("table.insights-table tbody tr").first.locator("th").inner_text() == "Kent, Surrey and Sussex"
    # A PCC area outside the region chosen is explained, not ignored.
    page.get_by_label("Police and crime commissioner (PCC) area").select_option(label="Gwent")
    page.get_by_role("button", name="Show figures").click()
    ui.check()
    assert page.title().startswith("Error: ")
    assert "Choose a PCC area in the region you chose" in page.locator(".govuk-error-summary").inner_text()
    page.screenshot(path=tmp_path / "insights-coverage.png", full_page=True)
    ui.goto("/insights/pipeline/").screenshot(path=tmp_path / "insights-pipeline.png", full_page=True)
    ui.goto("/insights/smaller-providers/").screenshot(path=tmp_path / "insights-smaller.png", full_page=True)

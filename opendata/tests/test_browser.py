"""The open data page in a real browser, with an accessibility check."""

import json
from pathlib import Path


def test_open_data_page_is_accessible_and_links_to_the_data(ui):
    page = ui.goto("/open-data/")
    assert page.locator("h1").inner_text() == "Open data about buying probation services"
    download = page.get_by_role("link", name="Download all open data (JSON file)")
    assert download.get_attribute("href") == "/open-data/ocds-releases.json"
    with page.expect_download() as info:
        download.click()
    content = json.loads(Path(info.value.path()).read_text())
    assert content["releases"][0]["ocid"].endswith("-framework")
    assert page.get_by_role("link", name="how to use the API").get_attribute("href") == "/api/v1/docs"

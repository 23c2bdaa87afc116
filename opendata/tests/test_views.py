"""Open data pages and endpoints are public: every role, signed in or not, gets them."""

import json

import pytest

from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/open-data/",
    "/open-data/ocds-releases.json",
    "/api/v1/ocds/releases",
    "/api/v1/ocds/records/{framework}",
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_role_can_read_open_data(client_for_role, settings, role, url):
    client, _ = client_for_role(role)
    response = client.get(url.format(framework=f"{settings.OCDS_PREFIX}-framework"))
    assert response.status_code == 200
    if url != "/open-data/":
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert json.loads(body)["version"] == "1.1"


@pytest.mark.parametrize("url", ["/open-data/ocds-releases.json", "/open-data/"])
def test_open_data_pages_only_answer_get(client, url):
    assert client.post(url).status_code == 405


def test_the_open_data_page_explains_and_links_to_downloads_and_api_docs(client, settings):
    response = client.get("/open-data/")
    text = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Open data about buying probation services</h1>' in text
    assert 'href="/open-data/ocds-releases.json"' in text
    assert 'href="/api/v1/ocds/releases"' in text
    assert f'href="/api/v1/ocds/records/{settings.OCDS_PREFIX}-framework"' in text
    assert 'href="/api/v1/docs"' in text
    assert "We never show a bid, or who bid, before the closing date." in text


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/ocds/releases" in paths
    assert "/api/v1/ocds/records/{ocid}" in paths
    assert paths["/api/v1/ocds/releases"]["get"].get("security") in (None, [])

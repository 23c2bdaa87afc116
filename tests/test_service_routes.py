"""Routes of the project as a whole (config/urls.py) that no page links to."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_health_check_answers_anyone_with_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_api_root_is_not_a_page(client):
    # django-ninja's root only lets it work out operation paths: it answers "not found", never an error.
    response = client.get("/api/v1/")
    assert response.status_code == 404
    assert b"docs_url" not in response.content

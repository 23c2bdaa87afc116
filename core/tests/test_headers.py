"""Responses to signed-in people are never stored by browsers or caches; public pages may be."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != "anonymous"])
@pytest.mark.parametrize("name", ["core:start", "accounts:home"])
def test_every_signed_in_response_says_no_store(client_for_role, role, name):
    client, _user = client_for_role(role)
    response = client.get(reverse(name))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_bid_page_says_no_store(client):
    from competitions.tests.factories import invite, make_competition
    from tests.factories import make_provider_user

    competition = make_competition()
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    client.force_login(user)
    response = client.get(reverse("competitions:opportunity", kwargs={"competition_id": competition.pk}))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_public_page_for_someone_not_signed_in_is_not_marked_no_store(client):
    response = client.get(reverse("core:start"))
    assert "no-store" not in response.get("Cache-Control", "")

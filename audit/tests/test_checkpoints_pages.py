"""The public checkpoints page and API: anyone can read and keep them; they hold hashes only."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.services import audit_checkpoint_create, audit_record
from audit.signing import verify_keys
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db


def _world() -> None:
    audit_record(actor=None, action="bid.submitted", object_type="competitions.bid", object_id=41)
    audit_checkpoint_create()
    audit_record(actor=None, action="bid.submitted", object_type="competitions.bid", object_id=42)
    audit_checkpoint_create()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_and_the_public_can_read_the_checkpoints(client_for_role, role):
    _world()
    client, _user = client_for_role(role)
    page = client.get(reverse("audit:checkpoints"))
    assert page.status_code == 200
    data = client.get(reverse("api:list_checkpoints")).json()
    assert [item["number"] for item in data["items"]] == [2, 1]


def test_the_api_gives_what_verify_audit_needs_and_nothing_about_what_changed(client, tmp_path):
    _world()
    data = client.get(reverse("api:list_checkpoints")).json()
    assert set(data["items"][0]) == {"number", "created_at", "prev_hash", "hash", "key_id", "signature"}
    assert data["keys"] == [{"key_id": k.key_id, "public_key": k.public_key_b64} for k in verify_keys().values()]
    assert "competitions.bid" not in json.dumps(data)
    assert "competitions.bid" not in client.get(reverse("audit:checkpoints")).content.decode()
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(data))
    out = StringIO()
    call_command("verify_audit", checkpoints=str(kept), stdout=out)
    assert "2 kept copies match" in out.getvalue()


@pytest.mark.parametrize("page", ["0", "-1", "abc", "9" * 100, "2"])
def test_a_page_out_of_range_is_not_found(client, page):
    _world()
    assert client.get(reverse("audit:checkpoints"), {"page": page}).status_code == 404


@pytest.mark.parametrize("page", ["0", "abc", "9" * 100])
def test_the_api_refuses_a_bad_page_number(client, page):
    response = client.get(reverse("api:list_checkpoints"), {"page": page})
    assert response.status_code in (400, 422)


def test_the_checkpoints_page_in_a_browser(ui):
    _world()
    page = ui.goto("/audit/checkpoints/")
    assert page.locator("h1").inner_text() == "Checks that our records have not been changed"
    assert page.locator("table").nth(1).locator("tbody tr").count() == 2

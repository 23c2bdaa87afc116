"""Factories for accounts' own models (shared ones are in tests/factories.py)."""

from __future__ import annotations

import datetime
import secrets

from django.utils import timezone

from accounts.models import Invitation
from accounts.selectors import hash_token
from tests.factories import OrganisationFactory, UserFactory

_counter = iter(range(1, 1_000_000))


def make_invitation(**kwargs) -> tuple[Invitation, str]:
    """An invitation (to an organisation unless `role` is given) and its plain token."""
    token = secrets.token_urlsafe(32)
    now = kwargs.pop("created_at", None) or timezone.now()
    fields = {
        "email": f"invitee{next(_counter)}@example.org",
        "invited_by": kwargs.pop("invited_by", None) or UserFactory(),
        "created_at": now,
        "expires_at": now + datetime.timedelta(days=14),
        "token_hash": hash_token(token),
    }
    if not kwargs.get("role"):
        fields["organisation"] = kwargs.pop("organisation", None) or OrganisationFactory()
    fields.update(kwargs)
    return Invitation.objects.create(**fields), token

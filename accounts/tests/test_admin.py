"""The Django admin: administrators with is_staff only; secrets read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role, SignInAttempt, User
from accounts.tests.factories import make_invitation
from tests.factories import make_provider_user, make_user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["user", "organisation", "membership", "staffrole", "invitation", "signinattempt"])
def test_administrator_with_is_staff_sees_each_model(client, name):
    client.force_login(make_user_with_role(Role.ADMINISTRATOR, is_staff=True))
    assert client.get(reverse(f"admin:accounts_{name}_changelist")).status_code == 200


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_provider_user(is_admin=True, is_staff=True),
        lambda: make_user_with_role(Role.ASSESSOR, is_staff=True),
        lambda: make_user_with_role(Role.ADMINISTRATOR),  # no is_staff
    ],
)
def test_others_cannot_use_the_admin(client, make):
    client.force_login(make())
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code in (302, 403)


def test_invitation_token_hash_is_read_only_and_attempts_cannot_be_changed(client):
    client.force_login(make_user_with_role(Role.ADMINISTRATOR, is_staff=True))
    invitation, _ = make_invitation()
    page = client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk])).content.decode()
    assert invitation.token_hash in page
    assert 'name="token_hash"' not in page
    attempt = SignInAttempt.objects.create(email="x@example.org")
    assert client.get(reverse("admin:accounts_signinattempt_add")).status_code == 403
    assert (
        client.post(reverse("admin:accounts_signinattempt_delete", args=[attempt.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert SignInAttempt.objects.filter(pk=attempt.pk).exists()


def test_admin_can_add_a_user_by_email(client):
    client.force_login(make_user_with_role(Role.ADMINISTRATOR, is_staff=True))
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.org",
            "full_name": "New Person",
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="new@example.org").check_password("a long enough passphrase")


def test_user_change_page_shows_membership_and_roles(client):
    client.force_login(make_user_with_role(Role.ADMINISTRATOR, is_staff=True))
    member = make_provider_user(is_admin=True)
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    assert member.email in page
    assert member.memberships.get().organisation.legal_name in page

"""Every accounts page, for every role: who sees it, who is refused (403), who must sign in first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import permissions
from accounts.models import Role
from accounts.tests.factories import make_invitation
from tests.factories import OrganisationFactory, make_provider_user, make_user_with_role
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

SIGNED_IN = set(ALL_ROLES) - {"anonymous"}
MEMBERS = {"provider", "provider_admin"}
ORG_ADMINS = {"provider_admin"}
ADMINISTRATORS = {"administrator"}


def _org_of(user):
    membership = permissions.membership_of(user) if user else None
    return membership.organisation if membership else OrganisationFactory()


def _args_for(name, user):
    """URL arguments, with objects the user could reach if they were allowed."""
    if name == "organisation-invitation-revoke":
        invitation, _ = make_invitation(organisation=_org_of(user))
        return {"pk": invitation.pk}
    if name == "organisation-member-remove":
        colleague = make_provider_user(is_admin=False, organisation=_org_of(user))
        return {"pk": colleague.memberships.get().pk}
    if name == "staff-invitation-revoke":
        invitation, _ = make_invitation(role=Role.ASSESSOR)
        return {"pk": invitation.pk}
    if name == "staff-role-remove":
        return {"pk": make_user_with_role(Role.EVALUATOR).staff_roles.get().pk}
    return {}


# name -> roles that may see it; None means public (anyone, signed in or not).
PAGES = {
    "sign-in": None,
    "password-reset": None,
    "password-reset-sent": None,
    "password-reset-done": None,
    "home": SIGNED_IN,
    "sign-out": SIGNED_IN,
    "organisation": MEMBERS,
    "organisation-invite": ORG_ADMINS,
    "organisation-invitation-revoke": ORG_ADMINS,
    "organisation-member-remove": ORG_ADMINS,
    "staff": ADMINISTRATORS,
    "staff-invite": ADMINISTRATORS,
    "staff-invitation-revoke": ADMINISTRATORS,
    "staff-role-remove": ADMINISTRATORS,
}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_access(client_for_role, role, name):
    client, user = client_for_role(role)
    path = reverse(f"accounts:{name}", kwargs=_args_for(name, user))
    response = client.get(path)
    allowed = PAGES[name]
    if allowed is None or role in allowed:
        assert response.status_code == 200, (role, name)
        assert b"govuk-template" in response.content
    elif role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in") + "?next=")
    else:
        assert response.status_code == 403, (role, name)
        assert b"You cannot see this page" in response.content


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(
    "name", ["organisation-invite", "organisation-invitation-revoke", "organisation-member-remove"]
)
def test_organisation_changes_are_refused_to_all_but_org_admins(client_for_role, role, name):
    client, user = client_for_role(role)
    path = reverse(f"accounts:{name}", kwargs=_args_for(name, user))
    response = client.post(path, {"email": "someone@example.org", "as_org_admin": "no"})
    if role in ORG_ADMINS:
        assert response.status_code == 302 and response["Location"] == reverse("accounts:organisation")
    elif role == "anonymous":
        assert response.status_code == 302 and "sign-in" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", ["staff-invite", "staff-invitation-revoke", "staff-role-remove"])
def test_staff_changes_are_refused_to_all_but_administrators(client_for_role, role, name):
    client, user = client_for_role(role)
    path = reverse(f"accounts:{name}", kwargs=_args_for(name, user))
    response = client.post(path, {"email": "someone@example.org", "role": Role.EVALUATOR})
    if role in ADMINISTRATORS:
        assert response.status_code == 302 and response["Location"] == reverse("accounts:staff")
    elif role == "anonymous":
        assert response.status_code == 302 and "sign-in" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ALL_ROLES)
def test_invitation_page_is_public(client_for_role, role):
    client, _user = client_for_role(role)
    _invitation, token = make_invitation()
    response = client.get(reverse("accounts:invitation", kwargs={"token": token}))
    assert response.status_code == 200
    assert b"has invited you to join" in response.content


@pytest.mark.parametrize("role", ALL_ROLES)
def test_password_reset_link_page_is_public(client_for_role, role):
    client, _user = client_for_role(role)
    response = client.get(reverse("accounts:password-reset-confirm", kwargs={"uidb64": "MQ", "token": "bad-token"}))
    assert response.status_code == 400
    assert b"This link does not work" in response.content


def test_org_admin_cannot_reach_another_organisations_objects(client):
    admin = make_provider_user(is_admin=True)
    other_invitation, _ = make_invitation()
    stranger = make_provider_user(is_admin=False)
    client.force_login(admin)
    assert client.get(reverse("accounts:organisation-invitation-revoke", args=[other_invitation.pk])).status_code == 404
    assert (
        client.get(reverse("accounts:organisation-member-remove", args=[stranger.memberships.get().pk])).status_code
        == 404
    )


def test_org_admin_cannot_remove_themselves(client):
    admin = make_provider_user(is_admin=True)
    client.force_login(admin)
    response = client.post(reverse("accounts:organisation-member-remove", args=[admin.memberships.get().pk]))
    assert response.status_code == 403
    assert admin.memberships.exists()


def test_provider_opening_staff_page_gets_govuk_403(client):
    client.force_login(make_provider_user(is_admin=True))
    response = client.get("/account/staff/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">You cannot see this page</h1>' in html
    assert "govuk-header" in html and "govuk-footer" in html
    assert "<title>You cannot see this page – Commission probation services – GOV.UK</title>" in html


# --- Confirming an e-mail address -------------------------------------------------------------


@pytest.mark.parametrize("role", [*ALL_ROLES, "unconfirmed"])
def test_confirm_email_page(client, user_for_role, role):
    """Only someone with an unconfirmed address uses it; everyone else signed in goes to their account."""
    if role == "unconfirmed":
        user = make_provider_user(is_admin=True, email_confirmed_at=None)
    else:
        user = user_for_role(role)
    if user is not None:
        client.force_login(user)
    for method in (client.get, client.post):
        response = method(reverse("accounts:confirm-email"))
        if role == "anonymous":
            assert response.status_code == 302 and "sign-in" in response["Location"]
        elif role == "unconfirmed":
            assert response.status_code in (200, 302)
            assert b"Confirm your email address" in client.get(reverse("accounts:confirm-email")).content
        else:
            assert response["Location"] == reverse("accounts:home"), role


@pytest.mark.parametrize("role", [*ALL_ROLES, "unconfirmed"])
def test_confirm_email_link_page_is_public(client, user_for_role, role):
    if role == "unconfirmed":
        user = make_provider_user(is_admin=True, email_confirmed_at=None)
    else:
        user = user_for_role(role)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("accounts:confirm-email-link", kwargs={"token": "bad-token"}))
    assert response.status_code == 404
    assert b"This link does not work" in response.content


@pytest.mark.parametrize(
    "name", [name for name, allowed in PAGES.items() if allowed is not None and name != "sign-out"]
)
def test_an_unconfirmed_account_is_sent_to_confirm_from_every_signed_in_page(client, name):
    user = make_provider_user(is_admin=True, email_confirmed_at=None)
    client.force_login(user)
    response = client.get(reverse(f"accounts:{name}", kwargs=_args_for(name, user)))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:confirm-email")

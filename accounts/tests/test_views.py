"""Accounts pages through the test client: what a person sees and what happens."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, StaffRole, User
from accounts.tests.factories import make_invitation
from audit.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD, UserFactory, area, make_provider_user, make_user_with_role

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign-in")


def _text(response) -> str:
    return response.content.decode()


def _link_from_outbox(index: int = -1) -> str:
    return re.search(r"https://commission-probation\.test(/\S+)", mail.outbox[index].body).group(1)


# --- Sign in ---------------------------------------------------------------------------------


def test_empty_sign_in_form_names_both_fields(client):
    response = client.post(SIGN_IN, {"email": "", "password": ""})
    html = _text(response)
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert 'href="#email">Enter your email address' in html
    assert 'href="#password">Enter your password' in html


def test_wrong_password_gives_one_generic_error_and_keeps_the_email(client):
    UserFactory(email="sam@example.org")
    response = client.post(SIGN_IN, {"email": "sam@example.org", "password": "not it"})
    html = _text(response)
    assert html.count("Enter a correct email address and password") == 2  # summary and field
    assert 'href="#password"' in html
    assert 'value="sam@example.org"' in html
    assert "not it" not in html
    assert "_auth_user_id" not in client.session


def test_unknown_email_gets_the_same_error(client):
    response = client.post(SIGN_IN, {"email": "nobody@example.org", "password": "whatever"})
    assert "Enter a correct email address and password" in _text(response)


def test_correct_password_lands_on_your_account_and_is_audited(client):
    user = UserFactory(email="sam@example.org", full_name="Sam Jones")
    response = client.post(SIGN_IN, {"email": "sam@example.org", "password": DEFAULT_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:home")
    assert "Sam Jones" in _text(response)
    assert AuditEvent.objects.filter(action="user.signed_in", actor_id=user.pk).exists()


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account/organisation/", "/account/organisation/"),
        ("https://evil.example/", reverse("accounts:home")),
        ("//evil.example/", reverse("accounts:home")),
    ],
)
def test_next_is_followed_only_when_safe(client, next_url, expected):
    make_provider_user(email="sam@example.org")
    page = client.get(SIGN_IN, {"next": next_url})
    assert (f'value="{next_url}"' in _text(page)) == (next_url == expected)
    response = client.post(SIGN_IN, {"email": "sam@example.org", "password": DEFAULT_PASSWORD, "next": next_url})
    assert response["Location"] == expected


@override_settings(AXES_FAILURE_LIMIT=2)
def test_too_many_attempts_refuses_correct_password_with_a_clear_message(client):
    UserFactory(email="sam@example.org")
    for _ in range(2):
        client.post(SIGN_IN, {"email": "sam@example.org", "password": "wrong"})
    response = client.post(SIGN_IN, {"email": "sam@example.org", "password": DEFAULT_PASSWORD})
    assert "You have tried to sign in too many times. Wait 15 minutes and try again." in _text(response)
    assert "_auth_user_id" not in client.session
    # From another address the same person signs in at once.
    response = client.post(
        SIGN_IN, {"email": "sam@example.org", "password": DEFAULT_PASSWORD}, REMOTE_ADDR="198.51.100.5"
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_a_huge_password_is_refused_before_it_is_hashed(client, monkeypatch):
    from django.contrib.auth import hashers

    UserFactory(email="sam@example.org")
    monkeypatch.setattr(hashers, "check_password", lambda *args, **kwargs: pytest.fail("hashed"))
    response = client.post(SIGN_IN, {"email": "sam@example.org", "password": "a" * 1_000_000})
    assert response.status_code == 200
    assert "Password must be 256 characters or fewer" in _text(response)


def test_sign_out_needs_a_post(client):
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:sign-out"))
    assert page.status_code == 200 and "_auth_user_id" in client.session
    assert 'method="post"' in _text(page)
    response = client.post(reverse("accounts:sign-out"), follow=True)
    assert "_auth_user_id" not in client.session
    assert "You have signed out" in _text(response)


# --- Password reset --------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["sam@example.org", "nobody@example.org"])
def test_reset_request_says_the_same_for_any_address(client, email):
    UserFactory(email="sam@example.org")
    response = client.post(reverse("accounts:password-reset"), {"email": email}, follow=True)
    assert "If an account exists for that email address, we have sent an email" in _text(response)
    assert len(mail.outbox) == (1 if email == "sam@example.org" else 0)


def test_reset_request_needs_a_valid_address(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "not an email"})
    assert "Enter an email address in the correct format" in _text(response)


def test_reset_link_sets_a_new_password_once(client):
    # A name that "short" is not like: with a generated one ("Thomas", "Short", "Foster") the page
    # said "not like your name" first, which is why this test failed now and then.
    user = UserFactory(email="sam@example.org", full_name="Sam Jones")
    client.post(reverse("accounts:password-reset"), {"email": "sam@example.org"})
    link = _link_from_outbox()
    mismatch = client.post(link, {"password": "a new long passphrase", "password_confirm": "something else"})
    assert "Passwords must match" in _text(mismatch)
    short = client.post(link, {"password": "short", "password_confirm": "short"})
    assert "Password must be 12 characters or more" in _text(short), (
        short.status_code,
        short.get("Location"),
        _text(short)[-3000:],
    )
    done = client.post(link, {"password": "a new long passphrase", "password_confirm": "a new long passphrase"})
    assert done["Location"] == reverse("accounts:password-reset-done")
    user.refresh_from_db()
    assert user.check_password("a new long passphrase")
    assert AuditEvent.objects.filter(action="user.password_reset").count() == 1
    # The token is spent once the password changes.
    assert client.get(link).status_code == 400


# --- Your account ----------------------------------------------------------------------------


def test_your_account_shows_staff_roles_with_areas(client):
    user = make_user_with_role(Role.COMMISSIONER, area_code="K", full_name="Chris Commissioner")
    StaffRole.objects.create(user=user, role=Role.EVALUATOR)
    client.force_login(user)
    html = _text(client.get(reverse("accounts:home")))
    assert "Chris Commissioner" in html and user.email in html
    assert "Commissioner for Kent, Surrey and Sussex" in html
    assert "Evaluator" in html
    assert reverse("accounts:staff") not in html


def test_your_account_links_admin_to_organisation_page(client):
    admin = make_provider_user(is_admin=True)
    client.force_login(admin)
    html = _text(client.get(reverse("accounts:home")))
    org = admin.memberships.get().organisation
    assert f'href="{reverse("accounts:organisation")}">{org.display_name}</a>' in html


def test_your_account_names_organisation_without_link_for_member(client):
    member = make_provider_user(is_admin=False)
    client.force_login(member)
    html = _text(client.get(reverse("accounts:home")))
    assert member.memberships.get().organisation.display_name in html
    assert "Manage people in your organisation" not in html


def test_administrator_sees_staff_link(client):
    client.force_login(make_user_with_role(Role.ADMINISTRATOR))
    assert reverse("accounts:staff") in _text(client.get(reverse("accounts:home")))


# --- Organisation ----------------------------------------------------------------------------


def test_organisation_page_lists_members_and_pending_invitations(client):
    admin = make_provider_user(is_admin=True, full_name="Alex Admin")
    org = admin.memberships.get().organisation
    make_provider_user(is_admin=False, organisation=org, full_name="Mo Member")
    make_invitation(organisation=org, email="waiting@example.org")
    make_invitation(organisation=org, email="cancelled@example.org", revoked_at=timezone.now())
    make_invitation(organisation=org, email="old@example.org", expires_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(admin)
    html = _text(client.get(reverse("accounts:organisation")))
    assert "Alex Admin" in html and "Mo Member" in html
    assert "waiting@example.org" in html
    assert "cancelled@example.org" not in html and "old@example.org" not in html


def test_invite_colleague_form_errors(client):
    admin = make_provider_user(is_admin=True)
    client.force_login(admin)
    response = client.post(reverse("accounts:organisation-invite"), {"email": ""})
    html = _text(response)
    assert "Enter their email address" in html
    assert "Select yes if they should be an administrator" in html
    assert not Invitation.objects.exists()


def test_org_admin_invites_and_cancels(client):
    admin = make_provider_user(is_admin=True)
    client.force_login(admin)
    response = client.post(
        reverse("accounts:organisation-invite"), {"email": "new@example.org", "as_org_admin": "yes"}, follow=True
    )
    assert "We have sent an invitation to new@example.org" in _text(response)
    invitation = Invitation.objects.get()
    assert invitation.as_org_admin
    assert mail.outbox[0].to == ["new@example.org"]
    client.post(reverse("accounts:organisation-invitation-revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status() == "revoked"
    link = _link_from_outbox()
    client.logout()
    page = client.get(link)
    assert page.status_code == 410
    assert "This invitation has been cancelled" in _text(page)


def test_org_admin_removes_a_colleague(client):
    admin = make_provider_user(is_admin=True)
    colleague = make_provider_user(
        is_admin=False, organisation=admin.memberships.get().organisation, full_name="Mo Member"
    )
    client.force_login(admin)
    url = reverse("accounts:organisation-member-remove", args=[colleague.memberships.get().pk])
    assert colleague.full_name in _text(client.get(url))
    client.post(url)
    assert not Membership.objects.filter(user=colleague).exists()


# --- Staff -----------------------------------------------------------------------------------


def test_staff_page_lists_roles_and_invite_needs_an_area_for_commissioners(client):
    administrator = make_user_with_role(Role.ADMINISTRATOR)
    make_user_with_role(Role.PRACTITIONER, area_code="K", full_name="Pip Practitioner")
    client.force_login(administrator)
    html = _text(client.get(reverse("accounts:staff")))
    assert "Pip Practitioner" in html and "Kent, Surrey and Sussex" in html

    response = client.post(reverse("accounts:staff-invite"), {"email": "c@example.org", "role": Role.COMMISSIONER})
    assert 'href="#area">Select an area' in _text(response)
    wrong_level = client.post(
        reverse("accounts:staff-invite"),
        {"email": "c@example.org", "role": Role.PRACTITIONER, "area": area("E23000032").pk},
    )
    assert "must be given a region" in _text(wrong_level)
    ok = client.post(
        reverse("accounts:staff-invite"),
        {"email": "c@example.org", "role": Role.COMMISSIONER, "area": area("K").pk},
        follow=True,
    )
    assert "We have sent an invitation to c@example.org" in _text(ok)
    assert Invitation.objects.get().area == area("K")


def test_administrator_removes_a_role_but_not_their_own_admin_role(client):
    administrator = make_user_with_role(Role.ADMINISTRATOR)
    assessor = make_user_with_role(Role.ASSESSOR)
    client.force_login(administrator)
    own = client.post(reverse("accounts:staff-role-remove", args=[administrator.staff_roles.get().pk]))
    assert own.status_code == 400
    assert "You cannot remove your own administrator role" in _text(own)
    client.post(reverse("accounts:staff-role-remove", args=[assessor.staff_roles.get().pk]))
    assert not assessor.staff_roles.exists()


# --- Accepting invitations -------------------------------------------------------------------


def test_accepting_creates_account_and_signs_in(client):
    invitation, token = make_invitation(email="pat@example.org")
    url = reverse("accounts:invitation", args=[token])
    page = _text(client.get(url))
    assert invitation.organisation.display_name in page and "pat@example.org" in page
    bad = client.post(url, {"full_name": "", "password": "a long passphrase", "password_confirm": "different"})
    assert "Enter your full name" in _text(bad) and "Passwords must match" in _text(bad)
    response = client.post(
        url, {"full_name": "Pat Lee", "password": "a long passphrase", "password_confirm": "a long passphrase"}
    )
    assert response["Location"] == reverse("accounts:home")
    user = User.objects.get(email="pat@example.org")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert Membership.objects.filter(user=user, organisation=invitation.organisation).exists()
    used = client.get(url)
    assert used.status_code == 410 and "already been used" in _text(used)


@pytest.mark.parametrize(
    ("change", "heading"),
    [
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, "This invitation has expired"),
        ({"revoked_at": timezone.now()}, "This invitation has been cancelled"),
    ],
)
def test_unusable_invitations_say_why(client, change, heading):
    _invitation, token = make_invitation(**change)
    response = client.get(reverse("accounts:invitation", args=[token]))
    assert response.status_code == 410 and heading in _text(response)


def test_unknown_invitation_token(client):
    response = client.get(reverse("accounts:invitation", args=["no-such-token"]))
    assert response.status_code == 404 and "This invitation link does not work" in _text(response)


def test_existing_account_must_sign_in_then_accepts(client):
    administrator = make_user_with_role(Role.ADMINISTRATOR)
    person = make_user_with_role(Role.ASSESSOR, email="pat@example.org")
    invitation, token = make_invitation(role=Role.EVALUATOR, email="pat@example.org", invited_by=administrator)
    url = reverse("accounts:invitation", args=[token])
    page = client.get(url)
    assert "There is already an account for pat@example.org" in _text(page)
    assert f"{SIGN_IN}?next=%2Faccount%2Finvitation%2F{token}%2F" in _text(page)
    # Posting without signing in does nothing.
    client.post(url)
    assert not person.staff_roles.filter(role=Role.EVALUATOR).exists()

    client.force_login(person)
    response = client.post(url)
    assert response["Location"] == reverse("accounts:home")
    assert person.staff_roles.filter(role=Role.EVALUATOR).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == person


def test_signed_in_as_someone_else_cannot_accept(client):
    UserFactory(email="pat@example.org")
    other = UserFactory(email="other@example.org")
    invitation, token = make_invitation(email="pat@example.org")
    client.force_login(other)
    url = reverse("accounts:invitation", args=[token])
    assert "You are signed in as other@example.org" in _text(client.get(url))
    client.post(url)
    invitation.refresh_from_db()
    assert invitation.status() == "pending"


@pytest.mark.parametrize(
    ("role", "extra", "link_text"),
    [
        ("provider", {}, "What you can bid for"),
        ("assessor", {}, "Decide applications to join the framework"),
        # Administrators get is_staff when their role is granted through an invitation.
        ("administrator", {"is_staff": True}, "Open the administration tool"),
    ],
)
def test_your_account_links_to_what_each_role_can_do(client_for_role, role, extra, link_text):
    client, _user = client_for_role(role, **extra)
    assert link_text in _text(client.get(reverse("accounts:home")))


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # the header is ignored unless proxies are trusted
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
    ],
)
def test_failed_attempts_are_counted_against_the_client_address(client, settings, proxies, forwarded, expected):
    from axes.models import AccessAttempt

    settings.SIGN_IN_TRUSTED_PROXIES = proxies
    client.post(SIGN_IN, {"email": "A@example.org", "password": "x"}, HTTP_X_FORWARDED_FOR=forwarded)
    attempt = AccessAttempt.objects.get()
    assert (attempt.ip_address, attempt.username) == (expected, "a@example.org")


# --- Every link on "Your account" works (issue 8.3) ------------------------------------------

EXPECTED_LINKS = {
    "provider": {
        "See who is in your organisation",
        "Your application to join the framework",
        "What you can bid for",
        "Opportunities for you",
        "Contracts",
    },
    "provider_admin": {
        "Manage people in your organisation",
        "Your application to join the framework",
        "What you can bid for",
        "Opportunities for you",
        "Contracts",
    },
    "assessor": {"Decide applications to join the framework", "Requests for help", "Contracts"},
    "commissioner": {"Your opportunities: set up, launch, score and award", "Contracts"},
    "evaluator": {"Bids to score", "Contracts"},
    "practitioner": {"Contracts"},
    "administrator": {"Contracts", "Manage staff and their roles", "Open the administration tool"},
}
ALWAYS = {"Change your password", "Sign out"}


def _what_you_can_do(html: str) -> dict[str, str]:
    section = html.split("What you can do", 1)[1].split("</ul>", 1)[0]
    return {text: href for href, text in re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', section)}


@pytest.mark.parametrize("role", sorted(EXPECTED_LINKS))
def test_every_link_on_your_account_is_there_and_opens(client_for_role, role):
    extra = {"is_staff": True} if role == "administrator" else {}
    client, _user = client_for_role(role, **extra)
    links = _what_you_can_do(_text(client.get(reverse("accounts:home"))))
    assert set(links) == EXPECTED_LINKS[role] | ALWAYS
    for text, href in links.items():
        response = client.get(href)
        # A page, or a redirect within the service to the next step of a journey; never "not found".
        assert response.status_code in (200, 302), (text, href, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/") and client.get(response["Location"]).status_code == 200


def test_a_wrong_url_name_on_your_account_is_an_error_not_a_missing_link(client, monkeypatch):
    from django.urls import NoReverseMatch

    from accounts import views

    real_reverse = views.reverse

    def reverse_without_contracts(name, *args, **kwargs):
        if name == "contracts:register":
            raise NoReverseMatch(name)
        return real_reverse(name, *args, **kwargs)

    monkeypatch.setattr(views, "reverse", reverse_without_contracts)
    client.force_login(make_user_with_role(Role.ASSESSOR))
    with pytest.raises(NoReverseMatch):
        client.get(reverse("accounts:home"))

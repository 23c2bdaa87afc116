"""Services and selectors: sign-in limits, password reset, invitations, members and roles."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.utils import timezone

from accounts import selectors, services
from accounts.models import Invitation, Membership, Role, StaffRole, User
from accounts.tests.factories import make_invitation
from audit.models import AuditEvent
from tests.factories import (
    DEFAULT_PASSWORD,
    OrganisationFactory,
    UserFactory,
    area,
    make_provider_user,
    make_user_with_role,
)

pytestmark = pytest.mark.django_db

BASE = "https://commission-probation.test"
T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def _request(ip="10.0.0.1"):
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().post("/account/sign-in/", REMOTE_ADDR=ip)
    request.session = SessionStore()
    return request


def _sign_in(email, password, *, ip="10.0.0.1"):
    return services.user_sign_in(request=_request(ip), email=email, password=password)


def _actions():
    return list(AuditEvent.objects.values_list("action", flat=True))


def _failures(email):
    return sum(AccessAttempt.objects.filter(username=email).values_list("failures_since_start", flat=True))


# --- Signing in ------------------------------------------------------------------------------


def test_correct_password_signs_in_and_is_audited_but_failures_are_not():
    user = UserFactory(email="sam@example.org")
    assert _sign_in("sam@example.org", "wrong").user is None
    assert _failures("sam@example.org") == 1
    assert "user.signed_in" not in _actions()

    result = _sign_in("SAM@example.org", DEFAULT_PASSWORD)
    assert result.user == user
    assert _actions() == ["user.signed_in"]
    # A successful sign-in clears the failures of that account from that address.
    assert _failures("sam@example.org") == 0


@override_settings(AXES_FAILURE_LIMIT=3)
def test_an_account_and_address_that_failed_too_often_wait_even_with_the_right_password():
    user = UserFactory(email="sam@example.org")
    for _ in range(2):
        _sign_in("sam@example.org", "wrong", ip="192.0.2.7")
    # Two failures: the third try with the right password still works.
    assert _sign_in("sam@example.org", DEFAULT_PASSWORD, ip="192.0.2.7").user == user
    for _ in range(3):
        _sign_in("sam@example.org", "wrong", ip="192.0.2.7")
    refused = _sign_in("sam@example.org", DEFAULT_PASSWORD, ip="192.0.2.7")
    assert refused.user is None and refused.too_many_attempts
    # Refusals while blocked are not counted, so the wait does not grow.
    assert _failures("sam@example.org") == 3


@override_settings(AXES_FAILURE_LIMIT=5)
def test_an_attacker_guessing_from_one_address_never_locks_the_bidder_out_of_her_own():
    """Issue 9.7: fifty wrong passwords for a bidder's account from one address, an hour before a
    deadline, and she still signs in from hers, first time."""
    bidder = make_provider_user(email="bidder@example.org")
    for _ in range(50):
        _sign_in("bidder@example.org", "guess", ip="203.0.113.66")
    assert _sign_in("bidder@example.org", DEFAULT_PASSWORD, ip="203.0.113.66").too_many_attempts
    result = _sign_in("bidder@example.org", DEFAULT_PASSWORD, ip="198.51.100.5")
    assert result.user == bidder and not result.too_many_attempts


@override_settings(AXES_FAILURE_LIMIT=3)
def test_guesses_at_many_accounts_from_a_shared_address_lock_nobody_else_out():
    victim = UserFactory(email="victim@example.org")
    for n in range(10):
        _sign_in(f"guess{n}@example.org", "wrong", ip="192.0.2.7")
    # Someone else behind the same address (an office, a prison's probation team) still signs in.
    assert _sign_in("victim@example.org", DEFAULT_PASSWORD, ip="192.0.2.7").user == victim


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=datetime.timedelta(seconds=60))
def test_the_wait_ends_by_itself(monkeypatch):
    user = UserFactory(email="sam@example.org")
    for _ in range(2):
        _sign_in("sam@example.org", "x")
    assert _sign_in("sam@example.org", DEFAULT_PASSWORD).too_many_attempts
    # Sixty-one seconds after the last failure, the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(seconds=61))
    assert _sign_in("sam@example.org", DEFAULT_PASSWORD).user == user


def test_inactive_user_cannot_sign_in():
    UserFactory(email="gone@example.org", is_active=False)
    assert _sign_in("gone@example.org", DEFAULT_PASSWORD).user is None


# --- Password reset --------------------------------------------------------------------------


def test_reset_emails_a_working_link_to_a_known_address_from_a_task():
    user = UserFactory(email="sam@example.org")
    services.password_reset_request(email="Sam@Example.org")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]
    link = next(line for line in mail.outbox[0].body.splitlines() if line.startswith("http"))
    token = link.rstrip("/").split("/")[-1]
    assert default_token_generator.check_token(user, token)
    assert _actions() == ["user.password_reset_sent"]


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_reset_emails_go_through_the_task_queue():
    from django.tasks import default_task_backend

    user = UserFactory(email="sam@example.org")
    services.password_reset_request(email="sam@example.org")
    # Queued, not sent inside the request.
    assert mail.outbox == []
    [queued] = default_task_backend.results
    assert queued.task.name == "send_password_reset" and queued.kwargs == {"user_id": user.pk}


@override_settings(ACCOUNT_EMAILS_PER_HOUR=3)
def test_reset_emails_to_one_address_are_limited_per_hour():
    UserFactory(email="sam@example.org")
    for minute in range(10):
        services.password_reset_request(email="sam@example.org", now=T0 + datetime.timedelta(minutes=minute))
    assert len(mail.outbox) == 3
    # An hour after the first, another may go.
    services.password_reset_request(email="sam@example.org", now=T0 + datetime.timedelta(minutes=60, seconds=1))
    assert len(mail.outbox) == 4


@pytest.mark.parametrize("email", ["nobody@example.org", "inactive@example.org"])
def test_reset_sends_nothing_for_unknown_or_inactive_addresses(email):
    UserFactory(email="inactive@example.org", is_active=False)
    services.password_reset_request(email=email)
    assert mail.outbox == []


@override_settings(AXES_FAILURE_LIMIT=2)
def test_password_reset_sets_password_audits_and_lifts_sign_in_block():
    user = UserFactory(email="sam@example.org")
    for _ in range(2):
        _sign_in("sam@example.org", "wrong")
    assert _sign_in("sam@example.org", DEFAULT_PASSWORD).too_many_attempts
    services.user_password_reset(user=user, password="a brand new passphrase")
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")
    assert not AccessAttempt.objects.exists()
    assert _sign_in("sam@example.org", "a brand new passphrase").user == user
    event = AuditEvent.objects.get(action="user.password_reset")
    assert "password" not in str(event.before) + str(event.after)


# --- Invitations -----------------------------------------------------------------------------


def test_organisation_invitation_stores_only_a_hash_and_emails_the_link():
    admin = make_provider_user(is_admin=True)
    org = admin.memberships.get().organisation
    invitation, token = services.invitation_create_for_organisation(
        invited_by=admin, organisation=org, email="New@Example.org", as_org_admin=False
    )
    assert invitation.email == "new@example.org"
    assert invitation.token_hash == selectors.hash_token(token) != token
    assert token not in str(list(Invitation.objects.values()))
    assert f"/account/invitation/{token}/" in mail.outbox[0].body
    assert org.display_name in mail.outbox[0].body
    event = AuditEvent.objects.get(action="invitation.created")
    assert token not in str(event.after) and invitation.token_hash not in str(event.after)
    assert selectors.invitation_get_by_token(token=token) == invitation


def test_cannot_invite_a_member_twice_or_an_existing_member():
    admin = make_provider_user(is_admin=True)
    org = admin.memberships.get().organisation
    make_provider_user(organisation=org, email="colleague@example.org")
    with pytest.raises(ValidationError) as error:
        services.invitation_create_for_organisation(
            invited_by=admin, organisation=org, email="colleague@example.org", as_org_admin=False
        )
    assert "already a member" in str(error.value)
    services.invitation_create_for_organisation(
        invited_by=admin, organisation=org, email="new@example.org", as_org_admin=False
    )
    with pytest.raises(ValidationError, match="already invited"):
        services.invitation_create_for_organisation(
            invited_by=admin, organisation=org, email="NEW@example.org", as_org_admin=True
        )


def test_invitation_expires_after_the_configured_days():
    invitation, _ = make_invitation(created_at=T0, expires_at=T0 + datetime.timedelta(days=14))
    assert invitation.status(T0 + datetime.timedelta(days=14, seconds=-1)) == "pending"
    assert invitation.status(T0 + datetime.timedelta(days=14)) == "expired"
    with pytest.raises(services.InvitationNotPending) as error:
        services.invitation_accept(
            invitation=invitation,
            full_name="Late Person",
            password="a long enough passphrase",
            now=T0 + datetime.timedelta(days=15),
        )
    assert error.value.status == "expired"
    assert not User.objects.filter(email=invitation.email).exists()


def test_service_invitation_expiry_follows_setting():
    admin = make_provider_user(is_admin=True)
    org = admin.memberships.get().organisation
    with override_settings(INVITATION_VALID_DAYS=3):
        invitation, _ = services.invitation_create_for_organisation(
            invited_by=admin, organisation=org, email="a@example.org", as_org_admin=False, now=T0
        )
    assert invitation.expires_at == T0 + datetime.timedelta(days=3)


def test_accepting_creates_the_member_once():
    invitation, _ = make_invitation(as_org_admin=True)
    user = services.invitation_accept(invitation=invitation, full_name="  Pat Lee ", password="a long passphrase")
    assert user.full_name == "Pat Lee"
    assert user.check_password("a long passphrase")
    membership = Membership.objects.get(user=user)
    assert membership.organisation == invitation.organisation and membership.is_admin
    invitation.refresh_from_db()
    assert invitation.status() == "accepted" and invitation.accepted_by == user
    assert {"user.created", "membership.added", "invitation.accepted"} <= set(_actions())
    with pytest.raises(services.InvitationNotPending):
        services.invitation_accept(invitation=invitation, full_name="Again", password="a long passphrase")


def test_revoked_invitation_cannot_be_accepted_or_revoked_again():
    invitation, _ = make_invitation()
    services.invitation_revoke(invitation=invitation, actor=invitation.invited_by)
    invitation.refresh_from_db()
    assert invitation.status() == "revoked"
    assert "invitation.revoked" in _actions()
    with pytest.raises(services.InvitationNotPending):
        services.invitation_accept(invitation=invitation, full_name="X", password="a long passphrase")
    with pytest.raises(services.InvitationNotPending):
        services.invitation_revoke(invitation=invitation, actor=invitation.invited_by)


def test_existing_user_accepts_a_staff_role_while_signed_in():
    administrator = make_user_with_role(Role.ADMINISTRATOR)
    person = make_user_with_role(Role.ASSESSOR, email="pat@example.org")
    invitation, _ = services.invitation_create_for_staff(
        invited_by=administrator, email="pat@example.org", role=Role.COMMISSIONER, area=area("K")
    )
    services.invitation_accept(invitation=invitation, user=person)
    assert set(person.staff_roles.values_list("role", flat=True)) == {Role.ASSESSOR, Role.COMMISSIONER}
    assert "staff_role.granted" in _actions()


def test_someone_else_cannot_accept_an_invitation():
    invitation, _ = make_invitation(email="pat@example.org")
    other = UserFactory(email="other@example.org")
    with pytest.raises(ValidationError, match="different email"):
        services.invitation_accept(invitation=invitation, user=other)


def test_member_of_another_organisation_cannot_join_a_second():
    person = make_provider_user(email="pat@example.org")
    invitation, _ = make_invitation(email="pat@example.org")
    with pytest.raises(ValidationError, match="only belong to one organisation"):
        services.invitation_accept(invitation=invitation, user=person)
    invitation.refresh_from_db()
    assert invitation.status() == "pending"


def test_new_account_is_refused_when_the_address_already_has_one():
    UserFactory(email="pat@example.org")
    invitation, _ = make_invitation(email="pat@example.org")
    with pytest.raises(ValidationError, match="already uses this email"):
        services.invitation_accept(invitation=invitation, full_name="Pat", password="a long passphrase")


@pytest.mark.parametrize(
    ("role", "area_code", "ok"),
    [
        (Role.COMMISSIONER, "K", True),
        (Role.COMMISSIONER, "E23000032", True),  # a PCC area
        (Role.COMMISSIONER, None, False),
        (Role.PRACTITIONER, "K", True),
        (Role.PRACTITIONER, "E23000032", False),
        (Role.ASSESSOR, None, True),
        (Role.ASSESSOR, "K", False),
        ("wizard", None, False),
    ],
)
def test_staff_invitation_area_rules(role, area_code, ok):
    administrator = make_user_with_role(Role.ADMINISTRATOR)
    place = area(area_code) if area_code else None
    if ok:
        invitation, _ = services.invitation_create_for_staff(
            invited_by=administrator, email="pat@example.org", role=role, area=place
        )
        assert invitation.role == role and invitation.area == place
    else:
        with pytest.raises(ValidationError):
            services.invitation_create_for_staff(
                invited_by=administrator, email="pat@example.org", role=role, area=place
            )
        assert not Invitation.objects.exists()


def test_administrator_role_gives_and_removes_admin_site_access():
    administrator = make_user_with_role(Role.ADMINISTRATOR)
    invitation, _ = services.invitation_create_for_staff(
        invited_by=administrator, email="pat@example.org", role=Role.ADMINISTRATOR, area=None
    )
    user = services.invitation_accept(invitation=invitation, full_name="Pat", password="a long passphrase")
    assert user.is_staff
    services.staff_role_remove(staff_role=user.staff_roles.get(), actor=administrator)
    user.refresh_from_db()
    assert not user.is_staff
    assert "staff_role.removed" in _actions()
    assert {"staff_role.granted", "user.staff_access_granted", "user.staff_access_removed"} <= set(_actions())


def test_staff_role_grant_gives_an_administrator_the_admin_once():
    user = UserFactory()
    services.staff_role_grant(user=user, role=Role.ADMINISTRATOR, actor="set-up")
    services.staff_role_grant(user=user, role=Role.ADMINISTRATOR, actor="set-up")
    user.refresh_from_db()
    assert user.is_staff and user.staff_roles.count() == 1
    assert _actions().count("staff_role.granted") == 1 and _actions().count("user.staff_access_granted") == 1


def test_administrator_cannot_remove_own_administrator_role():
    administrator = make_user_with_role(Role.ADMINISTRATOR)
    with pytest.raises(ValidationError):
        services.staff_role_remove(staff_role=administrator.staff_roles.get(), actor=administrator)
    assert StaffRole.objects.filter(user=administrator).exists()


def test_membership_remove_refuses_self_and_audits():
    org = OrganisationFactory()
    admin = make_provider_user(is_admin=True, organisation=org)
    colleague = make_provider_user(is_admin=False, organisation=org)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=admin.memberships.get(), actor=admin)
    services.membership_remove(membership=colleague.memberships.get(), actor=admin)
    assert not Membership.objects.filter(user=colleague).exists()
    assert User.objects.filter(pk=colleague.pk).exists()
    event = AuditEvent.objects.get(action="membership.removed")
    assert event.before["user_id"] == colleague.pk

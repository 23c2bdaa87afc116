"""Writes for accounts: signing in, confirming e-mail addresses, password reset, invitations,
memberships and staff roles.

Every change is audited in the same transaction. Passwords and tokens never reach the audit trail.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import confirmation
from accounts.models import (
    AccountEmailSent,
    EmailConfirmationSent,
    Invitation,
    Membership,
    Organisation,
    Role,
    StaffRole,
    User,
)
from accounts.selectors import (
    email_confirmation_refusal,
    hash_token,
    invitation_pending_exists,
    normalise_email,
    user_get_by_email,
)
from accounts.tasks import (
    send_email_confirmation,
    send_password_reset,
    send_registration_attempt_notice,
)
from audit.services import audit_record, snapshot
from core.links import service_url
from core.mail import send_email
from reference.models import Area

INVITATION_FIELDS = ["email", "organisation", "as_org_admin", "role", "area", "expires_at", "accepted_at", "revoked_at"]
USER_FIELDS = ["email", "full_name", "is_active", "is_staff", "email_confirmed_at"]


# --- Signing in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    too_many_attempts: bool = False


# Audit actions that change nothing a public page or public API read shows (who signs in, which
# e-mails were sent, second factors): they do not move the public data version (audit/changes.py,
# ADR 10). Declared in AccountsConfig.ready.
PRIVATE_AUDIT_ACTIONS = (
    "user.signed_in",
    "user.email_confirmation_sent",
    "user.password_reset_sent",
    "user.registration_attempt_notified",
    "second_factor.set_up_started",
    "second_factor.set_up",
    "second_factor.verified",
    "second_factor.failed",
    "second_factor.reset",
)


@transaction.atomic
def user_sign_in(*, request: HttpRequest, email: str, password: str) -> SignInResult:
    """Check the password and sign the person in, unless this account has failed too often from
    this address (django-axes counts failures for the two together: settings.AXES_*).

    Someone guessing from one address slows down only themselves: the right password from any
    other address still works. While blocked, failures do not make the wait longer.
    """
    user = authenticate(request, email=normalise_email(email), password=password)
    if user is None:
        return SignInResult(user=None, too_many_attempts=bool(getattr(request, "axes_locked_out", False)))
    login(request, user)
    audit_record(actor=user, action="user.signed_in", obj=user)
    return SignInResult(user=user)


# --- Confirming an e-mail address ------------------------------------------------------------


class EmailConfirmationLinkError(Exception):
    """The link cannot confirm anything: `status` is "invalid", "expired" or "used"; `user` is the
    link's owner where the link says who that is."""

    def __init__(self, status: str, user: User | None = None):
        super().__init__(status)
        self.status = status
        self.user = user


def _email_confirmed(*, user: User, now: datetime.datetime, how: str, actor: User | str | None) -> User:
    """Record that the person has shown they read this address (call inside a transaction)."""
    before = snapshot(user, USER_FIELDS)
    user.email_confirmed_at = now
    user.save(update_fields=["email_confirmed_at"])
    user.__dict__.pop("_membership_cache", None)
    audit_record(
        actor=actor,
        action="user.email_confirmed",
        obj=user,
        before=before,
        after={**snapshot(user, USER_FIELDS), "how": how},
    )
    return user


@transaction.atomic
def email_confirmation_send(*, user: User, now: datetime.datetime | None = None) -> EmailConfirmationSent:
    """E-mail a link that confirms the address, unless it is confirmed or one was sent too recently
    (see accounts.confirmation: once a minute, SENDS_PER_HOUR an hour)."""
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)  # two clicks at once send one link
    if user.email_confirmed_at is not None:
        raise ValidationError("Your email address is already confirmed.", code="already_confirmed")
    refusal = email_confirmation_refusal(user=user, now=now)
    if refusal:
        raise ValidationError(refusal, code="too_often")
    sent = EmailConfirmationSent(user=user, sent_at=now)
    sent.full_clean()
    sent.save()
    audit_record(actor=user, action="user.email_confirmation_sent", obj=user, after={"sent_at": now})
    # Enqueued in this transaction: with the database task queue the e-mail goes only if this commits.
    send_email_confirmation.enqueue(user_id=user.pk)
    return sent


@transaction.atomic
def email_confirm(*, token: str, now: datetime.datetime | None = None) -> User:
    """Confirm the address a link was sent to. Raises EmailConfirmationLinkError if it cannot."""
    now = now or timezone.now()
    check = confirmation.check_token(token, now=now)
    if check.status == "invalid":
        raise EmailConfirmationLinkError("invalid")
    user = User.objects.select_for_update().get(pk=check.user.pk)
    # Already confirmed comes first: an old link then has nothing left to do, expired or not.
    if user.email_confirmed_at is not None:
        raise EmailConfirmationLinkError("used", user)
    if check.status == "expired":
        raise EmailConfirmationLinkError("expired", user)
    return _email_confirmed(user=user, now=now, how="link", actor=user)


# --- Password reset --------------------------------------------------------------------------


def _account_email_allowed(*, user: User, kind: str, now: datetime.datetime) -> bool:
    """At most settings.ACCOUNT_EMAILS_PER_HOUR e-mails of this kind to one address in an hour."""
    recent = AccountEmailSent.objects.filter(user=user, kind=kind, sent_at__gt=now - datetime.timedelta(hours=1))
    return recent.count() < settings.ACCOUNT_EMAILS_PER_HOUR


def _account_email_record(*, user: User, kind: str, now: datetime.datetime) -> AccountEmailSent:
    sent = AccountEmailSent(user=user, kind=kind, sent_at=now)
    sent.full_clean()
    sent.save()
    return sent


@transaction.atomic
def password_reset_request(*, email: str, now: datetime.datetime | None = None) -> None:
    """E-mail a reset link if an active account has this address, at most
    ACCOUNT_EMAILS_PER_HOUR times an hour. Says nothing either way: the page is the same."""
    now = now or timezone.now()
    user = User.objects.select_for_update().filter(email__iexact=normalise_email(email)).first()
    if user is None or not user.is_active or not user.has_usable_password():
        return
    kind = AccountEmailSent.Kind.PASSWORD_RESET
    if not _account_email_allowed(user=user, kind=kind, now=now):
        return
    _account_email_record(user=user, kind=kind, now=now)
    audit_record(actor=None, action="user.password_reset_sent", obj=user, after={"sent_at": now})
    # Enqueued in this transaction: with the database task queue the e-mail goes only if this commits.
    send_password_reset.enqueue(user_id=user.pk)


@transaction.atomic
def registration_attempt_notice_send(*, user: User, now: datetime.datetime | None = None) -> None:
    """Someone tried to register with this account's address: tell its owner by e-mail (at most
    ACCOUNT_EMAILS_PER_HOUR an hour). Nothing is made; the registration page says the same as for
    a new address."""
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    kind = AccountEmailSent.Kind.REGISTRATION_ATTEMPT
    if not user.is_active or not _account_email_allowed(user=user, kind=kind, now=now):
        return
    _account_email_record(user=user, kind=kind, now=now)
    audit_record(actor=None, action="user.registration_attempt_notified", obj=user, after={"sent_at": now})
    send_registration_attempt_notice.enqueue(user_id=user.pk)


@transaction.atomic
def user_password_reset(*, user: User, password: str) -> User:
    """Set a new password chosen through a reset link. Also lifts any sign-in block on the account
    (from every address) and confirms the address."""
    user.set_password(password)
    user.full_clean()
    user.save(update_fields=["password"])
    axes_reset(username=normalise_email(user.email))
    audit_record(actor=user, action="user.password_reset", obj=user)
    if user.email_confirmed_at is None:
        # The reset link was e-mailed to this address, so following it proves the address.
        _email_confirmed(user=user, now=timezone.now(), how="password reset", actor=user)
    return user


# --- Invitations -----------------------------------------------------------------------------


class InvitationNotPending(Exception):
    """The invitation was accepted, revoked or has expired."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_link(*, token: str) -> str:
    return service_url("accounts:invitation", token=token)


def _send_invitation_email(*, invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by.get_full_name() or invitation.invited_by.email
    if invitation.organisation_id:
        what = f"join {invitation.organisation.display_name} on {settings.SERVICE_NAME}"
        if invitation.as_org_admin:
            what += " as an administrator"
    else:
        role = Role(invitation.role).label.lower()
        what = f"use {settings.SERVICE_NAME} as {'an' if role[0] in 'aeiou' else 'a'} {role}"
        if invitation.area_id:
            what += f" for {invitation.area.name}"
    expires = timezone.localtime(invitation.expires_at).strftime("%-d %B %Y")
    send_email(
        to=[invitation.email],
        subject=f"You have been invited to {settings.SERVICE_NAME}",
        body=(
            "Hello,\n\n"
            f"{inviter} has invited you to {what}.\n\n"
            f"To accept, open this link and set up your account:\n{invitation_link(token=token)}\n\n"
            f"The link stops working on {expires}.\n\n"
            "If you were not expecting this, you can ignore this email.\n"
        ),
    )


def _create_invitation(*, invitation: Invitation, actor: User) -> tuple[Invitation, str]:
    token = _new_token()
    invitation.token_hash = hash_token(token)
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor, action="invitation.created", obj=invitation, after=snapshot(invitation, INVITATION_FIELDS)
    )
    _send_invitation_email(invitation=invitation, token=token)
    return invitation, token


def _expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)


@transaction.atomic
def invitation_create_for_organisation(
    *,
    invited_by: User,
    organisation: Organisation,
    email: str,
    as_org_admin: bool,
    now: datetime.datetime | None = None,
) -> tuple[Invitation, str]:
    """Invite a colleague to an organisation. Returns the invitation and its token (only ever e-mailed)."""
    now = now or timezone.now()
    email = normalise_email(email)
    existing = user_get_by_email(email=email)
    if existing is not None and Membership.objects.filter(user=existing, organisation=organisation).exists():
        raise ValidationError({"email": "This person is already a member of your organisation"})
    if invitation_pending_exists(email=email, organisation=organisation, now=now):
        raise ValidationError({"email": "You have already invited this person. Their invitation has not been used yet"})
    invitation = Invitation(
        email=email,
        organisation=organisation,
        as_org_admin=as_org_admin,
        invited_by=invited_by,
        created_at=now,
        expires_at=_expiry(now),
    )
    return _create_invitation(invitation=invitation, actor=invited_by)


@transaction.atomic
def invitation_create_for_staff(
    *,
    invited_by: User,
    email: str,
    role: str,
    area: Area | None,
    now: datetime.datetime | None = None,
) -> tuple[Invitation, str]:
    """Invite someone to take a framework staff role, limited to an area where the role needs one."""
    now = now or timezone.now()
    email = normalise_email(email)
    if role not in Role.values:
        raise ValidationError({"role": "Select a role"})
    StaffRole(role=role, area=area).clean()  # the same area rules as the role itself
    existing = user_get_by_email(email=email)
    if existing is not None and existing.staff_roles.filter(role=role, area=area).exists():
        raise ValidationError({"email": "This person already has this role"})
    if invitation_pending_exists(email=email, role=role, area=area, now=now):
        raise ValidationError(
            {"email": "You have already invited this person to this role. Their invitation has not been used yet"}
        )
    invitation = Invitation(
        email=email, role=role, area=area, invited_by=invited_by, created_at=now, expires_at=_expiry(now)
    )
    return _create_invitation(invitation=invitation, actor=invited_by)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User, now: datetime.datetime | None = None) -> Invitation:
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    status = invitation.status(now)
    if status != "pending":
        raise InvitationNotPending(status)
    before = snapshot(invitation, INVITATION_FIELDS)
    invitation.revoked_at = now
    invitation.full_clean()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="invitation.revoked",
        obj=invitation,
        before=before,
        after=snapshot(invitation, INVITATION_FIELDS),
    )
    return invitation


@transaction.atomic
def staff_role_grant(*, user: User, role: str, area: Area | None = None, actor: User | str | None) -> StaffRole:
    """Give `user` a framework staff role (limited to `area` where the role needs one). Granting it
    again changes nothing. An administrator also gets `is_staff`, which the Django admin checks: the
    role alone is what the service checks, the flag is what lets the admin open at all."""
    staff_role = user.staff_roles.filter(role=role, area=area).first()
    if staff_role is None:
        staff_role = StaffRole(user=user, role=role, area=area)
        staff_role.full_clean()
        staff_role.save()
        audit_record(actor=actor, action="staff_role.granted", obj=staff_role, after=snapshot(staff_role))
    if role == Role.ADMINISTRATOR and not user.is_staff:
        before = snapshot(user, USER_FIELDS)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        audit_record(
            actor=actor, action="user.staff_access_granted", obj=user, before=before, after=snapshot(user, USER_FIELDS)
        )
    user.__dict__.pop("_role_cache", None)
    user.__dict__.pop("_role_areas", None)
    return staff_role


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
    now: datetime.datetime | None = None,
) -> User:
    """Accept an invitation: as a new account (full name and password), or as the signed-in `user`.

    The signed-in user must have the invited e-mail address.
    """
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("organisation", "area").get(pk=invitation.pk)
    )
    status = invitation.status(now)
    if status != "pending":
        raise InvitationNotPending(status)
    if user is None:
        if user_get_by_email(email=invitation.email) is not None:
            raise ValidationError("An account already uses this email address. Sign in to accept the invitation")
        user = User(email=normalise_email(invitation.email), full_name=full_name.strip(), date_joined=now)
        user.set_password(password)
        user.full_clean()
        user.save()
        audit_record(actor=user, action="user.created", obj=user, after=snapshot(user, USER_FIELDS))
    elif normalise_email(user.email) != normalise_email(invitation.email):
        raise ValidationError("This invitation was sent to a different email address")
    if user.email_confirmed_at is None:
        # The invitation was e-mailed to this address: using it proves the address.
        _email_confirmed(user=user, now=now, how="invitation", actor=user)

    if invitation.organisation_id:
        current = Membership.objects.filter(user=user).select_related("organisation").first()
        if current is not None:
            raise ValidationError(
                f"You already belong to {current.organisation.display_name}. You can only belong to one organisation"
            )
        membership = Membership(
            user=user, organisation=invitation.organisation, is_admin=invitation.as_org_admin, joined_at=now
        )
        membership.full_clean()
        membership.save()
        user.__dict__.pop("_membership_cache", None)
        audit_record(actor=user, action="membership.added", obj=membership, after=snapshot(membership))
    else:
        staff_role_grant(user=user, role=invitation.role, area=invitation.area, actor=user)

    before = snapshot(invitation, INVITATION_FIELDS)
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.full_clean()
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action="invitation.accepted",
        obj=invitation,
        before=before,
        after=snapshot(invitation, INVITATION_FIELDS),
    )
    return user


# --- Members and staff roles -----------------------------------------------------------------


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Remove a person from an organisation. Their account stays; they lose access to the organisation."""
    if membership.user_id == actor.pk:
        raise ValidationError("You cannot remove yourself")
    before = snapshot(membership)
    audit_record(actor=actor, action="membership.removed", obj=membership, before=before)
    membership.delete()


@transaction.atomic
def staff_role_remove(*, staff_role: StaffRole, actor: User) -> None:
    if staff_role.user_id == actor.pk and staff_role.role == Role.ADMINISTRATOR:
        raise ValidationError("You cannot remove your own administrator role")
    user = staff_role.user
    before = snapshot(staff_role)
    audit_record(actor=actor, action="staff_role.removed", obj=staff_role, before=before)
    staff_role.delete()
    if (
        staff_role.role == Role.ADMINISTRATOR
        and user.is_staff
        and not user.is_superuser
        and not user.staff_roles.filter(role=Role.ADMINISTRATOR).exists()
    ):
        before = snapshot(user, USER_FIELDS)
        user.is_staff = False
        user.save(update_fields=["is_staff"])
        audit_record(
            actor=actor, action="user.staff_access_removed", obj=user, before=before, after=snapshot(user, USER_FIELDS)
        )


# --- Second factor (staff) -------------------------------------------------------------------
#
# An authenticator app (TOTP, django-otp) and one-time recovery codes. The app's secret and the
# codes never reach the audit trail.

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def _normalise_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()[:32]


@transaction.atomic
def second_factor_set_up_start(*, user: User) -> TOTPDevice:
    """The app to be set up: a new secret, not yet trusted, shown to the person until they type a
    code it makes. Asking again shows the same secret; a person whose app is set up gets nothing."""
    if user_has_device(user, confirmed=True):
        raise ValidationError("You have already set up an authenticator app.", code="already_set_up")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=TOTP_NAME, confirmed=False)
        device.full_clean()
        device.save()
        audit_record(actor=user, action="second_factor.set_up_started", obj=user)
    return device


@transaction.atomic
def second_factor_set_up(*, user: User, code: str, request: HttpRequest | None = None) -> list[str]:
    """Trust the app once it gives a right code; make new recovery codes and return them (the only
    time anyone sees them). With a request, that session counts as verified."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None or user_has_device(user, confirmed=True):
        raise ValidationError("Start setting up your authenticator app again.", code="not_started")
    if not device.verify_token(_normalise_code(code)):
        raise ValidationError("The code is not right. Enter the 6-digit code your app shows now", code="wrong_code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=token) for token in codes])
    audit_record(
        actor=user, action="second_factor.set_up", obj=user, after={"recovery_codes": settings.RECOVERY_CODE_COUNT}
    )
    if request is not None:
        otp_login(request, device)
    return codes


@transaction.atomic
def second_factor_verify(*, request: HttpRequest, code: str) -> bool:
    """Check a code from the person's app, or one of their recovery codes (each works once). A right
    code marks this session verified. Wrong codes slow down further tries (django-otp's throttling)."""
    user = request.user
    token = _normalise_code(code)
    model = TOTPDevice if token.isdigit() else StaticDevice
    device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
    if device is None or not device.verify_token(token):
        audit_record(actor=user, action="second_factor.failed", obj=user)
        return False
    otp_login(request, device)
    how = "recovery code" if model is StaticDevice else "app"
    left = device.token_set.count() if model is StaticDevice else None
    audit_record(actor=user, action="second_factor.verified", obj=user, after={"how": how, "recovery_codes_left": left})
    return True


@transaction.atomic
def second_factor_reset(*, user: User, actor: User) -> None:
    """An administrator takes away someone's app and recovery codes (a lost phone). They set up a
    new app the next time they sign in. Never one's own (see permissions.can_reset_second_factor)."""
    from accounts.permissions import can_reset_second_factor

    if not can_reset_second_factor(actor, user):
        raise ValidationError("You cannot reset this person's sign-in codes.", code="not_allowed")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="second_factor.reset", obj=user)

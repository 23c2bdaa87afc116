"""Reads for accounts: invitations, members and staff."""

from __future__ import annotations

import datetime
import hashlib

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import confirmation
from accounts.models import (
    EmailConfirmationSent,
    Invitation,
    Membership,
    Organisation,
    StaffRole,
    User,
)
from reference.models import Area, AreaLevel


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=normalise_email(email)).first()


def invitation_get_by_token(*, token: str) -> Invitation | None:
    if not token:
        return None
    return (
        Invitation.objects.select_related("organisation", "area", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def _pending(qs: QuerySet[Invitation], now: datetime.datetime) -> QuerySet[Invitation]:
    return qs.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


def invitations_pending_for_organisation(
    *, organisation: Organisation, now: datetime.datetime | None = None
) -> QuerySet[Invitation]:
    return _pending(organisation.invitations.all(), now or timezone.now()).order_by("created_at")


def invitations_pending_for_staff(*, now: datetime.datetime | None = None) -> QuerySet[Invitation]:
    return _pending(
        Invitation.objects.filter(organisation__isnull=True).select_related("area"), now or timezone.now()
    ).order_by("created_at")


def invitation_pending_exists(
    *,
    email: str,
    organisation: Organisation | None = None,
    role: str = "",
    area: Area | None = None,
    now: datetime.datetime | None = None,
) -> bool:
    qs = _pending(Invitation.objects.filter(email__iexact=normalise_email(email)), now or timezone.now())
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    else:
        qs = qs.filter(organisation__isnull=True, role=role, area=area)
    return qs.exists()


def membership_awaiting_confirmation(*, user: User) -> Membership | None:
    """The organisation someone registered, to name it on the confirm page. Not a permission:
    whom a person acts for is `permissions.membership_of`, which waits for the confirmation."""
    return Membership.objects.select_related("organisation").filter(user=user).first()


def members_of(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("-is_admin", "user__full_name", "user__email")


def staff_roles_all() -> QuerySet[StaffRole]:
    return StaffRole.objects.select_related("user", "area").order_by("user__full_name", "user__email", "role")


def staff_roles_of(*, user: User) -> QuerySet[StaffRole]:
    return user.staff_roles.select_related("area").order_by("role", "area__name")


def areas_for_staff_roles() -> QuerySet[Area]:
    """Regions and PCC areas: the places a commissioner or practitioner can be limited to."""
    return Area.objects.filter(Q(level=AreaLevel.REGION) | Q(level=AreaLevel.PCC_AREA)).order_by("path")


def organisation_email_addresses(organisation: Organisation, *, admins_only: bool = False) -> list[str]:
    """Where to write to an organisation: its contact address and the addresses of its active
    members who have confirmed them (only its administrators' when `admins_only`), each once
    whatever its capitals, sorted. An address nobody has confirmed may not be the member's at all."""
    members = Membership.objects.filter(
        organisation=organisation, user__is_active=True, user__email_confirmed_at__isnull=False
    )
    if admins_only:
        members = members.filter(is_admin=True)
    addresses: dict[str, str] = {}
    for address in [organisation.contact_email, *members.values_list("user__email", flat=True)]:
        if address:
            addresses.setdefault(address.lower(), address)
    return sorted(addresses.values(), key=str.lower)


def email_confirmation_last_sent(*, user: User) -> EmailConfirmationSent | None:
    return user.email_confirmations_sent.order_by("-sent_at").first()


def email_confirmation_refusal(*, user: User, now: datetime.datetime | None = None) -> str | None:
    """Why a new confirmation link cannot be sent now (in words for the person), or None if it can."""
    now = now or timezone.now()
    sent = user.email_confirmations_sent
    last = sent.order_by("-sent_at").first()
    if last is not None and now - last.sent_at < confirmation.RESEND_AFTER:
        return "We sent you a link less than a minute ago. Wait a minute, then ask for a new one."
    if sent.filter(sent_at__gt=now - datetime.timedelta(hours=1)).count() >= confirmation.SENDS_PER_HOUR:
        return (
            f"We have sent you {confirmation.SENDS_PER_HOUR} links in the last hour. "
            "Check your spam folder, or wait an hour and ask again."
        )
    return None


def email_confirmation_link_status(*, token: str) -> tuple[str, User | None]:
    """What a confirmation link would do, without doing it: "valid" (it would confirm), "used"
    (already confirmed), "expired" or "invalid"; and whose address it is, where the link says."""
    check = confirmation.check_token(token)
    if check.status == "invalid":
        return "invalid", None
    if check.user.email_confirmed_at is not None:
        return "used", check.user
    return check.status, check.user

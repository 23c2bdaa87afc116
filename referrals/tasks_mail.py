"""E-mails about referrals, composed in tasks (never in a request). None names the person, quotes
anything typed about them or gives the case reference number (ADR 12): each says what happened,
gives the referral's reference number (which means nothing outside the service) and links to the
page where those allowed to see it can read it. One message per address."""

from __future__ import annotations

from django.tasks import task

from accounts.models import Membership
from core.links import service_url
from core.mail import send_email
from referrals.models import Referral, ReferralManager


def _send(recipients: list[str], subject: str, body: str) -> int:
    for address in recipients:
        send_email(to=[address], subject=subject, body=body)
    return len(recipients)


def _confirmed(users) -> list[str]:
    addresses: dict[str, str] = {}
    for user in users:
        if user is not None and user.is_active and user.email_confirmed_at is not None and user.email:
            addresses.setdefault(user.email.lower(), user.email)
    return sorted(addresses.values(), key=str.lower)


def _signature() -> str:
    return "\nCommission probation services\n"


def referral_manager_addresses(organisation_id: int) -> list[str]:
    """The organisation's administrators and the members made referral managers."""
    managers = set(
        ReferralManager.objects.filter(
            membership__organisation_id=organisation_id, revoked_at__isnull=True
        ).values_list("membership__user_id", flat=True)
    )
    members = Membership.objects.filter(organisation_id=organisation_id).select_related("user")
    return _confirmed([m.user for m in members if m.is_admin or m.user_id in managers])


def _referral(referral_id: int) -> Referral:
    return Referral.objects.select_related("created_by").get(pk=referral_id)


@task
def send_new_referral_emails(*, referral_id: int, organisation_id: int) -> int:
    """Tell the receiving organisation's referral managers a referral has arrived."""
    referral = _referral(referral_id)
    body = (
        "Hello,\n\nYou have a new referral, reference number "
        f"{referral.reference}.\n\nRead it and choose a caseworker: {service_url('referrals_provider:detail', referral.pk)}\n"
        + _signature()
    )
    return _send(referral_manager_addresses(organisation_id), "You have a new referral", body)


@task
def send_plan_submitted_emails(*, referral_id: int) -> int:
    """Ask the practitioner who made the referral to approve the action plan."""
    referral = _referral(referral_id)
    body = (
        f"Hello,\n\nThe provider has sent an action plan for referral {referral.reference}. "
        "The work can start once you approve it.\n\n"
        f"Read and approve the plan: {service_url('referrals:detail', referral.pk)}\n" + _signature()
    )
    return _send(_confirmed([referral.created_by]), "An action plan needs your approval", body)


@task
def send_session_concern_emails(*, referral_id: int, session_number: int) -> int:
    """Tell the practitioner about a missed session (0: the initial assessment), or one the caseworker
    says they must know about."""
    referral = _referral(referral_id)
    what = f"session {session_number}" if session_number else "the first meeting"
    body = (
        f"Hello,\n\nThe provider has recorded {what} for referral {referral.reference}. "
        "You need to read it. The person did not come, or the caseworker has something to tell you.\n\n"
        f"Read the session: {service_url('referrals:detail', referral.pk)}\n" + _signature()
    )
    return _send(_confirmed([referral.created_by]), "A session needs your attention", body)


@task
def send_report_sent_emails(*, referral_id: int) -> int:
    """Tell the practitioner the end-of-service report is ready to read."""
    referral = _referral(referral_id)
    body = (
        f"Hello,\n\nThe provider has sent the end-of-service report for referral {referral.reference}.\n\n"
        f"Read the report: {service_url('referrals:detail', referral.pk)}\n" + _signature()
    )
    return _send(_confirmed([referral.created_by]), "An end-of-service report is ready", body)

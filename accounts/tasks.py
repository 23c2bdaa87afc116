"""Background work for accounts: the e-mail with a link to confirm an address."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from accounts import confirmation
from accounts.models import User
from core.links import service_url


@task
def send_email_confirmation(*, user_id: int) -> None:
    """The link is made here, when the e-mail goes: it is never stored, and it expires
    VALID_FOR_DAYS after this. Nothing is sent if the address was confirmed meanwhile."""
    user = User.objects.filter(pk=user_id, is_active=True, email_confirmed_at__isnull=True).first()
    if user is None:
        return
    link = service_url("accounts:confirm-email-link", token=confirmation.make_token(user))
    send_mail(
        f"Confirm your email address for {settings.SERVICE_NAME}",
        (
            f"Hello {user.get_full_name() or user.email},\n\n"
            f"Please confirm this is your email address. Open this link:\n{link}\n\n"
            f"The link works for {confirmation.VALID_FOR_DAYS} days. "
            "Once you confirm, you can keep going where you left off. Nothing you typed is lost.\n\n"
            f"If you did not set up an account on {settings.SERVICE_NAME}, you do not need to do anything.\n"
        ),
        None,
        [user.email],
    )

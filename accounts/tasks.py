"""Background work for accounts: e-mails that confirm an address, reset a password, or tell an
account's owner someone tried to register with their address.

A confirmation or reset link is a secret: each task makes its link when the e-mail goes and sends it
itself through core.mail.deliver_or_retry (which enqueues this same task again if the mailer fails),
so the link is never stored, not even in the task queue. The others go through core.mail.send_email.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.tasks import TaskContext, task
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import confirmation
from accounts.models import User
from core.links import service_url
from core.mail import deliver_or_retry, send_email


@task(takes_context=True)
def send_email_confirmation(context: TaskContext, *, user_id: int, attempt: int = 1) -> str | None:
    """The link is made here, when the e-mail goes: it is never stored, and it expires
    VALID_FOR_DAYS after this. Nothing is sent if the address was confirmed meanwhile."""
    user = User.objects.filter(pk=user_id, is_active=True, email_confirmed_at__isnull=True).first()
    if user is None:
        return None
    link = service_url("accounts:confirm-email-link", token=confirmation.make_token(user))
    return deliver_or_retry(
        send_email_confirmation,
        context,
        attempt=attempt,
        task_kwargs={"user_id": user_id},
        to=[user.email],
        subject=f"Confirm your email address for {settings.SERVICE_NAME}",
        body=(
            f"Hello {user.get_full_name() or user.email},\n\n"
            f"Please confirm this is your email address. Open this link:\n{link}\n\n"
            f"The link works for {confirmation.VALID_FOR_DAYS} days. "
            "Once you confirm, you can keep going where you left off. Nothing you typed is lost.\n\n"
            f"If you did not set up an account on {settings.SERVICE_NAME}, you do not need to do anything.\n"
        ),
    )


@task(takes_context=True)
def send_password_reset(context: TaskContext, *, user_id: int, attempt: int = 1) -> str | None:
    """The reset link is made when the e-mail goes (it is never stored) and works once."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return None
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = service_url("accounts:password-reset-confirm", uidb64=uidb64, token=token)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    return deliver_or_retry(
        send_password_reset,
        context,
        attempt=attempt,
        task_kwargs={"user_id": user_id},
        to=[user.email],
        subject=f"Reset your password for {settings.SERVICE_NAME}",
        body=(
            f"Hello {user.get_full_name() or user.email},\n\n"
            f"Someone asked to reset the password for your {settings.SERVICE_NAME} account.\n\n"
            f"To choose a new password, open this link:\n{link}\n\n"
            f"The link works once and stops working after {hours} hours.\n\n"
            "If you did not ask for this, you do not need to do anything. Your password has not changed.\n"
        ),
    )


@task
def send_registration_attempt_notice(*, user_id: int) -> None:
    """Someone tried to register with an address that already has an account: tell its owner
    (the registration page said the same as for a new address, so nobody else learns it)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    send_email(
        to=[user.email],
        subject=f"Someone tried to register with your email address on {settings.SERVICE_NAME}",
        body=(
            f"Hello {user.get_full_name() or user.email},\n\n"
            f"Someone tried to register an organisation on {settings.SERVICE_NAME} with this email address. "
            "You already have an account, so we did not make a new one.\n\n"
            f"If it was you, sign in:\n{service_url('accounts:sign-in')}\n\n"
            f"If you have forgotten your password, you can reset it:\n{service_url('accounts:password-reset')}\n\n"
            "If it was not you, you do not need to do anything. Nobody can use your account without your password.\n"
        ),
    )

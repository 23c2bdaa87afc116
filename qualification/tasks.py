"""Background work for joining the framework: reminding organisations to confirm their declaration,
and telling an organisation that we have replied to its request for help."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task

from accounts.selectors import organisation_email_addresses
from audit.models import AuditEvent
from audit.services import audit_record
from core.formatting import london_date
from core.links import service_url
from core.mail import send_email
from qualification.models import DECLARATION_VALID_FOR, HelpRequest
from qualification.selectors.applications import organisations_due_declaration

REMINDER_ACTION = "declaration.reminder_sent"


@task
def send_declaration_reminders() -> int:
    """E-mail every organisation whose declaration runs out within 30 days (or has run out).
    One reminder per declaration: running it again sends nothing new. Returns how many were sent."""
    sent = 0
    for organisation, declaration in organisations_due_declaration():
        already = AuditEvent.objects.filter(
            action=REMINDER_ACTION,
            object_type=declaration._meta.label_lower,
            object_id=str(declaration.pk),
        ).exists()
        if already:
            continue
        expires = london_date(declaration.confirmed_at + DECLARATION_VALID_FOR)
        link = service_url("qualification:declaration")
        body = (
            f"Hello,\n\nEach year we ask {organisation.display_name} to confirm its declaration for the probation "
            f"services framework. Your last one runs out on {expires}.\n\n"
            f"It takes 1 minute. Sign in and confirm it here:\n{link}\n\n"
            "If you do not confirm it, you may not be able to bid for new work.\n"
        )
        with transaction.atomic():
            send_email(
                to=organisation_email_addresses(organisation, admins_only=True),
                subject="Please confirm your declaration",
                body=body,
            )
            audit_record(
                actor="system",
                action=REMINDER_ACTION,
                obj=declaration,
                after={"organisation_id": organisation.pk, "expires": expires},
            )
        sent += 1
    return sent


@task
def send_help_reply_email(*, help_request_id: int) -> None:
    """Tell the organisation's people that a reply is waiting. The reply itself stays in the service,
    behind sign-in; one message per address, so nobody sees who else was told."""
    help_request = HelpRequest.objects.select_related("organisation").get(pk=help_request_id)
    organisation = help_request.organisation
    body = (
        f"Hello,\n\nWe have replied to a request for help from {organisation.display_name}.\n\n"
        f"Sign in to read our reply. It is on this page:\n{service_url('qualification:help-requests')}\n\n"
        "Thank you.\n"
    )
    for address in organisation_email_addresses(organisation):
        send_email(to=[address], subject="We have replied to your request for help", body=body)

"""Background tasks for award: outcome letters by e-mail, contracts once the waiting period is
over (contracts.tasks), and reminders before it ends. State comes from timestamps, so running a
task late (or twice) changes nothing."""

from __future__ import annotations

import logging

from django.conf import settings
from django.tasks import task

from accounts.models import User
from accounts.selectors import organisation_email_addresses
from audit.models import AuditEvent
from audit.services import audit_record
from competitions.models import Award, OutcomeLetter
from core.clock import add_working_days, db_now
from core.formatting import london_datetime
from core.mail import send_email

logger = logging.getLogger(__name__)


@task
def send_outcome_letters(letter_ids: list[int]) -> int:
    """E-mail each outcome letter to the bidding organisation's members."""
    sent = 0
    for letter in OutcomeLetter.objects.filter(pk__in=letter_ids).select_related(
        "bid__organisation", "lot__competition"
    ):
        recipients = organisation_email_addresses(letter.bid.organisation)
        if not recipients:
            continue
        send_email(
            to=recipients,
            subject=f"The result of your bid for {letter.lot.name}: {letter.lot.competition.title}",
            body=letter.body + f"\n\nYou can also read this letter when you sign in to {settings.SERVICE_NAME}.\n",
        )
        sent += 1
    return sent


REMINDER_ACTION = "award.standstill_reminder_sent"


@task
def send_standstill_ending_reminders() -> int:
    """Tell a competition's commissioners when a lot's waiting period ends within a working day.
    Each award is reminded about once (the audit trail records it)."""
    now = db_now()
    horizon = add_working_days(now, 1)
    reminded = set(AuditEvent.objects.filter(action=REMINDER_ACTION).values_list("object_id", flat=True))
    # Final by the horizon but not yet: the waiting period ends within the next working day.
    awards = Award.objects.final(now=horizon).exclude(pk__in=Award.objects.final(now=now).values("pk"))
    sent = 0
    for award in awards.select_related("lot__competition"):
        if str(award.pk) in reminded:
            continue
        competition = award.lot.competition
        recipients = list(
            User.objects.filter(
                competition_memberships__competition=competition,
                competition_memberships__role="commissioner",
                is_active=True,
            ).values_list("email", flat=True)
        )
        if recipients:
            send_email(
                to=recipients,
                subject=f"The waiting period for {award.lot.name} ends soon: {competition.title}",
                body=(
                    f"The waiting period before the contract for {award.lot.name} ends at "
                    f"{london_datetime(award.standstill_ends_at)}.\n\n"
                    "If nobody challenges the decision by then, the contract will be made automatically.\n"
                ),
            )
        audit_record(actor=None, action=REMINDER_ACTION, obj=award, after={"to": recipients})
        sent += 1
    return sent

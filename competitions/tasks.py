"""Background tasks: e-mails about opportunities, and deadline reminders.

E-mails go to every member of the organisation and its contact address. They never name who
asked a question. State comes from timestamps, so a task that runs late still does the right
thing, and a task that runs twice sends nothing new (reminders are recorded in the audit trail).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.tasks import task

from accounts.selectors import organisation_email_addresses
from audit.models import AuditEvent
from audit.services import audit_record
from competitions.models import Bid, Clarification, Competition, CompetitionInvitation, Lot
from core.clock import LONDON, db_now, is_working_day
from core.formatting import london_datetime
from core.links import service_url
from core.mail import send_email

REMINDER_WORKING_DAYS = 3
REMINDER_ACTION = "competition.deadline_reminder_sent"


def _send(subject: str, body: str, recipients: list[str]) -> None:
    # One message per address: nobody sees who else was told.
    for address in recipients:
        send_email(to=[address], subject=subject, body=body)


@task
def send_invitation_email(*, invitation_id: int) -> None:
    invitation = CompetitionInvitation.objects.select_related("competition", "organisation").get(pk=invitation_id)
    competition = invitation.competition
    lots = ", ".join(lot.name for lot in invitation.lots.all())
    if invitation.kind == CompetitionInvitation.Kind.ELIGIBLE:
        subject = f"You can bid: {competition.title} ({competition.reference})"
        what = f"Your organisation can bid for: {lots}.\n\nYou can bid for one area or several in one bid."
    else:
        subject = f"A possible partner: {competition.title} ({competition.reference})"
        what = (
            "Your organisation cannot bid for this on its own, because it does not cover the whole of any area. "
            "You could work with an organisation that bids, as a partner."
        )
    body = (
        f"Hello,\n\nA new opportunity is open: {competition.title}.\n\n{competition.summary}\n\n{what}\n\n"
        f"Closing date: {london_datetime(competition.closes_at)}.\n"
        f"Questions by: {london_datetime(competition.clarification_deadline)}.\n\n"
        f"See the opportunity: {service_url('competitions:opportunity', competition.pk)}\n"
    )
    _send(subject, body, organisation_email_addresses(invitation.organisation))


@task
def send_clarification_answer_emails(*, clarification_id: int) -> None:
    clarification = Clarification.objects.select_related("competition").get(pk=clarification_id)
    competition = clarification.competition
    subject = f"A question has been answered: {competition.title} ({competition.reference})"
    body = (
        f"Hello,\n\nA question about {competition.title} has been answered. Everyone invited sees the same answer.\n\n"
        f"Question:\n{clarification.question}\n\nAnswer:\n{clarification.answer}\n\n"
        f"See all questions and answers: {service_url('competitions:clarifications', competition.pk)}\n"
    )
    for invitation in competition.invitations.select_related("organisation"):
        _send(subject, body, organisation_email_addresses(invitation.organisation))


@task
def send_abandon_emails(*, competition_id: int, lot_id: int | None = None) -> None:
    competition = Competition.objects.get(pk=competition_id)
    if lot_id is not None:
        lot = Lot.objects.get(pk=lot_id)
        subject = f"An area has been cancelled: {competition.title} ({competition.reference})"
        body = (
            f"Hello,\n\nThe commissioner has cancelled {lot.name} in {competition.title}.\n\n"
            f"Why: {lot.abandoned_reason}\n\nYou cannot bid for {lot.name} any more. Other areas are not affected.\n"
        )
        invitations = competition.invitations.filter(lots=lot) | competition.invitations.filter(
            kind=CompetitionInvitation.Kind.PARTNER
        )
    else:
        subject = f"Cancelled: {competition.title} ({competition.reference})"
        body = (
            f"Hello,\n\nThe commissioner has cancelled {competition.title}.\n\n"
            f"Why: {competition.abandoned_reason}\n\nYou do not need to do anything else.\n"
        )
        invitations = competition.invitations.all()
    for invitation in invitations.select_related("organisation").distinct():
        _send(subject, body, organisation_email_addresses(invitation.organisation))


def reminder_due_from(closes_at: datetime.datetime) -> datetime.datetime:
    """Midnight (London) at the start of the 3rd working day before the closing day."""
    day = closes_at.astimezone(LONDON).date()
    counted = 0
    while counted < REMINDER_WORKING_DAYS:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LONDON).astimezone(datetime.UTC)


def _already_reminded(invitation: CompetitionInvitation) -> bool:
    return AuditEvent.objects.filter(
        action=REMINDER_ACTION, object_type="competitions.competitioninvitation", object_id=str(invitation.pk)
    ).exists()


@task
def send_deadline_reminders() -> int:
    """Remind organisations that can bid and have not submitted, from 3 working days before the
    closing date. Each organisation is reminded once per opportunity. Returns how many were sent."""
    now = db_now()
    sent = 0
    open_now = Competition.objects.bidding_open(now=now)
    for competition in open_now:
        if now < reminder_due_from(competition.closes_at):
            continue
        submitted = set(Bid.objects.sent().filter(competition=competition).values_list("organisation_id", flat=True))
        invitations = competition.invitations.filter(kind=CompetitionInvitation.Kind.ELIGIBLE).select_related(
            "organisation"
        )
        for invitation in invitations:
            if invitation.organisation_id in submitted:
                continue
            with transaction.atomic():
                locked = CompetitionInvitation.objects.select_for_update().get(pk=invitation.pk)
                if _already_reminded(locked):
                    continue
                audit_record(
                    actor="system",
                    action=REMINDER_ACTION,
                    obj=locked,
                    object_repr=f"{invitation.organisation} for {competition.reference}",
                    after={"closes_at": competition.closes_at},
                )
                subject = f"Closing soon: {competition.title} ({competition.reference})"
                body = (
                    f"Hello,\n\nBids for {competition.title} close at {london_datetime(competition.closes_at)}.\n\n"
                    "Your organisation has not submitted a bid yet. Bids cannot be sent after the closing date.\n\n"
                    f"See the opportunity: {service_url('competitions:opportunity', competition.pk)}\n"
                )
                _send(subject, body, organisation_email_addresses(invitation.organisation))
                sent += 1
    return sent

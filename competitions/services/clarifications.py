"""Questions about an opportunity: asked privately by invited organisations until the deadline
for questions; answered by the competition's commissioners and published to everyone invited."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from audit.services import audit_record, snapshot
from competitions.models import Clarification, Competition
from competitions.permissions_clarifications import can_answer_clarification, invitation_for
from core.clock import db_now
from core.formatting import london_datetime


class DeadlinePassed(ValidationError):
    pass


def deadline_passed_message(competition: Competition) -> str:
    return (
        f"The deadline for questions was {london_datetime(competition.clarification_deadline)}. "
        "You can no longer ask a question about this opportunity"
    )


@transaction.atomic
def clarification_ask(
    *, competition: Competition, user: User, question: str, now: datetime.datetime | None = None
) -> Clarification:
    invitation = invitation_for(user, competition)
    if invitation is None or competition.abandoned_at is not None:
        raise PermissionDenied
    now = now or db_now()
    if competition.clarification_deadline is None or now >= competition.clarification_deadline:
        raise DeadlinePassed({"question": deadline_passed_message(competition)})
    clarification = Clarification(
        competition=competition,
        asked_by_organisation=invitation.organisation,
        asked_by=user,
        asked_at=now,
        question=question.strip(),
    )
    clarification.full_clean()
    clarification.save()
    audit_record(actor=user, action="clarification.asked", obj=clarification, after=snapshot(clarification))
    return clarification


@transaction.atomic
def clarification_answer(
    *,
    clarification: Clarification,
    actor: User,
    answer: str,
    question: str | None = None,
    now: datetime.datetime | None = None,
) -> Clarification:
    """Publish an answer to every invited organisation. The commissioner may reword the question
    first, so nothing in it shows who asked (the original stays in the audit trail)."""
    from competitions import tasks

    clarification = Clarification.objects.select_for_update().select_related("competition").get(pk=clarification.pk)
    if not can_answer_clarification(actor, clarification.competition):
        raise PermissionDenied
    if clarification.answered_at is not None:
        raise ValidationError("This question has already been answered")
    if not answer.strip():
        raise ValidationError({"answer": "Enter an answer"})
    before = snapshot(clarification)
    if question is not None and question.strip():
        clarification.question = question.strip()
    clarification.answer = answer.strip()
    clarification.answered_at = now or db_now()
    clarification.answered_by = actor
    clarification.full_clean()
    clarification.save()
    audit_record(
        actor=actor, action="clarification.answered", obj=clarification, before=before, after=snapshot(clarification)
    )
    tasks.send_clarification_answer_emails.enqueue(clarification_id=clarification.pk)
    return clarification

"""The assessor's writes: review sections, decide what an organisation can bid for, suspend,
remove and reinstate qualifications, and reply to help requests.

Every service locks the row it changes (`select_for_update`) so that two assessors acting at
once cannot both decide, and writes the audit trail in the same transaction. E-mails go out
only once the transaction has committed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.selectors import organisation_email_addresses
from audit.services import audit_record, snapshot
from core.links import service_url
from core.mail import send_email
from qualification.models import Application, ApplicationSection, HelpRequest, Qualification, RequestedCoverage
from qualification.selectors.coverage import coverage_sentences
from qualification.selectors.queue import (
    application_is_with_assessor,
    application_ready_to_decide,
    section_state,
)
from reference.models import Area, ServiceCategory

SECTION_FIELDS = [
    "accepted_at",
    "accepted_by",
    "clarification_requested_at",
    "clarification_requested_by",
    "clarification_question",
    "clarification_answered_at",
]
APPLICATION_FIELDS = ["submitted_at", "submitted_by", "decided_at", "decided_by"]
QUALIFICATION_FIELDS = [
    "organisation",
    "category",
    "area",
    "area_path",
    "suspended_at",
    "suspended_by",
    "suspended_reason",
    "removed_at",
    "removed_by",
    "removed_reason",
]


class DecisionError(Exception):
    """The action cannot happen in the application's or qualification's current state.
    The message is written for the assessor."""


def _lock_application(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("organisation").get(pk=application.pk)


def _lock_section(section: ApplicationSection) -> tuple[Application, ApplicationSection]:
    application = _lock_application(section.application)
    return application, ApplicationSection.objects.select_for_update().get(pk=section.pk)


def _send_to_organisation(organisation: Organisation, subject: str, body: str) -> None:
    send_email(to=organisation_email_addresses(organisation), subject=subject, body=body)


# --- Reviewing sections -----------------------------------------------------------------------


@transaction.atomic
def section_accept(
    *, section: ApplicationSection, actor: User, now: datetime.datetime | None = None
) -> ApplicationSection:
    application, section = _lock_section(section)
    if not application_is_with_assessor(application):
        raise DecisionError("This application is not waiting for an assessor.")
    state = section_state(section)
    if state in ("accepted", "carried_over"):
        raise DecisionError("This section has already been accepted.")
    if state == "waiting_for_provider":
        raise DecisionError("The organisation has not answered your question about this section yet.")
    before = snapshot(section, SECTION_FIELDS)
    section.accepted_at = now or timezone.now()
    section.accepted_by = actor
    section.full_clean()
    section.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=actor,
        action="application_section.accept",
        obj=section,
        before=before,
        after=snapshot(section, SECTION_FIELDS),
    )
    return section


@transaction.atomic
def section_request_clarification(
    *, section: ApplicationSection, actor: User, question: str, now: datetime.datetime | None = None
) -> ApplicationSection:
    """Ask the organisation to fix or explain a section. The application goes back to them to
    edit and submit again; they are e-mailed the question."""
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": "Enter what the organisation needs to fix or explain"})
    application, section = _lock_section(section)
    if not application_is_with_assessor(application):
        raise DecisionError("This application is not waiting for an assessor.")
    if section.carried_over_from_id:
        raise DecisionError("This section was accepted on an earlier application.")
    now = now or timezone.now()
    before = snapshot(section, SECTION_FIELDS)
    section.clarification_requested_at = now
    section.clarification_requested_by = actor
    section.clarification_question = question
    section.clarification_answered_at = None
    section.accepted_at = None
    section.accepted_by = None
    section.full_clean()
    section.save(update_fields=SECTION_FIELDS)
    audit_record(
        actor=actor,
        action="application_section.request_clarification",
        obj=section,
        before=before,
        after=snapshot(section, SECTION_FIELDS),
    )
    if application.submitted_at is not None:
        app_before = snapshot(application, APPLICATION_FIELDS)
        application.submitted_at = None
        application.save(update_fields=["submitted_at"])
        audit_record(
            actor=actor,
            action="application.return_to_provider",
            obj=application,
            before=app_before,
            after=snapshot(application, APPLICATION_FIELDS),
        )
    organisation = application.organisation
    _send_to_organisation(
        organisation,
        "We have a question about your application to join the framework",
        (
            "Hello,\n\n"
            f"We have looked at the application from {organisation.display_name} to join the framework. "
            f"We need you to change or explain your answers in the part called '{section.get_key_display()}'.\n\n"
            f"Our question:\n{question}\n\n"
            "Sign in to the service, change your answers and send your application again. "
            "We will look at it again as soon as you do.\n\n"
            f"{settings.SERVICE_NAME}\n"
        ),
    )
    return section


# --- Deciding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """What the assessor grants for one requested type of support and area: the whole area
    asked for, or a narrower area inside it."""

    requested: RequestedCoverage
    area: Area

    @property
    def category(self) -> ServiceCategory:
        return self.requested.category


def _decision_letter(
    *,
    application: Application,
    granted: list[Grant],
    not_granted: list[tuple[RequestedCoverage, Area | None]],
    reason: str,
    existing: list[Qualification],
) -> str:
    organisation = application.organisation
    paragraphs = [f"Dear {organisation.display_name},"]
    paragraphs.append("We have finished looking at your application to join the Probation Services Dynamic Framework.")
    if granted:
        paragraphs.append("What you can bid for")
        paragraphs.extend(coverage_sentences([(g.category, g.area) for g in granted], verb="You can bid for"))
    else:
        paragraphs.append("We cannot add you to the framework for what you asked for this time.")
    if not_granted:
        lines = []
        for requested, narrower in not_granted:
            if narrower is not None:
                lines.append(
                    f"{requested.category.name} across all of {requested.area.name}. "
                    f"You can bid for it in {narrower.name} only."
                )
            else:
                lines.append(f"{requested.category.name} in {requested.area.name}.")
        paragraphs.append("What we did not agree to")
        paragraphs.extend(lines)
        paragraphs.append(f"Why: {reason}")
    if existing:
        paragraphs.append("You can still bid for everything you could bid for before.")
    paragraphs.append("What happens next")
    if granted:
        paragraphs.append(
            "When a commissioner opens an opportunity for this support in these areas, we will tell you. "
            "You can then send a bid. You can ask to add more types of support or areas at any time."
        )
    else:
        paragraphs.append("You can apply again at any time. You can also ask us for free help with your application.")
    paragraphs.append(f"If you have a question about this letter, reply to this e-mail.\n\n{settings.SERVICE_NAME}")
    return "\n\n".join(paragraphs)


def _not_granted(
    requested: list[RequestedCoverage], grants: list[Grant]
) -> list[tuple[RequestedCoverage, Area | None]]:
    """What was asked for but not granted in full: (the request, the narrower area granted or None).
    Refuses grants that were not asked for, reach outside what was asked, or repeat a request."""
    requested_ids = {r.pk for r in requested}
    granted_by_request: dict[int, Grant] = {}
    for grant in grants:
        if grant.requested.pk not in requested_ids:
            raise DecisionError("You can only grant what this organisation asked for.")
        if not grant.area.path.startswith(grant.requested.area.path):
            raise DecisionError(f"{grant.area.name} is not inside {grant.requested.area.name}.")
        if grant.requested.pk in granted_by_request:
            raise DecisionError("Choose one area for each type of support asked for.")
        granted_by_request[grant.requested.pk] = grant
    not_granted: list[tuple[RequestedCoverage, Area | None]] = []
    for r in requested:
        grant = granted_by_request.get(r.pk)
        if grant is None:
            not_granted.append((r, None))
        elif grant.area.pk != r.area_id:
            not_granted.append((r, grant.area))
    return not_granted


@transaction.atomic
def application_decide(
    *,
    application: Application,
    actor: User,
    grants: Iterable[Grant],
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Application:
    """Decide an application: qualify the organisation for what the assessor grants (all or part
    of what it asked), write the decision letter, e-mail it and keep it in the service.

    Refused if it is already decided, not submitted, or any section is not accepted. Anything
    asked for but not granted needs a reason.
    """
    application = _lock_application(application)
    if application.decided_at is not None:
        raise DecisionError("This application has already been decided.")
    if application.submitted_at is None:
        raise DecisionError("This application has not been sent to us, so it cannot be decided.")
    application = (
        type(application).objects.prefetch_related("sections").select_related("organisation").get(pk=application.pk)
    )
    if not application_ready_to_decide(application):
        raise DecisionError("Accept every section before you decide.")

    grants = list(grants)
    not_granted = _not_granted(list(application.requested.select_related("category", "area")), grants)
    reason = (reason or "").strip()
    if not_granted and not reason:
        raise ValidationError({"reason": "Explain why the organisation cannot bid for everything it asked for"})

    now = now or timezone.now()
    organisation = application.organisation
    existing = list(
        Qualification.objects.filter(organisation=organisation, removed_at__isnull=True).select_related(
            "category", "area"
        )
    )
    held = {(q.category_id, q.area_id) for q in existing}
    for grant in grants:
        if (grant.category.pk, grant.area.pk) in held:
            continue  # already held: nothing new to grant
        qualification = Qualification(
            organisation=organisation,
            category=grant.category,
            area=grant.area,
            area_path=grant.area.path,
            application=application,
            granted_at=now,
            granted_by=actor,
        )
        qualification.full_clean()
        qualification.save()
        held.add((grant.category.pk, grant.area.pk))
        audit_record(actor=actor, action="qualification.grant", obj=qualification, after=snapshot(qualification))

    before = snapshot(application, APPLICATION_FIELDS)
    application.decided_at = now
    application.decided_by = actor
    application.decision_letter = _decision_letter(
        application=application, granted=grants, not_granted=not_granted, reason=reason, existing=existing
    )
    application.full_clean()
    application.save(update_fields=["decided_at", "decided_by", "decision_letter"])
    audit_record(
        actor=actor,
        action="application.decide",
        obj=application,
        before=before,
        after=snapshot(application, [*APPLICATION_FIELDS, "decision_letter"]),
    )
    link = service_url("qualification:decision-letter", application.pk)
    _send_to_organisation(
        organisation,
        "Our decision on your application to join the framework",
        f"{application.decision_letter}\n\nYou can also read this letter in the service: {link}\n",
    )
    return application


# --- Suspending, removing and reinstating -----------------------------------------------------


def _lock_qualification(qualification: Qualification) -> Qualification:
    return (
        Qualification.objects.select_for_update()
        .select_related("organisation", "category", "area")
        .get(pk=qualification.pk)
    )


def _reason_required(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


@transaction.atomic
def qualification_suspend(
    *, qualification: Qualification, actor: User, reason: str, now: datetime.datetime | None = None
) -> Qualification:
    reason = _reason_required(reason, "Enter why you are suspending this qualification")
    qualification = _lock_qualification(qualification)
    if qualification.removed_at:
        raise DecisionError("This qualification has been removed.")
    if qualification.suspended_at:
        raise DecisionError("This qualification is already suspended.")
    before = snapshot(qualification, QUALIFICATION_FIELDS)
    qualification.suspended_at = now or timezone.now()
    qualification.suspended_by = actor
    qualification.suspended_reason = reason
    qualification.full_clean()
    qualification.save(update_fields=["suspended_at", "suspended_by", "suspended_reason"])
    audit_record(
        actor=actor,
        action="qualification.suspend",
        obj=qualification,
        before=before,
        after=snapshot(qualification, QUALIFICATION_FIELDS),
    )
    _send_to_organisation(
        qualification.organisation,
        "You cannot bid for some work for now",
        (
            f"Hello,\n\nFor now, {qualification.organisation.display_name} cannot bid for "
            f"{qualification.category.name} in {qualification.area.name}.\n\n"
            f"Why: {reason}\n\nWe will tell you when this changes. If you have a question, reply to this e-mail.\n\n"
            f"{settings.SERVICE_NAME}\n"
        ),
    )
    return qualification


@transaction.atomic
def qualification_reinstate(
    *, qualification: Qualification, actor: User, now: datetime.datetime | None = None
) -> Qualification:
    qualification = _lock_qualification(qualification)
    if qualification.removed_at:
        raise DecisionError("This qualification has been removed.")
    if not qualification.suspended_at:
        raise DecisionError("This qualification is not suspended.")
    before = snapshot(qualification, QUALIFICATION_FIELDS)
    qualification.suspended_at = None
    qualification.suspended_by = None
    qualification.suspended_reason = ""
    qualification.full_clean()
    qualification.save(update_fields=["suspended_at", "suspended_by", "suspended_reason"])
    audit_record(
        actor=actor,
        action="qualification.reinstate",
        obj=qualification,
        before=before,
        after=snapshot(qualification, QUALIFICATION_FIELDS),
    )
    _send_to_organisation(
        qualification.organisation,
        "You can bid for this work again",
        (
            f"Hello,\n\n{qualification.organisation.display_name} can bid for "
            f"{qualification.category.name} in {qualification.area.name} again.\n\n{settings.SERVICE_NAME}\n"
        ),
    )
    return qualification


@transaction.atomic
def qualification_remove(
    *, qualification: Qualification, actor: User, reason: str, now: datetime.datetime | None = None
) -> Qualification:
    reason = _reason_required(reason, "Enter why you are removing this qualification")
    qualification = _lock_qualification(qualification)
    if qualification.removed_at:
        raise DecisionError("This qualification has already been removed.")
    before = snapshot(qualification, QUALIFICATION_FIELDS)
    qualification.removed_at = now or timezone.now()
    qualification.removed_by = actor
    qualification.removed_reason = reason
    qualification.full_clean()
    qualification.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    audit_record(
        actor=actor,
        action="qualification.remove",
        obj=qualification,
        before=before,
        after=snapshot(qualification, QUALIFICATION_FIELDS),
    )
    _send_to_organisation(
        qualification.organisation,
        "You can no longer bid for some work",
        (
            f"Hello,\n\n{qualification.organisation.display_name} can no longer bid for "
            f"{qualification.category.name} in {qualification.area.name}.\n\n"
            f"Why: {reason}\n\nIf you have a question, reply to this e-mail.\n\n{settings.SERVICE_NAME}\n"
        ),
    )
    return qualification


# --- Help requests ----------------------------------------------------------------------------


@transaction.atomic
def help_request_reply(
    *, help_request: HelpRequest, actor: User, reply: str, internal_note: str = "", now: datetime.datetime | None = None
) -> HelpRequest:
    """Answer a request for help, which closes it. The organisation reads the reply in the service
    and its people are e-mailed that it is waiting; `internal_note` is for staff only."""
    from qualification.tasks import send_help_reply_email

    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": "Enter your reply"})
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.closed_at:
        raise DecisionError("This request for help already has a reply.")
    fields = ["closed_at", "closed_by", "reply", "internal_note"]
    before = snapshot(help_request, fields)
    help_request.closed_at = now or timezone.now()
    help_request.closed_by = actor
    help_request.reply = reply
    help_request.internal_note = internal_note.strip()
    help_request.full_clean()
    help_request.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="help_request.replied",
        obj=help_request,
        before=before,
        after=snapshot(help_request, fields),
    )
    # Enqueued in this transaction: with the database task queue the e-mail goes only if this commits.
    send_help_reply_email.enqueue(help_request_id=help_request.pk)
    return help_request

"""Reads for the provider journey: the open application, its task list, what you can bid for,
and whether the yearly declaration is due."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from qualification import sections
from qualification.models import (
    DECLARATION_VALID_FOR,
    Application,
    ApplicationDocument,
    ApplicationSection,
    DeclarationConfirmation,
    HelpRequest,
    Qualification,
)
from qualification.permissions import can_view_application
from qualification.selectors.coverage import coverage_sentences

# Reminders go out, and the banner shows, this long before the declaration runs out.
DECLARATION_WARNING = datetime.timedelta(days=30)


def open_application(organisation: Organisation) -> Application | None:
    """The application not yet decided (there is at most one)."""
    return organisation.applications.filter(decided_at__isnull=True).first()


def last_decided_application(organisation: Organisation) -> Application | None:
    return organisation.applications.filter(decided_at__isnull=False).order_by("-decided_at").first()


def sections_by_key(application: Application) -> dict[str, ApplicationSection]:
    return {s.key: s for s in application.sections.prefetch_related("documents")}


@dataclass(frozen=True)
class TaskStatus:
    text: str
    tag_class: str | None  # None: plain text (done); otherwise a govuk-tag colour class


COMPLETED = TaskStatus("Completed", None)
ACCEPTED = TaskStatus("Already accepted", None)
IN_PROGRESS = TaskStatus("In progress", "govuk-tag--light-blue")
NOT_STARTED = TaskStatus("Not yet started", "govuk-tag--blue")
QUESTION = TaskStatus("Question for you", "govuk-tag--orange")


def section_status(section: ApplicationSection | None) -> TaskStatus:
    if section is None or not section.answers:
        return NOT_STARTED
    if section.clarification_requested_at and section.clarification_answered_at is None:
        return QUESTION
    if section.carried_over_from_id and section.accepted_at:
        return ACCEPTED
    if section.completed_at:
        return COMPLETED
    return IN_PROGRESS


def task_list_items(application: Application) -> list[dict[str, Any]]:
    """govukTaskList items, one per section, in order."""
    by_key = sections_by_key(application)
    items = []
    for spec in sections.SECTIONS:
        status = section_status(by_key.get(spec.key))
        href = (
            reverse(spec.url_name, kwargs={"key": spec.key})
            if spec.url_name == "qualification:section"
            else reverse(spec.url_name)
        )
        status_param: dict[str, Any] = (
            {"text": status.text}
            if status.tag_class is None
            else {"tag": {"text": status.text, "classes": status.tag_class}}
        )
        items.append({"title": {"text": spec.title}, "hint": {"text": spec.hint}, "href": href, "status": status_param})
    return items


def all_sections_complete(application: Application) -> bool:
    by_key = sections_by_key(application)
    return all(by_key.get(spec.key) and by_key[spec.key].completed_at for spec in sections.SECTIONS)


def open_questions(application: Application) -> list[ApplicationSection]:
    return list(
        application.sections.filter(clarification_requested_at__isnull=False, clarification_answered_at__isnull=True)
    )


def active_qualifications(organisation: Organisation) -> QuerySet[Qualification]:
    return organisation.qualifications.active().select_related("category", "area")


def qualification_sentences(organisation: Organisation) -> list[str]:
    return coverage_sentences(
        [(q.category, q.area) for q in active_qualifications(organisation)], verb="You can bid for"
    )


def latest_declaration(organisation: Organisation) -> DeclarationConfirmation | None:
    return organisation.declarations.order_by("-confirmed_at").first()


def declaration_expires_at(organisation: Organisation) -> datetime.datetime | None:
    latest = latest_declaration(organisation)
    return latest.confirmed_at + DECLARATION_VALID_FOR if latest else None


def declaration_due(organisation: Organisation, *, now: datetime.datetime | None = None) -> bool:
    """True when the yearly declaration has run out or runs out within DECLARATION_WARNING.
    An organisation that has never confirmed one (still applying) is not due."""
    expires = declaration_expires_at(organisation)
    if expires is None:
        return False
    return expires <= (now or timezone.now()) + DECLARATION_WARNING


def organisations_due_declaration(
    *, now: datetime.datetime | None = None
) -> list[tuple[Organisation, DeclarationConfirmation]]:
    """Every organisation whose latest declaration runs out within DECLARATION_WARNING (or has run out),
    with that declaration."""
    cutoff = (now or timezone.now()) + DECLARATION_WARNING - DECLARATION_VALID_FOR
    latest: dict[int, DeclarationConfirmation] = {}
    for declaration in DeclarationConfirmation.objects.select_related("organisation").order_by(
        "organisation_id", "-confirmed_at"
    ):
        latest.setdefault(declaration.organisation_id, declaration)
    return [(d.organisation, d) for d in latest.values() if d.confirmed_at <= cutoff]


def document_for_user(user, document_id: int) -> ApplicationDocument | None:
    """A document the user may open, or None (the view answers 404, whoever owns it)."""
    document = (
        ApplicationDocument.objects.select_related("section__application__organisation").filter(pk=document_id).first()
    )
    if document is None or not can_view_application(user, document.section.application):
        return None
    return document


def help_requests_of(organisation: Organisation) -> QuerySet[HelpRequest]:
    """An organisation's own requests for help, newest first."""
    return organisation.help_requests.order_by("-requested_at", "-pk")

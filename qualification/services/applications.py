"""Writes for the provider journey: registering, registering interest, answering, submitting.

Every change is audited in the same transaction. Rules a provider can break raise
ValidationError with plain words the page shows as they are.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, Organisation, User, size_from_bands
from accounts.permissions import is_member_of
from accounts.services import email_confirmation_send, registration_attempt_notice_send
from audit.services import audit_record, snapshot
from qualification import sections
from qualification.models import (
    Application,
    ApplicationDocument,
    ApplicationKind,
    ApplicationSection,
    DeclarationConfirmation,
    HelpRequest,
    Interest,
    RequestedCoverage,
    SectionKey,
)
from qualification.permissions import can_edit_application
from qualification.selectors.coverage import minimal_areas
from qualification.uploads import check_upload, stored_name

ORGANISATION_FIELDS = [
    "legal_name",
    "trading_name",
    "organisation_type",
    "charity_number",
    "company_number",
    "staff_band",
    "turnover_band",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "contact_email",
    "contact_phone",
    "website",
]


# --- Organisations ---------------------------------------------------------------------------


@transaction.atomic
def organisation_register(
    *, full_name: str, email: str, password_hash: str, organisation: dict[str, Any]
) -> tuple[User, Organisation] | None:
    """Create the person, their organisation and their administrator membership, all or nothing,
    and e-mail the person a link to confirm their address.

    If an account already has this address, nothing is made: its owner is e-mailed instead
    (accounts.services.registration_attempt_notice_send) and None is returned. The page that follows
    is the same either way, so registering never tells anyone which addresses have accounts.

    `password_hash` is already hashed (the plain password never reaches the session or this service)."""
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        registration_attempt_notice_send(user=existing)
        return None
    user = User(email=email, full_name=full_name.strip(), password=password_hash)
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # The same address registered a moment ago, by a request that beat this one.
        registration_attempt_notice_send(user=User.objects.get(email__iexact=email))
        return None
    data = {k: v for k, v in organisation.items() if k in ORGANISATION_FIELDS}
    org = Organisation(**data, created_by=user)
    org.size = size_from_bands(org.staff_band, org.turnover_band)
    org.full_clean()
    org.save()
    membership = Membership(user=user, organisation=org, is_admin=True)
    membership.full_clean()
    membership.save()
    audit_record(actor=user, action="user.created", obj=user, after=snapshot(user, ["email", "full_name"]))
    audit_record(actor=user, action="organisation.registered", obj=org, after=snapshot(org))
    audit_record(actor=user, action="membership.created", obj=membership, after=snapshot(membership))
    # Nobody acts for the organisation until the address is confirmed: send the link now.
    email_confirmation_send(user=user)
    return user, org


@transaction.atomic
def organisation_update(*, organisation: Organisation, user: User, data: dict[str, Any]) -> Organisation:
    before = snapshot(organisation)
    for field in ORGANISATION_FIELDS:
        if field in data:
            setattr(organisation, field, data[field] if data[field] is not None else "")
    organisation.size = size_from_bands(organisation.staff_band, organisation.turnover_band)
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=user, action="organisation.updated", obj=organisation, before=before, after=snapshot(organisation)
    )
    return organisation


# --- Interest and starting an application ----------------------------------------------------


@transaction.atomic
def interest_register(*, organisation: Organisation, user: User) -> Interest:
    """The one click that registers interest. Clicking again changes nothing. Starts the application."""
    interest = Interest.objects.filter(organisation=organisation).first()
    if interest is None:
        interest = Interest(organisation=organisation, registered_by=user)
        interest.full_clean()
        interest.save()
        audit_record(actor=user, action="interest.registered", obj=interest, after=snapshot(interest))
    if not organisation.applications.exists():
        application_start(organisation=organisation, user=user)
    return interest


@transaction.atomic
def application_start(*, organisation: Organisation, user: User, kind: str = ApplicationKind.JOIN) -> Application:
    if organisation.applications.filter(decided_at__isnull=True).exists():
        raise ValidationError("You already have an application in progress.")
    application = Application(organisation=organisation, kind=kind, started_by=user)
    application.full_clean()
    application.save()
    audit_record(actor=user, action="application.started", obj=application, after=snapshot(application))
    return application


@transaction.atomic
def application_start_add_services(*, organisation: Organisation, user: User) -> Application:
    """A new application to add types of support or areas. Sections accepted on the last decided
    application carry over as they are; only services and the declaration are asked again."""
    last = organisation.applications.filter(decided_at__isnull=False).order_by("-decided_at").first()
    if last is None:
        raise ValidationError("You can add types of support or areas once we have decided your first application.")
    application = application_start(organisation=organisation, user=user, kind=ApplicationKind.ADD_SERVICES)
    now = timezone.now()
    for old in last.sections.filter(key__in=sections.CARRY_OVER_KEYS, accepted_at__isnull=False):
        new = ApplicationSection(
            application=application,
            key=old.key,
            answers=dict(old.answers),
            updated_at=now,
            updated_by=user,
            completed_at=now,
            accepted_at=old.accepted_at,
            accepted_by=old.accepted_by,
            carried_over_from=old,
        )
        new.full_clean()
        new.save()
        for document in old.documents.all():
            ApplicationDocument.objects.create(
                section=new,
                file=document.file.name,
                original_name=document.original_name,
                content_type=document.content_type,
                size=document.size,
                sha256=document.sha256,
                uploaded_at=document.uploaded_at,
                uploaded_by=document.uploaded_by,
            )
        audit_record(actor=user, action="application.section_carried_over", obj=new, after=snapshot(new))
    return application


# --- Answering ---------------------------------------------------------------------------------


def _require_editable(application: Application, user: User) -> Application:
    """The application as it is now in the database (locked), if this user may still change it."""
    current = Application.objects.select_for_update().select_related("organisation").get(pk=application.pk)
    if not can_edit_application(user, current) or current.decided_at is not None:
        raise PermissionDenied("This application cannot be changed now.")
    return current


def _jsonable(answers: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, UploadedFile) or key == "accounts":
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif not isinstance(value, str | int | bool | list | dict | type(None)):
            value = str(value)
        clean[key] = value
    return clean


@transaction.atomic
def section_save(
    *,
    application: Application,
    key: str,
    answers: dict[str, Any],
    user: User,
    upload: UploadedFile | None = None,
) -> ApplicationSection:
    """Save one page of answers into its section (merged with what is there), with an optional file,
    and mark the section complete when its answers are enough. Answers a question from an assessor."""
    application = _require_editable(application, user)
    if key not in SectionKey.values:
        raise ValidationError("No such section.")
    if upload is not None:
        application_document_add(application=application, key=key, upload=upload, user=user)
    now = timezone.now()
    section = ApplicationSection.objects.select_for_update().filter(application=application, key=key).first()
    if section is None:
        section = ApplicationSection(application=application, key=key, updated_by=user)
    before = snapshot(section) if section.pk else None
    merged = {**(section.answers or {}), **_jsonable(answers)}
    changed = merged != (section.answers or {})
    section.answers = merged
    section.updated_at = now
    section.updated_by = user
    has_document = bool(section.pk and section.documents.exists())
    complete = sections.is_complete(key, merged, application=application, has_document=has_document)
    section.completed_at = (section.completed_at or now) if complete else None
    if changed and section.accepted_at:
        # Changed after it was accepted: it needs looking at again.
        section.accepted_at = None
        section.accepted_by = None
        section.carried_over_from = None
    if section.clarification_requested_at and section.clarification_answered_at is None:
        section.clarification_answered_at = now
    section.full_clean()
    section.save()
    if key == SectionKey.SERVICES:
        _sync_requested(application, merged)
    audit_record(actor=user, action="application.section_saved", obj=section, before=before, after=snapshot(section))
    return section


def _sync_requested(application: Application, answers: dict[str, Any]) -> None:
    """RequestedCoverage: every chosen category in the smallest set of areas that covers the choice."""
    application.requested.all().delete()
    areas = minimal_areas(sections.chosen_areas(answers))
    rows = [
        RequestedCoverage(application=application, category=category, area=area)
        for category in sections.chosen_categories(answers)
        for area in areas
    ]
    RequestedCoverage.objects.bulk_create(rows)


@transaction.atomic
def application_document_add(
    *, application: Application, key: str, upload: UploadedFile, user: User
) -> ApplicationDocument:
    """Attach a file to a section, checked by content; its SHA-256 digest is kept."""
    application = _require_editable(application, user)
    checked = check_upload(upload)
    section = ApplicationSection.objects.filter(application=application, key=key).first()
    if section is None:
        section = ApplicationSection(application=application, key=key, updated_by=user)
        section.full_clean()
        section.save()
    document = ApplicationDocument(
        section=section,
        original_name=(upload.name or "file")[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    document.file.save(stored_name(checked), upload, save=False)
    document.full_clean()
    document.save()
    audit_record(actor=user, action="application.document_added", obj=document, after=snapshot(document))
    return document


# --- Submitting ---------------------------------------------------------------------------------


def submission_problems(application: Application) -> list[tuple[str, str]]:
    """(section key, message) for everything that stops the application being sent."""
    by_key = {s.key: s for s in application.sections.all()}
    problems: list[tuple[str, str]] = []
    for spec in sections.SECTIONS:
        section = by_key.get(spec.key)
        if section is None or section.completed_at is None:
            problems.append((spec.key, f"Complete ‘{spec.title}’"))
        elif section.clarification_requested_at and section.clarification_answered_at is None:
            problems.append((spec.key, f"Answer the assessor's question in ‘{spec.title}’"))
    return problems


@transaction.atomic
def application_submit(*, application: Application, user: User) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not is_member_of(user, application.organisation):
        raise PermissionDenied("Only people in this organisation can send its application.")
    if application.submitted_at is not None or application.decided_at is not None:
        raise ValidationError("You have already sent this application. We will be in touch.", code="already_submitted")
    _require_editable(application, user)
    problems = submission_problems(application)
    if problems:
        raise ValidationError([message for _key, message in problems], code="incomplete")
    before = snapshot(application)
    now = timezone.now()
    declaration = DeclarationConfirmation(organisation=application.organisation, confirmed_at=now, confirmed_by=user)
    declaration.full_clean()
    declaration.save()
    application.submitted_at = now
    application.submitted_by = user
    application.full_clean()
    application.save()
    audit_record(actor=user, action="declaration.confirmed", obj=declaration, after=snapshot(declaration))
    audit_record(
        actor=user, action="application.submitted", obj=application, before=before, after=snapshot(application)
    )
    return application


# --- Help and yearly declarations --------------------------------------------------------------


@transaction.atomic
def help_request_create(*, organisation: Organisation, user: User, message: str) -> HelpRequest:
    help_request = HelpRequest(organisation=organisation, requested_by=user, message=message.strip())
    help_request.full_clean()
    help_request.save()
    audit_record(actor=user, action="help_request.created", obj=help_request, after=snapshot(help_request))
    return help_request


@transaction.atomic
def declaration_confirm(*, organisation: Organisation, user: User) -> DeclarationConfirmation:
    declaration = DeclarationConfirmation(organisation=organisation, confirmed_by=user)
    declaration.full_clean()
    declaration.save()
    audit_record(actor=user, action="declaration.confirmed", obj=declaration, after=snapshot(declaration))
    return declaration

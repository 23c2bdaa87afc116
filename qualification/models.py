"""Joining the framework: interest, the application to join, and the assessor's decisions.

State comes from timestamps (started, submitted, decided, granted, suspended, removed);
statuses are derived from them, never stored.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation
from reference.models import Area, ServiceCategory


class Interest(models.Model):
    """An organisation registered its interest: the first step, counted in the public funnel."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="interest")
    registered_at = models.DateTimeField(default=timezone.now)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Interest from {self.organisation}"


class ApplicationKind(models.TextChoices):
    JOIN = "join", "Application to join"
    ADD_SERVICES = "add_services", "Application to add types of support or areas"


class Application(models.Model):
    """The questionnaire an organisation answers to qualify. One open application per organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="applications")
    kind = models.CharField(max_length=20, choices=ApplicationKind.choices, default=ApplicationKind.JOIN)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The plain-English decision letter, as sent.
    decision_letter = models.TextField(blank=True)

    class Meta:
        ordering = ["submitted_at", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(decided_at__isnull=True), name="application_one_open_per_org"
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(submitted_at__isnull=False),
                name="application_decided_only_after_submitted",
            ),
        ]
        indexes = [models.Index(fields=["submitted_at"], name="application_queue_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.organisation}"

    @property
    def status(self) -> str:
        """draft | submitted | needs_changes | decided. needs_changes: an assessor asked a question
        that the provider has not yet answered and resubmitted."""
        if self.decided_at:
            return "decided"
        if self.submitted_at:
            return "submitted"
        if self.sections.filter(
            clarification_requested_at__isnull=False, clarification_answered_at__isnull=True
        ).exists():
            return "needs_changes"
        return "draft"


class SectionKey(models.TextChoices):
    ABOUT = "about", "About your organisation"
    EXCLUSION = "exclusion", "Reasons you might not be able to join"
    FINANCE = "finance", "Money and accounts"
    INSURANCE = "insurance", "Insurance"
    SAFEGUARDING = "safeguarding", "Keeping people and data safe"
    SECURITY = "security", "Information security"
    SERVICES = "services", "Types of support and areas"
    DECLARATION = "declaration", "Declaration"


class ApplicationSection(models.Model):
    """One section of the questionnaire: its answers and the assessor's review of it.

    `answers` is validated by the section's form before every save (services, not here).
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=20, choices=SectionKey.choices)
    answers = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Carried over unchanged from an earlier accepted application (only what changed is assessed).
    carried_over_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    clarification_requested_at = models.DateTimeField(null=True, blank=True)
    clarification_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clarification_question = models.TextField(blank=True)
    clarification_answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "key"], name="section_unique_per_application")]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ({self.application})"


class ApplicationDocument(models.Model):
    """A file attached to a section, e.g. latest accounts. Type checked by content; digest kept."""

    section = models.ForeignKey(ApplicationSection, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="applications/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.original_name


class RequestedCoverage(models.Model):
    """A type of support in an area that the organisation asks to be qualified for."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="requested")
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "category", "area"], name="requested_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} in {self.area}"


class QualificationQuerySet(models.QuerySet):
    def active(self) -> QualificationQuerySet:
        return self.filter(removed_at__isnull=True, suspended_at__isnull=True)


class Qualification(models.Model):
    """The assessor's decision: this organisation may bid for this type of support in this area
    (and every area inside it)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="qualifications")
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT, related_name="qualifications")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="qualifications")
    # Denormalised from area.path so "qualified in an area covering X" and "inside X" are index scans.
    area_path = models.CharField(max_length=100)
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    suspended_reason = models.TextField(blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_reason = models.TextField(blank=True)

    objects = QualificationQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "category", "area_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "category", "area"],
                condition=Q(removed_at__isnull=True),
                name="qualification_one_current_per_org_category_area",
            ),
        ]
        indexes = [
            models.Index(
                fields=["category", "area", "organisation"],
                condition=Q(removed_at__isnull=True, suspended_at__isnull=True),
                name="qualification_active_idx",
            ),
            models.Index(
                fields=["category", "area_path"],
                condition=Q(removed_at__isnull=True, suspended_at__isnull=True),
                name="qualification_active_path_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.category} in {self.area}"

    @property
    def status(self) -> str:
        if self.removed_at:
            return "removed"
        if self.suspended_at:
            return "suspended"
        return "active"


HELP_REPLY_MAX_CHARS = 2000
HELP_NOTE_MAX_CHARS = 2000


class HelpRequest(models.Model):
    """A provider asks for the free support the framework offers; an assessor replies, which closes it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="help_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    message = models.TextField()
    # Set together when the assessor replies (requests closed before replies existed have no reply).
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the organisation reads, in the service.
    reply = models.TextField(blank=True, validators=[MaxLengthValidator(HELP_REPLY_MAX_CHARS)])
    # For the framework's staff only: never shown to the organisation.
    internal_note = models.TextField(blank=True, validators=[MaxLengthValidator(HELP_NOTE_MAX_CHARS)])

    class Meta:
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return f"Help for {self.organisation}"


DECLARATION_VALID_FOR = datetime.timedelta(days=365)


class DeclarationConfirmation(models.Model):
    """The organisation confirmed its declarations (done on submitting, and again every year)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="declarations")
    confirmed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-confirmed_at"]
        get_latest_by = "confirmed_at"

    def __str__(self) -> str:
        return f"{self.organisation} confirmed {self.confirmed_at:%Y-%m-%d}"

"""What assessors read: the queue of submitted applications, one application, open help requests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Organisation
from qualification.models import Application, ApplicationSection, HelpRequest, Qualification, RequestedCoverage
from reference.models import Area, ServiceCategory
from reference.selectors import covering_paths


def application_queue(*, category: ServiceCategory | None = None, region: Area | None = None) -> QuerySet[Application]:
    """Submitted applications not yet decided, oldest first. With a region, those asking for an
    area inside it or an area that includes it (e.g. all of England and Wales)."""
    queue = Application.objects.filter(submitted_at__isnull=False, decided_at__isnull=True)
    if category is not None or region is not None:
        asked = RequestedCoverage.objects.all()
        if category is not None:
            asked = asked.filter(category=category)
        if region is not None:
            asked = asked.filter(Q(area__path__startswith=region.path) | Q(area__path__in=covering_paths(region)))
        queue = queue.filter(pk__in=asked.values("application_id"))
    return (
        queue.select_related("organisation")
        .prefetch_related(Prefetch("requested", queryset=RequestedCoverage.objects.select_related("category", "area")))
        .order_by("submitted_at", "pk")
    )


def days_waiting(application: Application, *, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return max(0, (timezone.localdate(now) - timezone.localdate(application.submitted_at)).days)


def age_text(days: int) -> str:
    if days == 0:
        return "Submitted today"
    if days == 1:
        return "Submitted 1 day ago"
    return f"Submitted {days} days ago"


def application_for_review(*, pk: int) -> Application:
    """One application with its sections, what it asks for and its organisation (raises DoesNotExist)."""
    return (
        Application.objects.select_related("organisation", "decided_by")
        .prefetch_related(
            Prefetch("sections", queryset=ApplicationSection.objects.select_related("carried_over_from")),
            Prefetch(
                "requested",
                queryset=RequestedCoverage.objects.select_related("category", "area").order_by(
                    "category__display_order", "area__path"
                ),
            ),
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class SectionReview:
    section: ApplicationSection
    state: str  # accepted | carried_over | waiting_for_provider | answered | to_review

    @property
    def is_accepted(self) -> bool:
        return self.state in ("accepted", "carried_over")


def section_state(section: ApplicationSection) -> str:
    if section.carried_over_from_id:
        return "carried_over"
    if section.accepted_at:
        return "accepted"
    if section.clarification_requested_at and not section.clarification_answered_at:
        return "waiting_for_provider"
    if section.clarification_requested_at:
        return "answered"
    return "to_review"


def section_reviews(application: Application) -> list[SectionReview]:
    return [SectionReview(section=s, state=section_state(s)) for s in application.sections.all()]


def application_is_with_assessor(application: Application) -> bool:
    """Submitted, or sent back with a question the provider has not yet answered; not decided."""
    if application.decided_at:
        return False
    if application.submitted_at:
        return True
    return any(section_state(s) == "waiting_for_provider" for s in application.sections.all())


def application_ready_to_decide(application: Application) -> bool:
    sections = list(application.sections.all())
    return (
        application.submitted_at is not None
        and application.decided_at is None
        and bool(sections)
        and all(section_state(s) in ("accepted", "carried_over") for s in sections)
    )


def help_requests_open() -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(closed_at__isnull=True).select_related("organisation").order_by("requested_at")


def organisations_with_qualifications() -> QuerySet[Organisation]:
    """Every organisation holding a qualification that has not been removed (for assessors)."""
    current = Qualification.objects.filter(removed_at__isnull=True)
    return Organisation.objects.filter(pk__in=current.values("organisation_id")).order_by("legal_name")


def organisation_current_qualifications(organisation: Organisation) -> QuerySet[Qualification]:
    return (
        Qualification.objects.filter(organisation=organisation, removed_at__isnull=True)
        .select_related("category", "area")
        .order_by("category__display_order", "area_path")
    )

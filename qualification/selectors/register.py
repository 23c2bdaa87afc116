"""The public register of qualified organisations: organisation facts and what they can bid for.

Never personal data: no contact e-mails, phone numbers or people.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.models import Organisation
from qualification.models import Qualification
from qualification.selectors.coverage import coverage_sentences
from reference.models import Area, ServiceCategory
from reference.selectors import covering_paths

REGISTER_FIELDS = ["id", "legal_name", "trading_name", "organisation_type", "size", "town"]


def active_qualifications_prefetch() -> Prefetch:
    return Prefetch(
        "qualifications",
        queryset=Qualification.objects.active().select_related("category", "area").order_by("category", "area_path"),
        to_attr="active_qualifications",
    )


def register_organisations(
    *, category: ServiceCategory | None = None, area: Area | None = None
) -> QuerySet[Organisation]:
    """Organisations with at least one active qualification; with filters, those whose active
    qualification covers `category` in `area` (qualified in the area itself or one above it).
    Each comes with `active_qualifications` prefetched (two queries in all, whatever the size)."""
    matching = Qualification.objects.active().filter(organisation=OuterRef("pk"))
    if category is not None:
        matching = matching.filter(category=category)
    if area is not None:
        matching = matching.filter(area_path__in=covering_paths(area))
    return (
        Organisation.objects.filter(Exists(matching))
        .only(*REGISTER_FIELDS)
        .prefetch_related(active_qualifications_prefetch())
        .order_by("legal_name", "id")
    )


def organisation_coverage_sentences(organisation: Organisation, *, verb: str = "Can bid for") -> list[str]:
    """Plain sentences from the prefetched `active_qualifications`."""
    return coverage_sentences(((q.category, q.area) for q in organisation.active_qualifications), verb=verb)

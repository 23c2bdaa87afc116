"""The public register of qualified organisations: organisation facts and what they can bid for.

Never personal data: no contact e-mails, phone numbers or people.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def qualification_codes(organisation_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    """Each organisation's active qualifications as codes ({"category", "area"}), in the order
    of `active_qualifications_prefetch`, in one query of plain rows: building a qualification,
    category and area object for each of ~700 rows was most of the supplier API's time."""
    codes: dict[int, list[dict[str, str]]] = {pk: [] for pk in organisation_ids}
    rows = (
        Qualification.objects.active()
        .filter(organisation_id__in=organisation_ids)
        .order_by("organisation_id", "category", "area_path")
        .values_list("organisation_id", "category__code", "area__code")
    )
    for organisation_id, category, area in rows:
        codes[organisation_id].append({"category": category, "area": area})
    return codes


class RegisterPage(Sequence):
    """The register as a sequence that a paginator slices: the count is one query, and a slice is
    the organisations (one query) with their qualifications as codes (one query)."""

    def __init__(self, organisations: QuerySet[Organisation]):
        self.organisations = organisations.prefetch_related(None)

    def __len__(self) -> int:
        return self.organisations.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("The register is read a slice at a time")
        organisations = list(self.organisations[index])
        codes = qualification_codes([organisation.pk for organisation in organisations])
        for organisation in organisations:
            organisation.qualification_codes = codes[organisation.pk]
        return organisations


def organisation_coverage_sentences(organisation: Organisation, *, verb: str = "Can bid for") -> list[str]:
    """Plain sentences from the prefetched `active_qualifications`."""
    return coverage_sentences(((q.category, q.area) for q in organisation.active_qualifications), verb=verb)

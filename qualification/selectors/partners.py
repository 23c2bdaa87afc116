"""Finding a partner for a bid: organisations on the public register, by name, type of support and area.

A bidder sees here only what the public register already shows (names, type, size, town and what
each organisation can bid for), never contact details, people or applications.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Organisation
from qualification.models import Qualification
from qualification.selectors.register import register_organisations
from reference.models import Area, ServiceCategory
from reference.selectors import covering_paths, descendants

# Words of a name search that are used; the rest are ignored (the box is bounded too).
MAX_NAME_WORDS = 8


def partner_search(
    *,
    name: str = "",
    category: ServiceCategory | None = None,
    area: Area | None = None,
    exclude_organisation_id: int | None = None,
) -> QuerySet[Organisation]:
    """Organisations on the register, in name order, whose legal or trading name contains every word
    of `name`, with an active qualification for `category` that works in `area`: qualified for the
    area itself, an area that includes it, or a smaller area inside it (a local specialist is
    exactly the partner a prime looks for). `exclude_organisation_id` is the bidder itself."""
    found = register_organisations()
    if category is not None or area is not None:
        matching = Qualification.objects.active().filter(organisation=OuterRef("pk"))
        if category is not None:
            matching = matching.filter(category=category)
        if area is not None:
            matching = matching.filter(
                Q(area_path__in=covering_paths(area)) | Q(area_id__in=descendants(area).values("pk"))
            )
        found = found.filter(Exists(matching))
    for word in name.split()[:MAX_NAME_WORDS]:
        found = found.filter(Q(legal_name__icontains=word) | Q(trading_name__icontains=word))
    if exclude_organisation_id is not None:
        found = found.exclude(pk=exclude_organisation_id)
    return found


def partner_candidate(pk: object, *, exclude_organisation_id: int | None = None) -> Organisation | None:
    """One organisation a bidder may choose as a partner (on the register, not itself), or None
    for anything else, including ids that are not numbers."""
    text = str(pk)
    if not text.isdecimal() or len(text) > 18:
        return None
    pk = int(text)
    return partner_search(exclude_organisation_id=exclude_organisation_id).filter(pk=pk).first()

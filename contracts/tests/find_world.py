"""Small hand-built contracts for finding services (issue 12): each with version 1 of its terms,
its areas, its dates and who it is for, written straight to the database."""

from __future__ import annotations

import datetime

from contracts.models import Contract
from contracts.tests.terms import agree_as_made
from core.clock import LONDON, db_now
from publicdata.tests.factories import make_contract
from reference.models import Area

KENT, SURREY = "E23000032", "E23000031"
REGION_K = "K"
MAIDSTONE, GUILDFORD = "E07000110", "E07000209"


def today() -> datetime.date:
    return db_now().astimezone(LONDON).date()


def contract(
    *,
    areas: tuple[str, ...] = (KENT,),
    service_type: str = "accommodation",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    title: str = "A service",
    **eligibility,
) -> Contract:
    """A contract live today unless dates say otherwise, open to every adult unless `eligibility`
    (the contract's own field names) says otherwise."""
    day = today()
    starts_on = starts_on or day - datetime.timedelta(days=100)
    ends_on = ends_on or day + datetime.timedelta(days=300)
    made = make_contract(service_type_code=service_type, area_codes=areas, starts_on=starts_on, title=title)
    Contract.objects.filter(pk=made.pk).update(ends_on=ends_on, **eligibility)
    made.refresh_from_db()
    agree_as_made(made, at=db_now() - datetime.timedelta(days=200), areas=Area.objects.filter(code__in=areas))
    return made


def place(code: str) -> Area:
    return Area.objects.get(code=code)

"""Finding services for a person on probation (issue 12): the contracts a practitioner can refer
them to. Every condition is a rule written once elsewhere: live (`rules.CONTRACT_LIVE`, asked of
the terms in force), an area covering the place (`reference.selectors.covering_paths`, the rule
qualification and competitions use for eligibility to bid) and who the contract is for
(`rules.person_admitted`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.models import Role, StaffRole
from contracts import rules
from contracts.models import Contract, ContractVersion
from core.clock import LONDON
from reference.models import Area, AreaLevel, ServiceCategory, ServiceType
from reference.selectors import covering_paths


@dataclass(frozen=True)
class FoundService:
    contract: Contract
    terms: ContractVersion  # the terms in force: the end date and areas shown
    areas: list[Area]
    categories: list[ServiceCategory]  # what the service type offers


def _midday(on: datetime.date) -> datetime.datetime:
    """A moment on `on` in London, for rules that ask the date of a moment."""
    return datetime.datetime.combine(on, datetime.time(12), tzinfo=LONDON)


def services_for_person(
    *,
    local_authority: Area,
    categories: Iterable[ServiceCategory | int],
    age: int,
    sex: str,
    order_type: str,
    pre_release: bool,
    on: datetime.date,
) -> list[FoundService]:
    """The contracts live on `on` (by their terms in force now) in an area covering
    `local_authority` that offer at least one of `categories` and admit the person (`sex` a
    `PersonSex`, `order_type` an `OrderType`). Three queries, whatever the number of contracts:
    the terms, their areas, and the service types' categories."""
    category_ids = [getattr(category, "pk", category) for category in categories]
    if not category_ids:
        return []
    latest = (
        ContractVersion.objects.filter(rules.VERSION_IN_FORCE.q(), contract=OuterRef("contract"))
        .order_by("-number")
        .values("pk")[:1]
    )
    covering = ContractVersion.areas.through.objects.filter(
        contractversion=OuterRef("pk"), area__path__in=covering_paths(local_authority)
    )
    offering = ServiceType.categories.through.objects.filter(
        servicetype=OuterRef("contract__service_type"), servicecategory__in=category_ids
    )
    admitted = rules.person_admitted(age=age, sex=sex, order_type=order_type, pre_release=pre_release)
    terms = (
        ContractVersion.objects.filter(rules.VERSION_IN_FORCE.q(), pk=Subquery(latest))
        .filter(rules.CONTRACT_LIVE.q(now=_midday(on)), admitted.q(prefix="contract__"))
        .filter(Exists(covering), Exists(offering))
        .select_related("contract__supplier", "contract__service_type", "contract__lot__competition__owner_area")
        .prefetch_related(
            Prefetch("areas", queryset=Area.objects.order_by("name")),
            Prefetch(
                "contract__service_type__categories",
                queryset=ServiceCategory.objects.order_by("display_order", "name"),
            ),
        )
        .order_by("contract__service_type__display_order", "contract__service_type__name", "contract__title")
    )
    return [
        FoundService(
            contract=version.contract,
            terms=version,
            areas=list(version.areas.all()),
            categories=list(version.contract.service_type.categories.all()),
        )
        for version in terms
    ]


def practitioner_regions(user) -> QuerySet[Area]:
    """The regions a practitioner's roles are for."""
    return Area.objects.filter(
        pk__in=StaffRole.objects.filter(user=user, role=Role.PRACTITIONER, area__isnull=False).values("area_id")
    )


def local_authorities_for(user) -> QuerySet[Area]:
    """The places a practitioner finds services for: the local authorities in their regions, by name."""
    regions = list(practitioner_regions(user).values_list("path", flat=True))
    if not regions:
        return Area.objects.none()
    inside = Q()
    for path in regions:
        inside |= Q(path__startswith=path)
    return Area.objects.filter(inside, level=AreaLevel.LOCAL_AUTHORITY).order_by("name")


def categories_to_find() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.order_by("display_order", "name")


def eligibility_words(contract: Contract) -> list[tuple[str, str]]:
    """Who a contract is for, as (label, words) rows: the contract page and the results show these."""
    from contracts.models import OLDEST

    ages = f"{contract.min_age} and over" if contract.max_age == OLDEST else f"{contract.min_age} to {contract.max_age}"
    orders = [
        words
        for words, takes in (
            ("community orders", contract.for_community_orders),
            ("licences", contract.for_licences),
        )
        if takes
    ]
    return [
        ("Ages", ages),
        ("Sex", contract.get_eligible_sex_display()),
        ("Orders", "People on " + " and ".join(orders)),
        ("Before release", "Works with people in prison" if contract.pre_release else "Only after release"),
    ]


def last_day(contract: Contract, terms: ContractVersion) -> datetime.date:
    """The contract's last day under the terms in force, or the day it ends early."""
    return min(terms.ends_on, contract.terminates_on or terms.ends_on)

"""Who an opportunity is sent to, and organisations that qualified after it was sent.

`invitation_plan` is the one rule launch uses (through the eligibility selectors of the
qualification app): every organisation eligible for at least one live lot is invited to bid for
those lots, and organisations covering part of a lot are told about it as possible partners. The
same rule, minus those already invited, lists the organisations that qualified later.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Prefetch

from accounts.models import Organisation
from accounts.permissions import membership_of
from competitions import rules
from competitions.models import Competition, CompetitionInvitation, Lot
from core.clock import db_now
from qualification.models import Qualification
from qualification.selectors.eligibility import (
    OrganisationCoverage,
    eligible_organisations,
    organisation_coverage,
    partial_coverage_organisations,
)
from reference.models import ServiceType


@dataclass
class Invitee:
    """What launch would send one organisation: to bid for `lots`, or to hear of it as a partner."""

    organisation_id: int
    kind: str
    lots: list[Lot] = field(default_factory=list)

    @property
    def can_bid(self) -> bool:
        return self.kind == CompetitionInvitation.Kind.ELIGIBLE


def _in_area(
    competition: Competition, area, *, among: Collection[int] | None, coverage: OrganisationCoverage | None
) -> tuple[set[int], set[int]]:
    """(eligible, partial) organisation ids for one area of a lot: from the eligibility querysets,
    or, for one organisation whose qualifications are already read, from its coverage."""
    if coverage is not None:
        category_ids = [category.pk for category in competition.service_type.categories.all()]
        here = {coverage.organisation_id} if coverage.eligible(category_ids=category_ids, area=area) else set()
        inside = {coverage.organisation_id} if coverage.partial(category_ids=category_ids, area=area) else set()
        return here, inside
    here_qs = eligible_organisations(service_type=competition.service_type, area=area)
    partial_qs = partial_coverage_organisations(service_type=competition.service_type, area=area)
    if among is not None:
        here_qs, partial_qs = here_qs.filter(pk__in=among), partial_qs.filter(pk__in=among)
    return set(here_qs.values_list("pk", flat=True)), set(partial_qs.values_list("pk", flat=True))


def organisations_for_lot(
    competition: Competition,
    lot: Lot,
    *,
    among: Collection[int] | None = None,
    coverage: OrganisationCoverage | None = None,
) -> tuple[set[int], set[int]]:
    """(eligible, partial) organisation ids: eligible for EVERY area of the lot; partial if
    covering part of it (inside an area, or some of the lot's areas but not all). `among` limits
    the answer to those organisation ids (for one organisation's own page); `coverage` answers for
    its one organisation without a query per area."""
    eligible: set[int] | None = None
    some: set[int] = set()
    partial: set[int] = set()
    for area in lot.areas.all():
        here, inside = _in_area(competition, area, among=among, coverage=coverage)
        some |= here
        eligible = here if eligible is None else eligible & here
        partial |= inside
    eligible = eligible or set()
    return eligible, (partial | some) - eligible


def _live_lots(competition: Competition) -> list[Lot]:
    """The lots not abandoned, in number order: as prefetched by `_uninvited_open_competitions`, or read."""
    if hasattr(competition, "live_lots"):
        return competition.live_lots
    return list(competition.lots.filter(abandoned_at__isnull=True).prefetch_related("areas").order_by("number"))


def invitation_plan(
    competition: Competition,
    *,
    among: Collection[int] | None = None,
    coverage: OrganisationCoverage | None = None,
) -> dict[int, Invitee]:
    """Every organisation the opportunity goes to, by organisation id, as launch sends it (or, with
    `among` or `coverage`, only those of it)."""
    plan: dict[int, Invitee] = {}
    partners: set[int] = set()
    for lot in _live_lots(competition):
        eligible, partial = organisations_for_lot(competition, lot, among=among, coverage=coverage)
        for organisation_id in eligible:
            plan.setdefault(
                organisation_id, Invitee(organisation_id=organisation_id, kind=CompetitionInvitation.Kind.ELIGIBLE)
            ).lots.append(lot)
        partners |= partial
    for organisation_id in partners - set(plan):
        plan[organisation_id] = Invitee(organisation_id=organisation_id, kind=CompetitionInvitation.Kind.PARTNER)
    return plan


# --- Organisations that qualified after the opportunity was sent ---------------------------


def late_invitations_open(competition: Competition, *, now: datetime.datetime | None = None) -> bool:
    """A commissioner may still invite organisations that qualified after launch: the opportunity
    is launched, not cancelled, and the last day for questions has not passed (by the database
    clock: from the deadline's instant on, it has passed)."""
    return rules.LATE_INVITATIONS_OPEN.holds(competition, now=now)


def newly_eligible(competition: Competition) -> list[tuple[Organisation, Invitee]]:
    """Organisations the opportunity would go to now but was not sent to (they qualified after
    launch), in name order."""
    if competition.launched_at is None or competition.abandoned_at is not None:
        return []
    invited = set(competition.invitations.values_list("organisation_id", flat=True))
    plan = {pk: invitee for pk, invitee in invitation_plan(competition).items() if pk not in invited}
    organisations = Organisation.objects.filter(pk__in=plan).order_by("legal_name", "pk")
    return [(organisation, plan[organisation.pk]) for organisation in organisations]


def _uninvited_open_competitions(organisation: Organisation, *, now: datetime.datetime):
    categories = Qualification.objects.active().filter(organisation=organisation).values_list("category_id", flat=True)
    # The types of support in those categories as a subquery, not a join: a join repeats a
    # competition once per matching category, and removing the repeats (DISTINCT over every column
    # read) cost more than the rest of the query.
    service_types = ServiceType.objects.filter(categories__in=categories).values("pk")
    return list(
        Competition.objects.bidding_open(now=now)
        .filter(service_type__in=service_types)
        .exclude(invitations__organisation=organisation)
        .select_related("service_type")
        .prefetch_related(
            "service_type__categories",
            Prefetch(
                "lots",
                queryset=Lot.objects.filter(abandoned_at__isnull=True).prefetch_related("areas").order_by("number"),
                to_attr="live_lots",
            ),
        )
        .order_by("closes_at", "pk")
    )


def not_invited_opportunities(
    organisation: Organisation, *, now: datetime.datetime | None = None
) -> list[tuple[Competition, Invitee]]:
    """Open opportunities in the organisation's types of support and areas that it was not sent
    because it qualified after they were launched, soonest closing first. A fixed number of queries
    whatever the number of opportunities: the organisation's qualifications are read once and asked
    of every lot's areas (`organisation_coverage`)."""
    now = now or db_now()
    found = []
    coverage = organisation_coverage(organisation.pk)
    for competition in _uninvited_open_competitions(organisation, now=now):
        invitee = invitation_plan(competition, coverage=coverage).get(organisation.pk)
        if invitee is not None:
            found.append((competition, invitee))
    return found


def not_invited_opportunity(user, competition: Competition, *, now: datetime.datetime | None = None) -> Invitee | None:
    """What the opportunity would offer the user's organisation, if it is open and the
    organisation qualified for it after it was sent (None in every other case, which is a 404)."""
    membership = membership_of(user)
    if membership is None or not competition.is_bidding_open(now=now):
        return None
    if competition.invitations.filter(organisation_id=membership.organisation_id).exists():
        return None
    return invitation_plan(competition, among=[membership.organisation_id]).get(membership.organisation_id)

"""Reads for the public opportunities page and the public contracts register.

Public facts only: organisations (never people), estimated values, dates, and, once a lot's award
is approved, who won it and how many bids it had. Nothing about bids is read before the closing
date. Every list is a fixed number of queries whatever the number of rows (prefetches).

Area rule (contracts and opportunities): a record matches an area filter if one of its areas is
that area, an area that contains it (a national or regional contract serves a local authority
inside it), or an area inside it (a local authority lot counts for its region).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, Count, Exists, F, IntegerField, Min, OuterRef, Prefetch, Q, QuerySet, Value, When

from accounts.models import Organisation
from competitions import rules
from competitions.models import Award, Competition, Lot
from competitions.selectors.status import ABANDONED, competition_stage, lot_stage
from contracts.models import Contract, ContractYear, Subcontract
from contracts.selectors_supply_chain import delivered_percent, with_shares
from core.clock import db_now, financial_year_label
from publicdata.forms import ContractFilters
from reference.models import Area, ServiceType
from reference.selectors import covering_paths

RECENTLY_CLOSED = datetime.timedelta(days=365)

OPEN = "open"
PLANNED = "planned"
RECENTLY_CLOSED_GROUP = "recently_closed"
GROUPS = [OPEN, PLANNED, RECENTLY_CLOSED_GROUP]


def area_match(area: Area, *, prefix: str) -> Q:
    """`prefix`+path is the area itself, an area containing it, or an area inside it."""
    return Q(**{f"{prefix}path__in": covering_paths(area)}) | Q(**{f"{prefix}path__startswith": area.path})


# --- Opportunities ------------------------------------------------------------------------------


def _group_conditions(now: datetime.datetime) -> dict[str, Q]:
    since = now - RECENTLY_CLOSED
    not_cancelled = Q(abandoned_at__isnull=True)
    return {
        OPEN: rules.BIDDING_OPEN.q(now=now),
        PLANNED: rules.PLANNED.q() & not_cancelled,
        # Closed for bids in the last 12 months, or cancelled after opening in the last 12 months.
        RECENTLY_CLOSED_GROUP: (rules.BIDDING_CLOSED.q(now=now) & not_cancelled & Q(closes_at__gt=since))
        | Q(launched_at__isnull=False, abandoned_at__lte=now, abandoned_at__gt=since),
    }


def recently_closed_ends_after(after: datetime.datetime) -> datetime.datetime | None:
    """The first instant strictly after `after` at which an opportunity leaves the recently closed
    group of `_group_conditions` (12 months after it closed, or was cancelled). One query."""
    since = after - RECENTLY_CLOSED
    row = Competition.objects.aggregate(
        closed=Min("closes_at", filter=Q(closes_at__gt=since)),
        cancelled=Min("abandoned_at", filter=Q(abandoned_at__gt=since)),
    )
    ends = [moment + RECENTLY_CLOSED for moment in row.values() if moment is not None]
    return min(ends) if ends else None


def _public_lots() -> Prefetch:
    submitted = rules.SENT.q(prefix="bid_lots__bid__")
    return Prefetch(
        "lots",
        queryset=Lot.objects.annotate(submitted_bids=Count("bid_lots", filter=submitted, distinct=True))
        .select_related("award__bid__organisation", "award__direct_organisation")
        .prefetch_related("years", "areas")
        .order_by("number"),
    )


def _published_competitions() -> QuerySet[Competition]:
    """Competitions the public may see: planned or launched (never drafts)."""
    return (
        Competition.objects.public()
        .select_related("service_type", "owner_area")
        .prefetch_related(_public_lots(), "co_commissioners")
    )


def public_opportunities(
    *,
    service_type: ServiceType | None = None,
    region: Area | None = None,
    groups: Iterable[str] = GROUPS,
    now: datetime.datetime | None = None,
) -> QuerySet[Competition]:
    """Open, planned and recently closed competitions (those in `groups`), soonest deadline first."""
    now = now or db_now()
    conditions = _group_conditions(now)
    wanted = Q()
    for group in groups:
        wanted |= conditions[group]
    queryset = _published_competitions().filter(wanted)
    if service_type is not None:
        queryset = queryset.filter(service_type=service_type)
    if region is not None:
        in_lot = Lot.areas.through.objects.filter(lot__competition=OuterRef("pk")).filter(
            area_match(region, prefix="area__")
        )
        queryset = queryset.filter(area_match(region, prefix="owner_area__") | Exists(in_lot))
    return queryset.order_by("closes_at", "title", "pk")


# The groups in the order the public page lists them.
_RANK = {OPEN: 0, PLANNED: 1, RECENTLY_CLOSED_GROUP: 2}
GROUP_OF_RANK = {rank: group for group, rank in _RANK.items()}


def _group_rank(now: datetime.datetime) -> Case:
    """`group_of` in SQL, from the same rules: open for bids, else planned, else recently closed."""
    return Case(
        When(rules.BIDDING_OPEN.q(now=now), then=Value(_RANK[OPEN])),
        When(rules.PLANNED.q(), then=Value(_RANK[PLANNED])),
        default=Value(_RANK[RECENTLY_CLOSED_GROUP]),
        output_field=IntegerField(),
    )


def public_opportunities_by_group(
    *,
    service_type: ServiceType | None = None,
    region: Area | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Competition]:
    """`public_opportunities` in the order of the public page, so it can be read a page at a
    time: open for bids (soonest deadline first), planned (likewise), then recently closed (the
    most recent first). Each comes with `group_rank` (see `GROUP_OF_RANK`)."""
    now = now or db_now()
    queryset = public_opportunities(service_type=service_type, region=region, now=now).annotate(
        group_rank=_group_rank(now)
    )
    ahead = Q(group_rank__lt=_RANK[RECENTLY_CLOSED_GROUP])
    closed = Q(group_rank=_RANK[RECENTLY_CLOSED_GROUP])
    return queryset.order_by(
        "group_rank",
        *(Case(When(ahead, then=F(name))).asc() for name in ("closes_at", "title", "pk")),
        *(Case(When(closed, then=F(name))).desc() for name in ("closes_at", "title", "pk")),
    )


def opportunity_group_counts(queryset: QuerySet[Competition]) -> dict[str, int]:
    """How many of `public_opportunities_by_group` are in each group (one query)."""
    counts = dict.fromkeys(GROUPS, 0)
    for row in queryset.order_by().values("group_rank").annotate(count=Count("pk", distinct=True)):
        counts[GROUP_OF_RANK[row["group_rank"]]] = row["count"]
    return counts


def published_competition(pk: int) -> Competition:
    """Raises Competition.DoesNotExist for drafts and unknown ids."""
    return _published_competitions().get(pk=pk)


@dataclass
class LotResult:
    """Public once the award is approved: who won and how many bids the lot had."""

    winner: Organisation
    bids: int | None  # None for a direct award (there was no competition for it)
    direct: bool
    approved_at: datetime.datetime | None


@dataclass
class PublicLot:
    lot: Lot
    stage: str
    years: list[tuple[int, str, Decimal, int]]
    result: LotResult | None


@dataclass
class Opportunity:
    competition: Competition
    stage: str
    lots: list[PublicLot]
    # (financial year, label, estimated value of all live lots in that year)
    yearly_values: list[tuple[int, str, Decimal]] = field(default_factory=list)

    @property
    def area_names(self) -> list[str]:
        return [public_lot.lot.name for public_lot in self.lots]


def _published_award(lot: Lot) -> Award | None:
    try:
        award = lot.award
    except ObjectDoesNotExist:
        return None
    return award if award.is_published else None


def _lot_result(lot: Lot, competition: Competition, now: datetime.datetime) -> LotResult | None:
    """Only once bidding has closed, and only for a published award (approved, or a direct award)."""
    if not competition.is_bidding_closed(now=now) or lot.abandoned_at is not None:
        return None
    award = _published_award(lot)
    if award is None:
        return None
    if award.bid_id is None:
        return LotResult(winner=award.direct_organisation, bids=None, direct=True, approved_at=award.approved_at)
    return LotResult(
        winner=award.bid.organisation, bids=lot.submitted_bids, direct=False, approved_at=award.approved_at
    )


def opportunity(competition: Competition, *, now: datetime.datetime) -> Opportunity:
    """The public view of a competition from prefetched lots (no further queries)."""
    lots = []
    totals: dict[int, Decimal] = {}
    for lot in competition.lots.all():
        years = [(y.financial_year, financial_year_label(y.financial_year), y.value, y.volume) for y in lot.years.all()]
        stage = lot_stage(lot, now=now)
        if stage != ABANDONED:
            for year, _label, value, _volume in years:
                totals[year] = totals.get(year, Decimal("0")) + value
        lots.append(PublicLot(lot=lot, stage=stage, years=years, result=_lot_result(lot, competition, now)))
    return Opportunity(
        competition=competition,
        stage=competition_stage(competition, now=now),
        lots=lots,
        yearly_values=[(year, financial_year_label(year), totals[year]) for year in sorted(totals)],
    )


def group_of(competition: Competition, *, now: datetime.datetime) -> str:
    """The group of a public competition (planned or launched)."""
    if competition.is_bidding_open(now=now):
        return OPEN
    if competition.is_planned:
        return PLANNED
    return RECENTLY_CLOSED_GROUP


# --- Contracts ----------------------------------------------------------------------------------


def _contract_queryset() -> QuerySet[Contract]:
    return Contract.objects.select_related("supplier", "service_type", "lot__competition").prefetch_related(
        Prefetch("areas", queryset=Area.objects.order_by("path")),
        "years",
        Prefetch("subcontracts", queryset=Subcontract.objects.select_related("organisation").order_by("pk")),
        "funding",
    )


def public_contracts(filters: ContractFilters | None = None) -> QuerySet[Contract]:
    """Every contract, with the filters applied, newest first.

    Organisation filters (name, type, size) match a contract when its main organisation or one
    of its partners (subcontractors and consortium members) matches all of them.
    """
    filters = filters or ContractFilters()
    queryset = _contract_queryset()
    if filters.service_type is not None:
        queryset = queryset.filter(service_type=filters.service_type)
    if filters.category is not None:
        queryset = queryset.filter(service_type__in=ServiceType.objects.filter(categories=filters.category))
    for area in filters.areas:
        in_area = Contract.areas.through.objects.filter(contract_id=OuterRef("pk")).filter(
            area_match(area, prefix="area__")
        )
        queryset = queryset.filter(Exists(in_area))
    organisation_q = Q()
    if filters.provider:
        organisation_q &= Q(legal_name__icontains=filters.provider) | Q(trading_name__icontains=filters.provider)
    if filters.organisation_type:
        organisation_q &= Q(organisation_type=filters.organisation_type)
    if filters.size:
        organisation_q &= Q(size=filters.size)
    if organisation_q:
        organisations = Organisation.objects.filter(organisation_q).values("pk")
        partner_q = Q(organisation__in=organisations)
        if filters.provider and not (filters.organisation_type or filters.size):
            # A partner from outside the framework has a name but no organisation record.
            partner_q |= Q(name__icontains=filters.provider)
        partners = Subcontract.objects.filter(contract_id=OuterRef("pk")).filter(partner_q)
        queryset = queryset.filter(Q(supplier__in=organisations) | Exists(partners))
    if filters.financial_year is not None:
        queryset = queryset.filter(
            Exists(ContractYear.objects.filter(contract_id=OuterRef("pk"), financial_year=filters.financial_year))
        )
    return queryset.order_by("-starts_on", "title", "pk")


def public_contracts_with_shares(filters: ContractFilters | None = None) -> QuerySet[Contract]:
    """`public_contracts` with each contract's partners' committed share and the money paid to the
    prime and by the prime to its partners (`contracts.selectors_supply_chain.with_shares`):
    subqueries, so a page of the register costs the same queries however many contracts it has."""
    return with_shares(public_contracts(filters))


def public_contract(pk: int) -> Contract:
    return with_shares(_contract_queryset()).get(pk=pk)


def contract_shares(contract: Contract) -> dict:
    """Committed and delivered shares of a contract read through `public_contracts_with_shares`."""
    return {
        "committed": contract.committed_share,
        "delivered": delivered_percent(contract.partner_paid, contract.prime_paid),
        "prime_paid": contract.prime_paid,
    }


def contract_total(contract: Contract) -> Decimal:
    return sum((year.value for year in contract.years.all()), Decimal("0"))


PARTNER_ROLES = {"subcontractor": "Subcontractor", "consortium": "Consortium member"}


def partner_role_label(role: str) -> str:
    return PARTNER_ROLES.get(role, role.capitalize())


CSV_HEADER = [
    "Record",
    "Contract ID",
    "Title",
    "Service",
    "Area codes",
    "Areas",
    "Organisation",
    "Organisation type",
    "Size",
    "Voluntary, community or social enterprise",
    "Role",
    "Share of the work (%)",
    "Starts",
    "Ends",
    "Extension years",
    "Total value (GBP)",
    "Value of this share (GBP)",
    "Values by financial year",
    "People by financial year",
    # The contract's figures, the same on its partners' rows, as the register page shows them.
    "Partners' committed share of the work (%)",
    "Partners' delivered share (%)",
]


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _percent(value: Decimal | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def contract_csv_rows(contracts: Iterable[Contract]) -> Iterator[list[str]]:
    """One row for each contract and one for each of its partners (subcontracts). `contracts` come
    from `public_contracts_with_shares`: the partners' committed and delivered shares (the
    delivered share blank until the main organisation has been paid) end every row."""
    for contract in contracts:
        years = list(contract.years.all())
        total = sum((year.value for year in years), Decimal("0"))
        values = "; ".join(f"{financial_year_label(y.financial_year)}: {_money(y.value)}" for y in years)
        volumes = "; ".join(f"{financial_year_label(y.financial_year)}: {y.volume}" for y in years)
        areas = list(contract.areas.all())
        common = [
            str(contract.pk),
            contract.title,
            contract.service_type.name,
            " ".join(area.code for area in areas),
            "; ".join(area.name for area in areas),
        ]
        term = [contract.starts_on.isoformat(), contract.ends_on.isoformat(), str(contract.extension_years)]
        shares = contract_shares(contract)
        partners_share = [_percent(shares["committed"], 2), _percent(shares["delivered"], 1)]
        supplier = contract.supplier
        yield [
            "Contract",
            *common,
            supplier.display_name,
            supplier.get_organisation_type_display(),
            supplier.get_size_display(),
            "Yes" if supplier.is_vcse else "No",
            "Main organisation",
            "",
            *term,
            _money(total),
            _money(total),
            values,
            volumes,
            *partners_share,
        ]
        for partner in contract.subcontracts.all():
            organisation = partner.organisation
            yield [
                "Subcontract",
                *common,
                organisation.display_name if organisation else partner.name,
                organisation.get_organisation_type_display() if organisation else "Not on the framework",
                organisation.get_size_display() if organisation else "",
                ("Yes" if organisation.is_vcse else "No") if organisation else "",
                partner_role_label(partner.role),
                f"{partner.share_percent:.2f}",
                *term,
                _money(total),
                _money((total * partner.share_percent / 100).quantize(Decimal("0.01"))),
                values,
                volumes,
                *partners_share,
            ]

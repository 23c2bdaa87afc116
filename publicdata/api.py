"""Open data: GET /api/v1/public/opportunities and GET /api/v1/public/contracts.

The same filters as the public pages (parsed by the same forms), paginated, no sign-in, and
organisations only: never people. Nothing about bids before the closing date; after a lot's
award is approved, who won it and how many bids it had.
"""

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from core.api import BoundedLimitOffsetPagination, Code, Text, bad_form, bad_parameter
from core.clock import db_now
from core.pagecache import keep_public
from publicdata import selectors
from publicdata.forms import FIRST_FINANCIAL_YEAR, LAST_FINANCIAL_YEAR, ContractFilterForm, OpportunityFilterForm

router = Router(tags=["Public registers"])


class YearOut(Schema):
    financial_year: int = Field(
        ..., description="The year the financial year starts in: 2027 is April 2027 to March 2028"
    )
    value: Decimal = Field(..., description="Value in pounds (GBP)")
    volume: int = Field(..., description="People each year")


class OrganisationOut(Schema):
    id: int
    name: str
    organisation_type: str
    size: str
    is_vcse: bool


class LotResultOut(Schema):
    winner: OrganisationOut
    bids: int | None = Field(..., description="Bids received for the lot; null for a direct award")
    direct_award: bool


class LotOut(Schema):
    number: int
    name: str
    stage: str
    areas: list[str] = Field(..., description="Area codes (ONS codes, or region letters)")
    years: list[YearOut]
    result: LotResultOut | None = Field(..., description="Published once the award is approved")


class OpportunityOut(Schema):
    id: int
    reference: str
    title: str
    service_type: str
    owner_area: str
    stage: str
    group: str = Field(..., description="open, planned or recently_closed")
    clarification_deadline: datetime.datetime | None
    closes_at: datetime.datetime | None
    intended_award_at: datetime.datetime | None
    contract_start: datetime.date | None
    contract_years: int
    extension_years: int
    lots: list[LotOut]


class OpportunityFilters(Schema):
    service_type: Code | None = Field(None, description="Service type code, e.g. accommodation")
    region: Code | None = Field(None, description="Region code (A to L)")
    group: Code | None = Field(None, description="open, planned or recently_closed (default: all three)")


def _organisation(organisation) -> dict:
    return {
        "id": organisation.pk,
        "name": organisation.display_name,
        "organisation_type": organisation.organisation_type,
        "size": organisation.size,
        "is_vcse": organisation.is_vcse,
    }


def _opportunity_out(competition, now) -> dict:
    item = selectors.opportunity(competition, now=now)
    return {
        "id": competition.pk,
        "reference": competition.reference,
        "title": competition.title,
        "service_type": competition.service_type.code,
        "owner_area": competition.owner_area.code,
        "stage": item.stage,
        "group": selectors.group_of(competition, now=now),
        "clarification_deadline": competition.clarification_deadline,
        "closes_at": competition.closes_at,
        "intended_award_at": competition.intended_award_at,
        "contract_start": competition.contract_start,
        "contract_years": competition.contract_years,
        "extension_years": competition.extension_years,
        "lots": [
            {
                "number": public_lot.lot.number,
                "name": public_lot.lot.name,
                "stage": public_lot.stage,
                "areas": [area.code for area in public_lot.lot.areas.all()],
                "years": [{"financial_year": y, "value": v, "volume": n} for y, _label, v, n in public_lot.years],
                "result": {
                    "winner": _organisation(public_lot.result.winner),
                    "bids": public_lot.result.bids,
                    "direct_award": public_lot.result.direct,
                }
                if public_lot.result
                else None,
            }
            for public_lot in item.lots
        ],
    }


class _Rows:
    """A lazily converted queryset: the paginator slices it, then each row becomes a dict."""

    def __init__(self, queryset, convert):
        self.queryset = queryset
        self.convert = convert

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        return [self.convert(row) for row in self.queryset[key]]


@router.get(
    "/opportunities",
    response=list[OpportunityOut],
    auth=None,
    summary="Opportunities: open, planned and recently closed",
    description=(
        "Competitions open for bids, planned (the pipeline) and closed in the last 12 months, with lots, "
        "estimated values and people per financial year and key dates (UTC). Nothing about bids is "
        "published before the closing date; once a lot's award is approved, the winner and the number "
        "of bids."
    ),
)
@decorate_view(keep_public)
@paginate(BoundedLimitOffsetPagination)
def opportunities(request: HttpRequest, filters: Query[OpportunityFilters]):
    form = OpportunityFilterForm({"service_type": filters.service_type or "", "region": filters.region or ""})
    if not form.is_valid():
        raise bad_form(form)
    groups = selectors.GROUPS
    if filters.group:
        if filters.group not in selectors.GROUPS:
            raise bad_parameter("group", "choose open, planned or recently_closed")
        groups = [filters.group]
    service_type, region = form.chosen()
    now = db_now()
    queryset = selectors.public_opportunities(service_type=service_type, region=region, groups=groups, now=now)
    return _Rows(queryset, lambda competition: _opportunity_out(competition, now))


class SubcontractOut(Schema):
    name: str
    organisation: OrganisationOut | None = Field(..., description="Null for a partner not on the framework")
    role: str
    share_percent: Decimal


class FundingOut(Schema):
    name: str
    party_type: str
    share_percent: Decimal


class ContractOut(Schema):
    id: int
    title: str
    service_type: str
    areas: list[str]
    supplier: OrganisationOut
    subcontracts: list[SubcontractOut]
    starts_on: datetime.date
    ends_on: datetime.date
    extension_years: int
    payment_frequency: str
    payment_days: int
    total_value: Decimal
    years: list[YearOut]
    funding: list[FundingOut]
    competition_id: int
    partners_committed_share_percent: Decimal = Field(
        ..., description="The partners' share of the work under the terms in force, in percent (0 with no partners)"
    )
    partners_delivered_share_percent: Decimal | None = Field(
        ...,
        description="What the main organisation has paid its partners, as a percentage of what it has been paid "
        "for the contract so far; null until it has been paid anything",
    )


class ContractFiltersIn(Schema):
    service_type: Code | None = Field(None, description="Service type code")
    category: Code | None = Field(None, description="Type of support (category) code")
    region: Code | None = Field(None, description="Region code")
    pcc_area: Code | None = Field(None, description="PCC area code")
    local_authority: Code | None = Field(None, description="Local authority ONS code")
    provider: Text | None = Field(None, description="Part of the name of the main organisation or a partner")
    organisation_type: Code | None = None
    size: Code | None = Field(None, description="micro, small, medium or large")
    financial_year: int | None = Field(
        None,
        ge=FIRST_FINANCIAL_YEAR,
        le=LAST_FINANCIAL_YEAR,
        description="Contracts with a value in this financial year (the year it starts in)",
    )


def _contract_out(contract) -> dict:
    shares = selectors.contract_shares(contract)
    return {
        "id": contract.pk,
        "title": contract.title,
        "service_type": contract.service_type.code,
        "areas": [area.code for area in contract.areas.all()],
        "supplier": _organisation(contract.supplier),
        "subcontracts": [
            {
                "name": partner.organisation.display_name if partner.organisation else partner.name,
                "organisation": _organisation(partner.organisation) if partner.organisation else None,
                "role": partner.role,
                "share_percent": partner.share_percent,
            }
            for partner in contract.subcontracts.all()
        ],
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        "extension_years": contract.extension_years,
        "payment_frequency": contract.payment_frequency,
        "payment_days": contract.payment_days,
        "total_value": selectors.contract_total(contract),
        "years": [
            {"financial_year": y.financial_year, "value": y.value, "volume": y.volume} for y in contract.years.all()
        ],
        "funding": [
            {"name": f.name, "party_type": f.party_type, "share_percent": f.share_percent}
            for f in contract.funding.all()
        ],
        "competition_id": contract.lot.competition_id,
        "partners_committed_share_percent": shares["committed"],
        "partners_delivered_share_percent": shares["delivered"],
    }


@router.get(
    "/contracts",
    response=list[ContractOut],
    auth=None,
    summary="Contracts register",
    description=(
        "Every contract awarded under the framework with its partners (subcontracts), and the partners' "
        "committed and delivered shares as the contracts register shows them. Area filters match "
        "a contract when one of its areas is that area, contains it, or is inside it. Organisation filters "
        "match the main organisation or a partner."
    ),
)
@decorate_view(keep_public)
@paginate(BoundedLimitOffsetPagination)
def contracts(request: HttpRequest, filters: Query[ContractFiltersIn]):
    data = {key: ("" if value is None else str(value)) for key, value in filters.dict().items()}
    form = ContractFilterForm(data)
    if not form.is_valid():
        raise bad_form(form)
    return _Rows(selectors.public_contracts_with_shares(form.filters()), _contract_out)

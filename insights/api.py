"""The insight numbers as JSON: the same rows as the pages and their downloads, with the same filters."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from core.api import Code, bad_parameter
from core.pagecache import keep_public
from insights.forms import FIRST_YEAR, LAST_YEAR, ScopeError, scope_from_codes
from insights.scope import Scope
from insights.selectors import (
    burden,
    coverage,
    pipeline,
    smaller_providers,
    volumes_and_value,
    where_the_money_goes,
    who_takes_part,
)
from reference.models import AreaLevel

router = Router(tags=["Insight"])

FILTERS = (
    "Filter with `region` (a region code, A to L), `pcc_area` (a PCC area code, e.g. E23000032) and `year` (the "
    "year a financial year starts in: 2025 means April 2025 to March 2026)."
)


class InsightFilters(Schema):
    region: Code | None = None
    pcc_area: Code | None = None
    year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR)


def _scope(filters: InsightFilters) -> Scope:
    try:
        return scope_from_codes(region=filters.region, pcc_area=filters.pcc_area, year=filters.year)
    except ScopeError as error:
        raise bad_parameter(error.parameter, str(error)) from None


@router.get(
    "/who-takes-part",
    response=who_takes_part.WhoTakesPart,
    auth=None,
    url_name="insights-who-takes-part",
    summary="Who takes part",
    description="Organisations at each step (registered interest, sent the questionnaire, qualified, invited, sent "
    "a bid, won work) and where they stop, by type and size. " + FILTERS,
)
@decorate_view(keep_public)
def get_who_takes_part(request: HttpRequest, filters: Query[InsightFilters]):
    return who_takes_part.who_takes_part(scope=_scope(filters))


class SmallerFilters(InsightFilters):
    by: AreaLevel | None = None
    measure: Literal["awarded", "paid"] = smaller_providers.AWARDED


@router.get(
    "/smaller-providers",
    response=smaller_providers.SmallerProviders,
    auth=None,
    url_name="insights-smaller-providers",
    summary="Work for smaller providers",
    description="Number and value (whole pounds) of contracts and subcontracts won by micro, small and medium "
    "organisations and by voluntary, community or social enterprise organisations, by area. `by` chooses the "
    "level of the areas (region, pcc_area or local_authority). `measure=paid` counts the money actually paid "
    "instead of values as awarded: to main organisations, their paid claims; to partners, what the main "
    "organisations recorded paying them (`contracts` then counts contracts paid something, `subcontracts` partners "
    "paid something). " + FILTERS,
)
@decorate_view(keep_public)
def get_smaller_providers(request: HttpRequest, filters: Query[SmallerFilters]):
    if filters.by == AreaLevel.COUNTRY:
        raise bad_parameter("by", "must be region, pcc_area or local_authority")
    return smaller_providers.smaller_providers(scope=_scope(filters), level=filters.by, measure=filters.measure)


@router.get(
    "/where-the-money-goes",
    response=where_the_money_goes.WhereTheMoneyGoes,
    auth=None,
    url_name="insights-where-the-money-goes",
    summary="Where the money goes",
    description="Estimated value by service type for one financial year (the current one unless `year` is given), "
    "the value each financial year, and how published values changed since first published. " + FILTERS,
)
@decorate_view(keep_public)
def get_where_the_money_goes(request: HttpRequest, filters: Query[InsightFilters]):
    return where_the_money_goes.where_the_money_goes(scope=_scope(filters))


class CoverageFilters(InsightFilters):
    by: AreaLevel = AreaLevel.PCC_AREA


@router.get(
    "/coverage",
    response=coverage.Coverage,
    auth=None,
    url_name="insights-coverage",
    summary="Coverage and continuity",
    description="For each service type and area (`by`: pcc_area or region), whether it is contracted (and until "
    "when), awarded but not yet started (and when the contract starts, if known), in competition, planned, has no "
    "provision or is not bought there; and contracts ending within 12 months (or in the chosen financial year) with "
    "nothing planned to follow. A PCC area chosen with `by=region` shows its whole region. " + FILTERS,
)
@decorate_view(keep_public)
def get_coverage(request: HttpRequest, filters: Query[CoverageFilters]):
    if filters.by not in (AreaLevel.PCC_AREA, AreaLevel.REGION):
        raise bad_parameter("by", "must be pcc_area or region")
    return coverage.coverage(scope=_scope(filters), level=filters.by)


@router.get(
    "/pipeline",
    response=list[pipeline.PipelineRow],
    auth=None,
    url_name="insights-pipeline",
    summary="Pipeline",
    description="Planned and live opportunities (not yet awarded or cancelled), earliest first. With `year`, only "
    "those whose contracts start in that financial year. " + FILTERS,
)
@decorate_view(keep_public)
def get_pipeline(request: HttpRequest, filters: Query[InsightFilters]):
    return pipeline.pipeline(scope=_scope(filters))


@router.get(
    "/burden",
    response=burden.Burden,
    auth=None,
    url_name="insights-burden",
    summary="Burden on providers",
    description="For each service type: `bids`, the fewest separate bids one organisation would need to send to "
    "offer it in every PCC area of England and Wales (or the chosen area), from the opportunities open or planned "
    "now; `answers`, the answers to write in those bids (each question once, and a question about each area once "
    "for each area bid for); the PCC areas to cover and those with no open or planned opportunity for all of the "
    "area (then `bids` and `answers` are null: not possible yet); and the opportunities to bid for. `measure` says "
    "this in plain words. Also the median days from starting to sending a questionnaire and a bid; `year` changes "
    "only these. " + FILTERS,
)
@decorate_view(keep_public)
def get_burden(request: HttpRequest, filters: Query[InsightFilters]):
    return burden.burden(scope=_scope(filters))


class VolumesFilters(InsightFilters):
    by: AreaLevel | None = None


@router.get(
    "/volumes-and-value",
    response=volumes_and_value.VolumesAndValue,
    auth=None,
    url_name="insights-volumes-and-value",
    summary="Volumes and value",
    description="For each service type and financial year, over every area in scope (`by_service`) and for each "
    "area (`by_area`; `by`: region or pcc_area, one level below the chosen area unless given): the contracts, the "
    "people contracted in the terms in force, the referrals received, started and completed (1 to 4 given as the "
    'text "fewer than 5"), the contract value and money paid (whole pounds), the value for each person '
    "contracted and the money paid for each person started (null when there is nobody to divide by; the text "
    f'"{volumes_and_value.NOT_SHOWN}" when fewer than 5 started), and `flagged`, the contracts each flag is '
    "on (by flag). A contract for more than one area at the level has its own line (`area_code` "
    f'"{volumes_and_value.MORE_THAN_ONE}"). `flags` gives each flag\'s meaning and total. ' + FILTERS,
)
@decorate_view(keep_public)
def get_volumes_and_value(request: HttpRequest, filters: Query[VolumesFilters]):
    if filters.by is not None and filters.by not in volumes_and_value.LEVELS:
        raise bad_parameter("by", "must be region or pcc_area")
    return volumes_and_value.volumes_and_value(scope=_scope(filters), level=filters.by)

"""Public pages: opportunities and the contracts register. No sign-in; never personal data."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from competitions.models import Competition
from competitions.selectors.documents import public_documents
from competitions.selectors.status import stage_tag
from contracts.models import Contract
from core.clock import db_now
from core.pagecache import keep_public
from core.paging import page_or_404
from publicdata import selectors
from publicdata.forms import ContractFilterForm, OpportunityFilterForm

PER_PAGE = 25


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


_GROUP_TEXT = {
    selectors.OPEN: ("Open for bids", "There are no opportunities open for bids."),
    selectors.PLANNED: ("Planned", "There are no planned opportunities."),
    selectors.RECENTLY_CLOSED_GROUP: ("Closed in the last 12 months", "No opportunities closed in the last 12 months."),
}


def _sections(page, counts: dict[str, int], now) -> list[dict]:
    """The groups to show on this page, in order, with this page's opportunities in each. A group
    is shown on every page that has some of it ("continued" after its first), and an empty group
    on the page where it would have started, so each is said once."""
    first = (page.number - 1) * page.paginator.per_page
    last = first + len(page.object_list)
    by_group: dict[str, list[selectors.Opportunity]] = {group: [] for group in selectors.GROUPS}
    for competition in page.object_list:
        group = selectors.GROUP_OF_RANK[competition.group_rank]
        by_group[group].append(selectors.opportunity(competition, now=now))
    sections = []
    start = 0
    for group in selectors.GROUPS:
        count = counts[group]
        if count:
            shown = start < last and first < start + count
        else:
            shown = page.number == min(start // page.paginator.per_page + 1, page.paginator.num_pages)
        if shown:
            heading, empty = _GROUP_TEXT[group]
            sections.append(
                {
                    "group": group,
                    "heading": heading,
                    "empty": empty,
                    "count": count,
                    "continued": count > 0 and start < first,
                    "opportunities": by_group[group],
                }
            )
        start += count
    return sections


@login_not_required
@keep_public
def opportunities(request: HttpRequest) -> HttpResponse:
    form = OpportunityFilterForm(request.GET or None)
    service_type, region = form.chosen()
    now = db_now()
    queryset = selectors.public_opportunities_by_group(service_type=service_type, region=region, now=now)
    counts = selectors.opportunity_group_counts(queryset)
    page = page_or_404(queryset, PER_PAGE, request.GET.get("page"), count=sum(counts.values()))
    return render(
        request,
        "publicdata/opportunities.html",
        {
            "form": form,
            "page": page,
            "sections": _sections(page, counts, now),
            "query": _query_without_page(request),
            "filtered": service_type is not None or region is not None,
            "stage_tag": stage_tag,
            "page_has_errors": bool(form.errors),
        },
    )


@login_not_required
@keep_public
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        competition = selectors.published_competition(pk)
    except Competition.DoesNotExist as error:
        raise Http404 from error
    now = db_now()
    return render(
        request,
        "publicdata/opportunity_detail.html",
        {
            "item": selectors.opportunity(competition, now=now),
            "stage_tag": stage_tag,
            "documents": public_documents(competition, now=now),
        },
    )


@login_not_required
@keep_public
def contracts(request: HttpRequest) -> HttpResponse:
    form = ContractFilterForm(request.GET or None)
    filters = form.filters()
    page = page_or_404(selectors.public_contracts_with_shares(filters), PER_PAGE, request.GET.get("page"))
    rows = [
        (contract, selectors.contract_total(contract), selectors.contract_shares(contract))
        for contract in page.object_list
    ]
    query = _query_without_page(request)
    return render(
        request,
        "publicdata/contracts.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query,
            "filtered": filters.any,
            "page_has_errors": bool(form.errors),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: make such text plain."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


@login_not_required
def contracts_csv(request: HttpRequest) -> HttpResponse:
    form = ContractFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            "Check the filters: " + "; ".join(e for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    contracts_queryset = selectors.public_contracts_with_shares(form.filters()).iterator(chunk_size=500)
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # so spreadsheet programs read the pound signs and accents correctly
        yield writer.writerow(selectors.CSV_HEADER)
        for row in selectors.contract_csv_rows(contracts_queryset):
            yield writer.writerow([_safe(cell) for cell in row])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contracts.csv"'
    return response


@login_not_required
@keep_public
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        contract = selectors.public_contract(pk)
    except Contract.DoesNotExist as error:
        raise Http404 from error
    return render(
        request,
        "publicdata/contract_detail.html",
        {
            "contract": contract,
            "total": selectors.contract_total(contract),
            "shares": selectors.contract_shares(contract),
            "partner_role_label": selectors.partner_role_label,
        },
    )

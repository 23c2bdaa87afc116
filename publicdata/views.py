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
from core.paging import page_or_404
from publicdata import selectors
from publicdata.forms import ContractFilterForm, OpportunityFilterForm

PER_PAGE = 25


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_not_required
def opportunities(request: HttpRequest) -> HttpResponse:
    form = OpportunityFilterForm(request.GET or None)
    service_type, region = form.chosen()
    now = db_now()
    grouped: dict[str, list[selectors.Opportunity]] = {group: [] for group in selectors.GROUPS}
    for competition in selectors.public_opportunities(service_type=service_type, region=region, now=now):
        grouped[selectors.group_of(competition, now=now)].append(selectors.opportunity(competition, now=now))
    # Recently closed: the most recent first.
    grouped[selectors.RECENTLY_CLOSED_GROUP].reverse()
    return render(
        request,
        "publicdata/opportunities.html",
        {
            "form": form,
            "grouped": grouped,
            "filtered": service_type is not None or region is not None,
            "stage_tag": stage_tag,
            "page_has_errors": bool(form.errors),
        },
    )


@login_not_required
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
def contracts(request: HttpRequest) -> HttpResponse:
    form = ContractFilterForm(request.GET or None)
    filters = form.filters()
    page = page_or_404(selectors.public_contracts(filters), PER_PAGE, request.GET.get("page"))
    rows = [(contract, selectors.contract_total(contract)) for contract in page.object_list]
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
    contracts_queryset = selectors.public_contracts(form.filters()).iterator(chunk_size=500)
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
            "partner_role_label": selectors.partner_role_label,
        },
    )

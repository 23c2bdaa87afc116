"""Public insight pages and their downloads. Thin: parse the filters, call one selector, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from markupsafe import Markup

from core.clock import financial_year_label
from core.formatting import money
from core.pagecache import keep_public
from insights import charts, downloads, tables
from insights.forms import InsightFilterForm
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


@dataclass(frozen=True)
class Insight:
    slug: str
    title: str
    summary: str
    load: Callable[[Scope, str | None], Any]
    tables: Callable[[Any], list[tables.Table]]
    charts: Callable[[Any], list[Markup]]
    # What the figures mean, in plain words, for the spreadsheet's About sheet.
    about: Callable[[Any], str] = lambda data: ""


def _funnel_charts(data: who_takes_part.WhoTakesPart) -> list[Markup]:
    return [
        charts.bar_chart(
            chart_id="chart-steps",
            title="Organisations at each step",
            description="Bar chart of how many organisations reached each step, from registering interest to "
            "winning work. The numbers are in the table below.",
            bars=[charts.Bar(r.label, r.all, f"{r.all:,}") for r in data.steps],
        )
    ]


def _smaller_charts(data: smaller_providers.SmallerProviders) -> list[Markup]:
    bars = []
    for row in data.rows:
        if row.who == "sme":
            bars.append(charts.Bar(row.area_name, row.share_of_contract_value, _pct(row.share_of_contract_value), 0))
        elif row.who == "vcse":
            bars.append(charts.Bar("", row.share_of_contract_value, _pct(row.share_of_contract_value), 1))
    paid = data.measure == smaller_providers.PAID
    money_words = "money paid to main organisations" if paid else "contract value"
    return [
        charts.bar_chart(
            chart_id="chart-smaller",
            title=f"Share of {money_words} {'received' if paid else 'won'} by smaller and voluntary sector "
            "organisations",
            description=f"For each area, two bars: the percentage of {money_words} {'received' if paid else 'won'} "
            "by micro, small and medium organisations, then by voluntary, community or social enterprise "
            "organisations. The numbers are in the table below.",
            bars=bars,
            legend=["Micro, small and medium", "Voluntary, community or social enterprise"],
        )
    ]


def _pct(value) -> str:
    return "Not known" if value is None else f"{value}%"


def _money_charts(data: where_the_money_goes.WhereTheMoneyGoes) -> list[Markup]:
    year = financial_year_label(data.financial_year)
    totals: dict[int, Any] = {}
    for row in data.ramp_up:
        totals[row.financial_year] = totals.get(row.financial_year, 0) + row.value
    return [
        charts.bar_chart(
            chart_id="chart-share",
            title=f"Share of estimated value by service, {year}",
            description=f"Bar chart of the estimated value of each service in financial year {year}, with its share "
            "of all services. The numbers are in the first table below.",
            bars=[
                charts.Bar(r.service_type_name, r.value, f"{money(r.value)} ({_pct(r.share)})")
                for r in data.shares
                if r.service_type != "all"
            ],
        ),
        charts.bar_chart(
            chart_id="chart-ramp",
            title="Estimated value of all services each financial year",
            description="Bar chart of the total estimated value in each financial year, showing how spending ramps "
            "up. The numbers by service are in the second table below.",
            bars=[charts.Bar(financial_year_label(y), v, money(v)) for y, v in sorted(totals.items())],
        ),
    ]


# Bar colours (classes in insights.css) matching the tags in the table: green, turquoise, blue, light blue,
# red, grey.
COVERAGE_COLOURS = {
    coverage.CONTRACTED: 1,
    coverage.AWARDED: 5,
    coverage.IN_COMPETITION: 0,
    coverage.PLANNED: 2,
    coverage.NO_PROVISION: 4,
    coverage.NOT_BOUGHT: 3,
}


def _coverage_charts(data: coverage.Coverage) -> list[Markup]:
    counts = data.counts()
    return [
        charts.bar_chart(
            chart_id="chart-coverage",
            title="Services and areas by status",
            description="Bar chart of how many service and area pairs are contracted, awarded, in competition, "
            "planned or have no provision. Each pair is in the table below.",
            bars=[
                charts.Bar(label, counts[status], f"{counts[status]:,}", COVERAGE_COLOURS[status])
                for status, label in coverage.COVERAGE_LABELS.items()
            ],
        )
    ]


def _pipeline_charts(data: list[pipeline.PipelineRow]) -> list[Markup]:
    return [
        charts.timeline_chart(
            chart_id="chart-pipeline",
            title="Planned and live opportunities over time",
            description="Timeline with one bar per opportunity, from when it was planned or opened to its closing "
            "date, and a diamond when the result is expected. The dates are in the table below.",
            spans=charts.pipeline_spans(data),
            legend=["Open for bids", "Deciding who wins", "Planned"],
        )
    ]


def _burden_bar(row: burden.BurdenRow) -> charts.Bar:
    if row.areas_to_cover == 0:
        return charts.Bar(row.service_type_name, None, "Not bought here")
    covered = row.areas_to_cover - row.areas_not_covered
    text = f"{covered} of {row.areas_to_cover}"
    if row.bids is not None:
        text += f": {row.bids} bid{'' if row.bids == 1 else 's'}"
    return charts.Bar(row.service_type_name, covered, text)


def _burden_charts(data: burden.Burden) -> list[Markup]:
    return [
        charts.bar_chart(
            chart_id="chart-burden",
            title=f"PCC areas in {data.place} each service can be bid for now",
            description="Bar chart of how many PCC areas have an open or planned opportunity for all of the area, "
            "for each service, out of the PCC areas to cover. Where all of them have, the fewest bids to cover "
            "them follows. The numbers, and what each means, are in the first table below.",
            bars=[_burden_bar(r) for r in data.services],
        ),
        charts.bar_chart(
            chart_id="chart-time",
            title="Median days from starting to sending",
            description="Bar chart of the median number of days organisations took from starting to sending the "
            "questionnaire and a bid for each service. The numbers are in the second table below.",
            bars=[
                charts.Bar(r.activity, r.median_days, "Not known" if r.median_days is None else f"{r.median_days} days")
                for r in data.time_taken
            ],
        ),
    ]


def _volumes_charts(data: volumes_and_value.VolumesAndValue) -> list[Markup]:
    bars = []
    for row in data.by_service:
        bars.append(
            charts.Bar(
                f"{row.service_type_name}, {row.year_label}", row.people_contracted, f"{row.people_contracted:,}"
            )
        )
        received = row.referrals_received
        # A number withheld ("fewer than 5") has no bar, only its words.
        bars.append(
            charts.Bar("", None if isinstance(received, str) else received, tables.display(received, "number"), 1)
        )
    return [
        charts.bar_chart(
            chart_id="chart-volumes",
            title="People contracted and referrals received, by service and year",
            description="Bar chart with two bars for each service and financial year: the people the contracts "
            "pay for, then the referrals received. The numbers are in the first table below.",
            bars=bars,
            legend=["People contracted", "Referrals received"],
        )
    ]


INSIGHTS = [
    Insight(
        "who-takes-part",
        "Who takes part",
        "How many organisations register, apply, qualify, bid and win, by type and size, and where they stop.",
        lambda scope, by: who_takes_part.who_takes_part(scope=scope),
        tables.who_takes_part_tables,
        _funnel_charts,
    ),
    Insight(
        "smaller-providers",
        "Work for smaller providers",
        "Contracts and subcontracts won by micro, small and medium organisations and by charities and social "
        "enterprises, area by area.",
        lambda scope, by, measure=smaller_providers.AWARDED: smaller_providers.smaller_providers(
            scope=scope, level=by, measure=measure
        ),
        tables.smaller_providers_tables,
        _smaller_charts,
    ),
    Insight(
        "where-the-money-goes",
        "Where the money goes",
        "The estimated value of each service, how it ramps up year by year, and how published values changed.",
        lambda scope, by: where_the_money_goes.where_the_money_goes(scope=scope),
        tables.where_the_money_goes_tables,
        _money_charts,
    ),
    Insight(
        "coverage",
        "Coverage and continuity",
        "Which services are contracted, being bought, planned or missing in each area, and contracts ending soon.",
        lambda scope, by: coverage.coverage(scope=scope, level=by or AreaLevel.PCC_AREA),
        tables.coverage_tables,
        _coverage_charts,
    ),
    Insight(
        "pipeline",
        "Pipeline",
        "Planned and open opportunities on a timeline, with closing dates and when results are expected.",
        lambda scope, by: pipeline.pipeline(scope=scope),
        tables.pipeline_tables,
        _pipeline_charts,
    ),
    Insight(
        "burden",
        "Burden on providers",
        "How many separate bids, and how many answers, one organisation needs to offer a service in every PCC "
        "area, and how long applying and bidding take.",
        lambda scope, by: burden.burden(scope=scope),
        tables.burden_tables,
        _burden_charts,
        about=lambda data: data.measure,
    ),
    Insight(
        "volumes-and-value",
        "Volumes and value",
        "How many people each service is paid to help against how many are sent to it. The money for each person, "
        "and warning flags, by area and year.",
        lambda scope, by: volumes_and_value.volumes_and_value(scope=scope, level=by),
        tables.volumes_and_value_tables,
        _volumes_charts,
        about=lambda data: volumes_and_value.ABOUT,
    ),
]
BY_SLUG = {insight.slug: insight for insight in INSIGHTS}


def _insight(slug: str) -> Insight:
    try:
        return BY_SLUG[slug]
    except KeyError:
        raise Http404("No such insight") from None


def _filtered(request: HttpRequest, insight: Insight) -> tuple[InsightFilterForm, Scope, Any]:
    form = InsightFilterForm(request.GET or None, breakdown=insight.slug)
    scope = form.scope()
    return form, scope, insight.load(scope, form.breakdown(), **form.measure_choice())


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/index.html", {"insights": INSIGHTS})


@login_not_required
@require_GET
@keep_public
def insight_page(request: HttpRequest, slug: str) -> HttpResponse:
    insight = _insight(slug)
    form, scope, data = _filtered(request, insight)
    query = request.GET.urlencode() if form.is_valid() else ""
    suffix = f"?{query}" if query else ""
    page_tables = insight.tables(data)
    return render(
        request,
        f"insights/{slug.replace('-', '_')}.html",
        {
            "insight": insight,
            "form": form,
            "scope": scope,
            "data": data,
            "tables": page_tables,
            "charts": insight.charts(data),
            "csv_links": [
                (t.caption, reverse("insights:csv", kwargs={"slug": slug, "table": t.key}) + suffix)
                for t in page_tables
            ],
            "xlsx_link": reverse("insights:xlsx", kwargs={"slug": slug}) + suffix,
            "api_link": reverse(f"api:insights-{slug}") + suffix,
            "filtered": bool(query),
            "page_has_errors": bool(form.errors),
        },
    )


def _refused(form: InsightFilterForm) -> HttpResponse:
    messages = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    return HttpResponse(f"Check the filters: {messages}", status=400, content_type="text/plain; charset=utf-8")


def _filename(slug: str, scope: Scope, suffix: str = "") -> str:
    parts = [slug]
    if scope.area is not None:
        parts.append(scope.area.code)
    if scope.financial_year is not None:
        parts.append(str(scope.financial_year))
    if suffix:
        parts.append(suffix)
    return "-".join(parts)


@login_not_required
@require_GET
@keep_public
def download_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    insight = _insight(slug)
    form, scope, data = _filtered(request, insight)
    if form.errors:
        return _refused(form)
    chosen = next((t for t in insight.tables(data) if t.key == table), None)
    if chosen is None:
        raise Http404("No such table")
    return downloads.csv_response(chosen, _filename(slug, scope, table))


@login_not_required
@require_GET
@keep_public
def download_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    insight = _insight(slug)
    form, scope, data = _filtered(request, insight)
    if form.errors:
        return _refused(form)
    description = " ".join(
        part for part in (f"{insight.title}: {scope.describe()}.", insight.summary, insight.about(data)) if part
    )
    return downloads.xlsx_response(insight.tables(data), _filename(slug, scope), description)

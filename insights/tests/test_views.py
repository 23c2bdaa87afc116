"""Insight pages, downloads and API: public to everyone, the same numbers everywhere, filters applied."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from markupsafe import escape
from openpyxl import load_workbook

from insights import tables
from insights.scope import Scope
from insights.selectors import coverage, smaller_providers, who_takes_part
from insights.tests.factories import area
from insights.tests.world import build_world
from insights.views import INSIGHTS
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

SLUGS = [insight.slug for insight in INSIGHTS]
PAGES = ["/insights/"] + [f"/insights/{slug}/" for slug in SLUGS]


@pytest.fixture
def world():
    return build_world(competitions=12, organisations=12)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_and_the_public_can_read_every_insight(client_for_role, role):
    client, _ = client_for_role(role)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
    for insight in INSIGHTS:
        assert client.get(f"/insights/{insight.slug}/download.xlsx").status_code == 200
        for table in insight.tables(insight.load(Scope(), None)):
            assert client.get(f"/insights/{insight.slug}/download/{table.key}.csv").status_code == 200
        assert client.get(f"/api/v1/insights/{insight.slug}").status_code == 200


def test_index_links_to_all_six(client):
    html = client.get("/insights/").content.decode()
    for insight in INSIGHTS:
        assert f'href="/insights/{insight.slug}/"' in html
        assert insight.title in html


def test_unknown_insight_is_not_found(client):
    assert client.get("/insights/nothing/").status_code == 404
    assert client.get("/insights/pipeline/download/nothing.csv").status_code == 404


@pytest.mark.parametrize("slug", SLUGS)
def test_page_has_accessible_chart_and_no_inline_style(client, world, slug):
    html = client.get(f"/insights/{slug}/").content.decode()
    assert '<svg class="insights-chart"' in html and 'role="img"' in html
    assert "<title id=" in html and "<desc id=" in html
    assert "style=" not in html
    assert "<script>" not in html
    assert 'class="govuk-table' in html


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _plain(value, kind=None) -> str:
    if value is None:
        return ""
    if kind == tables.DATE and hasattr(value, "hour"):
        from core.clock import LONDON

        return value.astimezone(LONDON).date().isoformat()
    if hasattr(value, "isoformat") and hasattr(value, "hour"):
        from core.clock import LONDON

        return value.astimezone(LONDON).replace(tzinfo=None, second=0, microsecond=0).isoformat(sep=" ")
    return str(value)


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("region", [None, "F"])
def test_downloads_hold_the_tables_numbers(client, world, slug, region):
    insight = next(i for i in INSIGHTS if i.slug == slug)
    query = f"?region={region}" if region else ""
    scope = Scope(area=area(region)) if region else Scope()
    expected = insight.tables(insight.load(scope, None))
    assert region or all(table.rows for table in expected)
    page = client.get(f"/insights/{slug}/{query}").content.decode()
    book = load_workbook(io.BytesIO(client.get(f"/insights/{slug}/download.xlsx{query}").content))
    for table in expected:
        response = client.get(f"/insights/{slug}/download/{table.key}.csv{query}")
        assert response["Content-Type"].startswith("text/csv")
        assert f"{slug}{'-' + region if region else ''}-{table.key}.csv" in response["Content-Disposition"]
        rows = _csv(response)
        assert rows[0] == [c.heading for c in table.columns]
        assert rows[1:] == [[_plain(v, c.kind) for v, c in zip(row, table.columns, strict=True)] for row in table.rows]
        sheet = book[table.key]
        sheet_rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert list(sheet_rows[0]) == [c.heading for c in table.columns]
        for got, want in zip(sheet_rows[1:], table.rows, strict=True):
            for value, wanted, column in zip(got, want, table.columns, strict=True):
                if isinstance(wanted, Decimal):
                    assert Decimal(str(value)) == wanted
                elif column.kind == tables.DATETIME and wanted is not None:
                    assert value.isoformat(sep=" ") == _plain(wanted)
                elif column.kind == tables.DATE and wanted is not None:
                    assert value.date().isoformat() == _plain(wanted, column.kind)
                else:
                    assert value == wanted
        # The page shows the same figures, formatted.
        for row in table.display_rows:
            for cell in row:
                if cell and slug != "coverage":
                    assert str(escape(cell)) in page


def test_smaller_providers_csv_numbers_by_hand(client):
    from accounts.models import OrganisationType, Size
    from competitions.tests.factories import make_competition
    from insights.tests.factories import make_contract
    from tests.factories import OrganisationFactory

    charity = OrganisationFactory(organisation_type=OrganisationType.REGISTERED_CHARITY, size=Size.MICRO)
    company = OrganisationFactory(organisation_type=OrganisationType.COMPANY_BY_SHARES, size=Size.LARGE)
    make_contract(
        lot=make_competition(lots=["Kent"], years=()).lots.get(), supplier=charity, years={2025: Decimal("100000")}
    )
    make_contract(
        lot=make_competition(lots=["Surrey"], years=()).lots.get(), supplier=company, years={2025: Decimal("300000")}
    )
    rows = _csv(client.get("/insights/smaller-providers/download/by-area.csv?region=K"))
    by_key = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert by_key[("Kent", "Micro, small and medium organisations")] == ["1", "100000", "100.0", "0", "0"]
    assert by_key[("Surrey", "Micro, small and medium organisations")] == ["0", "0", "0.0", "0", "0"]
    assert by_key[("Surrey", "All organisations")] == ["1", "300000", "100.0", "0", "0"]
    html = client.get("/insights/smaller-providers/?region=K").content.decode()
    assert "£300,000" in html and "100.0%" in html


def test_filters_change_the_figures(client, world):
    everything = client.get("/insights/pipeline/").content.decode()
    wales = client.get("/insights/pipeline/?region=D").content.decode()
    assert everything.count('class="govuk-table__row"') > wales.count('class="govuk-table__row"')
    assert "Showing: Wales" in wales
    response = client.get("/insights/pipeline/?region=K&pcc_area=E23000032&year=2027")
    assert "Showing: Kent, financial year 2027 to 2028" in response.content.decode()


def test_pcc_area_outside_the_region_is_refused_with_a_message(client, world):
    response = client.get("/insights/coverage/?region=D&pcc_area=E23000032")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Coverage and continuity" in html
    assert "Choose a PCC area in the region you chose, or choose all PCC areas" in html
    assert 'value="D" selected' in html  # what was chosen is kept
    download = client.get("/insights/coverage/download.xlsx?region=D&pcc_area=E23000032")
    assert download.status_code == 400
    assert "Choose a PCC area in the region you chose" in download.content.decode()


def test_unknown_filter_values_are_refused(client):
    html = client.get("/insights/burden/?region=Z&year=1800").content.decode()
    assert "Choose a region from the list" in html
    assert "Choose a financial year from the list" in html


def test_api_returns_the_selector_rows_with_the_same_filters(client, world):
    body = client.get("/api/v1/insights/smaller-providers?region=K&year=2025").json()
    expected = smaller_providers.smaller_providers(scope=Scope(area=area("K"), financial_year=2025))
    assert body["level"] == expected.level
    assert [(r["area_code"], r["who"], r["contracts"], Decimal(r["contract_value"])) for r in body["rows"]] == [
        (r.area_code, r.who, r.contracts, r.contract_value) for r in expected.rows
    ]
    funnel = client.get("/api/v1/insights/who-takes-part?pcc_area=E23000032").json()
    assert funnel["steps"][0]["label"] == "Registered interest"
    assert [s["all"] for s in funnel["steps"]] == [
        s.all for s in who_takes_part.who_takes_part(scope=Scope(area=area("E23000032"))).steps
    ]
    cells = client.get("/api/v1/insights/coverage?by=region").json()
    assert len(cells["areas"]) == 12
    assert {c["status"] for c in cells["cells"]} <= set(coverage.COVERAGE_LABELS)


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("region=Z", "region", "There is no region with the code Z"),
        ("pcc_area=K", "pcc_area", "There is no PCC area with the code K"),
        ("region=D&pcc_area=E23000032", "pcc_area", "Kent is not in Wales"),
    ],
)
def test_api_refuses_unknown_areas(client, query, parameter, message):
    response = client.get(f"/api/v1/insights/burden?{query}")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"parameter": parameter, "message": message}]


def test_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for slug in SLUGS:
        operation = paths[f"/api/v1/insights/{slug}"]["get"]
        assert {p["name"] for p in operation["parameters"]} >= {"region", "pcc_area", "year"}


def test_burden_says_what_it_counts_on_the_page_and_in_every_download(client):
    from competitions.tests.factories import make_competition
    from insights.selectors.burden import MEASURE
    from reference.models import Area

    names = list(Area.objects.filter(level="pcc_area").order_by("name").values_list("name", flat=True))
    national = make_competition(lots=names, years=())
    sentence = "1 bid covers all 42 PCC areas in England and Wales, with 45 answers to write."
    html = client.get("/insights/burden/").content.decode()
    assert str(escape(MEASURE)) in html and sentence in html
    rows = _csv(client.get("/insights/burden/download/bids-to-send.csv"))
    assert rows[0] == [
        "Service",
        "Bids to send",
        "Answers to write",
        "PCC areas to cover",
        "PCC areas with no opportunity",
        "What this means",
        "Opportunities to bid for",
    ]
    assert rows[1] == ["Accommodation", "1", "45", "42", "0", sentence, national.reference]
    assert rows[2][:5] == ["Education, Training and Employment", "", "", "42", "42"]
    book = load_workbook(io.BytesIO(client.get("/insights/burden/download.xlsx").content))
    assert MEASURE in " ".join(str(cell) for row in book["About"].iter_rows(values_only=True) for cell in row)
    body = client.get("/api/v1/insights/burden").json()
    assert body["measure"] == MEASURE
    assert (body["services"][0]["bids"], body["services"][0]["answers"]) == (1, 45)
    assert body["services"][1]["bids"] is None

"""Volumes and value: contract years added up by service, area and year from `volumes.selectors`, small
counts of people withheld on the page and in every download, and a fixed number of queries."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from contracts.models import Contract
from insights.scope import Scope
from insights.selectors.volumes_and_value import MORE_THAN_ONE, NOT_SHOWN, volumes_and_value
from reference.models import Area
from volumes import flags
from volumes.tests.world import base_world, london_noon, make_contract, paid_claim, referrals

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2023, 6, 30)
YEAR_2022 = Scope(financial_year=2022)


@pytest.fixture
def world():
    return base_world()


def _contract(world, value: int, people: int, **kwargs) -> Contract:
    return make_contract(
        world, starts_on=D(2022, 4, 1), ends_on=D(2023, 3, 31), years={2022: (value, people)}, **kwargs
    )


def _started(world, contract: Contract, days: list[D]) -> None:
    for day in days:
        world["build"].referral(contract, world["kent"], london_noon(day), started_at=london_noon(day))


def test_contract_years_are_added_up_by_service_and_area(world):
    first = _contract(world, 60000, 20)
    second = _contract(world, 40000, 20)
    referrals(world, first, [D(2022, 5, day) for day in range(1, 7)])
    _started(world, second, [D(2022, 6, 1), D(2022, 6, 2), D(2022, 6, 3)])
    paid_claim(world, first, period_start=D(2022, 4, 1), sent_on=D(2022, 5, 3), paid_on=D(2022, 5, 20))
    paid_claim(world, second, period_start=D(2022, 4, 1), sent_on=D(2022, 5, 3), paid_on=D(2022, 5, 20))

    data = volumes_and_value(scope=YEAR_2022, today=TODAY)

    assert data.level == "region"
    [service] = data.by_service
    assert service.area_name == "England and Wales" and service.year_label == "2022 to 2023"
    assert (service.contract_years, service.people_contracted, service.contracted_value) == (2, 40, Decimal(100000))
    # Nine received (six sent, three started), three started: a count from 1 to 4 is withheld.
    assert (service.referrals_received, service.referrals_started, service.referrals_completed) == (
        9,
        "fewer than 5",
        0,
    )
    assert service.money_paid == Decimal(2000)
    assert service.value_per_person_contracted == Decimal(2500)
    # 2,000 ÷ 3 started would give the withheld count away.
    assert service.value_per_person_started == NOT_SHOWN
    [kent] = data.by_area
    assert (kent.area_code, kent.area_name) == ("K", world["kent"].name)
    assert kent.people_contracted == 40

    _started(world, second, [D(2022, 7, 1), D(2022, 7, 2)])
    [service] = volumes_and_value(scope=YEAR_2022, today=TODAY).by_service
    assert service.referrals_started == 5
    assert service.value_per_person_started == Decimal(400)


def test_a_year_with_a_value_but_no_people_leaves_the_value_per_person_alone(world):
    _contract(world, 60000, 20)
    make_contract(world, starts_on=D(2022, 4, 1), ends_on=D(2023, 3, 31), years={2022: (30000, 0)})
    [service] = volumes_and_value(scope=YEAR_2022, today=TODAY).by_service
    assert service.contracted_value == Decimal(90000)
    assert service.value_per_person_contracted == Decimal(3000)
    assert service.value_per_person_started is None


def test_a_contract_for_more_than_one_area_has_a_line_of_its_own(world):
    kent = world["kent"]
    wales = Area.objects.get(code="D")
    pcc = Area.objects.filter(parent=kent, level="pcc_area").order_by("code").first()
    _contract(world, 10000, 10, areas=[pcc])
    _contract(world, 20000, 10, areas=[kent])
    _contract(world, 30000, 10, areas=[kent, wales])
    _contract(world, 40000, 10, areas=[wales])

    by_region = volumes_and_value(scope=YEAR_2022, today=TODAY)
    # By name (Kent, Surrey and Sussex before Wales), then the line of its own.
    assert [(r.area_code, r.contracted_value) for r in by_region.by_area] == [
        ("K", Decimal(30000)),
        ("D", Decimal(40000)),
        (MORE_THAN_ONE, Decimal(30000)),
    ]
    assert by_region.by_area[-1].area_name == "Contracts for more than one region"
    assert by_region.by_service[0].contracted_value == Decimal(100000)

    # Inside Kent, by PCC area: the region-wide contracts cover more than one PCC area; Wales is left out.
    in_kent = volumes_and_value(scope=Scope(area=kent, financial_year=2022), today=TODAY)
    assert in_kent.level == "pcc_area"
    assert [(r.area_code, r.contracted_value) for r in in_kent.by_area] == [
        (pcc.code, Decimal(10000)),
        (MORE_THAN_ONE, Decimal(50000)),
    ]
    assert in_kent.by_area[-1].area_name == "Contracts for more than one PCC area"
    assert in_kent.by_service[0].area_name == kent.name
    assert in_kent.by_service[0].contracted_value == Decimal(60000)


def test_flags_are_counted_from_the_flag_rules(world):
    # The median value per person is 1,750: 1,000 is more than 20% below it (thin funding).
    rich = _contract(world, 50000, 20)
    thin = _contract(world, 20000, 20)
    data = volumes_and_value(scope=YEAR_2022, today=TODAY)
    thin_years = flags.thin_funding(Contract.objects.filter(pk__in=[rich.pk, thin.pk]), today=TODAY)
    assert [row.contract for row in thin_years] == [thin]
    totals = {f.slug: f.contract_years for f in data.flags}
    assert totals["thin-funding"] == 1
    assert data.by_service[0].flagged["thin-funding"] == 1
    # Every flag as its own named selector counts it (no referrals at all: demand below contract too).
    both = Contract.objects.filter(pk__in=[rich.pk, thin.pk])
    expected = {flag.slug: len(flags.flagged(flag, both, today=TODAY)) for flag in flags.FLAGS}
    assert expected["demand-below"] == 2
    assert data.by_area[0].flagged == data.by_service[0].flagged == expected == totals
    assert [f.title for f in data.flags] == [flag.title for flag in flags.FLAGS]


def _queries(scope: Scope) -> int:
    with CaptureQueriesContext(connection) as captured:
        volumes_and_value(scope=scope, today=TODAY)
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_contracts(world, django_assert_max_num_queries):
    kent = world["kent"]
    scopes = [Scope(), YEAR_2022, Scope(area=kent), Scope(area=kent, financial_year=2022)]

    def grow(count: int) -> None:
        for index in range(count):
            contract = _contract(world, 10000 + index, 10)
            referrals(world, contract, [D(2022, 5, 1)])
            _started(world, contract, [D(2022, 6, 1)])
            paid_claim(world, contract, period_start=D(2022, 4, 1), sent_on=D(2022, 5, 3), paid_on=D(2022, 5, 20))

    grow(1)
    small = {str(scope): _queries(scope) for scope in scopes}
    grow(8)
    for scope in scopes:
        with django_assert_max_num_queries(small[str(scope)]):
            volumes_and_value(scope=scope, today=TODAY)


def test_the_page_and_every_download_withhold_small_counts(world, client, monkeypatch):
    from insights.selectors import volumes_and_value as module

    real = module.volumes_and_value
    monkeypatch.setattr(module, "volumes_and_value", lambda **kwargs: real(**kwargs, today=TODAY))
    contract = _contract(world, 60000, 20)
    _started(world, contract, [D(2022, 6, 1), D(2022, 6, 2)])
    query = "?year=2022"

    page = client.get(f"/insights/volumes-and-value/{query}").content.decode()
    assert "How we work these out" in page
    assert "fewer than 5" in page and NOT_SHOWN in page

    csv_text = b"".join(client.get(f"/insights/volumes-and-value/download/by-service.csv{query}").streaming_content)
    header, row = csv_text.decode().splitlines()[:2]
    assert header.startswith("Service,Financial year,Contracts,People contracted,Referrals received")
    assert ",fewer than 5,fewer than 5,0,60000,0,3000,not shown: fewer than 5 started" in row

    book = load_workbook(io.BytesIO(client.get(f"/insights/volumes-and-value/download.xlsx{query}").content))
    values = [cell.value for cell in book["by-area"][2]]
    assert values[4:8] == [20, "fewer than 5", "fewer than 5", 0]
    assert "fewer than 5" in book["About"]["A2"].value

    answer = json.loads(client.get(f"/api/v1/insights/volumes-and-value{query}").content)
    assert answer["by_service"][0]["referrals_started"] == "fewer than 5"
    assert answer["by_service"][0]["value_per_person_started"] == NOT_SHOWN
    assert answer["by_area"][0]["flagged"]["thin-funding"] == 0
    assert {f["slug"] for f in answer["flags"]} == {flag.slug for flag in flags.FLAGS}


def test_the_summary_chart_and_table_words_read_at_grade_8_or_below(world):
    import re

    import textstat

    from insights.views import BY_SLUG

    _contract(world, 60000, 20)
    insight = BY_SLUG["volumes-and-value"]
    data = insight.load(YEAR_2022, None)
    [chart] = insight.charts(data)
    words = [insight.summary, *re.findall(r"<(?:title|desc)[^>]*>(.*?)</", str(chart))]
    for table in insight.tables(data):
        words += [table.caption, *(column.heading for column in table.columns)]
    text = " ".join(w if w.endswith((".", ":", "?")) else w + "." for w in words)
    assert textstat.flesch_kincaid_grade(text) <= 8, text


def test_the_api_refuses_a_level_it_does_not_show(client):
    response = client.get("/api/v1/insights/volumes-and-value?by=local_authority")
    assert response.status_code == 400
    assert client.get("/api/v1/insights/volumes-and-value?by=pcc_area").status_code == 200


def test_the_page_shows_areas_by_the_level_chosen(world, client):
    pcc = Area.objects.filter(parent=world["kent"], level="pcc_area").order_by("code").first()
    _contract(world, 10000, 10, areas=[pcc])
    by_pcc = client.get("/insights/volumes-and-value/?year=2022&by=pcc_area").content.decode()
    assert "People and money by service and PCC area" in by_pcc and pcc.name in by_pcc
    by_region = client.get("/insights/volumes-and-value/?year=2022").content.decode()
    assert "People and money by service and region" in by_region
    refused = client.get("/insights/volumes-and-value/?by=local_authority")
    assert "Choose how to show areas from the list" in refused.content.decode()

"""The referral figures on the contract's page and its payment claims' pages (issue 12 "Numbers for
the rest of the service"): contracts asks `contracts.delivery.delivery_figures`, which the referrals
app registers (contracts sits below referrals). A hand-built world where every figure is known; a
contract page whose number of queries does not grow with the referrals."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import delivery, services
from contracts.selectors import claimable_periods, terms_in_force
from reference.models import Area
from referrals.models import Achievement, Attendance, Referral
from referrals.tests.factories import referral_world
from referrals.tests.test_counts import Build, another_contract

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def noon(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def world():
    world = referral_world()
    build = Build(world)
    contract = world["contract"]
    kent = Area.objects.get(code="K")
    start, end = claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())[0]
    claim = services.claim_send(
        contract=contract,
        period_start=start,
        quantity=None,
        amount=Decimal("100"),
        note="",
        over_value_reason="",
        actor=world["provider"],
    )
    # In the period: sent, started, one session attended (a missed one does not count), completed.
    inside = build.referral(contract, kent, noon(start), started_at=noon(start + datetime.timedelta(days=1)))
    build.sessions(
        inside,
        (noon(start + datetime.timedelta(days=1)), Attendance.ATTENDED),
        (noon(start + datetime.timedelta(days=2)), Attendance.DID_NOT_ATTEND),
    )
    Referral.objects.filter(pk=inside.pk).update(concluded_at=noon(end))
    build.report(inside, noon(end), Achievement.ACHIEVED)
    # Sent and started before the period; a session the day after it ends (23:30 UTC on the last
    # day is already the next day in London in summer, but noon is not ambiguous).
    before = build.referral(
        contract,
        kent,
        noon(start - datetime.timedelta(days=5)),
        started_at=noon(start - datetime.timedelta(days=3)),
    )
    build.sessions(before, (noon(end + datetime.timedelta(days=1)), Attendance.LATE))
    # Another contract's referral, in the period, and a draft: counted on neither page.
    build.referral(another_contract(contract, 1), kent, noon(start))
    build.referral(contract, kent, None)
    return {**world, "build": build, "claim": claim, "kent": kent, "start": start, "end": end}


def figures(html: str, caption: str) -> dict[str, int]:
    table = re.search(re.escape(caption) + r"</caption>(.*?)</table>", html, re.S)
    assert table, f"no table {caption!r}"
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*<td[^>]*>(\d+)</td>', table[1])
    return {label: int(count) for label, count in rows}


def expected(received, started, completed, sessions) -> dict[str, int]:
    return {
        "Referrals received": received,
        "People who started": started,
        "Referrals completed": completed,
        "Sessions delivered": sessions,
    }


@pytest.mark.parametrize("who", ["first", "provider"])
def test_contract_page_shows_the_contracts_figures(client, world, who):
    client.force_login(world[who])
    page = client.get(reverse("contracts:detail", args=[world["contract"].pk])).content.decode()
    assert figures(page, "Service delivered so far, from the referrals") == expected(2, 2, 1, 2)


@pytest.mark.parametrize("who", ["first", "provider"])
def test_claim_page_shows_the_periods_figures(client, world, who):
    client.force_login(world[who])
    claim = world["claim"]
    page = client.get(reverse("contracts:claim", args=[claim.contract_id, claim.pk])).content.decode()
    assert figures(page, "Service delivered in the period, from the referrals") == expected(1, 1, 1, 1)


def test_claim_form_shows_each_open_periods_figures(client, world):
    client.force_login(world["provider"])
    contract = world["contract"]
    page = client.get(reverse("contracts:claim-new", args=[contract.pk])).content.decode()
    periods = claimable_periods(contract, terms_in_force(contract), today=datetime.date.today())
    # The claimed period is no longer open; the next one holds the late session only.
    after = periods[0]
    assert after[0] == world["end"] + datetime.timedelta(days=1)
    caption = f"{after[0].day} {after[0]:%B %Y} to {after[1].day} {after[1]:%B %Y}"
    assert figures(page, caption) == expected(0, 0, 0, 1)
    assert len(periods) == 4 and page.count("<caption") == 3


def test_the_period_ends_are_both_included(world):
    contract, start, end = world["contract"], world["start"], world["end"]
    assert dict(delivery.delivery_figures(contract, start, end))["Referrals received"] == 1
    assert dict(delivery.delivery_figures(contract, start + datetime.timedelta(days=1), end))["Referrals received"] == 0
    assert dict(delivery.delivery_figures(contract, start, end))["Sessions delivered"] == 1
    assert dict(delivery.delivery_figures(contract, start, end + datetime.timedelta(days=1)))["Sessions delivered"] == 2


def test_no_figures_without_a_registered_source(client, world, monkeypatch):
    monkeypatch.setattr(delivery, "_source", None)
    client.force_login(world["first"])
    page = client.get(reverse("contracts:detail", args=[world["contract"].pk])).content.decode()
    assert "Service delivered" not in page


def test_contract_page_queries_do_not_grow_with_referrals(client, world):
    client.force_login(world["first"])
    url = reverse("contracts:detail", args=[world["contract"].pk])
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    build, start = world["build"], world["start"]
    for n in range(5):
        more = build.referral(world["contract"], world["kent"], noon(start), started_at=noon(start))
        build.sessions(more, (noon(start + datetime.timedelta(days=n)), Attendance.ATTENDED))
    assert count() == before
    page = client.get(url).content.decode()
    assert figures(page, "Service delivered so far, from the referrals") == expected(7, 7, 1, 7)

"""The volumes page and the account page's flags section: who sees which contracts, the flag
filter, refusals, plain English, and a page whose queries do not grow with the contracts."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
import textstat
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from contracts.tests.payments_world import live_contract_world
from tests.factories import make_provider_user, make_user_with_role
from volumes import flags
from volumes.tests.world import base_world, make_contract

pytestmark = pytest.mark.django_db
MAX_GRADE = 8


@pytest.fixture
def world():
    # A contract five months into its first year with no referrals: "Demand below contract".
    return live_contract_world()


def test_the_commissioner_sees_their_contracts_years_and_flags(client, world):
    client.force_login(world["first"])
    page = client.get("/volumes/").content.decode()
    assert world["contract"].title in page
    assert "Demand below contract" in page
    for flag in flags.FLAGS:
        assert flag.meaning() in unescape(page)


def test_the_provider_sees_its_own_contracts_and_another_provider_none(client, world):
    client.force_login(world["provider"])
    assert world["contract"].title in client.get("/volumes/").content.decode()
    client.force_login(make_provider_user())
    page = client.get("/volumes/").content.decode()
    assert world["contract"].title not in page and "You have no contracts yet" in page


def test_a_commissioner_elsewhere_does_not_see_the_contract(client, world):
    client.force_login(make_user_with_role(Role.COMMISSIONER, area_code="D"))
    assert world["contract"].title not in client.get("/volumes/").content.decode()


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.ASSESSOR, Role.EVALUATOR])
def test_other_roles_are_refused(client, world, role):
    client.force_login(make_user_with_role(role, area_code="K"))
    assert client.get("/volumes/").status_code == 403


def test_the_flag_filter(client, world):
    client.force_login(world["first"])
    below = client.get("/volumes/?flag=demand-below").content.decode()
    assert world["contract"].title in below
    above = client.get("/volumes/?flag=demand-above").content.decode()
    assert world["contract"].title not in above and "No year of your contracts has this flag" in above
    # Bad input is "not found", never a server error.
    for flag in ("nonsense", "demand-below\x00", "x" * 5000):
        assert client.get("/volumes/", {"flag": flag}).status_code == 404
    for number in ("99", "0", "-1", "abc", "9" * 40, "1\x00"):
        assert client.get("/volumes/", {"page": number}).status_code == 404
    assert client.get("/volumes/", {"flag": "demand-below", "page": "1"}).status_code == 200


def test_the_account_page_counts_the_flags_for_commissioner_and_provider(client, world):
    for person in (world["first"], world["provider"]):
        client.force_login(person)
        page = client.get("/account/").content.decode()
        assert "Flags on your contracts" in page
        row = re.search(r'href="/volumes/\?flag=demand-below">Demand below contract</a>.*?</tr>', page, re.S)
        assert row and re.findall(r">(\d+)</td>", row.group(0)) == ["1"]
    client.force_login(make_user_with_role(Role.PRACTITIONER, area_code="K"))
    assert "Flags on your contracts" not in client.get("/account/").content.decode()


def _text(html: str) -> str:
    blocks = re.findall(r"<(p|li|h1|h2|dd|dt)\b[^>]*>(.*?)</\1>", html, re.S)
    sentences = [" ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split()) for _, body in blocks]
    return " ".join(s if s.endswith((".", ":", "?", "!")) else s + "." for s in sentences if s)


def test_the_flags_and_the_page_read_at_grade_8_or_below(client, world):
    for flag in flags.FLAGS:
        assert textstat.flesch_kincaid_grade(flag.meaning()) <= MAX_GRADE, flag.meaning()
    client.force_login(world["first"])
    page = client.get("/volumes/").content.decode()
    text = _text(page[page.index("<main") :])
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, text


def test_the_page_queries_do_not_grow_with_the_contracts(client):
    world = base_world()
    client.force_login(world["first"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/volumes/").status_code == 200
        return len(captured)

    def more(count):
        for _ in range(count):
            make_contract(
                world, starts_on=datetime.date(2022, 4, 1), ends_on=datetime.date(2023, 3, 31), years={2022: (1, 1)}
            )

    more(1)
    few = queries()
    more(4)
    assert queries() == few


def test_the_account_page_queries_do_not_grow_with_the_contracts(client):
    # Contracts running this financial year, each replacing an older one: the account page reads
    # this year only, the replaced contracts' referrals too, in a fixed number of queries.
    from core.clock import LONDON, db_now, financial_year_of

    world = base_world()
    client.force_login(world["first"])
    year = financial_year_of(db_now().astimezone(LONDON).date())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/account/")
        assert page.status_code == 200 and "Flags on your contracts" in page.content.decode()
        return len(captured)

    def more(count):
        for _ in range(count):
            make_contract(
                world,
                starts_on=datetime.date(year - 2, 4, 1),
                ends_on=datetime.date(year - 1, 3, 31),
                years={year - 2: (1, 1)},
            )
            make_contract(
                world,
                starts_on=datetime.date(year - 1, 4, 1),
                ends_on=datetime.date(year + 1, 3, 31),
                years={year - 1: (1, 1), year: (1, 1)},
            )

    more(1)
    few = queries()
    more(4)
    assert queries() == few

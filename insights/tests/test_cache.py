"""Who takes part, kept between requests (ADRs 8 and 10): served again while nothing has changed, worked
out afresh after an audited write, and never past a closing date, from its exact instant on."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competitions.tests.factories import make_bid, make_competition
from insights import floors
from insights.selectors import who_takes_part
from insights.selectors.common import EVERYWHERE
from qualification.services.applications import interest_register
from tests.clock import database_clock_at
from tests.factories import OrganisationFactory, make_provider_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keeping(settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _steps(result) -> dict[str, int]:
    return {row.step: row.all for row in [*result.steps, *result.dropouts]}


def _answer_and_queries():
    with CaptureQueriesContext(connection) as context:
        answer = who_takes_part.who_takes_part(scope=EVERYWHERE)
    return answer, len(context.captured_queries)


def test_the_same_answer_is_served_again_without_working_it_out():
    make_bid(make_competition(lots=["Kent"], closes_in=datetime.timedelta(days=-1)))
    first, worked_out = _answer_and_queries()
    again, served = _answer_and_queries()
    assert again == first == floors.who_takes_part(scope=EVERYWHERE)
    assert served < worked_out
    assert served == 2  # the clock and the data version (one small read of the audit table)


def test_an_audited_write_is_seen_at_once():
    before, _ = _answer_and_queries()
    user = make_provider_user()
    interest_register(organisation=OrganisationFactory(), user=user)
    after, _ = _answer_and_queries()
    assert _steps(after)["interest"] == _steps(before)["interest"] + 1
    assert after == floors.who_takes_part(scope=EVERYWHERE)


def test_a_bid_counts_from_the_closing_instant_although_nothing_was_written(monkeypatch):
    competition = make_competition(lots=["Kent"])
    make_bid(competition)
    closes_at = competition.closes_at
    database_clock_at(monkeypatch, closes_at - datetime.timedelta(microseconds=1))
    assert _steps(_answer_and_queries()[0])["bid"] == 0
    assert _steps(_answer_and_queries()[0])["bid"] == 0  # kept, and still right
    database_clock_at(monkeypatch, closes_at)
    assert _steps(_answer_and_queries()[0])["bid"] == 1


def test_each_area_and_year_is_kept_apart():
    from insights.scope import Scope
    from reference.models import Area

    make_bid(make_competition(lots=["Kent"], closes_in=datetime.timedelta(days=-1)))
    everywhere = who_takes_part.who_takes_part(scope=EVERYWHERE)
    wales = who_takes_part.who_takes_part(scope=Scope(area=Area.objects.get(code="D")))
    assert wales == floors.who_takes_part(scope=Scope(area=Area.objects.get(code="D")))
    assert _steps(wales)["bid"] == 0 and _steps(everywhere)["bid"] == 1


def test_a_cache_that_is_down_means_working_the_answer_out(monkeypatch):
    """Redis restarting must not take the insight pages down with it."""

    def down(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    make_bid(make_competition(lots=["Kent"], closes_in=datetime.timedelta(days=-1)))
    answer, _ = _answer_and_queries()
    assert answer == floors.who_takes_part(scope=EVERYWHERE)

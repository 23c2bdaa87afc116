"""Public answers kept between requests (core/pagecache.py, ADR 10): served again while nothing has
changed, at a small fixed number of queries; worked out afresh after an audited write, at the exact
instant time alone changes them, and after the maximum age for writes that bypass the audit log;
kept apart by path, query string and language; never for someone signed in."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from competitions.models import Competition
from competitions.services import award as award_services
from competitions.tests.evaluation_factories import closed_competition, commissioner_of, priced_bid
from competitions.tests.factories import make_bid, make_competition
from core import pagecache
from core.clock import db_now, next_london_midnight
from qualification.tests.factories import QualificationFactory
from tests.clock import database_clock_at
from tests.factories import OrganisationFactory, make_provider_user

pytestmark = pytest.mark.django_db

# The clock and the data version, whatever the page: a kept answer is served from the cache.
KEPT_QUERIES = 2
# With the database clock stopped (tests.clock), reading it is no query.
KEPT_QUERIES_CLOCK_STOPPED = 1


@pytest.fixture(autouse=True)
def keeping(settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _get(client: Client, url: str, **extra):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **extra)
    return response, len(context.captured_queries)


PUBLIC_ANSWERS = [
    "/public/opportunities/",
    "/public/contracts/",
    "/insights/who-takes-part/",
    "/insights/coverage/",
    "/insights/pipeline/",
    "/insights/burden/",
    "/insights/smaller-providers/",
    "/insights/where-the-money-goes/",
    "/insights/who-takes-part/download.xlsx",
    "/join/register/",
    "/api/v1/suppliers",
    "/api/v1/ocds/releases",
    "/api/v1/public/opportunities",
    "/api/v1/public/contracts",
    "/api/v1/insights/who-takes-part",
]


@pytest.mark.parametrize("url", PUBLIC_ANSWERS)
def test_a_kept_answer_is_served_again_for_two_small_queries(url):
    competition = make_competition(lots=["Kent"], closes_in=datetime.timedelta(days=-1))
    make_bid(competition)
    QualificationFactory()
    client = Client()
    first, worked_out = _get(client, url)
    again, served = _get(client, url)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again.get("Content-Disposition") == first.get("Content-Disposition")
    assert served == KEPT_QUERIES < worked_out


def test_one_opportunity_and_its_contract_are_kept():
    competition = make_competition(lots=["Kent"])
    client = Client()
    url = f"/public/opportunities/{competition.pk}/"
    first, _ = _get(client, url)
    again, served = _get(client, url)
    assert again.content == first.content and served == KEPT_QUERIES


def test_the_query_string_is_part_of_the_key_in_any_order():
    make_competition(lots=["Kent"])
    client = Client()
    _get(client, "/public/opportunities/?region=K&page=1")
    _, same = _get(client, "/public/opportunities/?page=1&region=K")
    _, other = _get(client, "/public/opportunities/?region=J&page=1")
    assert same == KEPT_QUERIES
    assert other > KEPT_QUERIES


def test_each_language_is_kept_apart():
    client = Client()
    _get(client, "/public/opportunities/")
    with override_settings(LANGUAGE_CODE="cy"):
        _, welsh = _get(client, "/public/opportunities/")
        _, welsh_again = _get(client, "/public/opportunities/")
    assert welsh > KEPT_QUERIES
    assert welsh_again == KEPT_QUERIES


def test_someone_signed_in_neither_gets_nor_fills_the_cache():
    make_competition(lots=["Kent"])
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(make_provider_user())
    _get(anonymous, "/public/opportunities/")
    page, queries = _get(signed_in, "/public/opportunities/")
    assert page.status_code == 200 and b"Sign out" in page.content
    assert queries > KEPT_QUERIES + 2  # the session and the person, then the page worked out
    cache.clear()
    _get(signed_in, "/public/opportunities/")
    page, queries = _get(anonymous, "/public/opportunities/")
    assert queries > KEPT_QUERIES and b"Sign out" not in page.content


def test_a_published_award_is_seen_on_the_next_request():
    competition = closed_competition(lots=("Kent",))
    priced_bid(competition, "400000")  # never moderated: not compliant, so the lot may be awarded directly
    lot = competition.lots.get()
    winner = OrganisationFactory(legal_name="Kept Answers Housing Ltd")
    for category in competition.service_type.categories.all():
        QualificationFactory(organisation=winner, category=category, area=competition.owner_area)
    client = Client()
    url = f"/public/opportunities/{competition.pk}/"
    assert b"Kept Answers Housing" not in _get(client, url)[0].content
    assert _get(client, url)[1] == KEPT_QUERIES
    award_services.award_direct(
        lot=lot, organisation=winner, justification="No compliant bid", actor=commissioner_of(competition)
    )
    assert b"Kept Answers Housing" in _get(client, url)[0].content
    assert b"Kept Answers Housing" in _get(client, "/api/v1/ocds/releases")[0].content


def test_a_page_changes_at_the_exact_closing_instant(monkeypatch):
    competition = make_competition(lots=["Kent"])
    make_bid(competition)
    Competition.objects.filter(pk=competition.pk).update(closes_at=db_now() + datetime.timedelta(hours=1))
    closes_at = Competition.objects.get(pk=competition.pk).closes_at
    client = Client()
    url = f"/public/opportunities/{competition.pk}/"
    database_clock_at(monkeypatch, closes_at - datetime.timedelta(microseconds=1))
    before, _ = _get(client, url)
    again, served = _get(client, url)
    assert (
        b"Open for bids" in before.content and again.content == before.content and served == KEPT_QUERIES_CLOCK_STOPPED
    )
    database_clock_at(monkeypatch, closes_at)
    after, _ = _get(client, url)
    assert b"Open for bids" not in after.content and b"Being scored" in after.content


def test_a_page_changes_at_the_exact_end_of_the_waiting_period(monkeypatch):
    from publicdata.tests.factories import award_lot, make_closed_competition

    competition = make_closed_competition(days_ago=30, lots=["Kent"])
    award = award_lot(competition.lots.get(), make_bid(competition), days_ago=1)
    ends = award.standstill_ends_at
    client = Client()
    url = f"/public/opportunities/{competition.pk}/"
    database_clock_at(monkeypatch, ends - datetime.timedelta(microseconds=1))
    before, _ = _get(client, url)
    assert b"Waiting period before contract" in before.content
    assert _get(client, url)[1] == KEPT_QUERIES_CLOCK_STOPPED
    database_clock_at(monkeypatch, ends)
    after, _ = _get(client, url)
    assert b"Waiting period before contract" not in after.content and b"Awarded" in after.content


def test_a_new_day_is_an_instant(monkeypatch):
    now = db_now()
    midnight = next_london_midnight(now)
    assert pagecache.next_instant_after(now) <= midnight
    database_clock_at(monkeypatch, midnight - datetime.timedelta(microseconds=1))
    client = Client()
    _get(client, "/insights/coverage/")
    assert _get(client, "/insights/coverage/")[1] == KEPT_QUERIES_CLOCK_STOPPED
    database_clock_at(monkeypatch, midnight)
    assert _get(client, "/insights/coverage/")[1] > KEPT_QUERIES


def test_a_write_that_bypasses_the_audit_log_is_seen_after_the_maximum_age(monkeypatch, settings):
    competition = make_competition(lots=["Kent"], closes_in=datetime.timedelta(days=30))
    client = Client()
    url = f"/public/opportunities/{competition.pk}/"
    start = db_now()
    database_clock_at(monkeypatch, start)
    assert _get(client, url)[0].content.count(b"Unaudited title") == 0
    Competition.objects.filter(pk=competition.pk).update(title="Unaudited title")  # no audit event
    database_clock_at(monkeypatch, start + datetime.timedelta(seconds=settings.PUBLIC_CACHE_SECONDS - 1))
    assert b"Unaudited title" not in _get(client, url)[0].content
    database_clock_at(monkeypatch, start + datetime.timedelta(seconds=settings.PUBLIC_CACHE_SECONDS))
    assert b"Unaudited title" in _get(client, url)[0].content


def test_answers_that_are_not_kept():
    client = Client()
    _get(client, "/public/opportunities/999999/")
    assert _get(client, "/public/opportunities/999999/")[1] > KEPT_QUERIES  # 404: worked out each time
    _get(client, "/public/contracts/?page=99")
    assert _get(client, "/public/contracts/?page=99")[1] > KEPT_QUERIES


def test_a_message_waiting_to_be_shown_is_never_kept_or_replaced():
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    make_competition(lots=["Kent"])
    _get(Client(), "/public/opportunities/")  # kept
    client = Client()
    client.cookies["messages"] = CookieStorage(HttpRequest())._encode(
        [Message(constants.SUCCESS, "You have signed out")]
    )
    page, queries = _get(client, "/public/opportunities/")
    assert b"You have signed out" in page.content and queries > KEPT_QUERIES
    again, served = _get(Client(), "/public/opportunities/")
    assert b"You have signed out" not in again.content and served == KEPT_QUERIES


def test_keeping_off_means_working_out_every_time(settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    client = Client()
    _, first = _get(client, "/public/contracts/")
    _, again = _get(client, "/public/contracts/")
    assert again == first > KEPT_QUERIES


def test_a_cache_that_is_down_means_working_the_answer_out(monkeypatch):
    """Redis restarting must not take the public pages down with it."""

    def down(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    make_competition(lots=["Kent"])
    client = Client()
    assert _get(client, "/public/opportunities/")[0].status_code == 200
    assert _get(client, "/api/v1/ocds/releases")[0].status_code == 200


def test_the_next_instant_is_the_first_of_every_app_s_instants():
    competition = make_competition(lots=["Kent"], closes_in=datetime.timedelta(hours=2))
    now = db_now()
    assert pagecache.next_instant_after(now) == min(competition.closes_at, next_london_midnight(now))


def _anonymous_request(path: str = "/kept/"):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _counting(view):
    calls = []

    def counted(request):
        calls.append(request)
        return view(request)

    return pagecache.keep_public(counted), calls


def _plain(request):
    from django.http import HttpResponse

    return HttpResponse("the same for anyone", content_type="text/plain; charset=utf-8")


def _with_cookie(request):
    response = _plain(request)
    response.set_cookie("chosen", "1")
    return response


def _with_csrf_token(request):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    return HttpResponse(f"<input name='csrfmiddlewaretoken' value='{get_token(request)}'>")


def _with_session_change(request):
    request.session["seen"] = True
    return _plain(request)


def _with_other_header(request):
    response = _plain(request)
    response["Cache-Control"] = "private"
    return response


def _not_found(request):
    from django.http import HttpResponseNotFound

    return HttpResponseNotFound("no")


def _streamed(request):
    from django.http import StreamingHttpResponse

    return StreamingHttpResponse(iter(["a", "b"]))


def test_an_answer_the_same_for_anyone_is_kept_and_served_with_its_headers():
    view, calls = _counting(_plain)
    first = view(_anonymous_request())
    again = view(_anonymous_request())
    assert len(calls) == 1
    assert again.content == first.content and again["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    "answer", [_with_cookie, _with_csrf_token, _with_session_change, _with_other_header, _not_found, _streamed]
)
def test_an_answer_for_one_person_or_not_a_plain_200_is_never_kept(answer):
    view, calls = _counting(answer)
    view(_anonymous_request())
    view(_anonymous_request())
    assert len(calls) == 2


def test_a_head_request_is_served_a_kept_answer_but_never_fills_the_cache():
    from django.test import RequestFactory

    view, calls = _counting(_plain)
    head = RequestFactory().head("/kept/")
    head.user, head.session, head._messages = (r := _anonymous_request()).user, r.session, r._messages
    view(head)
    view(_anonymous_request())
    assert len(calls) == 2  # the HEAD kept nothing
    view(head)
    assert len(calls) == 2  # and is answered from what the GET kept


def test_a_post_is_never_kept():
    from django.test import RequestFactory

    view, calls = _counting(_plain)
    for _ in range(2):
        post = RequestFactory().post("/kept/")
        post.user, post.session, post._messages = (r := _anonymous_request()).user, r.session, r._messages
        view(post)
    assert len(calls) == 2

"""Bad input never makes a server error (issue 8.9).

Every API operation in the OpenAPI document gets malformed and out-of-range values for each of
its parameters and must answer 400 (query) or 404 (path) with the one error body of the API.
Every page that reads its query string gets the same values and must show a GOV.UK error message
for a bad filter or a 404 for a page number that is not a page. Every whole-number path parameter
is bounded so that no database (SQLite or PostgreSQL) is ever asked about a number it cannot hold.
"""

from __future__ import annotations

import ast
import pathlib
import re
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config.api import api
from core.bounds import MAX_ID, IdConverter
from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parent.parent
NUL = "\x00"
# Malformed or out of range for any whole number we accept, whatever its bounds.
BAD_NUMBERS = [
    "9" * 19,  # above the largest 64-bit integer
    "9223372036854775808",  # one above it
    "1" * 100,
    "-1",
    "-" + "9" * 19,
    "1e309",  # infinity as a float
    "1.5",
    "abc",
    NUL,
    "1" + NUL,
    " ",
    "٣",  # a digit, but not an ASCII one
]
BAD_DATES = ["2026-02-30", "2026-13-01", "0000-01-01", "99999-01-01", "abc", NUL, "1" * 100]
BAD_TEXT = [NUL, "a" + NUL + "b", "x" * 1000]

# --- The API ---------------------------------------------------------------------------------

SCHEMA = api.get_openapi_schema(path_prefix="/api/v1/")


def _resolve(schema: dict) -> dict:
    """A parameter's schema without the `null` alternative and with references followed."""
    if "$ref" in schema:
        return _resolve(SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    for key in ("anyOf", "allOf"):
        if key in schema:
            options = [_resolve(option) for option in schema[key] if option.get("type") != "null"]
            assert len(options) == 1, schema
            return {**{k: v for k, v in schema.items() if k != key}, **options[0]}
    return schema


def _operations() -> list[tuple[str, dict]]:
    return [
        (path, operation)
        for path, methods in SCHEMA["paths"].items()
        for method, operation in methods.items()
        if method == "get"
    ]


def _parameters() -> list[tuple[str, str, str, dict]]:
    return [
        (path, parameter["name"], parameter["in"], _resolve(parameter["schema"]))
        for path, operation in _operations()
        for parameter in operation.get("parameters", [])
    ]


def _url(path: str, *, location: str, name: str, value: str) -> str:
    """The operation's address with `value` in parameter `name`; other path parameters get a harmless word."""

    def fill(match: re.Match) -> str:
        return value if (location == "path" and match.group(1) == name) else "x"

    url = re.sub(r"\{(\w+)\}", fill, path)
    if location == "query":
        url += "?" + urlencode({name: value})
    return url


def _whole(value: str) -> int | None:
    return int(value) if re.fullmatch(r"-?[0-9]{1,30}", value) else None


def _assert_error_body(response, *, parameter: str | None) -> None:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["errors"], list), body
    for error in body["errors"]:
        assert set(error) == {"parameter", "message"}, body
    if parameter is not None:
        assert [e["parameter"] for e in body["errors"]] == [parameter], body
        assert parameter in body["detail"], body


NUMBER_PARAMETERS = [p for p in _parameters() if p[3].get("type") in ("integer", "number")]
DATE_PARAMETERS = [p for p in _parameters() if p[3].get("format") in ("date", "date-time")]
TEXT_PARAMETERS = [p for p in _parameters() if p[3].get("type") == "string" and not p[3].get("format")]


def test_the_api_has_number_and_text_parameters_to_check():
    names = {name for _path, name, _location, _schema in NUMBER_PARAMETERS}
    assert {"page", "limit", "offset", "year", "financial_year"} <= names
    assert len(TEXT_PARAMETERS) > 20


@pytest.mark.parametrize(("path", "name", "location", "schema"), NUMBER_PARAMETERS)
def test_every_number_parameter_states_its_bounds(path, name, location, schema):
    assert schema.get("type") == "integer", f"{path} {name}: whole numbers only"
    assert isinstance(schema.get("minimum"), int), f"{path} {name} has no minimum"
    assert isinstance(schema.get("maximum"), int), f"{path} {name} has no maximum"
    assert schema["maximum"] < 2**31, f"{path} {name}: the maximum must fit every database's integer"


@pytest.mark.parametrize(("path", "name", "location", "schema"), NUMBER_PARAMETERS)
def test_bad_numbers_get_a_json_error_never_a_server_error(client, path, name, location, schema):
    low, high = schema.get("minimum"), schema.get("maximum")
    values = [*BAD_NUMBERS, "0"]
    if low is not None:
        values += [str(low - 1), str(low)]
    if high is not None:
        values += [str(high), str(high + 1)]
    for value in values:
        response = client.get(_url(path, location=location, name=name, value=value))
        number = _whole(value)
        in_range = (
            number is not None
            and (low is None or number >= low)
            and (high is None or number <= high)
            and value.strip() == value
        )
        if in_range:
            assert response.status_code < 500, (value, response.content[:300])
            continue
        expected = 404 if location == "path" else 400
        assert response.status_code == expected, (path, name, value, response.status_code, response.content[:300])
        _assert_error_body(response, parameter=None if location == "path" else name)


def test_bad_dates_get_a_json_error_never_a_server_error(client):
    """No operation takes a date today; any that does must refuse dates that do not exist."""
    for path, name, location, _schema in DATE_PARAMETERS:
        for value in BAD_DATES:
            response = client.get(_url(path, location=location, name=name, value=value))
            assert response.status_code == (404 if location == "path" else 400), (path, name, value)
            _assert_error_body(response, parameter=None if location == "path" else name)


@pytest.mark.parametrize(("path", "name", "location", "schema"), TEXT_PARAMETERS + DATE_PARAMETERS)
def test_text_with_a_nul_byte_or_too_long_gets_a_json_error(client, path, name, location, schema):
    """PostgreSQL refuses a NUL character in text: it must never reach a query."""
    for value in BAD_TEXT:
        response = client.get(_url(path, location=location, name=name, value=value))
        expected = 404 if location == "path" else 400
        assert response.status_code == expected, (path, name, repr(value[:20]), response.content[:300])
        _assert_error_body(response, parameter=None if location == "path" else name)


def test_every_error_of_the_api_has_the_same_body(client):
    for url, status, parameter in [
        ("/api/v1/suppliers?area=NOWHERE", 400, "area"),
        ("/api/v1/suppliers?category=nothing", 400, "category"),
        ("/api/v1/reference/areas?parent=ZZZ", 400, "parent"),
        ("/api/v1/reference/areas?level=planet", 400, "level"),
        ("/api/v1/public/opportunities?group=secret", 400, "group"),
        ("/api/v1/public/contracts?region=ZZ", 400, "region"),
        ("/api/v1/insights/coverage?by=local_authority", 400, "by"),
        ("/api/v1/insights/burden?region=A&pcc_area=E23000032", 400, "pcc_area"),
        ("/api/v1/ocds/records/nothing", 404, None),
    ]:
        response = client.get(url)
        assert response.status_code == status, (url, response.content)
        _assert_error_body(response, parameter=parameter)


def test_the_largest_page_and_offset_are_stated_and_answered(client):
    """At the limits the API answers normally (an empty list past the end), not with an error."""
    by_name = {(path, name): schema for path, name, _location, schema in NUMBER_PARAMETERS}
    assert by_name[("/api/v1/ocds/releases", "page")]["maximum"] == 10_000
    assert by_name[("/api/v1/suppliers", "limit")]["maximum"] == 100
    assert "100" in by_name[("/api/v1/suppliers", "limit")]["description"]
    response = client.get("/api/v1/ocds/releases?page=10000")
    assert response.status_code == 200 and response.json()["releases"] == []
    response = client.get("/api/v1/public/contracts?offset=1000000")
    assert response.status_code == 200 and response.json()["items"] == []


# --- Whole numbers in paths ------------------------------------------------------------------


def _patterns(resolver=None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


ROUTES_WITH_IDS = sorted(
    {
        route
        for route, entry in _patterns()
        if any(isinstance(c, IdConverter) for c in getattr(entry.pattern, "converters", {}).values())
    }
)


def test_no_path_takes_an_unbounded_whole_number():
    """Django's own <int:…> takes any number of digits; <id:…> takes only what a database id can be."""
    unbounded = [route for route, _entry in _patterns() if "<int:" in route]
    assert not unbounded, f"Use <id:…> instead of <int:…> in {unbounded}"
    assert len(ROUTES_WITH_IDS) > 50


def _fill(route: str, number: str) -> str:
    path = re.sub(r"<id:\w+>", number, route)
    path = re.sub(r"<(?:str|slug):\w+>", "x", path)
    return "/" + path.lstrip("^")


def test_a_huge_id_in_a_path_is_not_found(client_for_role):
    client, _user = client_for_role("administrator")
    for route in ROUTES_WITH_IDS:
        for number in ["1" * 100, "9" * 19, str(MAX_ID + 1), "0" * 25 + "1"]:
            response = client.get(_fill(route, number))
            assert response.status_code == 404, (route, number, response.status_code)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_largest_id_never_makes_a_server_error(client_for_role, role):
    client, _user = client_for_role(role)
    for route in ROUTES_WITH_IDS:
        assert client.get(_fill(route, str(MAX_ID))).status_code < 500, route


def test_the_id_converter():
    converter = IdConverter()
    assert converter.to_python("1") == 1
    assert converter.to_python(str(MAX_ID)) == MAX_ID
    assert MAX_ID == 2**63 - 1
    for text in [str(MAX_ID + 1), "0", "1" * 100]:
        with pytest.raises(ValueError, match="is not an id"):
            converter.to_python(text)
    assert re.fullmatch(converter.regex, "1" * 19)
    assert not re.fullmatch(converter.regex, "1" * 20)


@pytest.mark.parametrize("role", ["anonymous", "provider_admin", "administrator"])
def test_a_nul_byte_in_a_path_is_not_found(client_for_role, role):
    """Before any view can pass part of the address to the database, which (PostgreSQL) refuses NUL."""
    client, _user = client_for_role(role)
    for path in [
        "/audit/area/%00/",
        "/join/application/services/councils/%00/",
        "/account/invitation/%00/",
        "/insights/%00/",
        "/%00",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.content.decode()


# --- Pages -----------------------------------------------------------------------------------

INSIGHT_SLUGS = ["who-takes-part", "smaller-providers", "where-the-money-goes", "coverage", "pipeline", "burden"]
CONTRACT_FILTERS = [
    "service_type",
    "category",
    "region",
    "pcc_area",
    "local_authority",
    "organisation_type",
    "size",
    "financial_year",
]
# (who, page, the filters its form checks): a bad value gets a GOV.UK error message.
FILTER_PAGES = [
    ("anonymous", "/public/opportunities/", ["service_type", "region"]),
    ("anonymous", "/public/contracts/", CONTRACT_FILTERS),
    ("anonymous", "/join/register/", ["category", "area"]),
    ("assessor", "/join/assess/", ["category", "region"]),
    *[
        (
            "anonymous",
            f"/insights/{slug}/",
            ["region", "pcc_area", "year"]
            + (["by"] if slug in ("smaller-providers", "coverage") else [])
            + (["measure"] if slug == "smaller-providers" else []),
        )
        for slug in INSIGHT_SLUGS
    ],
]
# Free text filters: anything is a search, but not a NUL character or more than the field's limit.
TEXT_FILTER_PAGES = [("anonymous", "/public/contracts/", ["provider"])]
# Downloads have no page to show a message on: 400 with the message as text.
DOWNLOADS = [
    ("/public/contracts/download.csv", [*CONTRACT_FILTERS, "provider"]),
    *[(f"/insights/{slug}/download.xlsx", ["region", "pcc_area", "year"]) for slug in INSIGHT_SLUGS],
    ("/insights/burden/download/burden.csv", ["region", "pcc_area", "year"]),
    ("/insights/smaller-providers/download/by-area.csv", ["region", "pcc_area", "year", "measure"]),
]
PAGED = [("anonymous", "/public/contracts/"), ("anonymous", "/join/register/")]


def _filter_cases(pages):
    return [(role, path, name) for role, path, names in pages for name in names]


# Every bad value once, whatever kind it is meant for.
BAD_VALUES = list(dict.fromkeys(BAD_NUMBERS + BAD_DATES + BAD_TEXT))


def _assert_error_message(response, name: str, value: str) -> None:
    page = response.content.decode()
    where = (response.request["PATH_INFO"], name, repr(value[:20]))
    assert response.status_code == 200, (*where, response.status_code)
    assert "govuk-error-summary" in page, where
    assert f'href="#{name}"' in page, (*where, "the error summary must link to the field")
    assert 'class="govuk-error-message"' in page, where
    assert re.search(r"<title>\s*Error: ", page), (*where, "the title must start with Error: ")


@pytest.mark.parametrize(("role", "path", "name"), _filter_cases(FILTER_PAGES))
def test_a_bad_filter_gets_a_govuk_error_message(client_for_role, role, path, name):
    client, _user = client_for_role(role)
    for value in BAD_VALUES:
        _assert_error_message(client.get(path, {name: value}), name, value)


@pytest.mark.parametrize(("role", "path", "name"), _filter_cases(TEXT_FILTER_PAGES))
def test_bad_free_text_gets_a_govuk_error_message(client_for_role, role, path, name):
    client, _user = client_for_role(role)
    for value in BAD_TEXT:
        _assert_error_message(client.get(path, {name: value}), name, value)


@pytest.mark.parametrize(("path", "names"), DOWNLOADS)
def test_a_download_with_a_bad_filter_is_refused_with_the_reason(client, path, names):
    for name in names:
        for value in BAD_TEXT if name == "provider" else BAD_VALUES:
            response = client.get(path, {name: value})
            assert response.status_code == 400, (path, name, repr(value[:20]))
            assert response["Content-Type"].startswith("text/plain")
            assert response.content.decode().startswith("Check the filters: ")


@pytest.mark.parametrize(("role", "path"), PAGED)
def test_a_page_number_that_is_not_a_page_is_not_found(client_for_role, role, path):
    client, _user = client_for_role(role)
    assert client.get(path).status_code == 200
    assert client.get(path, {"page": "1"}).status_code == 200
    for value in [*BAD_NUMBERS, "0", "2", "10000", "10001", ""]:
        if value in ("",):
            assert client.get(path, {"page": value}).status_code == 200
            continue
        response = client.get(path, {"page": value})
        assert response.status_code == 404, (path, repr(value[:20]), response.status_code)


def test_a_page_of_opportunities_for_you_that_is_not_a_page_is_not_found(client_for_role):
    """Both lists on "Opportunities for you" are paged, each by its own parameter."""
    client, _user = client_for_role("provider")
    path = "/opportunities/for-you/"
    assert client.get(path).status_code == 200
    for name in ("page", "partner-page"):
        assert client.get(path, {name: "1"}).status_code == 200
        assert client.get(path, {name: ""}).status_code == 200
        for value in [*BAD_NUMBERS, *BAD_TEXT, "0", "2", "10000"]:
            response = client.get(path, {name: value})
            assert response.status_code == 404, (name, repr(value[:20]), response.status_code)


@pytest.mark.parametrize(
    ("role", "path"), [("commissioner", "/contracts/claims/"), ("provider_admin", "/contracts/owed/")]
)
def test_a_bad_page_or_list_of_claims_is_not_found(client_for_role, role, path):
    client, _user = client_for_role(role)
    assert client.get(path).status_code == 200
    assert client.get(path, {"page": "1"}).status_code == 200
    for value in [*BAD_NUMBERS, *BAD_TEXT, "0", "2", "10000"]:
        response = client.get(path, {"page": value})
        assert response.status_code == 404, (path, repr(value[:20]), response.status_code)
    if path == "/contracts/claims/":
        assert client.get(path, {"show": "late"}).status_code == 200
        for value in [*BAD_TEXT, "everything", ""]:
            assert client.get(path, {"show": value}).status_code == 404, repr(value[:20])


def test_the_council_area_picker_shows_an_error_for_a_bad_area(client):
    from qualification.tests.factories import ApplicationFactory, InterestFactory
    from tests.factories import make_provider_user

    user = make_provider_user()
    organisation = user.memberships.get().organisation
    InterestFactory(organisation=organisation, registered_by=user)
    ApplicationFactory(organisation=organisation, started_by=user)
    client.force_login(user)
    for value in [*BAD_NUMBERS, *BAD_TEXT, "K"]:
        response = client.get("/join/application/services/councils/", {"area": value})
        _assert_error_message(response, "area", value)
    assert client.get("/join/application/services/councils/%00/").status_code == 404


# Every view that reads its query string, and the test above that sends it bad values. A new one
# must be added here with a test, so none is forgotten.
QUERY_READERS = {
    "audit/views.py:checkpoints": "audit/tests/test_checkpoints_pages.py: test_a_page_out_of_range_is_not_found",
    "accounts/views.py:sign_in": "`next` is only compared with this site's addresses (accounts tests)",
    "accounts/views.py:second_factor": "`next` goes through the same check as sign_in's (test_second_factor.py)",
    "accounts/views.py:second_factor_set_up": "`next` goes through the same check as sign_in's (test_second_factor.py)",
    "config/urls.py:_admin_sign_in": "`next` is passed to the service's sign-in page, which checks it (test_admin.py)",
    "competitions/views/provider.py:_partner_search_page": "competitions/tests/test_bid_partner_search.py",
    "competitions/views/provider.py:bid_partner_add": "test_bad_search_input_gets_govuk_errors",
    "competitions/views/provider.py:bid_partner_search": "test_bad_suggestion_requests_get_a_json_error",
    "competitions/views/provider.py:for_you": "test_a_page_of_opportunities_for_you_that_is_not_a_page_is_not_found",
    "competitions/views/provider.py:_answer_initial": "`use` is compared in Python with the organisation's own answers",
    "contracts/views_claims.py:claims_to_decide": "test_a_bad_page_or_list_of_claims_is_not_found",
    "contracts/views_claims.py:owed": "test_a_bad_page_or_list_of_claims_is_not_found",
    "contracts/views_find.py:find_services": "contracts/tests/test_find_services_pages.py: test_bad_input_is_a_gov_uk_error_never_a_server_error",
    "insights/views.py:_filtered": "FILTER_PAGES and DOWNLOADS",
    "insights/views.py:insight_page": "FILTER_PAGES",
    "publicdata/views.py:_query_without_page": "PAGED",
    "referrals/views.py:referral_list": "referrals/tests/test_pages.py: test_a_page_number_out_of_range_is_not_found",
    "publicdata/views.py:opportunities": "FILTER_PAGES",
    "publicdata/views.py:contracts": "FILTER_PAGES, TEXT_FILTER_PAGES and PAGED",
    "publicdata/views.py:contracts_csv": "DOWNLOADS",
    "qualification/views/register.py:register": "FILTER_PAGES and PAGED",
    "qualification/views/assessor.py:queue": "FILTER_PAGES",
    "qualification/views/provider.py:services_council_area": "test_the_council_area_picker_shows_an_error_for_a_bad_area",
    "referrals/views_provider.py:inbox": "referrals/tests/test_provider_pages.py: test_a_bad_page_or_list_is_not_found",
    "volumes/views.py:contracts_page": "volumes/tests/test_pages.py: test_the_flag_filter",
}


def _query_readers() -> set[str]:
    found = set()
    for file in ROOT.glob("*/**/*.py"):
        relative = file.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "node_modules/")) or "/tests/" in relative or "/migrations/" in relative:
            continue
        source = file.read_text()
        if "GET" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(n, ast.Attribute) and n.attr == "GET" for n in ast.walk(node)
            ):
                found.add(f"{relative}:{node.name}")
    return found


def test_every_view_that_reads_the_query_string_is_checked_here():
    assert _query_readers() == set(QUERY_READERS)


def test_the_answer_page_ignores_a_library_key_it_does_not_know(client):
    from competitions.services import bids as bid_services
    from competitions.tests.factories import invite, make_competition
    from tests.factories import make_provider_user

    competition = make_competition()
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    bid_services.bid_start(competition=competition, user=user)
    client.force_login(user)
    question = competition.questions.get(number=1)
    path = f"/opportunities/{competition.pk}/bid/questions/{question.pk}/"
    for value in BAD_NUMBERS + BAD_TEXT:
        assert client.get(path, {"use": value}).status_code == 200, repr(value[:20])


def test_the_document_lists_the_errors_every_operation_gives():
    """An operation that reads a query parameter can answer 400, one with a path parameter 404,
    both with the one error body: the OpenAPI document says so, so clients (and schemathesis)
    know them."""
    assert set(SCHEMA["components"]["schemas"]["Error"]["required"]) == {"detail", "errors"}
    for path, operation in _operations():
        places = {parameter["in"] for parameter in operation.get("parameters", [])}
        for place, status in (("query", "400"), ("path", "404")):
            if place in places:
                body = operation["responses"][status]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (path, status)

"""schemathesis over /api/v1/openapi.json (issue 9): every operation of the API gets examples drawn
from its own OpenAPI document (valid and invalid), in-process through the WSGI application, both
signed out and as a signed-in provider. No answer may be a server error, and every answer must be
what the document says: a status code it lists, its content type and a body that fits its schema.

The examples are bounded (MAX_EXAMPLES per operation) and, under the `ci` Hypothesis profile,
the same every run. The world is built once for the module (a transaction rolled back at its end).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from competitions.tests.evaluation_factories import award_world
from competitions.tests.factories import make_competition
from config.api import api
from config.wsgi import application
from qualification.tests.assessor_factories import qualify
from tests.factories import make_provider_user

MAX_EXAMPLES = 25
# Every check schemathesis has, but one: "a request the schema allows is accepted". The schema
# says a region is a string; which strings are regions is data (reference/data/areas.csv), and an
# unknown one is rightly a 400 with the one error body, which the document lists.
EXCLUDED_CHECKS = [positive_data_acceptance]


@pytest.fixture(scope="module")
def api_world(django_db_setup, django_db_blocker):
    """Something for every list to show: an awarded opportunity with a contract, an open one and a
    qualified organisation (whose member is the signed-in provider)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = award_world()
            make_competition(lots=("Kent",))
            provider = make_provider_user()
            qualify(provider.memberships.get().organisation, "accommodation", "K")
            client = Client()
            client.force_login(provider)
            world["provider_session"] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def in_process(db):
    """The WSGI application is called directly, inside the test's transaction: Django's own test
    client stops it closing the database connection at each request, and so must this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _schema():
    """The document /api/v1/openapi.json serves, with the application to call in-process (what
    `schemathesis.openapi.from_wsgi` does, without a request at collection time, when the database
    is not open yet)."""
    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    loaded.app = application
    loaded.location = "/api/v1/openapi.json"
    return loaded


schema = _schema()


def test_the_schema_tested_is_the_one_served(client):
    served = client.get("/api/v1/openapi.json").json()
    tested = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))  # tuples as lists
    assert served["paths"] == tested["paths"]
    assert served["components"] == tested["components"]
    # Errors are part of the document, so the checks below hold them to it too.
    assert served["paths"]["/api/v1/suppliers"]["get"]["responses"]["400"]
    assert served["paths"]["/api/v1/ocds/records/{ocid}"]["get"]["responses"]["404"]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_schema_says_and_never_with_a_server_error(case, api_world, in_process):
    for cookies in ({}, {django_settings.SESSION_COOKIE_NAME: api_world["provider_session"]}):
        case.call_and_validate(cookies=cookies, excluded_checks=EXCLUDED_CHECKS)

"""With a replica configured, the public insight, register and open-data pages read from it, and
nothing else does; every write goes to the primary. The replica here is a second connection to the
test database (its rows committed: transactional tests), so a query's connection shows where it went."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config.settings.base import databases
from core.routers import REPLICA, ReplicaRouter
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def replica(transactional_db):
    """Added after the test database is set up, so Django's test case lets this connection through."""
    connections.settings[REPLICA] = {**connections["default"].settings_dict}
    # Connected here: Django's test case refuses to open a connection to an alias it was not told of.
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def _queries_on_each(client, url):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    # The clock (core.clock.db_now) is always the primary's: one clock judges every deadline.
    on_primary = [query["sql"] for query in primary.captured_queries if not _is_the_clock(query["sql"])]
    return response, body, len(on_primary), len(replica)


def _is_the_clock(sql: str) -> bool:
    return sql in {"SELECT clock_timestamp()", "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')"}


@pytest.mark.parametrize(
    "url",
    [
        "/public/opportunities/",
        "/public/contracts/",
        "/insights/who-takes-part/",
        "/open-data/ocds-releases.json",  # streamed: its body is read after the view returns
        "/api/v1/public/opportunities",
        "/api/v1/insights/who-takes-part",
        "/api/v1/ocds/releases",
    ],
)
def test_a_public_read_page_reads_only_from_the_replica(client, replica, url):
    response, _, on_primary, on_replica = _queries_on_each(client, url)
    assert response.status_code == 200
    assert on_replica > 0
    assert on_primary == 0


def test_who_is_signed_in_comes_from_the_primary_and_the_page_from_the_replica(client, replica):
    client.force_login(make_provider_user())
    response, _, on_primary, on_replica = _queries_on_each(client, "/public/opportunities/")
    assert response.status_code == 200
    assert on_primary > 0 and on_replica > 0


def test_every_other_page_reads_from_the_primary(client, replica):
    client.force_login(make_provider_user())
    response, _, on_primary, on_replica = _queries_on_each(client, "/opportunities/for-you/")
    assert response.status_code == 200
    assert on_primary > 0 and on_replica == 0


def test_a_write_goes_to_the_primary_even_for_a_row_read_from_the_replica(replica):
    from accounts.models import User

    user = make_provider_user()
    from_replica = User.objects.using(REPLICA).get(pk=user.pk)
    router = ReplicaRouter()
    assert router.db_for_write(User, instance=from_replica) == "default"
    assert router.db_for_read(User) == "default"
    assert router.allow_migrate(REPLICA, "accounts") is False
    assert router.allow_relation(from_replica, user) is True


def test_without_a_replica_the_router_leaves_everything_to_django():
    router = ReplicaRouter()
    assert router.db_for_read(object) is None
    assert router.db_for_write(object) is None
    assert router.allow_migrate("default", "accounts") is None


def test_database_replica_url_adds_the_replica_alias_a_test_run_mirrors():
    configured = databases(
        {
            "DATABASE_URL": "postgres://cps@primary.internal:5432/cps",
            "DATABASE_REPLICA_URL": "postgres://cps@replica.internal:5432/cps",
        },
        conn_max_age_default=60,
    )
    assert configured["default"]["HOST"] == "primary.internal"
    assert configured[REPLICA]["HOST"] == "replica.internal"
    assert configured[REPLICA]["TEST"] == {"MIRROR": "default"}
    assert configured["default"]["CONN_MAX_AGE"] == configured[REPLICA]["CONN_MAX_AGE"] == 60
    assert configured["default"]["CONN_HEALTH_CHECKS"] is True
    assert set(databases({})) == {"default"}

"""Migration 0003 fills `Referral.prime` for the referrals made before it (each its contract's
supplier), and 0004 makes it required: run backwards and forwards over a referral of each kind."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from referrals.tests.factories import complete_draft, referral_world, sent_referral

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target: str | None) -> None:
    """To `target`, or (None) to the latest migration: the test must leave the database as every
    other test on this worker expects it (ending at 0004 once dropped a later column, `sex`)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if target is None:
        executor.migrate(executor.loader.graph.leaf_nodes("referrals"))
    else:
        executor.migrate([("referrals", target)])


def test_existing_referrals_get_their_contracts_prime():
    world = referral_world()
    ids = [complete_draft(world).pk, sent_referral(world).pk]
    _migrate("0002_load_reference_data")  # before the column
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM referrals_referral")
            assert cursor.fetchone()[0] == 2
        _migrate("0004_referral_prime_required")
    finally:
        _migrate(None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.prime_id, c.supplier_id FROM referrals_referral r "
            "JOIN contracts_contract c ON c.id = r.contract_id ORDER BY r.id"
        )
        rows = cursor.fetchall()
    assert [row[0] for row in rows] == sorted(ids)
    assert all(prime == supplier == world["prime"].pk for _, prime, supplier in rows)

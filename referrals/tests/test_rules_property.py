"""Every status rule and the retention rule give the same answer in Python and in SQL, for any
combination of timestamps the database allows, and exactly one status holds (hypothesis)."""

import datetime

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals import rules
from referrals.models import Referral
from referrals.tests.factories import referral_world, sent_referral

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2034, 3, 1, 12, 0, tzinfo=datetime.UTC)
MICRO = datetime.timedelta(microseconds=1)
EDGE = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)  # NOW less 7 years exactly
instants = st.sampled_from([None, EDGE - MICRO, EDGE, EDGE + MICRO, NOW])
EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def referral():
    return sent_referral(referral_world())


@EXAMPLES
@given(
    sent=instants,
    assigned=instants,
    approved=instants,
    ending=st.sampled_from(["none", "cancelled", "ended"]),
    at=instants,
    concluded=instants,
    updated=instants,
)
@override_settings(REFERRAL_RETENTION_YEARS=7)
def test_the_rules_agree_in_python_and_sql(referral, sent, assigned, approved, ending, at, concluded, updated):
    # Only what the database constraints allow: each step needs the one before it.
    assigned = assigned if sent else None
    approved = approved if assigned else None
    at = at if sent and ending != "none" else None
    concluded = concluded if sent and ending != "cancelled" else None
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent,
        reference="AB1234CD" if sent else None,
        provider_id=referral.contract.supplier_id if sent else None,
        assigned_at=assigned,
        plan_approved_at=approved,
        cancelled_at=at if ending == "cancelled" else None,
        cancel_reason="mistake" if ending == "cancelled" and at else "",
        ended_at=at if ending == "ended" else None,
        end_reason="moved" if ending == "ended" and at else "",
        concluded_at=concluded,
        updated_at=updated or NOW,
    )
    referral.refresh_from_db()
    held = []
    for status, rule in rules.STATUS_RULES:
        in_sql = Referral.objects.filter(rule.q(now=NOW), pk=referral.pk).exists()
        assert rule.holds(referral, now=NOW) == in_sql, rule
        if in_sql:
            held.append(status)
    assert held == [referral.status]
    # Work left for the provider (the prime may take it back until then): sent, not cancelled, no report sent.
    with_provider = Referral.objects.filter(rules.REFERRAL_WITH_PROVIDER.q(now=NOW), pk=referral.pk).exists()
    assert rules.REFERRAL_WITH_PROVIDER.holds(referral, now=NOW) == with_provider
    open_to_provider = referral.status not in (rules.DRAFT, rules.CANCELLED, rules.COMPLETED)
    assert with_provider == (open_to_provider and referral.concluded_at is None)
    due = Referral.objects.filter(rules.RETENTION_DUE.q(now=NOW), pk=referral.pk).exists()
    assert rules.RETENTION_DUE.holds(referral, now=NOW) == due
    over = [t for t in (referral.cancelled_at, referral.ended_at, referral.concluded_at) if t]
    expected = any(t < EDGE for t in over) or (referral.sent_at is None and referral.updated_at < EDGE)
    assert due == expected

"""The status rules and the retention rule: Python and SQL agree at every stage and at the edges."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from referrals import rules, services
from referrals.models import ActionPlan, Referral
from referrals.tests.factories import (
    assigned_referral,
    complete_draft,
    delivered_referral,
    in_progress_referral,
    outcome_ids,
    referral_world,
    sent_referral,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return referral_world()


def sql_status(referral) -> set[str]:
    return {status for status, rule in rules.STATUS_RULES if Referral.objects.filter(rule.q(), pk=referral.pk).exists()}


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (complete_draft, rules.DRAFT),
        (sent_referral, rules.SENT),
        (assigned_referral, rules.ASSIGNED),
        (in_progress_referral, rules.IN_PROGRESS),
    ],
)
def test_each_stage_has_one_status_in_python_and_sql(world, make, expected):
    referral = make(world)
    assert referral.status == expected
    assert sql_status(referral) == {expected}


def test_ended_cancelled_and_completed(world):
    ended = in_progress_referral(world)
    services.referral_end_early(actor=world["practitioner"], referral=ended, reason="moved")
    cancelled = sent_referral(world)
    services.referral_cancel(actor=world["practitioner"], referral=cancelled, reason="mistake")
    for referral, status in ((ended, rules.ENDED_EARLY), (cancelled, rules.CANCELLED)):
        referral.refresh_from_db()
        assert referral.status == status and sql_status(referral) == {status}
    # Ended early, then the report sent: still "ended early", and concluded.
    ids = outcome_ids(ended)
    services.report_save(actor=world["caseworker"], referral=ended, outcomes=dict.fromkeys(ids, ("not_achieved", "")))
    services.report_send(actor=world["caseworker"], referral=ended)
    ended.refresh_from_db()
    assert ended.concluded_at and ended.status == rules.ENDED_EARLY and sql_status(ended) == {rules.ENDED_EARLY}


def test_cancel_and_end_each_only_at_their_stage(world):
    started = in_progress_referral(world)
    with pytest.raises(ValidationError, match="end the referral early instead"):
        services.referral_cancel(actor=world["practitioner"], referral=started, reason="mistake")
    waiting = sent_referral(world)
    with pytest.raises(ValidationError, match="cancel the referral instead"):
        services.referral_end_early(actor=world["practitioner"], referral=waiting, reason="moved")


@override_settings(REFERRAL_RETENTION_YEARS=7)
def test_retention_is_due_the_instant_after_seven_years(world):
    referral = sent_referral(world)
    services.referral_cancel(actor=world["practitioner"], referral=referral, reason="mistake")
    referral.refresh_from_db()
    cancelled = referral.cancelled_at
    edge = cancelled.replace(year=cancelled.year + 7)
    for now, due in ((edge, False), (edge + datetime.timedelta(microseconds=1), True)):
        assert rules.RETENTION_DUE.holds(referral, now=now) is due
        assert Referral.objects.filter(rules.RETENTION_DUE.q(now=now), pk=referral.pk).exists() is due


def test_a_plan_changed_after_approval_is_a_new_version(world):
    referral = in_progress_referral(world)
    ids = outcome_ids(referral)
    plan = services.action_plan_save(
        actor=world["caseworker"], referral=referral, number_of_sessions=8, activities=[(ids[0], "Fortnightly instead")]
    )
    assert plan.version == 2
    first = ActionPlan.objects.get(referral=referral, version=1)
    assert first.number_of_sessions == 6 and first.approved_at is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(
            referral=referral,
            version=2,
            created_by=world["caseworker"],
            approved_at=timezone.now(),
            submitted_at=timezone.now(),
            number_of_sessions=3,
        )


def test_two_plans_open_at_once_are_refused_by_the_database(world):
    referral = assigned_referral(world)
    ActionPlan.objects.create(referral=referral, version=1, created_by=world["caseworker"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(referral=referral, version=2, created_by=world["caseworker"])


def test_a_session_is_refused_before_the_plan_is_approved_and_after_the_end(world):
    referral = assigned_referral(world)
    with pytest.raises(ValidationError, match="must be approved"):
        services.session_record(
            actor=world["caseworker"],
            referral=referral,
            happened_at=referral.sent_at,
            attendance="attended",
            engagement="good",
        )
    referral = delivered_referral(world)
    with pytest.raises(ValidationError, match="today or in the past"):
        services.session_record(
            actor=world["caseworker"], referral=referral,
            happened_at=timezone.now() + datetime.timedelta(hours=1), attendance="late", engagement="some",
        )  # fmt: skip

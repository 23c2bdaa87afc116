"""Retention erases the person and keeps the counts; the subject access export; the counts selector
and its small-number rule; e-mails that name nobody."""

import datetime
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from referrals import selectors, services, tasks
from referrals.models import DeliverySession, Referral
from referrals.tests.factories import CRN, PERSON, delivered_referral, outcome_ids, referral_world, sent_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return referral_world()


def completed(world) -> Referral:
    referral = delivered_referral(world)
    ids = outcome_ids(referral)
    services.report_save(
        actor=world["caseworker"], referral=referral, outcomes={ids[0]: ("achieved", "Housed"), ids[1]: ("partly", "")}
    )
    services.report_send(actor=world["caseworker"], referral=referral)
    referral.refresh_from_db()
    return referral


def test_the_periodic_task_erases_the_person_after_the_retention_period_and_keeps_the_counts(world, settings):
    referral = completed(world)
    before = selectors.referral_counts(contract_ids=[world["contract"].pk])
    Referral.objects.filter(pk=referral.pk).update(concluded_at=timezone.now() - datetime.timedelta(days=366 * 8))
    still = sent_referral(world)  # not over: kept
    counts_then = selectors.referral_counts(contract_ids=[world["contract"].pk])
    assert tasks.erase_expired_personal_data.call() == 1
    assert tasks.erase_expired_personal_data.call() == 0  # idempotent
    erased = Referral.objects.get(pk=referral.pk)
    assert (
        erased.personal_data_erased_at and erased.crn is None and erased.first_name is None and erased.crn_digest == ""
    )
    assert DeliverySession.objects.get(referral=referral).notes is None
    assert Referral.objects.get(pk=still.pk).first_name == PERSON["first_name"]
    assert selectors.referral_counts(contract_ids=[world["contract"].pk]) == counts_then
    assert sum(r["received"] for r in before) == 1
    assert AuditEvent.objects.filter(action="referral.personal_data_erased", object_id=str(referral.pk)).count() == 1


def test_the_subject_access_export_holds_everything_about_the_person(world):
    referral = completed(world)
    out = StringIO()
    call_command("referral_subject_access", "x123456", stdout=out)
    data = json.loads(out.getvalue())
    assert data["case_reference_number"] == CRN
    [one] = data["referrals"]
    assert one["reference"] == referral.reference and one["person"]["first_name"] == PERSON["first_name"]
    assert one["sessions"][0]["notes"] == "Talked about housing options"
    assert {o["achievement"] for o in one["report"]["outcomes"]} == {"Achieved", "Partly achieved"}
    event = AuditEvent.objects.get(action="referral.subject_access_export")
    assert CRN not in repr((event.object_repr, event.after))


def test_the_counts_per_contract_area_and_month_in_a_fixed_number_of_queries(world):
    completed(world)
    sent_referral(world)
    with CaptureQueriesContext(connection) as few:
        rows = selectors.referral_counts()
    for _ in range(3):
        completed(world)
    with CaptureQueriesContext(connection) as more:
        rows = selectors.referral_counts()
    assert len(few) == len(more) == 7
    totals = {
        key: sum(row[key] for row in rows)
        for key in ("received", "started", "completed", "sessions_delivered", "outcomes_achieved", "outcomes_partly")
    }
    assert totals == {
        "received": 5,
        "started": 4,
        "completed": 4,
        "sessions_delivered": 4,
        "outcomes_achieved": 4,
        "outcomes_partly": 4,
    }
    assert {row["contract_id"] for row in rows} == {world["contract"].pk}
    assert all(row["month"].day == 1 for row in rows)


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, "fewer than 5"), (4, "fewer than 5"), (5, 5), (12, 12)])
def test_public_figures_withhold_one_to_four(count, shown):
    assert selectors.public_figure(count) == shown


def test_emails_name_nobody_and_link_to_the_referral(world):
    mail.outbox.clear()
    referral = delivered_referral(world)
    services.session_record(
        actor=world["caseworker"], referral=referral, happened_at=referral.sent_at, attendance="did_not_attend"
    )
    subjects = [m.subject for m in mail.outbox]
    assert "You have a new referral" in subjects and "An action plan needs your approval" in subjects
    assert "A session needs your attention" in subjects
    for message in mail.outbox:
        text = message.subject + message.body
        for secret in (CRN, PERSON["first_name"], PERSON["last_name"], "housing"):
            assert secret not in text
        assert f"/referrals/{referral.pk}/" in message.body
    new = [m for m in mail.outbox if m.subject == "You have a new referral"]
    assert {a for m in new for a in m.to} == {world["admin"].email, world["manager"].email}

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
from core.sealing import sealed_columns
from referrals import selectors, services, tasks
from referrals.models import Appointment, AppointmentMethod, DeliverySession, EndOfServiceReport, Referral
from referrals.sealing import PERSONAL
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
    assert (one["person"]["sex"], one["person"]["gender"]) == (PERSON["sex"], PERSON["gender"])
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


def _fully_delivered(world) -> Referral:
    """A completed referral with a row of every kind that holds free text about the person: an
    appointment in person (its place), a plan's activities, a session's notes, the report's notes."""
    referral = completed(world)
    Appointment.objects.create(
        referral=referral,
        starts_at=referral.sent_at,
        duration_minutes=60,
        method=AppointmentMethod.IN_PERSON,
        location="The probation office, Guildford",
        booked_at=referral.sent_at,
        booked_by=world["caseworker"],
    )
    EndOfServiceReport.objects.filter(referral=referral).update(further_notes="Moved into a flat")
    return referral


def test_erasing_leaves_no_sealed_value_about_the_person_in_any_table(world):
    """Every sealed personal column of the referrals app (`sealed_columns`), in every row, is empty
    after the service erases the only referral: a new sealed field must be added to the erasure."""
    referral = _fully_delivered(world)
    columns = sealed_columns("referrals", PERSONAL)
    quote = connection.ops.quote_name

    def filled() -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            return [
                (table, column)
                for table, column in columns
                if cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE {quote(column)} IS NOT NULL"  # noqa: S608
                ).fetchone()[0]
            ]

    assert filled() == columns  # every one of them held something before
    services.referral_erase_personal_data(referral=referral)
    assert filled() == []


def _rows(referral: Referral) -> dict:
    """Each row about `referral`, by model: which columns are empty and which hold something, and the
    values the counts need (statuses, dates, attendance, achievement), without ids and moments."""
    kept = ("attendance", "engagement", "achievement", "number_of_sessions", "version", "number", "tell_practitioner")
    models = {
        Referral: Referral.objects.filter(pk=referral.pk),
        **{model: model.objects.filter(**{path: referral}) for model, path, _ in services.PERSONAL_CHILD_FIELDS},
    }
    rows = {}
    for model, rows_of in models.items():
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows[model.__name__] = sorted(
            tuple(
                (name, value in (None, ""), value if name in kept else None)
                for name, value in zip(names, values, strict=True)
            )
            for values in rows_of.values_list(*names)
        )
    return rows


def test_the_bulk_erasure_leaves_rows_exactly_as_the_service_does(world):
    """The national world erases in bulk (`erase_personal_data_in_bulk`); the periodic task one by
    one (`referral_erase_personal_data`): the same fields blanked, the same rows and counts kept."""
    one, other = _fully_delivered(world), _fully_delivered(world)
    counts_before = selectors.referral_counts(contract_ids=[world["contract"].pk])
    services.referral_erase_personal_data(referral=one)
    one.refresh_from_db()
    erased = services.erase_personal_data_in_bulk(
        referrals=Referral.objects.filter(pk__in=[one.pk, other.pk]), now=one.personal_data_erased_at
    )
    assert erased == 1  # the one already erased is left alone
    other.refresh_from_db()
    assert other.personal_data_erased_at == one.personal_data_erased_at
    assert _rows(other) == _rows(one)
    assert Referral.objects.get(pk=other.pk).status == Referral.objects.get(pk=one.pk).status
    assert selectors.referral_counts(contract_ids=[world["contract"].pk]) == counts_before

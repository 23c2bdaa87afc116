"""The audit trail's hash chain, `manage.py verify_audit`, and the database's append-only guard."""

from __future__ import annotations

import secrets
import threading
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory

from audit.models import AuditEvent
from audit.selectors import first_chain_problem
from audit.services import GENESIS_HASH, audit_record, compute_hash, snapshot
from core.middleware import RequestIdMiddleware
from reference.models import ServiceCategory
from reference.services import service_category_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IS_POSTGRES = connection.vendor == "postgresql"


def record(n: int, actor=None) -> AuditEvent:
    return audit_record(
        actor=actor, action="thing.update", object_type="test.thing", object_id=n, before={"n": n - 1}, after={"n": n}
    )


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def verify_fails() -> str:
    with pytest.raises(CommandError) as error:
        verify()
    return str(error.value)


@contextmanager
def as_table_owner():
    """Tamper as someone with full rights over the table would. On PostgreSQL that means first
    switching off the append-only trigger (which the owner can do); SQLite has no such guard."""
    if IS_POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        if IS_POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


# --- The chain -----------------------------------------------------------------------------


def test_each_event_links_to_the_one_before():
    events = [record(n) for n in range(1, 5)]
    assert events[0].prev_hash == GENESIS_HASH
    for earlier, later in zip(events, events[1:], strict=False):
        assert later.prev_hash == earlier.hash
    for event in AuditEvent.objects.all():
        # Stored and read back, the content still gives the same hash.
        assert compute_hash(event.prev_hash, event) == event.hash
    assert len({e.hash for e in events}) == 4


def test_who_and_what_are_recorded():
    user = UserFactory(email="assessor@example.org")
    category = ServiceCategory.objects.get(code="women")
    event = audit_record(actor=user, action="service_category.update", obj=category, after=snapshot(category))
    assert (event.actor_id, event.actor_label) == (user.pk, "assessor@example.org")
    assert (event.object_type, event.object_id, event.object_repr) == (
        "reference.servicecategory",
        str(category.pk),
        "Women",
    )
    system = audit_record(actor="nightly job", action="thing.tidy", object_type="test.thing", object_id=1)
    assert (system.actor_id, system.actor_label) == (None, "nightly job")


def test_snapshots_never_hold_passwords_or_tokens():
    user = UserFactory()
    data = snapshot(user)
    assert "password" not in data
    assert data["email"] == user.email
    assert not [key for key in data if "token" in key or "secret" in key]


def test_recording_a_deleted_object_without_its_id_is_refused():
    category = ServiceCategory.objects.create(code="spare", name="Spare", kind="need")
    category.delete()
    with pytest.raises(ValueError, match="before deleting"):
        audit_record(actor=None, action="service_category.delete", obj=category)


# --- verify_audit ----------------------------------------------------------------------------


def test_verify_audit_succeeds_on_an_intact_chain():
    for n in range(1, 6):
        record(n)
    output = verify()
    assert "Audit trail intact: 5 events checked." in output
    assert AuditEvent.objects.last().hash in output


def test_verify_audit_succeeds_on_an_empty_trail():
    assert "Audit trail intact: 0 events checked." in verify()


def test_verify_audit_checks_in_batches():
    for n in range(1, 8):
        record(n)
    assert first_chain_problem(batch_size=2) is None
    third = AuditEvent.objects.order_by("id")[4]
    with as_table_owner() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'changed' WHERE id = %s", [third.id])
    problem = first_chain_problem(batch_size=2)
    assert (problem.kind, problem.event_id) == ("edited", third.id)


def test_verify_audit_names_an_edited_event():
    events = [record(n) for n in range(1, 5)]
    with as_table_owner() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'thing.delete' WHERE id = %s", [events[1].id])
    message = verify_fails()
    assert message == f"Audit trail broken (edited): Event {events[1].id} was edited after it was written."


@pytest.mark.parametrize("column", ["after", "before", "occurred_at", "actor_label", "request_id", "object_id"])
def test_any_edited_column_is_found(column):
    events = [record(n) for n in range(1, 4)]
    new_value = {
        "after": '{"n": 99}',
        "before": "null",
        "occurred_at": "2020-01-01 00:00:00+00:00" if IS_POSTGRES else "2020-01-01 00:00:00",
        "actor_label": "someone else",
        "request_id": "other",
        "object_id": "7",
    }[column]
    with as_table_owner() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", [new_value, events[2].id])
    problem = first_chain_problem()
    assert (problem.kind, problem.event_id) == ("edited", events[2].id)


def test_an_edited_event_whose_hash_was_recomputed_breaks_the_link_after_it():
    events = [record(n) for n in range(1, 5)]
    target = AuditEvent.objects.get(id=events[1].id)
    target.after = {"n": 42}
    new_hash = compute_hash(target.prev_hash, target)
    with as_table_owner() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET after = %s, hash = %s WHERE id = %s", ['{"n": 42}', new_hash, target.id]
        )
    message = verify_fails()
    assert f"event {events[2].id} links to an event that no longer exists" in message
    assert f"event {events[1].id} was rewritten" in message


def _craft_event(like: AuditEvent, *, event_id: int, prev_hash: str) -> None:
    """A forged event with a correct hash of its own, written straight into the table."""
    forged = AuditEvent(
        id=event_id,
        occurred_at=like.occurred_at,
        actor_label="forger@example.org",
        action="application.accept",
        object_type=like.object_type,
        object_id=like.object_id,
        before=None,
        after={"accepted": True},
        request_id="",
        prev_hash=prev_hash,
    )
    forged.hash = compute_hash(prev_hash, forged)
    forged.save(force_insert=True)


def test_verify_audit_names_an_inserted_event():
    first = record(1)
    # Ids have gaps (rolled-back transactions leave them on PostgreSQL): make one, at the end,
    # where removing an event is invisible to the chain.
    gap = record(2)
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [gap.id])
    later = [record(n) for n in range(3, 6)]
    assert verify().startswith("Audit trail intact: 4 events")
    _craft_event(first, event_id=gap.id, prev_hash=secrets.token_hex(32))
    message = verify_fails()
    assert message.startswith(f"Audit trail broken (inserted): Event {gap.id} was inserted")
    assert f"event {later[0].id} links past it" in message


def test_an_inserted_event_linking_to_an_earlier_one_is_named():
    events = [record(n) for n in range(1, 3)]
    gap = record(3)
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [gap.id])
    tail = record(4)
    # Link to the last event's hash: the only one the unique prev_hash still allows.
    _craft_event(events[0], event_id=gap.id, prev_hash=tail.hash)
    problem = first_chain_problem()
    assert (problem.kind, problem.event_id) == ("inserted", gap.id)


def test_a_forged_event_cannot_claim_a_place_already_taken():
    events = [record(n) for n in range(1, 4)]
    # Splicing in after event 1 means linking to its hash, which event 2 already does.
    with pytest.raises(IntegrityError), transaction.atomic():
        _craft_event(events[0], event_id=events[-1].id + 100, prev_hash=events[0].hash)


def test_verify_audit_names_a_deleted_event():
    events = [record(n) for n in range(1, 5)]
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    message = verify_fails()
    assert message.startswith(
        f"Audit trail broken (deleted): An event between event {events[0].id} and event {events[2].id} was deleted"
    )


def test_deleting_the_first_event_is_found():
    events = [record(n) for n in range(1, 4)]
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[0].id])
    problem = first_chain_problem()
    assert (problem.kind, problem.event_id) == ("deleted", events[1].id)
    assert "the start of the trail" in problem.message


def test_events_deleted_from_the_end_are_found_with_a_recorded_head():
    events = [record(n) for n in range(1, 4)]
    head = events[-1].hash
    assert "Audit trail intact" in verify()
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].id])
    # The chain alone still looks whole; the head printed earlier shows the loss.
    assert "Audit trail intact: 2 events" in verify()
    with pytest.raises(CommandError, match=f"the event with hash {head} recorded earlier is missing"):
        call_command("verify_audit", head=head, stdout=StringIO())


# --- The database guard ------------------------------------------------------------------------


def test_the_database_refuses_update_and_delete_or_verify_audit_shows_them():
    """PostgreSQL: a trigger refuses UPDATE and DELETE. SQLite has no trigger (documented in the
    migration): there the same statements succeed, and verify_audit names the tampering."""
    events = [record(n) for n in range(1, 4)]
    update = ("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [events[0].id])
    delete = ("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    if IS_POSTGRES:
        from django.db import DatabaseError

        for sql, params in (update, delete):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(id=events[2].id).update(action="x")
        assert AuditEvent.objects.count() == 3
        assert "Audit trail intact: 3 events" in verify()
    else:
        with connection.cursor() as cursor:
            cursor.execute(*update)
        assert verify_fails().startswith(f"Audit trail broken (edited): Event {events[0].id}")
        with connection.cursor() as cursor:
            cursor.execute(*delete)
        assert AuditEvent.objects.count() == 2
        assert verify_fails().startswith(f"Audit trail broken (edited): Event {events[0].id}")


# --- Transactions and requests ------------------------------------------------------------------


def test_a_rolled_back_change_leaves_no_event():
    category = ServiceCategory.objects.get(code="women")
    with pytest.raises(RuntimeError), transaction.atomic():
        category.name = "Women and girls"
        service_category_save(actor=None, category=category)
        assert AuditEvent.objects.count() == 1
        raise RuntimeError("something later in the same change failed")
    assert not AuditEvent.objects.exists()
    assert ServiceCategory.objects.get(code="women").name == "Women"
    # The chain carries on from where it was.
    assert record(1).prev_hash == GENESIS_HASH


def test_request_id_from_the_middleware_is_in_events_written_during_the_request():
    written = []

    def view(request):
        written.append(record(1))
        from django.http import HttpResponse

        return HttpResponse("ok")

    middleware = RequestIdMiddleware(view)
    response = middleware(RequestFactory().post("/", headers={"X-Request-ID": "abc-123"}))
    assert response["X-Request-ID"] == "abc-123"
    assert written[0].request_id == "abc-123"
    # A malformed id is replaced by a fresh one, which is still what the event carries.
    response = middleware(RequestFactory().post("/", headers={"X-Request-ID": "bad id\n"}))
    assert written[1].request_id == response["X-Request-ID"] != "bad id\n"
    assert len(written[1].request_id) == 32
    # Outside a request there is no id.
    assert record(3).request_id == ""


# --- Two writers never fork the chain -------------------------------------------------------------


def test_a_second_successor_of_the_same_event_is_refused():
    first = record(1)
    record(2)
    stale = AuditEvent(
        occurred_at=first.occurred_at,
        action="thing.update",
        object_type="test.thing",
        object_id="9",
        prev_hash=first.hash,
    )
    stale.hash = compute_hash(first.hash, stale)
    with pytest.raises(IntegrityError), transaction.atomic():
        stale.save(force_insert=True)


WRITERS = 4
EVENTS_EACH = 10


def _write_events(writer: int) -> None:
    for n in range(EVENTS_EACH):
        with transaction.atomic():
            audit_record(actor=None, action="thing.update", object_type="test.writer", object_id=f"{writer}-{n}")


@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_time_never_fork_the_chain():
    """PostgreSQL: writers in threads, each with its own connection, racing; the advisory lock
    makes them take turns. SQLite allows one writer at a time, so there they write one after another."""
    if IS_POSTGRES:
        start = threading.Barrier(WRITERS)
        errors: list[BaseException] = []

        def run(writer: int) -> None:
            try:
                start.wait()
                _write_events(writer)
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(w,)) for w in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
    else:
        for writer in range(WRITERS):
            _write_events(writer)
    assert AuditEvent.objects.count() == WRITERS * EVENTS_EACH
    assert first_chain_problem() is None
    assert f"Audit trail intact: {WRITERS * EVENTS_EACH} events checked." in verify()
    links = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(links)) == len(links)

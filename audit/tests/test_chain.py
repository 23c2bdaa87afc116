"""The audit trail's hash chain, `manage.py verify_audit`, and the database's append-only guard."""

from __future__ import annotations

import base64
import datetime
import json
import threading
from contextlib import contextmanager
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import RequestFactory

from audit.models import AuditCheckpoint, AuditEvent
from audit.selectors import audit_problems, checkpoint_as_published, first_chain_problem
from audit.services import (
    GENESIS_HASH,
    audit_checkpoint_create,
    audit_record,
    checkpoint_hash,
    compute_hash,
    snapshot,
)
from audit.signing import new_key_pair
from audit.tasks import make_audit_checkpoint
from core.clock import db_now
from core.middleware import RequestIdMiddleware
from reference.models import ServiceCategory
from reference.services import service_category_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IS_POSTGRES = connection.vendor == "postgresql"


MINUTE = datetime.timedelta(minutes=1)


def record(object_id: int, n: int = 1, actor=None) -> AuditEvent:
    """The n-th change to test thing `object_id` (each thing has its own chain)."""
    return audit_record(
        actor=actor,
        action="thing.update",
        object_type="test.thing",
        object_id=object_id,
        before={"n": n - 1},
        after={"n": n},
    )


def verify(**options) -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def verify_fails(**options) -> str:
    with pytest.raises(CommandError) as error:
        verify(**options)
    return str(error.value)


@contextmanager
def as_table_owner():
    """Tamper as someone with full rights over the table would. On PostgreSQL that means first
    switching off the triggers (which the owner can do), and on again after; SQLite has no guard."""
    if IS_POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        if IS_POSTGRES:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


@contextmanager
def as_checkpoint_owner(cursor):
    if IS_POSTGRES:
        cursor.execute("ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER USER")
    try:
        yield cursor
    finally:
        if IS_POSTGRES:
            cursor.execute("ALTER TABLE audit_auditcheckpoint ENABLE TRIGGER USER")


# --- The chain -----------------------------------------------------------------------------


def test_each_event_links_to_the_one_before_in_its_chain():
    events = [record(1, n) for n in range(1, 5)]
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


def test_verify_audit_succeeds_on_an_intact_trail():
    for n in range(1, 6):
        record(n)
    audit_checkpoint_create()
    record(6)
    output = verify()
    assert "Audit trail intact: 6 events checked in 6 chains; 1 signed checkpoints valid." in output
    assert "1 events are newer than the last checkpoint." in output


def test_verify_audit_succeeds_on_an_empty_trail():
    assert "Audit trail intact: 0 events checked in 0 chains; 0 signed checkpoints valid." in verify()


def test_each_object_has_its_own_chain():
    first = audit_record(actor=None, action="thing.update", object_type="test.thing", object_id=1)
    other = audit_record(actor=None, action="thing.update", object_type="test.thing", object_id=2)
    second = audit_record(actor=None, action="thing.update", object_type="test.thing", object_id=1)
    assert (first.chain, first.seq, first.prev_hash) == ("test.thing:1", 1, GENESIS_HASH)
    assert (other.chain, other.seq, other.prev_hash) == ("test.thing:2", 1, GENESIS_HASH)
    assert (second.chain, second.seq, second.prev_hash) == ("test.thing:1", 2, first.hash)


def test_verify_audit_checks_in_batches():
    for n in range(1, 8):
        record(1, n)
    assert first_chain_problem(batch_size=2) is None
    third = AuditEvent.objects.order_by("id")[4]
    with as_table_owner() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'changed' WHERE id = %s", [third.id])
    problem = first_chain_problem(batch_size=2)
    assert (problem.kind, problem.event_id) == ("edited", third.id)


def test_verify_audit_names_an_edited_event():
    events = [record(1, n) for n in range(1, 5)]
    with as_table_owner() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'thing.delete' WHERE id = %s", [events[1].id])
    message = verify_fails()
    assert message == f"Audit trail broken (edited): Event {events[1].id} was edited after it was written."


@pytest.mark.parametrize(
    "column", ["after", "before", "occurred_at", "actor_label", "request_id", "object_id", "chain", "seq"]
)
def test_any_edited_column_is_found(column):
    events = [record(1, n) for n in range(1, 4)]
    new_value = {
        "after": '{"n": 99}',
        "before": "null",
        "occurred_at": "2020-01-01 00:00:00+00:00" if IS_POSTGRES else "2020-01-01 00:00:00",
        "actor_label": "someone else",
        "request_id": "other",
        "object_id": "7",
        "chain": "test.thing:1 ",
        "seq": 9,
    }[column]
    with as_table_owner() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", [new_value, events[2].id])
    problem = first_chain_problem()
    assert (problem.kind, problem.event_id) == ("edited", events[2].id)


def test_verify_audit_names_a_deleted_event():
    events = [record(1, n) for n in range(1, 5)]
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    message = verify_fails()
    assert message.startswith(f"Audit trail broken (deleted): Event {events[2].id} is number 3 of test.thing:1")


def test_deleting_the_first_event_is_found():
    events = [record(1, n) for n in range(1, 4)]
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[0].id])
    problem = first_chain_problem()
    assert (problem.kind, problem.event_id) == ("deleted", events[1].id)


def test_events_deleted_from_the_end_are_found_with_a_recorded_head():
    events = [record(1, n) for n in range(1, 4)]
    head = events[-1].hash
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].id])
    assert "Audit trail intact: 2 events" in verify()
    with pytest.raises(CommandError, match=f"the event with hash {head} recorded earlier is missing"):
        call_command("verify_audit", head=head, stdout=StringIO())


# --- Tampering by someone who controls the database (each caught by a signed checkpoint) -----------


def _rehash_chain_from(chain: str, seq: int, cursor) -> None:
    """What a careful forger does after changing an event: recompute every later hash in the chain,
    so that the chain on its own looks whole again."""
    events = list(AuditEvent.objects.filter(chain=chain, seq__gte=seq).order_by("seq"))
    previous = AuditEvent.objects.filter(chain=chain, seq__lt=seq).order_by("-seq").first()
    prev_hash = previous.hash if previous else GENESIS_HASH
    for event in events:
        event.prev_hash = prev_hash
        event.hash = compute_hash(prev_hash, event)
        cursor.execute(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [event.prev_hash, event.hash, event.id],
        )
        prev_hash = event.hash


def test_an_edit_with_every_later_hash_recomputed_is_found_by_the_checkpoint():
    events = [record(1, n) for n in range(1, 5)]
    audit_checkpoint_create()
    with as_table_owner() as cursor:
        cursor.execute("UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"n": 42}', events[1].id])
        _rehash_chain_from("test.thing:1", 2, cursor)
    assert [p.kind for p in audit_problems()] == ["rewritten"]
    assert "Event 4 of test.thing:1 is not the one signed in checkpoint 1" in verify_fails()


def test_a_deletion_with_the_chain_renumbered_and_rehashed_is_found():
    events = [record(1, n) for n in range(1, 5)]
    audit_checkpoint_create()
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
        for later in events[2:]:
            cursor.execute("UPDATE audit_auditevent SET seq = seq - 1 WHERE id = %s", [later.id])
        _rehash_chain_from("test.thing:1", 2, cursor)
    kinds = {p.kind for p in audit_problems()}
    assert "deleted" in kinds and "edited" not in kinds


def test_events_deleted_from_the_end_after_a_checkpoint_are_found():
    events = [record(1, n) for n in range(1, 4)]
    audit_checkpoint_create()
    with as_table_owner() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].id])
    assert "Event 3 of test.thing:1, signed in checkpoint 1, is no longer in the trail" in verify_fails()


def test_a_forged_backdated_event_is_found():
    record(1)
    audit_checkpoint_create(now=db_now() + datetime.timedelta(hours=2))
    forged = AuditEvent(
        occurred_at=db_now() - datetime.timedelta(days=3),
        actor_label="forger@example.org",
        action="award.approve",
        object_type="test.thing",
        object_id="99",
        chain="test.thing:99",
        seq=1,
        prev_hash=GENESIS_HASH,
    )
    forged.hash = compute_hash(GENESIS_HASH, forged)
    forged.save(force_insert=True)
    assert [p.kind for p in audit_problems()] == ["backdated"]


def test_events_written_after_the_last_checkpoint_are_not_called_backdated():
    record(1)
    audit_checkpoint_create()
    record(1, 2)
    record(2)
    assert audit_problems() == []


def test_an_event_appended_to_a_chain_and_backdated_is_found():
    first = record(1)
    audit_checkpoint_create(now=db_now() + datetime.timedelta(hours=2))
    forged = AuditEvent(
        occurred_at=first.occurred_at,
        actor_label="forger@example.org",
        action="thing.update",
        object_type="test.thing",
        object_id="1",
        chain="test.thing:1",
        seq=2,
        prev_hash=first.hash,
    )
    forged.hash = compute_hash(first.hash, forged)
    forged.save(force_insert=True)
    assert [p.kind for p in audit_problems()] == ["backdated"]


def test_emptying_the_trail_is_found_not_called_intact():
    for n in range(1, 4):
        record(n)
    audit_checkpoint_create()
    if IS_POSTGRES:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")
        assert AuditEvent.objects.count() == 3
    with as_table_owner() as cursor:
        cursor.execute("TRUNCATE audit_auditevent" if IS_POSTGRES else "DELETE FROM audit_auditevent")
    message = verify_fails()
    assert "Audit trail broken (deleted)" in message
    assert "intact" not in message


def test_switching_off_or_dropping_a_guard_is_found():
    record(1)
    audit_checkpoint_create()
    if not IS_POSTGRES:
        # SQLite has no triggers to switch off (the migration says so): the chain and checkpoints guard it.
        assert audit_problems() == []
        return
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_truncate")
    assert [p.kind for p in audit_problems()] == ["guard"]
    assert "audit_event_no_truncate that guards audit_auditevent was switched off" in verify_fails()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_truncate")
    assert audit_problems() == []


def _published(tmp_path) -> str:
    path = tmp_path / "kept.json"
    path.write_text(json.dumps([checkpoint_as_published(c) for c in AuditCheckpoint.objects.all()]))
    return str(path)


def test_a_forged_checkpoint_fails_its_signature():
    record(1)
    checkpoint = audit_checkpoint_create()
    with as_table_owner() as cursor, as_checkpoint_owner(cursor):
        cursor.execute("UPDATE audit_auditcheckpoint SET event_count = 0 WHERE id = %s", [checkpoint.id])
    assert {p.kind for p in audit_problems()} == {"checkpoint"}
    # Rehashing it does not help without the key; signing it with another key does not either.
    checkpoint.refresh_from_db()
    private, _public = new_key_pair()
    other = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private))
    new_hash = checkpoint_hash(checkpoint)
    signature = base64.b64encode(other.sign(new_hash.encode())).decode()
    with as_table_owner() as cursor, as_checkpoint_owner(cursor):
        cursor.execute(
            "UPDATE audit_auditcheckpoint SET hash = %s, signature = %s WHERE id = %s",
            [new_hash, signature, checkpoint.id],
        )
    assert [p.kind for p in audit_problems()] == ["signature"]


def test_checkpoints_deleted_from_the_database_are_found_from_copies_kept_outside(tmp_path):
    events = [record(1, n) for n in range(1, 4)]
    audit_checkpoint_create()
    kept = _published(tmp_path)
    assert "1 kept copies match" in verify(checkpoints=kept)
    # The forger rewrites the chain and removes the checkpoint that would show it.
    with as_table_owner() as cursor, as_checkpoint_owner(cursor):
        cursor.execute("UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"n": 7}', events[0].id])
        _rehash_chain_from("test.thing:1", 1, cursor)
        cursor.execute("DELETE FROM audit_auditcheckpoint")
    assert "Audit trail intact" in verify()  # with nothing kept outside, nothing shows it
    with pytest.raises(CommandError, match="Checkpoint 1 kept outside the service is missing or different here"):
        verify(checkpoints=kept)


def test_a_checkpoint_is_made_only_when_something_changed():
    record(1)
    first = audit_checkpoint_create()
    assert first.number == 1 and first.heads == [["test.thing:1", 1, AuditEvent.objects.get().hash]]
    assert audit_checkpoint_create() is None
    record(2)
    second = audit_checkpoint_create()
    assert second.number == 2 and second.prev_hash == first.hash
    assert [head[0] for head in second.heads] == ["test.thing:1", "test.thing:2"]


def test_a_checkpoint_covers_an_event_committed_after_the_checkpoint_before_it():
    """A transaction may commit a moment after a checkpoint although its event is dated before it:
    the next checkpoint still covers it, so it is never called backdated."""
    record(1)
    first = audit_checkpoint_create()
    late = audit_record(
        actor=None, action="thing.update", object_type="test.thing", object_id=5, at=first.created_at - MINUTE
    )
    second = audit_checkpoint_create(now=first.created_at + datetime.timedelta(hours=2))
    assert ["test.thing:5", 1, late.hash] in second.heads
    assert audit_problems() == []


def test_the_checkpoint_task_runs_on_the_timetable():
    assert ("audit.tasks.make_audit_checkpoint", 300) in settings.PERIODIC_TASKS
    record(1)
    make_audit_checkpoint.enqueue()
    assert AuditCheckpoint.objects.count() == 1


def test_a_checkpoint_needs_the_key(settings):
    record(1)
    settings.AUDIT_SIGNING_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="AUDIT_SIGNING_KEY"):
        audit_checkpoint_create()


# --- The database guard ------------------------------------------------------------------------


def test_the_database_refuses_update_and_delete_or_verify_audit_shows_them():
    """PostgreSQL: a trigger refuses UPDATE and DELETE. SQLite has no trigger (documented in the
    migration): there the same statements succeed, and verify_audit names the tampering."""
    events = [record(1, n) for n in range(1, 4)]
    update = ("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [events[0].id])
    delete = ("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    if IS_POSTGRES:
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

    def change_that_fails_later():
        with transaction.atomic():
            category.name = "Women and girls"
            service_category_save(actor=None, category=category)
            assert AuditEvent.objects.count() == 1
            raise RuntimeError("something later in the same change failed")

    with pytest.raises(RuntimeError, match="something later"):
        change_that_fails_later()
    assert not AuditEvent.objects.exists()
    assert ServiceCategory.objects.get(code="women").name == "Women"
    # The chain carries on from where it was.
    assert record(1).prev_hash == GENESIS_HASH
    assert record(1, 2).seq == 2


def _request_ids_written(settings, trust: bool, header: str) -> tuple[str, str]:
    settings.TRUST_REQUEST_ID_HEADER = trust
    written = []

    def view(request):
        written.append(record(1))
        from django.http import HttpResponse

        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().post("/", headers={"X-Request-ID": header}))
    return written[0].request_id, response["X-Request-ID"]


def test_a_clients_request_id_is_never_written_into_the_trail(settings):
    """By default the header is the client's to choose: the service makes its own id."""
    in_event, echoed = _request_ids_written(settings, False, "abc-123")
    assert in_event == echoed != "abc-123"
    assert len(in_event) == 32


def test_a_request_id_from_a_trusted_proxy_is_in_events_written_during_the_request(settings):
    assert _request_ids_written(settings, True, "abc-123") == ("abc-123", "abc-123")
    # A malformed id is replaced by a fresh one, which is still what the event carries.
    in_event, echoed = _request_ids_written(settings, True, "bad id\n")
    assert in_event == echoed != "bad id\n"
    assert len(in_event) == 32
    # Outside a request there is no id.
    assert record(3).request_id == ""


# --- Writers never fork a chain, and writers of different objects never wait for each other -------


def test_a_second_event_in_the_same_place_of_a_chain_is_refused():
    first = record(1)
    record(1, 2)
    stale = AuditEvent(
        occurred_at=first.occurred_at,
        action="thing.update",
        object_type="test.thing",
        object_id="1",
        chain="test.thing:1",
        seq=2,
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
            # Half the writes go to one shared object, half to the writer's own.
            object_id = "shared" if n % 2 else f"own-{writer}"
            audit_record(actor=None, action="thing.update", object_type="test.writer", object_id=object_id)


def _in_threads(target, count: int) -> list[BaseException]:
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait()
            target(index)
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_time_never_fork_a_chain():
    """PostgreSQL: writers in threads, each with its own connection, racing; the advisory lock on a
    chain makes writers of the same object take turns. SQLite allows one writer at a time."""
    if IS_POSTGRES:
        assert not _in_threads(_write_events, WRITERS)
    else:
        for writer in range(WRITERS):
            _write_events(writer)
    assert AuditEvent.objects.count() == WRITERS * EVENTS_EACH
    assert AuditEvent.objects.filter(chain="test.writer:shared").count() == WRITERS * EVENTS_EACH // 2
    assert first_chain_problem() is None
    assert f"Audit trail intact: {WRITERS * EVENTS_EACH} events checked in {WRITERS + 1} chains" in verify()


@pytest.mark.django_db(transaction=True)
def test_a_writer_of_one_object_does_not_wait_for_a_writer_of_another():
    """While one transaction that wrote an event about object A is still open, an event about
    object B is written at once (PostgreSQL: a lock timeout would fail it); one about A waits."""
    if not IS_POSTGRES:
        # SQLite has one writer at a time by design; what lets PostgreSQL's writers of different
        # objects go at once is that their events never share a chain.
        a = audit_record(actor=None, action="thing.update", object_type="test.thing", object_id="A")
        b = audit_record(actor=None, action="thing.update", object_type="test.thing", object_id="B")
        assert (a.chain, a.seq, b.chain, b.seq) == ("test.thing:A", 1, "test.thing:B", 1)
        return
    holding = threading.Event()
    release = threading.Event()

    def hold_a() -> None:
        with transaction.atomic():
            audit_record(actor=None, action="thing.update", object_type="test.thing", object_id="A")
            holding.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold_a)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            audit_record(actor=None, action="thing.update", object_type="test.thing", object_id="B")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
            with pytest.raises(DatabaseError, match="lock timeout"):
                audit_record(actor=None, action="thing.update", object_type="test.thing", object_id="A")
    finally:
        release.set()
        holder.join(timeout=30)
    assert AuditEvent.objects.filter(chain="test.thing:A").count() == 1

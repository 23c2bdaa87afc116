"""/healthz (the process is alive) and /readyz (send it traffic) for load balancers and supervisors."""

import datetime

import pytest
from django.db import OperationalError
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _waiting_task(*, enqueued_ago: datetime.timedelta, run_after=None) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="core.tests.probe_tasks.note_run",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - enqueued_ago)
    return task


def test_healthz_answers_anyone_without_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_ready_when_the_database_answers_migrations_are_applied_and_tasks_keep_up(client, settings):
    settings.READY_MAX_TASK_AGE_SECONDS = 600
    _waiting_task(enqueued_ago=datetime.timedelta(seconds=30))
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": 0}
    assert body["checks"]["tasks"]["ok"] is True
    assert 25 <= body["checks"]["tasks"]["oldest_waiting_seconds"] < 600
    assert "no-store" in response["Cache-Control"]
    assert client.head("/readyz").status_code == 200
    assert not AuditEvent.objects.exists()


def test_readyz_is_not_ready_while_a_migration_is_not_applied(client, monkeypatch):
    """A server started with new code before `migrate` ran must not take traffic."""
    plan = MigrationExecutor.migration_plan

    def one_unapplied(self, targets, clean_start=False):
        applied = plan(self, targets, clean_start=clean_start)
        assert applied == []
        return [(self.loader.graph.nodes[("audit", "0001_initial")], False)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", one_unapplied)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["checks"]["migrations"] == {"ok": False, "unapplied": 1}
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_not_ready_when_the_oldest_waiting_task_has_waited_too_long(client, settings):
    settings.READY_MAX_TASK_AGE_SECONDS = 600
    _waiting_task(enqueued_ago=datetime.timedelta(seconds=30))
    _waiting_task(enqueued_ago=datetime.timedelta(hours=2))
    response = client.get("/readyz")
    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert tasks["ok"] is False and tasks["limit_seconds"] == 600
    assert 7200 <= tasks["oldest_waiting_seconds"] < 7300


def test_a_task_waits_from_the_time_it_was_to_run_after_not_from_when_it_was_enqueued(client, settings):
    settings.READY_MAX_TASK_AGE_SECONDS = 600
    now = timezone.now()
    # Enqueued long ago to run later: it has waited for a worker only since that time came.
    _waiting_task(enqueued_ago=datetime.timedelta(days=3), run_after=now - datetime.timedelta(seconds=60))
    # Not due yet: not waiting at all.
    _waiting_task(enqueued_ago=datetime.timedelta(days=3), run_after=now + datetime.timedelta(hours=1))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert 55 <= response.json()["checks"]["tasks"]["oldest_waiting_seconds"] < 600


def test_finished_tasks_do_not_count_however_old(client, settings):
    settings.READY_MAX_TASK_AGE_SECONDS = 600
    task = _waiting_task(enqueued_ago=datetime.timedelta(days=3))
    DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL")
    assert client.get("/readyz").json()["checks"]["tasks"]["oldest_waiting_seconds"] == 0


def test_readyz_is_not_ready_when_the_database_does_not_answer(client, monkeypatch):
    from core import health

    class Unreachable:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "checks": {"database": {"ok": False}}}

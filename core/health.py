"""What /readyz asks before a load balancer sends this web server traffic.

Ready means: the database answers, every migration this code knows is applied (a server started
with new code before `migrate` ran must wait), and the task workers are keeping up (the oldest task
waiting for a worker has waited less than READY_MAX_TASK_AGE_SECONDS). Each check says what it
found, so whoever reads a 503 sees which one failed.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Min, Q
from django_tasks_db.models import DBTaskResult, get_date_max

from core.clock import db_now


def database_reachable() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return {"ok": False}
    return {"ok": True}


def migrations_applied() -> dict:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"ok": not plan, "unapplied": len(plan)}


def oldest_waiting_task_seconds(now: datetime.datetime) -> float:
    """How long the oldest task ready to run has waited for a worker: since it was enqueued, or
    since the time it was to run after, if it had one."""
    never = get_date_max()
    oldest = DBTaskResult.objects.ready().aggregate(
        enqueued=Min("enqueued_at", filter=Q(run_after=never)),
        due=Min("run_after", filter=~Q(run_after=never)),
    )
    since = min((moment for moment in oldest.values() if moment is not None), default=None)
    return 0.0 if since is None else max(0.0, (now - since).total_seconds())


def task_backlog() -> dict:
    waited = oldest_waiting_task_seconds(db_now())
    limit = settings.READY_MAX_TASK_AGE_SECONDS
    return {"ok": waited < limit, "oldest_waiting_seconds": round(waited), "limit_seconds": limit}


def readiness() -> tuple[bool, dict]:
    """Whether this server is ready, and what each check found. With no database the others are not asked."""
    checks = {"database": database_reachable()}
    if checks["database"]["ok"]:
        try:
            checks["migrations"] = migrations_applied()
            checks["tasks"] = task_backlog()
        except DatabaseError:
            checks["database"] = {"ok": False}
    return all(check["ok"] for check in checks.values()), checks

"""Send the public read pages' queries to a read replica, when one is configured.

A national deployment may add a PostgreSQL replica (DATABASE_REPLICA_URL, alias "replica") to take
the public insight, register and open-data pages' reads off the primary. Only code that runs inside
`replica_reads()` reads from it (core.middleware.ReplicaReadsMiddleware runs the pages named in
settings.REPLICA_READ_ROUTES so): those pages show
what anyone may see, so a replica a moment behind shows the same as the primary did a moment ago.
Every write, and every other read (a bid, a score, a sign-in), goes to "default": a person must see
what they have just done.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.db import connections

REPLICA = "replica"

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_reads_set() -> contextvars.Token:
    return _replica_reads.set(True)


def replica_reads_reset(token: contextvars.Token) -> None:
    _replica_reads.reset(token)


@contextmanager
def replica_reads():
    """Reads inside this block go to the replica (if there is one)."""
    token = replica_reads_set()
    try:
        yield
    finally:
        replica_reads_reset(token)


class ReplicaRouter:
    """Reads inside replica_reads() go to the replica; everything else to the default database.

    Writes name "default" outright: left to Django, a write of an object read from the replica
    would go back to the database it came from."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        return REPLICA if _replica_reads.get() else "default"

    def db_for_write(self, model, **hints):
        return "default" if replica_configured() else None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return {obj1._state.db, obj2._state.db} <= {"default", REPLICA, None} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema; migrations run on the primary only.
        return False if db == REPLICA else None

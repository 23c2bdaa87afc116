"""The audit table as the service's change log: every state change writes an audit event in its own
transaction, so "has anything changed?" is a question about the newest events (ADRs 8 and 10).

`data_version` reads the newest `RECENT_EVENTS` ids, backwards along the primary key's index, in one
query: the newest id, the oldest of them and how many there are. An id is taken when an event is
written, not when its transaction commits, so an earlier id can commit after a later one has been
seen: it then joins the newest ids and the oldest or the count moves. It is missed only if every one
of its transaction's events is older than the newest `RECENT_EVENTS` when it commits; the maximum age
of a kept answer bounds that case (core/pagecache.py). Registered with `core.pagecache` (core cannot
import this app), which keeps public answers under it.

The read is the cost of every kept answer, so it is measured (ADR 10): on PostgreSQL, 10,000 ids
took 1.5-2.2 ms (recent rows not yet all-visible need heap fetches), 1,000 ids 0.2 ms; written as
`id > newest - N` the planner cannot estimate the bound and chose a parallel plan (about 15 ms).
"""

from __future__ import annotations

from django.db import connections, router

from audit.models import AuditEvent

# How many of the newest audit events are read for the version. An audited write commits within
# moments of writing its last event; to be missed, 1,000 other audited events would have to commit in
# those moments (a deadline rush is tens of audited writes a second).
RECENT_EVENTS = 1_000


def data_version() -> str:
    table = connections[router.db_for_read(AuditEvent)].ops.quote_name(AuditEvent._meta.db_table)
    with connections[router.db_for_read(AuditEvent)].cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(id), MIN(id), COUNT(*) FROM (SELECT id FROM {table} ORDER BY id DESC LIMIT %s) recent",  # noqa: S608 - the table name is the model's, quoted
            [RECENT_EVENTS],
        )
        newest, oldest, count = cursor.fetchone()
    return f"{newest or 0}.{oldest or 0}.{count}"

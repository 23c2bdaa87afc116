"""The audit table as the service's change log: every state change writes an audit event in its own
transaction, so "has anything changed?" is a question about the newest events (ADR 8, ADR 10).

`data_version` is the newest event's id and how many events have ids in the `RECENT_EVENTS` below
it, in one query over the primary key's index. An id is taken when an event is written, not when its
transaction commits, so an earlier id can commit after a later one has been seen: the count notices
it. Registered with `core.pagecache` (core cannot import this app), which keeps public answers under
it.
"""

from __future__ import annotations

from django.db.models import Count, Max, Subquery

from audit.models import AuditEvent

# How far below the newest audit event an uncommitted one may be and still be noticed when it
# commits: more audited writes than this would have to commit while one transaction stays open.
RECENT_EVENTS = 10_000


def data_version() -> str:
    newest = AuditEvent.objects.order_by("-id").values("id")[:1]
    row = AuditEvent.objects.filter(id__gt=Subquery(newest) - RECENT_EVENTS).aggregate(
        newest=Max("id"), recent=Count("id")
    )
    return f"{row['newest'] or 0}.{row['recent']}"

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

**Only events that may change a public answer count.** Deny by default: every action moves the
version unless the app that writes it declares it private (`declare_private`, from its
`AppConfig.ready`, with the tuple kept next to the services that write the actions). A private action
is one that changes nothing any kept public page or public API read shows: a sign-in, an e-mail sent,
a second factor, a bid's drafts, sending and withdrawal (bids are sealed: every public read counts
or shows a bid only once its competition's bidding has closed; the closing instant, and a minute
after it for a bid committed late, expire kept answers: competitions/instants.py). Whether an event
counts is written with it (`AuditEvent.public_change`, not part of its hash), and a partial index on
the ids of those that count keeps the read one backwards index scan.
`core/tests/test_pagecache_private_actions.py` performs each private action through its service and
checks that every public answer is byte-identical after it.
"""

from __future__ import annotations

from django.db import connections, router

from audit.models import AuditEvent

# How many of the newest audit events are read for the version. An audited write commits within
# moments of writing its last event; to be missed, 1,000 other audited events would have to commit in
# those moments (a deadline rush is tens of audited writes a second).
RECENT_EVENTS = 1_000

# Actions that change no public answer, as the apps that write them declare them.
_private_actions: set[str] = set()


def declare_private(*actions: str) -> None:
    """Declare audit actions that change nothing a kept public answer shows (see the docstring).
    Called by the owning app's AppConfig.ready, so the declaration is in place before any write."""
    _private_actions.update(actions)


def private_actions() -> frozenset[str]:
    return frozenset(_private_actions)


def changes_public(action: str) -> bool:
    """Whether an event with this action moves the data version: true unless declared private."""
    return action not in _private_actions


def data_version() -> str:
    connection = connections[router.db_for_read(AuditEvent)]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    # Written as the partial index's own condition, so each planner uses that index (SQLite matches
    # the condition's text: it would not use it for `public_change` alone, or a parameter).
    counts = "public_change" if connection.vendor == "postgresql" else "public_change = 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(id), MIN(id), COUNT(*) FROM (SELECT id FROM {table} WHERE {counts} ORDER BY id DESC LIMIT %s) recent",  # noqa: S608 - the table name is the model's, quoted; the condition a constant
            [RECENT_EVENTS],
        )
        newest, oldest, count = cursor.fetchone()
    return f"{newest or 0}.{oldest or 0}.{count}"

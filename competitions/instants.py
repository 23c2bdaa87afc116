"""The instants at which time alone changes the answer of a competition rule (competitions/rules.py),
for answers kept between requests (core/pagecache.py, ADR 10).

A rule that compares a column with the clock changes its answer when the clock reaches that
column's value: bidding closes at `closes_at` (BIDDING_OPEN, BIDDING_CLOSED, OPEN_OR_PLANNED), late
invitations stop at `clarification_deadline` (LATE_INVITATIONS_OPEN), an award becomes final when
its waiting period ends at `standstill_ends_at` (AWARD_FINAL). The stages of a competition and its
lots (selectors/status.py) are built from these rules.

Recorded moments (planning, launch, cancellation, approval, challenge) are set by the services to
the database clock's now, with an audit event, so they are normally already past. One in the future
(a hand edit, a generated world) still changes answers when it passes: open data shows an event only
once it has happened (opendata/history.py). So they count as instants too; it costs nothing when
none is ahead.
"""

from __future__ import annotations

import datetime

from django.db.models import Min, Q

from competitions.models import Award, Competition, Lot

# Set in advance and compared with the clock by the rules.
DEADLINES = {
    Competition: ("clarification_deadline", "closes_at"),
    Award: ("standstill_ends_at",),
}
# Recorded when they happen (normally in the past).
RECORDED = {
    Competition: ("planned_at", "launched_at", "abandoned_at"),
    Lot: ("abandoned_at",),
    Award: ("recommended_at", "approved_at", "challenged_at", "challenge_resolved_at", "cancelled_at"),
}


def next_instant_after(after: datetime.datetime) -> datetime.datetime | None:
    """The first instant strictly after `after` at which a competition rule may change its answer.
    One query per model."""
    found = []
    for model in (Competition, Lot, Award):
        fields = DEADLINES.get(model, ()) + RECORDED.get(model, ())
        row = model.objects.aggregate(**{name: Min(name, filter=Q(**{f"{name}__gt": after})) for name in fields})
        found += [value for value in row.values() if value is not None]
    return min(found) if found else None

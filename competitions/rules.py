"""The competition rules other apps rely on, each written once (see `core.rules`).

Every place that asks one of these questions — pages, services, the sealed-bid permission, open
data, insights, the public registers, the national data generator — uses these rules, through the
queryset methods and model predicates in `competitions.models` or, inside another query, through
`rule.q(prefix=...)`. Nobody retypes them as their own `Q` or `if`.
"""

from __future__ import annotations

from django.db.models import Q

from core.rules import Rule

# Bidding has closed: from the closing date's instant on (by the database server's clock), for an
# opportunity that was launched. Bids may then be read by the competition team, and never change.
BIDDING_CLOSED = Rule("bidding has closed", lambda now: Q(launched_at__isnull=False, closes_at__lte=now))

# Open for bids: launched, not cancelled, and the closing date still ahead.
BIDDING_OPEN = Rule(
    "open for bids", lambda now: Q(launched_at__isnull=False, abandoned_at__isnull=True, closes_at__gt=now)
)

# Organisations that qualified after launch may still be invited: launched, not cancelled, and
# the last day for questions still ahead (from its instant on, it has passed).
LATE_INVITATIONS_OPEN = Rule(
    "late invitations open",
    lambda now: Q(launched_at__isnull=False, abandoned_at__isnull=True, clarification_deadline__gt=now),
)

# Published as planned (the public pipeline) but not yet launched.
PLANNED = Rule("planned", lambda now: Q(planned_at__isnull=False, launched_at__isnull=True), uses_clock=False)

# Made public: published as planned, or launched. Drafts never are; a cancelled competition stays
# public (with its cancellation). The public registers and open data show these and nothing else.
MADE_PUBLIC = Rule(
    "made public", lambda now: Q(planned_at__isnull=False) | Q(launched_at__isnull=False), uses_clock=False
)

# Announced and going ahead: published as planned or launched, and not cancelled. Its lots' estimated
# values are public figures, and it may follow on from a contract ending in the same place.
ANNOUNCED = Rule("announced", lambda now: MADE_PUBLIC.q() & Q(abandoned_at__isnull=True), uses_clock=False)

# Open or planned: what an organisation could still bid for, now or once it opens. Not cancelled.
OPEN_OR_PLANNED = Rule(
    "open or planned",
    lambda now: (PLANNED.q() & Q(abandoned_at__isnull=True)) | BIDDING_OPEN.q(now=now),
)

# A sent bid: submitted and not withdrawn since. Only sent bids are ever read, scored or counted.
SENT = Rule("a sent bid", lambda now: Q(submitted_at__isnull=False, withdrawn_at__isnull=True), uses_clock=False)

# The award is final: a direct award, or one approved, not paused by an unresolved challenge, and
# whose waiting period (standstill) has ended; never a cancelled one. A contract may follow.
AWARD_FINAL = Rule(
    "the award is final",
    lambda now: (
        Q(cancelled_at__isnull=True)
        & (
            Q(bid__isnull=True, direct_organisation__isnull=False)
            | (
                Q(approved_at__isnull=False)
                & ~Q(challenged_at__isnull=False, challenge_resolved_at__isnull=True)
                & (Q(standstill_ends_at__isnull=True) | Q(standstill_ends_at__lte=now))
            )
        )
    ),
)

# The award is published: approved (or a direct award), not cancelled. Results may be shown.
AWARD_PUBLISHED = Rule(
    "the award is published",
    lambda now: (
        Q(cancelled_at__isnull=True)
        & (Q(approved_at__isnull=False) | Q(bid__isnull=True, direct_organisation__isnull=False))
    ),
    uses_clock=False,
)

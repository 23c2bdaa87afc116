"""Where a referral stands, from its timestamps (ADR 2), each rule written once (`core.rules`):
the lists filter with `rule.q()`, a referral in memory is asked `rule.holds(referral)`, and
`status_of` reads the same rules in order. `referrals/tests/test_rules.py` checks both ways agree
at every edge.

- draft: not sent, not cancelled;
- sent: with the provider, no caseworker yet;
- assigned: a caseworker has it; no action plan approved yet;
- in progress: an action plan approved;
- ended early: the practitioner ended it after it was sent (the provider still reports);
- cancelled: the practitioner cancelled it before the work started;
- completed: the provider's end-of-service report sent, not ended early.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case, CharField, Q, Value, When

from core.rules import Rule

DRAFT = "draft"
SENT = "sent"
ASSIGNED = "assigned"
IN_PROGRESS = "in_progress"
ENDED_EARLY = "ended_early"
CANCELLED = "cancelled"
COMPLETED = "completed"

STATUS_LABELS = {
    DRAFT: "Draft",
    SENT: "Sent",
    ASSIGNED: "Caseworker assigned",
    IN_PROGRESS: "In progress",
    ENDED_EARLY: "Ended early",
    CANCELLED: "Cancelled",
    COMPLETED: "Completed",
}

_OPEN = Q(cancelled_at__isnull=True, ended_at__isnull=True, concluded_at__isnull=True)

REFERRAL_DRAFT = Rule(
    "a draft referral", lambda now: Q(sent_at__isnull=True, cancelled_at__isnull=True), uses_clock=False
)
REFERRAL_CANCELLED = Rule("a cancelled referral", lambda now: Q(cancelled_at__isnull=False), uses_clock=False)
REFERRAL_ENDED_EARLY = Rule("a referral ended early", lambda now: Q(ended_at__isnull=False), uses_clock=False)
REFERRAL_COMPLETED = Rule(
    "a completed referral",
    lambda now: Q(concluded_at__isnull=False, ended_at__isnull=True, cancelled_at__isnull=True),
    uses_clock=False,
)
REFERRAL_IN_PROGRESS = Rule(
    "a referral in progress", lambda now: _OPEN & Q(plan_approved_at__isnull=False), uses_clock=False
)
REFERRAL_ASSIGNED = Rule(
    "a referral with a caseworker, no plan approved yet",
    lambda now: _OPEN & Q(assigned_at__isnull=False, plan_approved_at__isnull=True),
    uses_clock=False,
)
REFERRAL_SENT = Rule(
    "a referral sent, no caseworker yet",
    lambda now: _OPEN & Q(sent_at__isnull=False, assigned_at__isnull=True),
    uses_clock=False,
)

# Sent and not yet over: the provider still works on it (sessions may be recorded, a plan approved).
REFERRAL_OPEN = Rule("a referral still open", lambda now: _OPEN & Q(sent_at__isnull=False), uses_clock=False)

# The provider still has work on it: sent, not cancelled, its end-of-service report not sent. A
# referral ended early stays here until its report is sent (the provider still writes it).
REFERRAL_WITH_PROVIDER = Rule(
    "a referral the provider still has work on",
    lambda now: Q(sent_at__isnull=False, cancelled_at__isnull=True, concluded_at__isnull=True),
    uses_clock=False,
)


def with_partner(referral) -> bool:
    """The prime gave the work to a partner (and has not taken it back): the organisation doing the
    work is not the contract's prime. Asked by the assignment services, the provider's pages and the
    inbox's rows; nothing filters on it in SQL, so it has no queryset half."""
    return referral.provider_id != referral.prime_id


# Over: cancelled, ended early or completed (the provider inbox's "ended" list).
REFERRAL_CLOSED = Rule(
    "a referral over",
    lambda now: Q(cancelled_at__isnull=False) | Q(ended_at__isnull=False) | Q(concluded_at__isnull=False),
    uses_clock=False,
)

# In the order `status_of` asks them: the first that holds is the status.
STATUS_RULES = [
    (CANCELLED, REFERRAL_CANCELLED),
    (ENDED_EARLY, REFERRAL_ENDED_EARLY),
    (COMPLETED, REFERRAL_COMPLETED),
    (DRAFT, REFERRAL_DRAFT),
    (IN_PROGRESS, REFERRAL_IN_PROGRESS),
    (ASSIGNED, REFERRAL_ASSIGNED),
    (SENT, REFERRAL_SENT),
]
BY_STATUS = dict(STATUS_RULES)


def status_of(referral) -> str:
    for status, rule in STATUS_RULES:
        if rule.holds(referral):
            return status
    raise ValueError("A referral matches no status")  # the constraints make this unreachable


def status_expression() -> Case:
    """The status as SQL, from the same rules in the same order as `status_of`: a list annotates it
    (`Referral.status` then reads the annotation) instead of asking every row in Python."""
    return Case(*(When(rule.q(), then=Value(status)) for status, rule in STATUS_RULES), output_field=CharField())


def status_q(status: str) -> Q:
    """The referrals with this status, as a filter (the same rules)."""
    return BY_STATUS[status].q()


def retention_cutoff(now):
    """The instant `settings.REFERRAL_RETENTION_YEARS` years before `now` (29 February → 28th)."""
    years = settings.REFERRAL_RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


# Personal data due for erasure: over (cancelled, ended early or concluded) before the cut-off,
# or a draft never sent and last changed before it (kept no longer than a referral that was sent),
# not erased yet.
RETENTION_DUE = Rule(
    "a referral whose personal data is due for erasure",
    lambda now: (
        (
            Q(cancelled_at__lt=retention_cutoff(now))
            | Q(ended_at__lt=retention_cutoff(now))
            | Q(concluded_at__lt=retention_cutoff(now))
            | Q(sent_at__isnull=True, updated_at__lt=retention_cutoff(now))
        )
        & Q(personal_data_erased_at__isnull=True)
    ),
)

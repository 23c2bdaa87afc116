"""1. Who takes part: organisations at each step of taking part, by type and size, and where they stop."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
)
from django.db.models.functions import Coalesce

from accounts.models import Organisation
from competitions import rules
from competitions.models import Award, Bid, CompetitionInvitation
from core.clock import db_now
from core.pagecache import kept
from insights.scope import Scope, in_year_q, overlap_q
from insights.selectors.common import EVERYWHERE, type_group
from qualification.models import Application, Interest, Qualification, RequestedCoverage

FUNNEL_STEPS = [
    ("interest", "Registered interest"),
    ("questionnaire", "Sent the questionnaire"),
    ("qualified", "Qualified to bid"),
    ("invited", "Invited to bid"),
    ("bid", "Sent a bid"),
    ("won", "Won work"),
]
DROPOUT_STEPS = [
    ("questionnaire_unsent", "Started the questionnaire but never sent it"),
    ("bid_unsent", "Started a bid but never sent it"),
]
FUNNEL_GROUPS = [
    ("all", "All organisations"),
    ("vcse", "Voluntary, community or social enterprise"),
    ("private", "Private company"),
    ("public", "Public body"),
    ("micro", "Micro"),
    ("small", "Small"),
    ("medium", "Medium"),
    ("large", "Large"),
]


@dataclass
class FunnelRow:
    step: str
    label: str
    all: int = 0
    vcse: int = 0
    private: int = 0
    public: int = 0
    micro: int = 0
    small: int = 0
    medium: int = 0
    large: int = 0


@dataclass
class WhoTakesPart:
    steps: list[FunnelRow]
    dropouts: list[FunnelRow]


def _funnel_conditions(scope: Scope, now: datetime.datetime) -> dict[str, Q]:
    org = OuterRef("pk")
    # Bids are sealed until the closing date: only closed competitions' bids are counted.
    closed = rules.BIDDING_CLOSED.q(prefix="competition__", now=now)
    area = scope.area
    awarded_at = Coalesce("approved_at", "recommended_at")
    in_area = Q()
    if area is not None:
        in_area = Exists(
            RequestedCoverage.objects.filter(Q(application__organisation=org) & overlap_q("area__path", area))
        )
    # Won work: a published award (approved, or a direct award). Two tests, not one with OR, so each
    # can use its organisation index.
    awards = (
        Award.objects.published()
        .annotate(awarded=awarded_at)
        .filter(in_year_q("awarded", scope) & overlap_q("lot__areas__path", area))
    )
    award_won = Exists(awards.filter(bid__organisation=org)) | Exists(awards.filter(direct_organisation=org))
    return {
        "interest": Exists(Interest.objects.filter(Q(organisation=org) & in_year_q("registered_at", scope))) & in_area,
        "questionnaire": Exists(
            Application.objects.filter(
                Q(organisation=org, submitted_at__isnull=False)
                & in_year_q("submitted_at", scope)
                & overlap_q("requested__area__path", area)
            )
        ),
        # Ever qualified: a qualification suspended or removed later was still reached.
        "qualified": Exists(
            Qualification.objects.filter(
                Q(organisation=org) & in_year_q("granted_at", scope) & overlap_q("area_path", area)
            )
        ),
        "invited": Exists(
            CompetitionInvitation.objects.filter(
                Q(organisation=org, kind=CompetitionInvitation.Kind.ELIGIBLE)
                & in_year_q("invited_at", scope)
                & overlap_q("lots__areas__path", area)
            )
        ),
        "bid": Exists(
            Bid.objects.filter(
                Q(organisation=org)
                & rules.SENT.q()
                & closed
                & in_year_q("submitted_at", scope)
                & overlap_q("bid_lots__lot__areas__path", area)
            )
        ),
        "won": award_won,
        "questionnaire_unsent": Exists(
            Application.objects.filter(
                Q(organisation=org, submitted_at__isnull=True)
                & in_year_q("started_at", scope)
                & overlap_q("requested__area__path", area)
            )
        )
        & ~Exists(Application.objects.filter(organisation=org, submitted_at__isnull=False)),
        "bid_unsent": Exists(
            Bid.objects.filter(
                Q(organisation=org, submitted_at__isnull=True)
                & closed
                & in_year_q("started_at", scope)
                & overlap_q("competition__lots__areas__path", area)
            )
        ),
    }


def fold_funnel(counts: list[tuple[str, str, dict[str, int]]]) -> WhoTakesPart:
    """Turn (organisation type, size, {step: count}) groups into the funnel's rows."""
    rows = {key: FunnelRow(step=key, label=label) for key, label in FUNNEL_STEPS + DROPOUT_STEPS}
    for organisation_type, size, by_step in counts:
        group = type_group(organisation_type)
        for key, number in by_step.items():
            row = rows[key]
            row.all += number
            setattr(row, group, getattr(row, group) + number)
            if size in ("micro", "small", "medium", "large"):
                setattr(row, size, getattr(row, size) + number)
    return WhoTakesPart(steps=[rows[key] for key, _ in FUNNEL_STEPS], dropouts=[rows[key] for key, _ in DROPOUT_STEPS])


def who_takes_part(*, scope: Scope = EVERYWHERE, now: datetime.datetime | None = None) -> WhoTakesPart:
    """Organisations at each step of taking part, by type and size; and where they stop. One query.
    Bids count only once their competition's closing date has passed (they are sealed until then).

    As of now, the answer is kept until the data changes or an instant that changes it passes (a
    closing date; `core.pagecache`, ADRs 8 and 10), for its page, downloads and API alike; for another
    instant it is always worked out."""
    if now is not None:
        return _who_takes_part(scope, now)
    now = db_now()
    area = scope.area.pk if scope.area is not None else "-"
    return kept(
        f"who-takes-part:{area}:{scope.financial_year or '-'}",
        now=now,
        compute=lambda: _who_takes_part(scope, now),
    )


def _who_takes_part(scope: Scope, now: datetime.datetime) -> WhoTakesPart:
    conditions = _funnel_conditions(scope, now)
    grouped = (
        Organisation.objects.order_by()
        .values("organisation_type", "size")
        .annotate(**{key: Count("pk", filter=condition) for key, condition in conditions.items()})
    )
    return fold_funnel([(g["organisation_type"], g["size"], {key: g[key] for key in conditions}) for g in grouped])

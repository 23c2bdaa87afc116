"""5. Pipeline: planned and live opportunities, earliest first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from competitions import rules
from competitions.models import Award, Competition, Lot, LotYear
from core.clock import db_now
from insights.scope import Scope, overlap_q
from insights.selectors.common import EVERYWHERE, MONEY_FIELD, ZERO, pounds

PIPELINE_STAGES = {"planned": "Planned", "open": "Open for bids", "deciding": "Deciding who wins"}


@dataclass
class PipelineRow:
    reference: str
    title: str
    service_type_name: str
    owner_area_name: str
    stage: str
    stage_label: str
    starts_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    intended_award_at: datetime.datetime | None
    contract_start: datetime.date | None
    estimated_value: Decimal


def pipeline(*, scope: Scope = EVERYWHERE, now: datetime.datetime | None = None) -> list[PipelineRow]:
    """Planned and live competitions (not yet awarded or cancelled), earliest first. One query."""
    now = now or db_now()
    # Conditions are built as one Q and applied once: each .filter() would copy the query again.
    live_lot_not_done = Lot.objects.filter(
        Q(competition=OuterRef("pk"), abandoned_at__isnull=True)
        & ~Exists(Award.objects.final(now=now).filter(lot=OuterRef("pk")))
    )
    conditions = rules.ANNOUNCED.q() & (
        rules.OPEN_OR_PLANNED.q(now=now)
        | Exists(live_lot_not_done)
        | ~Exists(Lot.objects.filter(competition=OuterRef("pk")))
    )
    if scope.area is not None:
        conditions &= Exists(
            Lot.areas.through.objects.filter(Q(lot__competition=OuterRef("pk")) & overlap_q("area__path", scope.area))
        ) | overlap_q("owner_area__path", scope.area)
    if scope.year_dates is not None:
        conditions &= Q(contract_start__range=scope.year_dates)
    value = (
        LotYear.objects.filter(lot__competition=OuterRef("pk"), lot__abandoned_at__isnull=True)
        .order_by()
        .values("lot__competition")
        .annotate(total=Sum("value"))
        .values("total")
    )
    competitions = (
        Competition.objects.filter(conditions)
        .annotate(
            stage=Case(
                When(rules.PLANNED.q(), then=Value("planned")),
                When(rules.BIDDING_OPEN.q(now=now), then=Value("open")),
                default=Value("deciding"),
                output_field=CharField(),
            ),
            starts=Coalesce("launched_at", "planned_at"),
            estimated=Coalesce(Subquery(value, output_field=MONEY_FIELD), Value(ZERO), output_field=MONEY_FIELD),
        )
        .order_by("starts", "closes_at", "reference", "pk")
        .values_list(
            "reference",
            "title",
            "service_type__name",
            "owner_area__name",
            "stage",
            "starts",
            "closes_at",
            "intended_award_at",
            "contract_start",
            "estimated",
        )
    )
    return [
        PipelineRow(
            reference=reference,
            title=title,
            service_type_name=service_type_name,
            owner_area_name=owner_area_name,
            stage=stage,
            stage_label=PIPELINE_STAGES[stage],
            starts_at=starts,
            closes_at=closes_at,
            intended_award_at=intended_award_at,
            contract_start=contract_start,
            estimated_value=pounds(estimated),
        )
        for (
            reference,
            title,
            service_type_name,
            owner_area_name,
            stage,
            starts,
            closes_at,
            intended_award_at,
            contract_start,
            estimated,
        ) in competitions
    ]

"""3. Where the money goes: estimated value by service, its ramp-up, and how published values changed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from competitions import rules
from competitions.models import Lot, LotYear, LotYearRevision
from insights.scope import Scope, current_financial_year, within_q
from insights.selectors.common import EVERYWHERE, MONEY_FIELD, ZERO, percent, pounds
from reference.models import ServiceType


@dataclass
class ShareRow:
    service_type: str
    service_type_name: str
    value: Decimal
    share: Decimal | None


@dataclass
class RampRow:
    service_type: str
    service_type_name: str
    financial_year: int
    value: Decimal


@dataclass
class ChangeRow:
    service_type: str
    service_type_name: str
    first_published: Decimal
    now_published: Decimal
    change: Decimal
    change_percent: Decimal | None
    changes_made: int


@dataclass
class WhereTheMoneyGoes:
    financial_year: int
    shares: list[ShareRow]
    ramp_up: list[RampRow]
    changes: list[ChangeRow]

    @property
    def years(self) -> list[int]:
        return sorted({row.financial_year for row in self.ramp_up})


def _published_lot_years(scope: Scope):
    """Estimated values of lots still on offer in competitions that are planned or launched."""
    lot_years = LotYear.objects.filter(
        Q(lot__abandoned_at__isnull=True) & rules.ANNOUNCED.q(prefix="lot__competition__")
    )
    if scope.area is not None:
        lot_years = lot_years.filter(
            Exists(Lot.areas.through.objects.filter(Q(lot=OuterRef("lot")) & within_q("area__path", scope.area)))
        )
    return lot_years


def fold_money(
    *,
    financial_year: int,
    service_types: list[tuple[str, str]],
    shares: dict[str, Decimal],
    ramp: list[tuple[str, int, Decimal]],
    changes: dict[str, tuple[Decimal, Decimal, int]],
) -> WhereTheMoneyGoes:
    names = dict(service_types)
    total = sum((pounds(v) for v in shares.values()), ZERO)
    share_rows = [
        ShareRow(code, name, pounds(shares.get(code)), percent(pounds(shares.get(code)), total))
        for code, name in service_types
    ]
    share_rows.append(ShareRow("all", "All services", total, percent(total, total)))
    order = {code: index for index, (code, _) in enumerate(service_types)}
    ramp_rows = [
        RampRow(code, names[code], year, pounds(value))
        for code, year, value in sorted(ramp, key=lambda r: (order[r[0]], r[1]))
    ]
    change_rows = []
    for code, name in service_types:
        if code not in changes:
            continue
        first, now, made = changes[code]
        first, now = pounds(first), pounds(now)
        change_rows.append(ChangeRow(code, name, first, now, now - first, percent(now - first, first), made))
    return WhereTheMoneyGoes(financial_year=financial_year, shares=share_rows, ramp_up=ramp_rows, changes=change_rows)


def where_the_money_goes(*, scope: Scope = EVERYWHERE) -> WhereTheMoneyGoes:
    """Estimated value by service type for one financial year (the current one unless chosen), the
    value each year (ramp-up), and how published values changed since first published. Four queries."""
    year = scope.financial_year if scope.financial_year is not None else current_financial_year()
    service_types = list(ServiceType.objects.order_by("display_order", "name").values_list("code", "name"))
    lot_years = _published_lot_years(scope)
    shares = {
        r["lot__competition__service_type__code"]: r["total"]
        for r in lot_years.filter(financial_year=year)
        .order_by()
        .values("lot__competition__service_type__code")
        .annotate(total=Sum("value"))
    }
    ramp = [
        (r["lot__competition__service_type__code"], r["financial_year"], r["total"])
        for r in lot_years.order_by()
        .values("lot__competition__service_type__code", "financial_year")
        .annotate(total=Sum("value"))
    ]
    first_value = (
        LotYearRevision.objects.filter(lot_year=OuterRef("pk")).order_by("recorded_at", "pk").values("value")[:1]
    )
    revisions = (
        LotYearRevision.objects.filter(lot_year=OuterRef("pk"))
        .order_by()
        .values("lot_year")
        .annotate(n=Count("pk"))
        .values("n")
    )
    changed_lot_years = lot_years.filter(financial_year=scope.financial_year) if scope.financial_year else lot_years
    # "Changes made": revisions after the first (the first is the original publication).
    changes = {
        r["lot__competition__service_type__code"]: (r["first"], r["now"], r["made"])
        for r in changed_lot_years.annotate(
            first_value=Coalesce(Subquery(first_value), F("value")),
            later=Greatest(Coalesce(Subquery(revisions), Value(0)) - Value(1), Value(0)),
        )
        .order_by()
        .values("lot__competition__service_type__code")
        .annotate(first=Sum("first_value", output_field=MONEY_FIELD), now=Sum("value"), made=Sum("later"))
    }
    return fold_money(financial_year=year, service_types=service_types, shares=shares, ramp=ramp, changes=changes)

"""What the insight selectors share: rounding, organisation groups, and the area-path lookup."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    DecimalField,
    Lookup,
)

from accounts.models import VCSE_TYPES, OrganisationType
from core.clock import financial_year_label
from insights.scope import Scope, current_financial_year

ZERO = Decimal("0")
EVERYWHERE = Scope()
MONEY_FIELD = DecimalField(max_digits=20, decimal_places=2)


def pounds(value) -> Decimal:
    """Whole pounds, half up: insight figures are published to the pound."""
    return Decimal(value or 0).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def type_group(organisation_type: str | None) -> str | None:
    """vcse | private | public (None for an organisation not on the framework)."""
    if organisation_type is None:
        return None
    if organisation_type in VCSE_TYPES:
        return "vcse"
    if organisation_type == OrganisationType.PUBLIC_BODY:
        return "public"
    return "private"


class PathWithin(Lookup):
    """`lhs` is the area path `rhs` or inside it: `lhs LIKE rhs || '%'`. Area paths hold only letters,
    digits and slashes, so unlike `startswith` nothing needs escaping (and the database does less)."""

    lookup_name = "path_within"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs} || '%%'", [*lhs_params, *rhs_params]


def financial_year_choices(first: int = 2020, ahead: int = 6) -> list[tuple[int, str]]:
    """Financial years people can choose: from the framework's first year to a few years ahead."""
    return [(year, financial_year_label(year)) for year in range(first, current_financial_year() + ahead)]

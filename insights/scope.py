"""What every insight can be narrowed to: an area (a region or a PCC area) and a financial year.

Shared by the selectors, the hand-written SQL floors, the pages, the downloads and the API, so a
filter means the same thing everywhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from core.clock import LONDON, financial_year_label, financial_year_of, london_now
from reference.models import Area
from reference.selectors import covering_paths


@dataclass(frozen=True)
class Scope:
    area: Area | None = None
    financial_year: int | None = None

    @property
    def year_bounds(self) -> tuple[datetime.datetime, datetime.datetime] | None:
        return financial_year_bounds(self.financial_year) if self.financial_year is not None else None

    @property
    def year_dates(self) -> tuple[datetime.date, datetime.date] | None:
        """First and last day of the chosen financial year."""
        if self.financial_year is None:
            return None
        return datetime.date(self.financial_year, 4, 1), datetime.date(self.financial_year + 1, 3, 31)

    def describe(self) -> str:
        parts = []
        if self.area is not None:
            parts.append(self.area.name)
        if self.financial_year is not None:
            parts.append(f"financial year {financial_year_label(self.financial_year)}")
        return ", ".join(parts) if parts else "England and Wales, all years"


def financial_year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """1 April of `year` to 1 April of the next year, at midnight London time, as aware datetimes."""
    start = datetime.datetime(year, 4, 1, tzinfo=LONDON).astimezone(datetime.UTC)
    end = datetime.datetime(year + 1, 4, 1, tzinfo=LONDON).astimezone(datetime.UTC)
    return start, end


def current_financial_year() -> int:
    return financial_year_of(london_now().date())


def overlap_q(field: str, area: Area | None) -> Q:
    """Rows whose area path (`field`) is this area, inside it, or above it (covering it)."""
    if area is None:
        return Q()
    return Q(**{f"{field}__startswith": area.path}) | Q(**{f"{field}__in": _above(area)})


def overlaps(path: str, area: Area | None) -> bool:
    """`overlap_q` asked of one area path in memory: it is this area, inside it, or above it."""
    return area is None or path.startswith(area.path) or path in _above(area)


def _above(area: Area) -> list[str]:
    """The paths of the areas that cover this one, itself left out."""
    return covering_paths(area)[:-1]


def within_q(field: str, area: Area | None) -> Q:
    """Rows whose area path (`field`) is this area or inside it."""
    if area is None:
        return Q()
    return Q(**{f"{field}__startswith": area.path})


def in_year_q(field: str, scope: Scope) -> Q:
    bounds = scope.year_bounds
    if bounds is None:
        return Q()
    return Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})

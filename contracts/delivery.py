"""Figures of the service delivered under a contract (referrals received, started, completed,
sessions delivered), shown on the contract's page and its payment claims' pages.

The app that records delivery (referrals) sits above contracts and so cannot be imported here
(docs/architecture.md): it registers its counting function in its AppConfig.ready, as apps register
history rules with audit and instants with core.pagecache. Counts only, never personal data."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Protocol

# The figures, in the order shown, with their labels. The registered function returns these keys.
FIGURES: tuple[tuple[str, str], ...] = (
    ("received", "Referrals received"),
    ("started", "People who started"),
    ("completed", "Referrals completed"),
    ("sessions_delivered", "Sessions delivered"),
)


class DeliveryFigures(Protocol):
    def __call__(
        self, contract_id: int, *, period_start: datetime.date | None, period_end: datetime.date | None
    ) -> dict[str, int]: ...


_source: Callable[..., dict[str, int]] | None = None


def register_delivery_figures(fn: DeliveryFigures) -> None:
    """`fn(contract_id, period_start=…, period_end=…)` counts what was delivered under the contract,
    within the period (London dates, both ends included) when one is given."""
    global _source
    _source = fn


def delivery_figures(
    contract, period_start: datetime.date | None = None, period_end: datetime.date | None = None
) -> list[tuple[str, int]] | None:
    """(label, count) for each figure, or None when no app records delivery."""
    if _source is None:
        return None
    counts = _source(contract.pk, period_start=period_start, period_end=period_end)
    return [(label, counts[name]) for name, label in FIGURES]


# --- The same figures for many contracts at once (issue 13) ----------------------------------
# Pages that compare many contracts with what they contracted (the volumes app) must not ask once
# per contract: the referrals app registers its monthly counts too, asked once for every contract.


class DeliveryCounts(Protocol):
    def __call__(
        self,
        *,
        contract_ids: list[int] | None = None,
        since: datetime.date | None = None,
        until: datetime.date | None = None,
    ) -> list[dict]: ...


_counts: Callable[..., list[dict]] | None = None


def register_delivery_counts(fn: DeliveryCounts) -> None:
    """`fn(contract_ids=[…], since=…, until=…)` returns one row per contract, area and London month
    with at least "contract_id", "month" (the month's first day) and the keys of FIGURES, counting
    only what happened from `since` to `until` (London dates, both included) when given, in a number
    of queries that does not grow with the number of contracts (`referrals.selectors.referral_counts`)."""
    global _counts
    _counts = fn


def delivery_counts_by_month(
    contract_ids: list[int], *, since: datetime.date | None = None, until: datetime.date | None = None
) -> dict[tuple[int, datetime.date], dict[str, int]]:
    """{(contract id, first day of a London month): {figure: count}} for the given contracts, the
    areas added together, counting only what happened from `since` to `until` (London dates, both
    included) when given; months with nothing are left out, and so is everything when no app
    records delivery."""
    if _counts is None or not contract_ids:
        return {}
    table: dict[tuple[int, datetime.date], dict[str, int]] = {}
    for row in _counts(contract_ids=list(contract_ids), since=since, until=until):
        figures = table.setdefault((row["contract_id"], row["month"]), dict.fromkeys((name for name, _ in FIGURES), 0))
        for name, _label in FIGURES:
            figures[name] += row[name]
    return table

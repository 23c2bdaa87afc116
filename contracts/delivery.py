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

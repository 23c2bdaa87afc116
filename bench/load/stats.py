"""Summaries of one measured run: throughput, percentiles, errors; and medians over rounds.

Percentiles interpolate linearly between the closest ranks (numpy's default), so p50 of [1, 2, 3, 4]
is 2.5 and p99 of few samples is close to the largest."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0 ≤ q ≤ 100) of values; NaN when there are none."""
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return percentile(finite, 50) if finite else math.nan


def ratio(numerator: float, denominator: float) -> float:
    if math.isnan(numerator) or math.isnan(denominator) or denominator == 0:
        return math.nan
    return numerator / denominator


@dataclass(frozen=True)
class Sample:
    """One request: how long it took (seconds) and whether it was what the workload expected."""

    seconds: float
    ok: bool
    status: int = 0


@dataclass(frozen=True)
class Summary:
    requests: int
    errors: int
    server_errors: int
    throughput: float  # successful requests per second of the run
    p50: float  # seconds, over successful requests
    p95: float
    p99: float


def summarise(samples: Sequence[Sample], elapsed: float) -> Summary:
    good = [s.seconds for s in samples if s.ok]
    return Summary(
        requests=len(samples),
        errors=sum(1 for s in samples if not s.ok),
        server_errors=sum(1 for s in samples if s.status >= 500 or s.status == 0),
        throughput=len(good) / elapsed if elapsed > 0 else math.nan,
        p50=percentile(good, 50),
        p95=percentile(good, 95),
        p99=percentile(good, 99),
    )


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points: the worker memory trend in the soak, per second."""
    if len(points) < 2:
        return math.nan
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return math.nan
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread

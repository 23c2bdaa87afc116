"""Speed, measured: each selector against the same answer from one hand-written SQL query.

Run with `make bench` (not part of `make test`). It builds its own database (var/bench.sqlite3,
or BENCH_DATABASE_URL for PostgreSQL), generates the national world once per scale, and prints
for every benchmark the median time of the code under test, the median time of the hand-written
SQL floor measured in the same run, and their ratio.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench import cases  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "15"))


def median_seconds(fn) -> float:
    fn()  # warm caches and query plans
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> int:
    call_command("migrate", verbosity=0)
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    cases.ensure_world(scale)
    print(f"Database: {connection.vendor}; scale {scale:g}; median of {REPEATS} runs")
    print(f"{'benchmark':58} {'code ms':>9} {'floor ms':>9} {'ratio':>6}")
    worst = 0.0
    for case in cases.CASES:
        expected = case.floor()
        actual = case.code()
        if sorted(expected) != sorted(actual):
            print(f"{case.name}: the code and the floor disagree ({len(actual)} vs {len(expected)} rows)")
            return 1
        code = median_seconds(case.code)
        floor = median_seconds(case.floor)
        ratio = code / floor if floor else float("inf")
        worst = max(worst, ratio)
        print(f"{case.name:58} {code * 1000:9.2f} {floor * 1000:9.2f} {ratio:6.2f}")
    for line in cases.extra_reports(scale):
        print(line)
    print(f"Worst ratio: {worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

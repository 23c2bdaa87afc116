"""One measuring run against the database in DATABASE_URL (see bench/run.py)."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
# Selectors are measured working their answers out; the case that measures a kept answer turns
# keeping on for itself (bench/cases.py).
os.environ["PUBLIC_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench import cases  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "11"))


def median_seconds(fn) -> float:
    fn()  # warm caches and query plans
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def selectors(scale: str, which: list | None = None) -> int:
    print(f"\nSelectors against hand-written SQL floors ({connection.vendor}, scale {scale}, median of {REPEATS})")
    print(f"{'benchmark':62} {'code ms':>9} {'floor ms':>9} {'ratio':>6}")
    worst = 0.0
    for case in cases.CASES if which is None else which:
        if case.code() != case.floor():
            print(f"{case.name}: the code and the floor give different answers")
            return 1
        code = median_seconds(case.code)
        floor = median_seconds(case.floor)
        ratio = code / floor if floor else float("inf")
        worst = max(worst, ratio)
        print(f"{case.name:62} {code * 1000:9.2f} {floor * 1000:9.2f} {ratio:6.2f}")
    print(f"Worst ratio: {worst:.2f}")
    return 0


def ocds(scale: str) -> int:
    from competitions.models import Competition
    from core.clock import db_now
    from opendata.views import _stream_package

    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    total = 0
    for piece in _stream_package(uri="https://example.test/open-data/ocds-releases.json", now=db_now()):
        total += len(piece.encode())
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"OCDS bulk download, scale {scale}: {Competition.objects.count()} competitions, "
        f"{total / 1e6:.1f} MB in {seconds:.1f} s = {total / 1e6 / seconds:.2f} MB/s; "
        f"peak memory grew by {(peak_kb - before_kb) / 1024:.1f} MB while streaming "
        f"(process peak {peak_kb / 1024:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    what, scale = sys.argv[1].split(","), sys.argv[2]
    status = 0
    if "selectors" in what:
        status |= selectors(scale)
    elif "referrals" in what:  # the referral lists at every scale (issue 12: within 2x at scale 10)
        status |= selectors(scale, cases.REFERRAL_CASES)
    if "ocds" in what:
        status |= ocds(scale)
    raise SystemExit(status)

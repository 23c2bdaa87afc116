"""What a bid submit and a withdraw cost: the real form posts through Django's test client, on a
fresh SQLite database of its own (a 4-lot competition, one complete bid), with the development
settings (the database task queue, so the receipt e-mail is enqueued as in production).

    .venv/bin/python bench/profile_submit.py [runs]        # CPU ms per request, and queries
    PROFILE=1 .venv/bin/python bench/profile_submit.py     # and the top costs (cProfile)
    PROFILE_SQL=1 .venv/bin/python bench/profile_submit.py 1  # and the SQL of one of each

The page each POST comes from (the check page, the withdraw page) is timed too, as the bench's
deadline rush opens it before each POST (PROFILE_STEPS=check,submit profiles only those steps).
Submits and withdraws alternate (each needs the other before it can run again), so their
medians are interleaved. Not part of `make test`.
"""

from __future__ import annotations

import cProfile
import json
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
_DB = Path(tempfile.mkdtemp(prefix="profile-submit-")) / "db.sqlite3"
# PROFILE_DATABASE_URL: an empty PostgreSQL database of its own instead (it is migrated and
# written to), for what PostgreSQL adds (the audit chain's lock, FOR SHARE, the driver).
os.environ["DATABASE_URL"] = os.environ.get("PROFILE_DATABASE_URL") or f"sqlite:///{_DB}"
if not os.environ.get("BID_ENCRYPTION_KEYS"):
    # A throwaway key for this throwaway database (base64 of 32 random bytes, as Fernet wants).
    import base64

    os.environ["BID_ENCRYPTION_KEYS"] = base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

TOP = int(os.environ.get("PROFILE_TOP", "30"))


def _world():
    from competitions.services import bids as svc
    from competitions.tests.factories import invite, make_competition
    from competitions.tests.test_bid_services import fill
    from tests.factories import make_provider_user

    competition = make_competition(lots=["Kent", "Surrey", "Sussex", "Thames Valley"])
    user = make_provider_user()
    invite(competition, user.memberships.get().organisation)
    fill(svc.bid_start(competition=competition, user=user), user)
    return competition, user


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["*"]
    # Templates are compiled once and kept, as in production (DEBUG reloads them as they change).
    engines["jinja2"].env.auto_reload = False
    logging.disable(logging.INFO)  # one access-log line per request would drown the figures
    call_command("migrate", verbosity=0)
    competition, user = _world()
    client = Client()
    client.force_login(user)
    submit_url = reverse("competitions:bid-check", kwargs={"competition_id": competition.pk})
    withdraw_url = reverse("competitions:bid-withdraw", kwargs={"competition_id": competition.pk})

    def post(url: str) -> None:
        response = client.post(url)
        assert response.status_code == 302, (url, response.status_code)

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    # The bench's deadline rush (bench/load/workloads.py, P1) opens the form before each POST:
    # the check page before a send, the withdraw page before a withdrawal. Those GETs are timed too.
    steps = (
        ("check page", submit_url, get),
        ("submit", submit_url, post),
        ("withdraw page", withdraw_url, get),
        ("withdraw", withdraw_url, post),
    )
    # Warm up (imports, template compilation, caches), then count the queries of one of each.
    for _name, url, method in steps:
        method(url)
    counts = {}
    for name, url, method in steps:
        with CaptureQueriesContext(connection) as queries:
            method(url)
        counts[name] = len(queries)
        if os.environ.get("PROFILE_SQL"):
            print(f"--- {name}")
            for query in queries.captured_queries:
                print(query["sql"][:160])
    cpu: dict[str, list[float]] = {name: [] for name, _url, _method in steps}
    for _ in range(runs):
        for name, url, method in steps:
            start = time.process_time()
            method(url)
            cpu[name].append(time.process_time() - start)
    for name, values in cpu.items():
        print(
            f"{name}: {statistics.median(values) * 1000:.1f} ms CPU per request "
            f"(median of {runs}), {counts[name]} queries"
        )
    if os.environ.get("PROFILE_RAW"):
        # Every reading, for pooling runs of several processes (before/after comparisons).
        print("raw", json.dumps({name: [round(v * 1000, 3) for v in values] for name, values in cpu.items()}))
    if os.environ.get("PROFILE"):
        only = [w for w in os.environ.get("PROFILE_STEPS", "").split(",") if w]
        _profile([step for step in steps if not only or any(w in step[0] for w in only)], steps)
    return 0


def _profile(profiled, steps) -> None:
    """cProfile over 5 of each step (the cycle run whole, only that step profiled); the functions
    with the most cumulative time per request."""
    for wanted, _url, _method in profiled:
        profiler = cProfile.Profile()
        for _ in range(5):
            for name, url, method in steps:
                if name == wanted:
                    profiler.enable()
                method(url)
                if name == wanted:
                    profiler.disable()
        print(f"\n=== {wanted}: top costs, cumulative ms per request (5 profiled)")
        stats = pstats.Stats(profiler)
        rows = []
        for (filename, line, function), row in stats.stats.items():
            where = filename
            if str(ROOT) in filename:
                where = str(Path(filename).relative_to(ROOT)).replace(".venv/lib/python3.12/site-packages/", "")
            rows.append((row[3] / 5, row[2] / 5, f"{where}:{line}({function})"))
        print(f"{'cumulative ms':>14} {'own ms':>8}  function")
        for cumulative, own, where in sorted(rows, reverse=True)[:TOP]:
            print(f"{cumulative * 1000:14.1f} {own * 1000:8.1f}  {where}")


if __name__ == "__main__":
    raise SystemExit(main())

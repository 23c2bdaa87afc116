"""Where a page spends its time: cProfile over requests through Django's test client, against the
database in DATABASE_URL (a generated national world, see bench/run.py).

    DATABASE_URL=sqlite:///var/bench-scale-1.sqlite3 .venv/bin/python bench/profile_pages.py [name ...]

Public answers are kept between requests (core/pagecache.py) unless PUBLIC_CACHE_SECONDS=0: a
repeated request then measures a kept answer. For each page: the median wall time of a few requests, the SQL queries per request, and the
functions with the most time of their own and in total (the top costs). Not part of `make test`.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import signals  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REPEATS = int(os.environ.get("PROFILE_REPEATS", "5"))
TOP = int(os.environ.get("PROFILE_TOP", "25"))


def _provider_user():
    """A provider member of the organisation with the most invitations."""
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Membership

    membership = (
        Membership.objects.annotate(invited=Count("organisation__competition_invitations"))
        .order_by("-invited", "id")
        .select_related("user")
        .first()
    )
    # A generated world's people have not confirmed their addresses; this one has (bench data only).
    user = membership.user
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


def _one_opportunity() -> str:
    from competitions.models import Competition

    competition = Competition.objects.public().order_by("-closes_at").first()
    return f"/public/opportunities/{competition.pk}/"


def _biggest_bid():
    """The task list of the bid with the most lots, and a member of its organisation (confirmed)."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Membership
    from competitions.models import Bid

    bid = Bid.objects.annotate(lots=Count("bid_lots")).order_by("-lots", "id").first()
    user = Membership.objects.filter(organisation_id=bid.organisation_id).select_related("user").first().user
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return reverse("competitions:bid", kwargs={"competition_id": bid.competition_id}), user


def pages() -> dict[str, tuple[str, object]]:
    insights = ["burden", "coverage", "pipeline", "smaller-providers", "where-the-money-goes"]
    return {
        "ocds-releases": ("/api/v1/ocds/releases", None),
        "opportunities": ("/public/opportunities/", None),
        "contracts": ("/public/contracts/", None),
        "opportunity": (_one_opportunity, None),
        "suppliers-api": ("/api/v1/suppliers", None),
        "supplier-register": ("/join/register/", None),
        "insights-who": ("/insights/who-takes-part/", None),
        **{f"insights-{slug}": (f"/insights/{slug}/", None) for slug in insights},
        "for-you": ("/opportunities/for-you/", _provider_user),
        "bid-task-list": (_biggest_bid, None),
    }


def profile(name: str, url: str, user_fn) -> None:
    client = Client()
    if callable(url):  # found in the world: the address, and who may open it if it is not public
        found = url()
        url, user = found if isinstance(found, tuple) else (found, None)
        if user is not None:
            client.force_login(user)
    if user_fn is not None:
        client.force_login(user_fn())
    response = client.get(url)
    if response.status_code != 200:
        print(f"{name}: {url} answered {response.status_code}")
        return
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Read them now: the next request empties Django's query log.
    count = len(queries)
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    # CPU time of the process per request, without the profiler: steadier than wall time on a
    # shared machine (other processes' load does not count), and SQLite runs in this process.
    cpu = []
    for _ in range(REPEATS):
        start = time.process_time()
        client.get(url)
        cpu.append(time.process_time() - start)
    print(f"\n--- {name}: {statistics.median(cpu) * 1000:.1f} ms CPU per request, median of {REPEATS}; {count} queries")
    if os.environ.get("PROFILE_CPU_ONLY"):
        return
    timings = []
    profiler = cProfile.Profile()
    for _ in range(REPEATS):
        start = time.perf_counter()
        profiler.enable()
        client.get(url)
        profiler.disable()
        timings.append(time.perf_counter() - start)
    print(f"\n=== {name} {url}: {statistics.median(timings) * 1000:.1f} ms median of {REPEATS} (profiled), ", end="")
    print(f"{count} queries ({sql_ms:.1f} ms in SQL when measured)")
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())
    by_area: dict[str, float] = {}
    for (filename, _line, _function), row in stats.stats.items():
        area = _area(filename)
        by_area[area] = by_area.get(area, 0.0) + row[2]
    print(
        "Own time by area: "
        + ", ".join(
            f"{area} {share / total:.0%}" for area, share in sorted(by_area.items(), key=lambda item: -item[1])[:8]
        )
    )
    rows = []
    for (filename, line, function), row in stats.stats.items():
        if str(ROOT) in filename and "/.venv/" not in filename:
            rows.append((row[3] / REPEATS, row[2] / REPEATS, f"{Path(filename).relative_to(ROOT)}:{line}({function})"))
    print(f"{'cumulative ms':>14} {'own ms':>8}  project function (per request)")
    for cumulative, own, where in sorted(rows, reverse=True)[:TOP]:
        print(f"{cumulative * 1000:14.1f} {own * 1000:8.1f}  {where}")


def _area(filename: str) -> str:
    """Which part of the stack a function belongs to, for the own-time summary."""
    if "/django/db/models/" in filename or "/django/db/backends/" in filename:
        return "Django ORM" if "/backends/" not in filename else "database driver"
    if "/jinja2/" in filename or filename.endswith(".html"):
        return "templates"
    if "/django/" in filename:
        return "Django other"
    if "/.venv/" in filename:
        return (
            Path(filename).parts[Path(filename).parts.index("site-packages") + 1]
            if "site-packages" in filename
            else "venv"
        )
    if str(ROOT) in filename:
        return Path(filename).relative_to(ROOT).parts[0]
    return "Python built-ins" if filename == "~" else "Python library"


def main() -> int:
    # Keep one connection across requests, as a test does, so its queries can be counted.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["*"]
    # Templates are compiled once and kept, as in production (DEBUG reloads them as they change).
    engines["jinja2"].env.auto_reload = False
    wanted = sys.argv[1:] or list(pages())
    for name in wanted:
        url, user_fn = pages()[name]
        url = url() if callable(url) else url
        profile(name, url, user_fn)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

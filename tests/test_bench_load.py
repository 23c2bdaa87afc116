"""`make bench-load`'s pieces at tiny size, so the harness cannot rot unnoticed: the statistics, the
CSRF reading against the service's own form, the floor project served by the same gunicorn command
and posted to by the same client, and the report's marked sections. The full bench is never run here
(it is a benchmark, not a test)."""

from __future__ import annotations

import asyncio
import math

import pytest

from bench.load import report, servers
from bench.load.client import User, csrf_token
from bench.load.stats import Sample, median, percentile, ratio, slope, summarise


def test_percentile_interpolates_between_ranks():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([4, 1, 3, 2], 0) == 1
    assert percentile([4, 1, 3, 2], 100) == 4
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile([7], 99) == 7
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1], 101)


def test_summary_counts_errors_and_times_only_what_succeeded():
    samples = [Sample(0.1, True, 200), Sample(0.3, True, 302), Sample(9.0, False, 500), Sample(5.0, False, 0)]
    summary = summarise(samples, elapsed=2.0)
    assert summary.requests == 4
    assert summary.errors == 2
    assert summary.server_errors == 2
    assert summary.throughput == 1.0
    assert summary.p50 == pytest.approx(0.2)
    assert summary.p99 == pytest.approx(0.298)


def test_median_ratio_and_slope():
    assert median([3.0, math.nan, 1.0, 2.0]) == 2.0
    assert math.isnan(ratio(1.0, 0.0))
    assert ratio(3.0, 1.5) == 2.0
    assert slope([(0, 100.0), (60, 106.0), (120, 112.0)]) == pytest.approx(0.1)
    assert math.isnan(slope([(0, 1.0)]))


def test_csrf_token_is_read_from_either_attribute_order():
    assert csrf_token('<input type="hidden" name="csrfmiddlewaretoken" value="abc">') == "abc"
    assert csrf_token('<input value="xyz" type="hidden" name="csrfmiddlewaretoken">') == "xyz"
    assert csrf_token("<p>No form</p>") is None


@pytest.mark.django_db
def test_csrf_token_is_read_from_the_service_sign_in_form(client):
    response = client.get("/account/sign-in/")
    token = csrf_token(response.content.decode())
    assert token
    assert len(token) == 64


def test_report_replaces_only_its_own_section(tmp_path):
    page = "# Performance\n\nEarlier text.\n"
    once = report.replace_section(page, "P1", "first P1")
    assert "Earlier text." in once
    assert report.SECTION_TITLE in once
    both = report.replace_section(report.replace_section(once, "P5", "the P5 table"), "P1", "second P1")
    assert "first P1" not in both
    assert "second P1" in both
    assert "the P5 table" in both
    assert both.count(report.SECTION_TITLE) == 1


def test_report_renders_every_table():
    meta = {
        "date": "2026-11-30 17:00 UTC",
        "cpus": 2,
        "scale": "1",
        "rounds": 3,
        "workers": "2",
        "worker_class": "sync",
        "load_before": (1.0, 1.0, 1.0),
        "load_after": (2.0, 2.0, 2.0),
        "minutes": 1.0,
    }
    timing = {"throughput": 10.0, "p50": 0.1, "p95": 0.2, "p99": 0.3, "errors": 0, "requests": 30}
    stored = {
        "sent": 3,
        "late_receipts": 0,
        "late_sent": 0,
        "receipt_without_sent": 0,
        "sent_without_receipt": 0,
        "integrity_problems": 0,
    }
    p1 = {"bidders": 3, "posts": 3, "service": timing, "floor": timing, "throughput_ratio": 1.0, "p99_ratio": 1.0}
    p1 |= {"lost": 0, "stored": stored}
    row = {"page": "start page", "p50": 0.1, "p95": 0.2, "rps": 5.0, "errors": 0, "requests": 9, "ratio": 4.0}
    p5 = {"clients": 2, "seconds": 1, "rows": [row], "floor": {**row, "rps": 9.0}}
    r3 = {
        "bidders": 3,
        "lead": 3.0,
        "after": 3.0,
        "outcomes": {"sent": 3},
        "server_errors": 0,
        "stored": stored,
        "told_sent_not_stored": 0,
    }
    r4 = {"bidders": 3, "killed": {"workers": 1, "masters": 1}, "outcomes": {}, "receipts_seen": 2}
    r4 |= {"receipts_not_stored": 0, "stored": stored}
    r7 = {"seconds": 5, "requests": 10, "errors": 0, "server_errors": 0, "rss_start": 100.0, "rss_end": 101.0}
    r7 |= {"rss_slope_mb_per_min": 0.5}
    text = "\n".join(
        report.MARKDOWN[name](result, meta)
        for name, result in {"P5": p5, "P1": p1, "R3": r3, "R4": r4, "R7": r7}.items()
    )
    assert "| start page | 100 | 200 | 5.0 | 0/9 | 4.00× | **no** |" in text
    assert "| throughput ÷ floor | 1.00× | ≥ 0.5× | yes |" in text


def test_the_floor_answers_a_get_and_a_form_post_under_gunicorn(tmp_path, monkeypatch):
    """The floor project, migrated on a throwaway SQLite file, served by the bench's gunicorn
    command with one worker, and used by the bench's client: GET, then POST with CSRF."""
    monkeypatch.setattr(servers, "WORKERS", "1")
    monkeypatch.setattr(servers, "VAR", tmp_path)
    env = {**servers.floor_env(), "FLOOR_DATABASE_URL": f"sqlite:///{tmp_path / 'floor.sqlite3'}"}
    servers.manage(env, "migrate", "--noinput", "-v0")
    floor = servers.Server("floor", "bench.floor.wsgi:application", env)
    floor.start()
    try:
        assert len(floor.worker_pids()) == 1
        assert floor.worker_rss_mb() > 0

        async def use() -> tuple[int, int, int]:
            user = User(floor.url)
            page = await user.get("/")
            response, seconds = await user.submit_form("/", {"text": "one row"})
            refused = await user.post("/", {"text": "no token"})
            await user.close()
            assert seconds > 0
            return page.status_code, response.status_code, refused.status_code

        assert asyncio.run(use()) == (200, 302, 403)
        rows = servers.manage(
            env, "shell", "-c", "from bench.floor.models import Entry; print(Entry.objects.count())", capture=True
        )
        assert rows.strip().splitlines()[-1] == "1"
    finally:
        floor.stop()

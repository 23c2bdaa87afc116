"""Insight answers kept between requests, and thrown away by the writes that change them (ADR 8).

Every change to the service's state writes an audit event in the same transaction (the rule in
docs/architecture.md), so the audit table says when the data changed: `data_version` reads the
newest event's id and how many events there are just below it. An id is taken when an event is
written, not when its transaction commits, so a later id can be seen before an earlier one: the
count of recent ids catches the earlier one when it commits. The version is read before the
answer is worked out, so an answer is never kept under a version older than the data it saw.

Time changes some answers with no write at all: a bid counts once its competition's closing date
has passed. So an answer is kept only until the next closing date after it was worked out (the
caller says which instant), and never longer than `INSIGHTS_CACHE_SECONDS` (0 turns keeping off).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max

from audit.models import AuditEvent

logger = logging.getLogger(__name__)

# How far below the newest audit event an uncommitted one may be and still be noticed when it
# commits: more audited writes than this would have to commit while one transaction stays open.
RECENT_EVENTS = 10_000


def cache_seconds() -> int:
    return int(getattr(settings, "INSIGHTS_CACHE_SECONDS", 0))


def data_version() -> str:
    newest = AuditEvent.objects.aggregate(newest=Max("id"))["newest"] or 0
    recent = AuditEvent.objects.filter(id__gt=newest - RECENT_EVENTS).count()
    return f"{newest}.{recent}"


def kept[T](
    key: str,
    *,
    now: datetime.datetime,
    compute: Callable[[], T],
    valid_until: Callable[[], datetime.datetime | None],
) -> T:
    """The answer kept under `key` for the current data version if it is still good at `now`;
    else `compute()`, kept until `valid_until()` (the next instant time alone could change it)."""
    seconds = cache_seconds()
    if seconds <= 0:
        return compute()
    full_key = f"insights:{key}:{data_version()}"
    hit = _cache_call(cache.get, full_key)
    if hit is not None:
        until, answer = hit
        if until is None or now < until:
            return answer
    until = valid_until()
    answer = compute()
    if until is None or now < until:
        _cache_call(cache.set, full_key, (until, answer), seconds)
    return answer


def _cache_call(method, *args):
    """A cache read or write that cannot take the page down: in production the cache is Redis, and
    Django's Redis backend raises while Redis restarts. The answer is then worked out afresh."""
    try:
        return method(*args)
    except Exception:  # noqa: BLE001 - any backend's failure means "not kept", never a server error
        logger.warning("insights.cache_unavailable", exc_info=True)
        return None

"""Answers of public pages and public API reads kept between requests, and thrown away by the writes
and the instants that change them (ADR 10, which generalises ADR 8).

**What says the data changed.** Every change to the service's state writes an audit event in its own
transaction (docs/architecture.md), so the audit table is the change log. The audit app registers
`data_version` (`register_data_version`): the newest event's id and how many events there are just
below it. An id is taken when an event is written, not when its transaction commits, so a later id
can be seen before an earlier one: the count of recent ids catches the earlier one when it commits.
The version is read before the answer is worked out, so an answer is never kept under a version
older than the data it saw (at worst newer data under an older version: one extra miss).

**What says time changed it.** Some answers change with no write at all: a competition closes, a
waiting period ends, a new day starts. Each app that owns such a rule registers the next instant
after a given one at which time alone changes one of its rules (`register_instants`). An answer is
kept only until the first of those instants after it was worked out, and that is checked on every
read against the database clock, so from the exact instant a page reads as if nothing were kept.

**A limit anyway.** `PUBLIC_CACHE_SECONDS` (0 turns keeping off) bounds how long anything is kept,
for writes that bypass the services and the audit log (a hand edit, a bulk load).

**Who gets kept answers.** Only views marked `@keep_public` (the public registers, insights, open
data and their API reads; not every page), only for GET and HEAD requests from someone not signed in
with no messages waiting to be shown, and only 200 answers the view made without a cookie, a CSRF
token or a change to the session, whose headers are only a content type and a file name. The key is
the scheme, host, path, query string (its parameters sorted), language and data version.

Two ways in: `@keep_public` for a whole answer, and `kept()` for a value several views share (who
takes part's aggregate, shared by its page, downloads and API). Both tolerate the cache being down
(Redis restarting): the answer is then worked out afresh.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from core.clock import db_now

logger = logging.getLogger(__name__)

Instants = Callable[[datetime.datetime], datetime.datetime | None]

_data_version: Callable[[], str] | None = None
_instants: dict[str, Instants] = {}

# Headers a view may set on an answer that is kept; any other header means "do not keep it".
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
# A longer query string is not kept (nobody's filters are this long; it would only fill the cache).
MAX_QUERY_LENGTH = 1000


def register_data_version(version: Callable[[], str]) -> None:
    """The audit app's `data_version` (its AppConfig.ready): core cannot import the audit app."""
    global _data_version
    _data_version = version


def register_instants(name: str, instants: Instants) -> None:
    """An app's rule (or rules) whose answer changes with time alone: `instants(after)` is the first
    instant strictly after `after` at which it may change, or None if none is ahead. Registered once
    per name in the owning app's AppConfig.ready."""
    _instants[name] = instants


def cache_seconds() -> int:
    return int(getattr(settings, "PUBLIC_CACHE_SECONDS", 0))


def enabled() -> bool:
    return cache_seconds() > 0 and _data_version is not None


def data_version() -> str:
    if _data_version is None:
        raise RuntimeError("No data version registered (the audit app registers it)")
    return _data_version()


def next_instant_after(now: datetime.datetime) -> datetime.datetime | None:
    """The first instant after `now` at which time alone changes some registered rule."""
    found = [instant for source in _instants.values() if (instant := source(now)) is not None]
    return min(found) if found else None


def _good_until(now: datetime.datetime) -> datetime.datetime:
    """Kept no longer than the next instant, and never past the maximum age (by the database clock)."""
    limit = now + datetime.timedelta(seconds=cache_seconds())
    instant = next_instant_after(now)
    return limit if instant is None else min(limit, instant)


def _timeout(now: datetime.datetime, until: datetime.datetime) -> int:
    return max(1, min(cache_seconds(), int((until - now).total_seconds()) + 1))


# --- A value shared by several views -----------------------------------------------------------


def kept[T](key: str, *, now: datetime.datetime, compute: Callable[[], T]) -> T:
    """The answer kept under `key` for the current data version if it is still good at `now` (the
    database clock, read by the caller before anything else); else `compute()`, kept until the next
    instant that could change it."""
    if not enabled():
        return compute()
    full_key = f"kept:{key}:{data_version()}"
    hit = _cache_call(cache.get, full_key)
    if hit is not None:
        until, answer = hit
        if now < until:
            return answer
    until = _good_until(now)
    answer = compute()
    if now < until:
        _cache_call(cache.set, full_key, (until, answer), _timeout(now, until))
    return answer


# --- A whole public answer ---------------------------------------------------------------------


@dataclass(frozen=True)
class KeptAnswer:
    until: datetime.datetime
    headers: tuple[tuple[str, str], ...]
    content: bytes

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        return response


def _may_use(request: HttpRequest) -> bool:
    """A request that may be answered from, and fill, the cache: public, and the same for anyone."""
    if request.method not in ("GET", "HEAD") or not enabled():
        return False
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_LENGTH:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # A message waiting to be shown (after signing out, say) is this person's: the page is rendered
    # for them. len() reads the stored messages without marking them shown.
    return len(get_messages(request)) == 0


def page_key(request: HttpRequest, version: str) -> str:
    query = urlencode(sorted(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)))
    where = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(f"{get_language()}\n{where}".encode()).hexdigest()
    return f"page:{digest}:{version}"


def _keepable(request: HttpRequest, response, csrf_before: bool) -> bool:
    """Whether the view's answer is the same for anyone who asks now: a 200 page with no cookie,
    no CSRF token, no change to the session, and no headers but its type and file name."""
    if request.method != "GET" or response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not csrf_before:
        return False  # the view asked for a CSRF token: it is in the body, and it is this person's
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    return all(name in KEPT_HEADERS for name in response.headers)


def keep_public(view):
    """Keep a public view's answers (see the module's docstring). For a django-ninja operation:
    `@decorate_view(keep_public)` under its `@router.get`."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not _may_use(request):
            return view(request, *args, **kwargs)
        now = db_now()
        key = page_key(request, data_version())
        hit = _cache_call(cache.get, key)
        if isinstance(hit, KeptAnswer) and now < hit.until:
            return hit.response()
        until = _good_until(now)
        csrf_before = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        response = view(request, *args, **kwargs)
        if now < until and _keepable(request, response, csrf_before):
            headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
            _cache_call(cache.set, key, KeptAnswer(until, headers, response.content), _timeout(now, until))
        return response

    return wrapper


def _cache_call(method, *args):
    """A cache read or write that cannot take the page down: in production the cache is Redis, and
    Django's Redis backend raises while Redis restarts. The answer is then worked out afresh."""
    try:
        return method(*args)
    except Exception:  # noqa: BLE001 - any backend's failure means "not kept", never a server error
        logger.warning("pagecache.cache_unavailable", exc_info=True)
        return None

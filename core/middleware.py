"""Request ids (carried into logs and audit events), the access log, and cross-cutting request checks."""

import contextvars
import logging
import re
import time
import uuid

from django.http import Http404, JsonResponse
from django.utils.functional import SimpleLazyObject, empty

from core.api import error_body
from core.routers import replica_configured, replica_reads, replica_reads_reset, replica_reads_set

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdMiddleware:
    """Makes an id for each request and echoes it back. A well-formed X-Request-ID is taken instead
    only when the service sits behind a proxy that sets it (TRUST_REQUEST_ID_HEADER): otherwise the
    header is the client's to choose, and what a client chose must never be written into the audit
    trail as though the service had issued it."""

    def __init__(self, get_response):
        from django.conf import settings

        self.trust_header = bool(getattr(settings, "TRUST_REQUEST_ID_HEADER", False))
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "") if self.trust_header else ""
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class NulInPathMiddleware:
    """A NUL character names no page here, and PostgreSQL refuses one in text: an address with one
    is "not found" before any view could pass a piece of it (`<str:code>`) to a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            if request.path_info.startswith("/api/"):
                return JsonResponse(error_body("Not found"), status=404)
            raise Http404("There is no such page")
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """Nothing shown to a signed-in person is kept by the browser or any cache on the way: a shared
    computer's back button or a proxy must never show a bid, a score or someone's details."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from django.utils.cache import add_never_cache_headers

            add_never_cache_headers(response)
        return response


access_logger = logging.getLogger("core.access")


class AccessLogMiddleware:
    """One log line per request, as it leaves: method, path, status, time taken, request id and the
    signed-in person's id. The path is logged without its query string, which may carry a token
    (a password reset or confirmation link); a person is named by id only, never by e-mail address.
    Placed first, so it sees every request: those answered by WhiteNoise and refused by a later
    middleware too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )


def _user_id(request) -> int | None:
    """The signed-in person's id, if this request already looked them up: the log never costs a query."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    return user.pk if user.is_authenticated else None


class ReplicaReadsMiddleware:
    """The public read pages (settings.REPLICA_READ_ROUTES) read from the replica database, when one
    is configured (core.routers). Last in MIDDLEWARE, so every earlier check has already read who is
    signed in from the primary; the view, its templates and a streamed body then read the replica."""

    def __init__(self, get_response):
        from django.conf import settings

        self.routes = tuple(settings.REPLICA_READ_ROUTES)
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        token = getattr(request, "_replica_reads_token", None)
        if token is not None:
            replica_reads_reset(token)
            if response.streaming:
                response.streaming_content = _in_replica_reads(response.streaming_content)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        route = getattr(match, "route", None) or ""
        if route.startswith(self.routes) and replica_configured():
            user = getattr(request, "user", None)
            if user is not None:
                user.is_authenticated  # noqa: B018 - the session and person come from the primary
            request._replica_reads_token = replica_reads_set()


def _in_replica_reads(content):
    with replica_reads():
        yield from content

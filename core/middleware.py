"""Request id: one id per request, carried into logs and audit events."""

import contextvars
import logging
import re
import uuid

from django.http import Http404, JsonResponse

from core.api import error_body

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

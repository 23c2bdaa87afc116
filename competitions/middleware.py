"""A sealed value that does not decrypt, on any page the bid pages' own handling does not cover
(ADR 7): a plain page saying so (503), an error in the log without any of the bid's content, and
"bid.integrity_failed" in the audit trail, never a 500 with a stack trace."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from competitions.sealing import SealBroken
from competitions.services.bids import bid_unreadable_record
from competitions.views.integrity import unreadable_page


class SealBrokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, SealBroken):
            return None
        match = getattr(request, "resolver_match", None)
        bid_id = (match.kwargs.get("bid_id") if match else None) or None
        bid_unreadable_record(
            bid_id=bid_id,
            user=getattr(request, "user", None),
            purpose=f"page:{match.view_name if match else request.path}",
        )
        return unreadable_page(request)

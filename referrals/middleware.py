"""A referral's personal data that does not decrypt (its key is gone from PERSONAL_DATA_KEYS, or
the row was changed outside the service; ADR 12): a plain page saying so (503) and an error in the
log naming the page, never the data and never a 500 with a stack trace."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from referrals.sealing import PersonalDataUnreadable

logger = logging.getLogger(__name__)


class PersonalDataUnreadableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PersonalDataUnreadable):
            return None
        match = getattr(request, "resolver_match", None)
        logger.error("Personal data could not be decrypted on %s", match.view_name if match else "a page")
        return render(request, "referrals/unreadable.html", status=503)

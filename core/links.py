"""Absolute links for e-mails and letters.

Every link that leaves the service (an e-mail, a letter, a task's message) is built here, from
`settings.SERVICE_BASE_URL`, never from the request that happened to cause it: e-mails are sent by
background tasks that have no request, and a request's Host header is the client's to choose.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def service_url(name: str, *args, **kwargs) -> str:
    """The absolute address of the URL pattern `name`, e.g. https://example.gov.uk/opportunities/7/."""
    path = reverse(name, args=args or None, kwargs=kwargs or None)
    return settings.SERVICE_BASE_URL.rstrip("/") + path

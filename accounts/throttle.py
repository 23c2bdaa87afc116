"""How django-axes names who is signing in: the account, and the address the attempt came from.

Failures are counted for the two together (settings.AXES_LOCKOUT_PARAMETERS), so whoever guesses
one person's password from one address slows down only themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address sign-in attempts are counted against.

    Behind N trusted proxies (setting SIGN_IN_TRUSTED_PROXIES, default 0) the client is the Nth
    address from the right of X-Forwarded-For; otherwise every user would share the proxy's address.
    Addresses further left are whatever the client wrote, so they are never believed.
    """
    proxies = int(getattr(settings, "SIGN_IN_TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account's e-mail address as the service stores it (lower case, trimmed), so changing its
    capitals does not start a new count."""
    value = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if value is None and request is not None and request.method == "POST":
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return value.strip().lower()[:254] if value else None

"""Production: safe by default. Everything insecure must be switched on deliberately elsewhere."""

import os

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    BID_ENCRYPTION_KEYS,
    PERSONAL_DATA_HASH_KEY,
    PERSONAL_DATA_KEYS,
    SECRET_KEY,
    databases,
    env_bool,
    logging_config,
)

if not SECRET_KEY:
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable.")

# Bids are encrypted at rest (ADR 7): without a valid key nothing could be stored or read, so
# refuse to start rather than fail at the first bid.
if not BID_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("Set the BID_ENCRYPTION_KEYS environment variable (manage.py bid_keys makes a key).")
for _key in BID_ENCRYPTION_KEYS:
    try:
        Fernet(_key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ImproperlyConfigured(
            "BID_ENCRYPTION_KEYS must be Fernet keys (32 bytes, URL-safe base64), separated by commas."
        ) from None

# The personal data of people referred (ADR 12): the same, with keys of its own.
if not PERSONAL_DATA_KEYS or not PERSONAL_DATA_HASH_KEY:
    raise ImproperlyConfigured(
        "Set the PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY environment variables "
        "(manage.py personal_data_keys makes them)."
    )
for _key in PERSONAL_DATA_KEYS:
    try:
        Fernet(_key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEYS must be Fernet keys (32 bytes, URL-safe base64), separated by commas."
        ) from None
if len(PERSONAL_DATA_HASH_KEY) < 32:
    raise ImproperlyConfigured("PERSONAL_DATA_HASH_KEY must be at least 32 characters long.")

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer asks these over plain HTTP, from inside the network: a redirect is not an answer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Each worker keeps its database connection for a minute (checked before reuse) instead of opening
# one per request.
DATABASES = databases(conn_max_age_default=60)
# One JSON object a line for the log collector; LOG_FORMAT=plain for a person reading a terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json").strip().lower()
LOGGING = logging_config(LOG_FORMAT, os.environ.get("LOG_LEVEL", "INFO"))

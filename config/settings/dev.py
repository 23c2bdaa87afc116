"""Local development (`make run`): plain HTTP on 127.0.0.1, e-mails written to files."""

import os

from .backends import mailer_from_env
from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = True
SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - never used outside a developer's machine
# E-mails written to files in var/sent-email unless EMAIL_BACKEND says otherwise (console prints them).
MAILERS = {"default": mailer_from_env({"EMAIL_BACKEND": "file", **os.environ}, base_dir=BASE_DIR)}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo's audit checkpoint key: made once by `make run` (manage.py audit_keys), kept in var/.
_AUDIT_KEY_FILE = BASE_DIR / "var" / "audit-signing.key"
if not AUDIT_SIGNING_KEY and _AUDIT_KEY_FILE.exists():  # noqa: F405
    AUDIT_SIGNING_KEY = _AUDIT_KEY_FILE.read_text().strip()

# The local bid encryption key (ADR 7): made once by `make run` or `make bench` (manage.py bid_keys)
# and kept in var/, like the audit key. Without it bids can be neither stored nor read.
_BID_KEY_FILE = BASE_DIR / "var" / "bid-encryption.key"
if not BID_ENCRYPTION_KEYS and _BID_KEY_FILE.exists():  # noqa: F405
    BID_ENCRYPTION_KEYS = [key.strip() for key in _BID_KEY_FILE.read_text().split(",") if key.strip()]

# The local personal-data keys of referrals (ADR 12), made once by `make run` (manage.py
# personal_data_keys) and kept in var/ like the bid key.
_PERSONAL_KEY_FILE = BASE_DIR / "var" / "personal-data.key"  # noqa: F405
if not PERSONAL_DATA_KEYS and _PERSONAL_KEY_FILE.exists():  # noqa: F405
    PERSONAL_DATA_KEYS = [key.strip() for key in _PERSONAL_KEY_FILE.read_text().split(",") if key.strip()]
_PERSONAL_HASH_KEY_FILE = BASE_DIR / "var" / "personal-data-hash.key"  # noqa: F405
if not PERSONAL_DATA_HASH_KEY and _PERSONAL_HASH_KEY_FILE.exists():  # noqa: F405
    PERSONAL_DATA_HASH_KEY = _PERSONAL_HASH_KEY_FILE.read_text().strip()

"""Local development (`make run`): plain HTTP on 127.0.0.1, e-mails written to files."""

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = True
SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - never used outside a developer's machine
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(BASE_DIR / "var" / "sent-email")},
    }
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo's audit checkpoint key: made once by `make run` (manage.py audit_keys), kept in var/.
_AUDIT_KEY_FILE = BASE_DIR / "var" / "audit-signing.key"
if not AUDIT_SIGNING_KEY and _AUDIT_KEY_FILE.exists():  # noqa: F405
    AUDIT_SIGNING_KEY = _AUDIT_KEY_FILE.read_text().strip()

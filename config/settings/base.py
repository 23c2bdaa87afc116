"""Settings shared by every environment, read from environment variables.

Each environment module (dev, test, production) imports this and changes only
what differs. Anything a deployment must choose comes from the environment.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SERVICE_NAME = "Commission probation services"
# Absolute links in e-mails start with this.
SERVICE_BASE_URL = os.environ.get("SERVICE_BASE_URL", "http://127.0.0.1:8000")
if not SERVICE_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SERVICE_BASE_URL must be an absolute address, like https://example.gov.uk")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "ninja",
    # Two-factor sign-in for staff (TOTP and one-time recovery codes) and sign-in throttling.
    # Before our apps: accounts/admin.py takes their admin pages away.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # Our apps, in import order: later apps may import earlier ones, never the reverse.
    "core",
    "audit",
    "reference",
    "accounts",
    "qualification",
    "competitions",
    "contracts",
    "opendata",
    "insights",
    "publicdata",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.NoStoreWhenSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.NulInPathMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.EmailConfirmationMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        # Service pages: Jinja2, so the govuk-frontend-jinja macros render exact GOV.UK markup.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.service",
                "config.navigation.navigation",
            ],
        },
    },
    {
        # The Django admin and the API docs page ship Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a sign-in from an account and address that guessed too often.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "core:start"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # Not like the person's name, e-mail address or organisation's name (accounts.passwords).
    {
        "NAME": "accounts.passwords.SimilarityValidator",
        "OPTIONS": {"user_attributes": ("full_name", "email", "organisation_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 256}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.RepeatedPatternValidator"},
]
# Sign-in throttling (django-axes): failures are counted for an account and an address together,
# so someone guessing from one address never stops the account's owner signing in from another.
# After SIGN_IN_MAX_ATTEMPTS failures that pair waits SIGN_IN_WINDOW_SECONDS; failures while it
# waits do not make the wait longer, and the right password from elsewhere always works.
SIGN_IN_MAX_ATTEMPTS = int(os.environ.get("SIGN_IN_MAX_ATTEMPTS", "5"))
SIGN_IN_WINDOW_SECONDS = int(os.environ.get("SIGN_IN_WINDOW_SECONDS", "900"))
# How many proxies in front of the service append to X-Forwarded-For (0: use the socket address).
SIGN_IN_TRUSTED_PROXIES = int(os.environ.get("SIGN_IN_TRUSTED_PROXIES", "0"))
AXES_FAILURE_LIMIT = SIGN_IN_MAX_ATTEMPTS
AXES_COOLOFF_TIME = datetime.timedelta(seconds=SIGN_IN_WINDOW_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "accounts.throttle.username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_ip"
AXES_ENABLE_ADMIN = False  # accounts/admin.py shows the attempts, read-only
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail (user.signed_in)
AXES_VERBOSE = False
# axes' middleware would answer a blocked sign-in with its own page; the sign-in page says it the
# GOV.UK way instead (accounts.views.sign_in), so the middleware is left out on purpose.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
# Take X-Request-ID from the incoming request only behind a proxy that sets it (never from clients).
TRUST_REQUEST_ID_HEADER = env_bool("TRUST_REQUEST_ID_HEADER", False)
# E-mails anyone can cause by typing an address (a password reset link, "someone tried to register
# with your address"): at most this many of each kind to one address in an hour. The pages say the
# same whether or not an e-mail went.
ACCOUNT_EMAILS_PER_HOUR = int(os.environ.get("ACCOUNT_EMAILS_PER_HOUR", "3"))

# Two-factor sign-in (django-otp) for everyone with a staff role or access to the Django admin.
OTP_TOTP_ISSUER = SERVICE_NAME
OTP_TOTP_TOLERANCE = 1  # one 30-second step either side, for a phone's clock a little out
RECOVERY_CODE_COUNT = 10
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_VALID_DAYS = 14

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/assets/"
STATIC_ROOT = BASE_DIR / "var" / "static"
GOVUK_FRONTEND_DIST = BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STATICFILES_DIRS = [
    # GOV.UK Frontend's CSS asks for /assets/fonts/... and /assets/images/...; serving its
    # assets folder at the root of STATIC_URL makes those paths resolve unchanged.
    GOVUK_FRONTEND_DIST / "assets",
    ("govuk", GOVUK_FRONTEND_DIST),
    # GOV.UK's accessible-autocomplete (the partner search box), served as npm installed it.
    ("accessible-autocomplete", BASE_DIR / "node_modules" / "accessible-autocomplete" / "dist"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "uploads"))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/uploads/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A Word, Excel or OpenDocument file is a zip: refused before anything in it is read if it holds
# more files, more bytes unzipped, or any file more compressed than these (zip bombs).
MAX_ZIP_ENTRIES = 2000
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_ZIP_RATIO = 100

# E-mail: Django 6.1's MAILERS. SMTP by default; EMAIL_* variables configure it.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@commission-probation-services.example")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Tasks that run on a timetable: (dotted path of a @task, every N seconds). Each is idempotent and
# only catches up on what is due, so running it late or twice is harmless: deadlines themselves
# take effect from timestamps, never from these tasks.
PERIODIC_TASKS = [
    ("audit.tasks.make_audit_checkpoint", 5 * 60),
    ("contracts.tasks.create_due_contracts", 15 * 60),
    ("competitions.tasks_award.send_standstill_ending_reminders", 60 * 60),
    ("competitions.tasks.send_deadline_reminders", 60 * 60),
    ("qualification.tasks.send_declaration_reminders", 24 * 60 * 60),
]

# Audit checkpoints (ADR 6): the Ed25519 private key that signs them (base64, raw 32 bytes) is
# needed only by the process that runs the periodic tasks; the public keys, old ones included after
# a rotation, are published with the checkpoints.
AUDIT_SIGNING_KEY = os.environ.get("AUDIT_SIGNING_KEY", "")
AUDIT_VERIFY_KEYS = env_list("AUDIT_VERIFY_KEYS")

# Bid content encrypted at rest (ADR 7): Fernet keys, comma-separated. The first encrypts; every
# one decrypts, so a new key goes first and the old ones stay until `manage.py reencrypt_bids` has
# run. Kept outside the database, like the audit key; production refuses to start without one.
BID_ENCRYPTION_KEYS = env_list("BID_ENCRYPTION_KEYS")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Insight answers are kept until the data changes or a closing date passes, and never longer than
# this (insights/cache.py, ADR 8). 0 turns keeping off.
INSIGHTS_CACHE_SECONDS = int(os.environ.get("INSIGHTS_CACHE_SECONDS", "300"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script or style anywhere: GOV.UK Frontend is started from a module file.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

OCDS_PREFIX = os.environ.get("OCDS_PREFIX", "ocds-pdf000")
OCDS_PAGE_SIZE = int(os.environ.get("OCDS_PAGE_SIZE", "50"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; the audit trail already records them.
    "loggers": {"axes": {"level": "WARNING"}},
}

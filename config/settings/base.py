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

from .backends import default_storage_from_env, mailer_from_env

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
    "referrals",
    "volumes",
    "opendata",
    "insights",
    "publicdata",
    "demo",
]

MIDDLEWARE = [
    # First, so every response (a static file, an HTTPS redirect) has a request id and one log line.
    "core.middleware.RequestIdMiddleware",
    "core.middleware.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
    # After every check above: each has read who is signed in from the primary database.
    "core.middleware.ReplicaReadsMiddleware",
    # Last, so that it sees a view's exception first: a bid that does not decrypt is a plain page.
    "competitions.middleware.SealBrokenMiddleware",
    "referrals.middleware.PersonalDataUnreadableMiddleware",
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


def database(url: str, *, conn_max_age: int) -> dict:
    """One entry of DATABASES. Connections are kept for conn_max_age seconds (0: one per request)
    and checked before each request reuses one, so a database restart costs no failed request."""
    config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while the task worker writes.
        config.setdefault("OPTIONS", {})
        config["OPTIONS"].update(
            {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
        )
    return config


def databases(environ=os.environ, *, conn_max_age_default: int = 0) -> dict:
    """DATABASES from DATABASE_URL and, when set, DATABASE_REPLICA_URL: a read replica that only the
    public insight and register pages read from (core.routers.ReplicaRouter)."""
    conn_max_age = int(environ.get("CONN_MAX_AGE", str(conn_max_age_default)))
    default_url = environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
    result = {"default": database(default_url, conn_max_age=conn_max_age)}
    if environ.get("DATABASE_REPLICA_URL"):
        replica = database(environ["DATABASE_REPLICA_URL"], conn_max_age=conn_max_age)
        # A test run makes no second database: the replica is the default one there.
        replica["TEST"] = {"MIRROR": "default"}
        result["replica"] = replica
    return result


DATABASES = databases()
# Every write, and every read but the public pages', goes to "default"; see core/routers.py.
DATABASE_ROUTERS = ["core.routers.ReplicaRouter"]
# The public pages that read from the replica, if there is one: `ResolverMatch.route` prefixes.
REPLICA_READ_ROUTES = ["insights/", "public/", "open-data/", "api/v1/insights/", "api/v1/public/", "api/v1/ocds/"]

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
    # Length first: a page shows one message per field, the first, and "too short" is the one to
    # fix first (a short password can also look like the name: "short" is like "Thomas").
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    # Not like the person's name, e-mail address or organisation's name (accounts.passwords).
    {
        "NAME": "accounts.passwords.SimilarityValidator",
        "OPTIONS": {"user_attributes": ("full_name", "email", "organisation_name")},
    },
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
    # Uploaded files: the filesystem, or S3-compatible object storage (STORAGE_BACKEND=s3).
    "default": default_storage_from_env(os.environ, base_dir=BASE_DIR),
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

# E-mail: Django 6.1's MAILERS. EMAIL_BACKEND chooses smtp (default), notify, console or file; each
# mailer gets only its own options (config/settings/backends.py). Every e-mail goes from a task
# (core.mail), tried up to EMAIL_MAX_ATTEMPTS times, waiting EMAIL_RETRY_SECONDS doubling each time.
MAILERS = {"default": mailer_from_env(os.environ, base_dir=BASE_DIR)}
EMAIL_MAX_ATTEMPTS = int(os.environ.get("EMAIL_MAX_ATTEMPTS", "10"))
EMAIL_RETRY_SECONDS = int(os.environ.get("EMAIL_RETRY_SECONDS", "60"))
EMAIL_RETRY_MAX_SECONDS = int(os.environ.get("EMAIL_RETRY_MAX_SECONDS", "3600"))
# Sent e-mails leave the task table at once (core.mail.forget_sent_emails); ones that failed for good
# stay this long, for someone to see what did not go.
EMAIL_KEEP_FAILED_DAYS = int(os.environ.get("EMAIL_KEEP_FAILED_DAYS", "14"))
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
    ("core.mail.forget_sent_emails", 15 * 60),
    ("referrals.tasks.erase_expired_personal_data", 24 * 60 * 60),
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

# The personal data of people referred to a service (ADR 12): Fernet keys of their own, apart from
# the bid keys (first encrypts, all decrypt; `manage.py reencrypt_personal_data` after adding one),
# and the key of the keyed hash (HMAC-SHA256) case reference numbers are searched by. Both outside
# the database; production refuses to start without them.
PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS")
PERSONAL_DATA_HASH_KEY = os.environ.get("PERSONAL_DATA_HASH_KEY", "")
# Personal data is erased this many years after a referral is over (cancelled, ended or completed),
# the counts kept: six years after the end of the work, the time within which a claim about it can
# be brought (Limitation Act 1980), plus one year to close the books (see ADR 12).
REFERRAL_RETENTION_YEARS = int(os.environ.get("REFERRAL_RETENTION_YEARS", "7"))

# The flags on contracts' volumes and value (issue 13, volumes/flags.py; each explained where it is
# shown). Demand above or below contract: referrals so far in a financial year above (below) this
# share of the people contracted pro rata, once this many days of the year have passed. Thin
# funding: value per person contracted more than this share below the median of the same service
# type that year. Late payment rising: the share of paid claims paid late up by more than this
# many percentage points on the year before.
VOLUMES_DEMAND_ABOVE_PERCENT = int(os.environ.get("VOLUMES_DEMAND_ABOVE_PERCENT", "110"))
VOLUMES_DEMAND_BELOW_PERCENT = int(os.environ.get("VOLUMES_DEMAND_BELOW_PERCENT", "70"))
VOLUMES_DEMAND_MIN_DAYS = int(os.environ.get("VOLUMES_DEMAND_MIN_DAYS", "30"))
VOLUMES_THIN_FUNDING_PERCENT = int(os.environ.get("VOLUMES_THIN_FUNDING_PERCENT", "20"))
VOLUMES_LATE_RISE_POINTS = int(os.environ.get("VOLUMES_LATE_RISE_POINTS", "0"))


def caches(environ=os.environ) -> dict:
    """Redis (Django's own backend) when REDIS_URL is set, shared by every process on every
    machine; otherwise each process's own memory, which needs nothing running beside the service."""
    if environ.get("REDIS_URL"):
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": environ["REDIS_URL"]}}
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


CACHES = caches()
# Sessions stay in the database (Django's default), not in the cache or cached_db: a session is the
# record of a sign-in and its second factor; Redis keeps nothing on disk here, and Django's Redis
# backend raises while Redis is down, so a cached session would turn a Redis restart into every
# signed-in request failing. Reading one by its primary key costs one indexed query.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# /readyz answers 503 (take this web server out of the load balancer) when the oldest task waiting
# for a worker has waited longer than this: the workers are down or far behind.
READY_MAX_TASK_AGE_SECONDS = int(os.environ.get("READY_MAX_TASK_AGE_SECONDS", "900"))
# Public answers (registers, insights, open data) are kept until the data changes or an instant that
# changes them passes (a closing date, midnight), and never longer than this (core/pagecache.py,
# ADR 10). 0 turns keeping off.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))

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
OCDS_PAGE_SIZE = int(os.environ.get("OCDS_PAGE_SIZE", "10"))  # competitions a page (opendata/selectors.py)


def logging_config(log_format: str, level: str = "INFO") -> dict:
    """LOGGING for LOG_FORMAT "plain" (one readable line each, for a developer's terminal) or "json"
    (one JSON object a line, for a log collector). Every line carries the request id; the access
    log (core.middleware.AccessLogMiddleware) writes one line per request."""
    if log_format not in {"plain", "json"}:
        raise ImproperlyConfigured('LOG_FORMAT must be "plain" or "json".')
    formatters = {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "core.middleware.RequestIdLogFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # django-axes logs every sign-in at INFO; the audit trail already records them.
            "axes": {"level": "WARNING"},
            # The access log already has every request's status: Django's own line for each 4xx would
            # be a second line for one request. Server errors (with their traceback) still log.
            "django.request": {"level": "ERROR"},
        },
    }


LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower()
LOGGING = logging_config(LOG_FORMAT, os.environ.get("LOG_LEVEL", "INFO"))

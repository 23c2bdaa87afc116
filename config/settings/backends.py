"""The mailer and the file storage, chosen from environment variables.

Each mailer gets only the options it understands: Django's mailers refuse unknown options, so
passing the SMTP host and port to the console or Notify mailer would stop the service starting.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
FILE = "django.core.mail.backends.filebased.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
NOTIFY = "core.notify.NotifyEmailBackend"
MAILER_NAMES = {"smtp": SMTP, "console": CONSOLE, "file": FILE, "locmem": LOCMEM, "notify": NOTIFY}

FILESYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"
S3_STORAGE = "storages.backends.s3.S3Storage"


def _true(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _required(env: Mapping[str, str], name: str, why: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable ({why}).")
    return value


def mailer_from_env(env: Mapping[str, str], *, base_dir: Path) -> dict:
    """MAILERS["default"]: EMAIL_BACKEND is smtp (the default), notify, console, file, locmem or a
    dotted path to a mailer class (which then gets no options)."""
    chosen = env.get("EMAIL_BACKEND", "").strip() or "smtp"
    backend = MAILER_NAMES.get(chosen, chosen)
    if backend == SMTP:
        options = {
            "host": env.get("EMAIL_HOST", "localhost"),
            "port": int(env.get("EMAIL_PORT", "25")),
            "username": env.get("EMAIL_HOST_USER", ""),
            "password": env.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": _true(env.get("EMAIL_USE_TLS", "")),
            "use_ssl": _true(env.get("EMAIL_USE_SSL", "")),
            # A mail server that does not answer must not hold a task worker for ever.
            "timeout": float(env.get("EMAIL_TIMEOUT", "10")),
        }
    elif backend == NOTIFY:
        options = {
            "api_key": _required(env, "NOTIFY_API_KEY", "the GOV.UK Notify API key"),
            "template_id": _required(env, "NOTIFY_TEMPLATE_ID", "the Notify template with ((subject)) and ((body))"),
            "base_url": env.get("NOTIFY_BASE_URL", ""),
        }
    elif backend == FILE:
        options = {"file_path": env.get("EMAIL_FILE_PATH", str(base_dir / "var" / "sent-email"))}
    else:
        options = {}
    return {"BACKEND": backend, "OPTIONS": options}


def default_storage_from_env(env: Mapping[str, str], *, base_dir: Path) -> dict:
    """STORAGES["default"] (uploaded files): the filesystem under MEDIA_ROOT, or with
    STORAGE_BACKEND=s3 a bucket in S3-compatible object storage. Files there are private: they
    are only ever read through the service's own views, which check who may see them."""
    chosen = env.get("STORAGE_BACKEND", "").strip() or "filesystem"
    if chosen == "filesystem":
        return {
            "BACKEND": FILESYSTEM_STORAGE,
            "OPTIONS": {"location": env.get("MEDIA_ROOT", str(base_dir / "var" / "uploads"))},
        }
    if chosen != "s3":
        raise ImproperlyConfigured("STORAGE_BACKEND must be filesystem or s3.")
    options = {
        "bucket_name": _required(env, "AWS_STORAGE_BUCKET_NAME", "the bucket for uploaded files"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    # Optional: without them boto3 finds credentials and region the usual way (an instance role).
    for name, option in (
        ("AWS_S3_ENDPOINT_URL", "endpoint_url"),
        ("AWS_ACCESS_KEY_ID", "access_key"),
        ("AWS_SECRET_ACCESS_KEY", "secret_key"),
        ("AWS_S3_REGION_NAME", "region_name"),
    ):
        if env.get(name, "").strip():
            options[option] = env[name].strip()
    return {"BACKEND": S3_STORAGE, "OPTIONS": options}

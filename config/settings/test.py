"""Tests: same behaviour as production where users could notice; faster hashing and in-memory e-mail."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run in the calling process during tests so their effects can be asserted directly.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("TEST_MEDIA_ROOT", str(BASE_DIR / "var" / "test-uploads"))},
    },
}
# Tests write rows directly (factories, no audit event), so nothing is kept between requests;
# core/tests/test_pagecache.py and insights/tests/test_cache.py turn keeping on to test it.
PUBLIC_CACHE_SECONDS = 0
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SERVICE_BASE_URL = "https://commission-probation.test"
# Test databases let the test runner's TRUNCATE through the audit triggers (see audit migration 3).
AUDIT_TEST_FLUSH_BYPASS = True
# A fresh checkpoint key for each test run; tests of rotation and forgery make their own.
from audit.signing import new_key_pair  # noqa: E402

AUDIT_SIGNING_KEY, _AUDIT_PUBLIC_KEY = new_key_pair()
# A fresh bid encryption key for each test run; tests of rotation add their own.
from competitions.sealing import new_key  # noqa: E402

BID_ENCRYPTION_KEYS = [new_key()]
# The same for personal data in referrals (ADR 12), and the key of the CRN's keyed hash.
PERSONAL_DATA_KEYS = [new_key()]
PERSONAL_DATA_HASH_KEY = new_key()
# Last, so it sees only requests whose view runs: the suite fails on a route no test reaches (tests/routes.py).
MIDDLEWARE = [*MIDDLEWARE, "tests.routes.RouteRecorderMiddleware"]  # noqa: F405

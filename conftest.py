"""Shared test set-up: Chromium for Playwright, axe accessibility checks, and common fixtures."""

import os
import shutil

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Property tests: no per-example deadline (a busy machine made one fail by timing alone). "ci", the
# default and what `make test` runs, draws the same examples every run and keeps no example database;
# "dev" (HYPOTHESIS_PROFILE=dev) explores new examples and remembers failures. Whatever Hypothesis
# stores (examples, cached constants) goes under var/, which git ignores.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(os.path.dirname(__file__), "var", "hypothesis"))
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "ui" in getattr(item, "fixturenames", ()) or "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    # Browser tests must run, never skip: fail loudly if Chromium is missing.
    if any(item.get_closest_marker("browser") for item in items) and not os.path.exists(CHROMIUM):
        raise pytest.UsageError(
            f"Browser tests need Chromium at {CHROMIUM}. Install Debian's package: apt-get install -y chromium"
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


def _let_the_test_runner_empty_the_audit_tables() -> None:
    """Between transactional tests the runner empties every table, which the audit tables'
    triggers refuse. Test databases' triggers (and only theirs, see audit migration 3) allow it
    inside a transaction that sets audit.test_flush; this marks the runner's flush so.

    It also empties them with DELETE rather than TRUNCATE when no sequence is to be reset: a test
    leaves a few rows in a few of 200 tables, and TRUNCATE makes new files for every table and
    index (1.3-1.8 s a test on PostgreSQL, against a few milliseconds). Django's foreign keys on
    PostgreSQL are DEFERRABLE INITIALLY DEFERRED, so the order of the DELETEs does not matter
    inside the one transaction the flush runs in."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.sql_flush
    if getattr(flush, "marks_audit_flush", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables:
            return []
        if reset_sequences:
            statements = flush(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
        else:
            statements = ["SET CONSTRAINTS ALL DEFERRED"]
            statements += [f"DELETE FROM {self.quote_name(table)}" for table in tables]
        return ["SET LOCAL audit.test_flush = 'on'", *statements]

    sql_flush.marks_audit_flush = True
    DatabaseOperations.sql_flush = sql_flush


_let_the_test_runner_empty_the_audit_tables()

from tests.fixtures import *  # noqa: E402, F403

# Suite-wide guards: e-mail links, and every URL pattern reached (tests/guards.py).
pytest_plugins = ["tests.guards"]
from tests.s3 import s3_bucket, s3_server  # noqa: E402, F401

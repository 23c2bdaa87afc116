"""For tests of e-mail from tasks: the production task backend, django-tasks-db's own worker run in the
test process (as `manage.py db_worker` runs it), and a mail server that is down."""

from __future__ import annotations

import socket
from io import StringIO

from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config.settings.backends import mailer_from_env

# The production task backend: tasks stored in the database until a worker runs them.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The mailer every test reads (Django's in-memory outbox): the mail server "back".
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def run_task_worker() -> None:
    """Run every task that is due now, then stop (tasks due later stay queued)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", stdout=StringIO(), stderr=StringIO())


def make_due() -> None:
    """Time passes: every waiting retry is due."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def closed_port() -> int:
    """A localhost port nothing listens on: connecting is refused, like a mail server that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_down() -> dict:
    """MAILERS with the SMTP mailer pointed at a closed port."""
    env = {"EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(closed_port()), "EMAIL_TIMEOUT": "2"}
    return {"default": mailer_from_env(env, base_dir=None)}

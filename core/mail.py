"""Every e-mail the service sends goes out from a task, never inside a request, so no request waits
on (or fails with) the mail server.

- `send_email()` is what services and tasks call: it only enqueues `deliver_email`, inside the
  caller's transaction (with the database task backend the e-mail is stored with the change it
  reports, and dropped with it if that change rolls back).
- `deliver_or_retry()` sends from inside a task and, when the mailer fails (SMTP, GOV.UK Notify,
  anything), enqueues the same task again with `run_after` and the next attempt number: the wait
  doubles from EMAIL_RETRY_SECONDS up to EMAIL_RETRY_MAX_SECONDS, EMAIL_MAX_ATTEMPTS tries in all.
  django-tasks has no retry of its own. A task whose e-mail holds a secret link (a password reset,
  an address confirmation) composes the e-mail itself and calls this, so the link is made when the
  e-mail goes and never stored in the task queue.
- Logs never hold the recipient's address or the body (an SMTP error's text can quote the address,
  so only its class is logged). `forget_sent_emails` removes delivered e-mails from the task table.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import Task, TaskContext, task
from django.utils import timezone

logger = logging.getLogger(__name__)

SENT, RETRYING, FAILED = "sent", "retry scheduled", "failed"


def send_email(*, to: Iterable[str], subject: str, body: str) -> None:
    """Send one plain-text e-mail to these addresses, from a task. Nothing is sent to nobody."""
    recipients = [address for address in to if address]
    if not recipients:
        return
    deliver_email.enqueue(to=recipients, subject=subject, body=body)


def retry_delay(attempt: int) -> datetime.timedelta:
    """The wait after failed attempt number `attempt` (1, 2, …)."""
    seconds = settings.EMAIL_RETRY_SECONDS * 2 ** (attempt - 1)
    return datetime.timedelta(seconds=min(seconds, settings.EMAIL_RETRY_MAX_SECONDS))


def deliver_or_retry(
    this_task: Task, context: TaskContext, *, attempt: int, task_kwargs: dict, to: list[str], subject: str, body: str
) -> str:
    """Send now (from inside `this_task`); on failure enqueue `this_task` again with `task_kwargs`
    and `attempt + 1`, until the last attempt. Returns what happened, for the task's result."""
    try:
        EmailMessage(subject, body, None, to).send()
    except Exception as error:  # noqa: BLE001 - every mailer raises its own errors; all of them mean "try later"
        details = {"task_id": context.task_result.id, "attempt": attempt, "error": type(error).__name__}
        if attempt >= settings.EMAIL_MAX_ATTEMPTS or not this_task.get_backend().supports_defer:
            # Final. The task's stored arguments say what it was; the log says only which task.
            logger.error("email.failed: task %(task_id)s, attempt %(attempt)s, %(error)s", details, extra=details)
            return FAILED
        run_after = timezone.now() + retry_delay(attempt)
        if getattr(error, "remaining", None) and "to" in task_kwargs:
            # Some addresses had it already (core.notify.PartlySent): try only the others again.
            task_kwargs = {**task_kwargs, "to": list(error.remaining)}
        this_task.using(run_after=run_after).enqueue(**task_kwargs, attempt=attempt + 1)
        details["run_after"] = run_after.isoformat()
        logger.warning(
            "email.retry_scheduled: task %(task_id)s, attempt %(attempt)s, %(error)s, next at %(run_after)s",
            details,
            extra=details,
        )
        return RETRYING
    if attempt > 1:
        details = {"task_id": context.task_result.id, "attempt": attempt}
        logger.info("email.sent: task %(task_id)s, attempt %(attempt)s", details, extra=details)
    return SENT


@task(takes_context=True)
def deliver_email(context: TaskContext, *, to: list[str], subject: str, body: str, attempt: int = 1) -> str:
    return deliver_or_retry(
        deliver_email,
        context,
        attempt=attempt,
        task_kwargs={"to": to, "subject": subject, "body": body},
        to=to,
        subject=subject,
        body=body,
    )


@task
def forget_sent_emails() -> int:
    """Delete finished e-mail tasks from the database task queue: those sent (or handed on to a
    later attempt) at once, those that failed for good after EMAIL_KEEP_FAILED_DAYS (kept so
    someone can see what did not go). The queue then holds no old addresses or message text."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(deliver_email.get_backend(), DatabaseBackend):
        return 0  # no task is kept anywhere else

    finished = DBTaskResult.objects.successful().filter(task_path=deliver_email.module_path)
    kept_since = timezone.now() - datetime.timedelta(days=settings.EMAIL_KEEP_FAILED_DAYS)
    deleted, _ = finished.exclude(return_value=FAILED).delete()
    old_failures, _ = finished.filter(return_value=FAILED, finished_at__lt=kept_since).delete()
    return deleted + old_failures

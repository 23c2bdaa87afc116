"""Every e-mail the service sends goes through `send_email()`: it only enqueues a task, so no request
ever waits on (or fails with) the mail server. The task `deliver_email` sends it through the configured
mailer (SMTP, GOV.UK Notify, console or file) and, when that fails, tries again later with a growing
wait, up to EMAIL_MAX_ATTEMPTS times in all.

Enqueueing happens inside the caller's transaction: with the database task backend the e-mail is
stored with the change it reports and is dropped with it if that change rolls back.

django-tasks has no retry of its own, so a failed attempt enqueues the next one itself, with
`run_after` and the attempt number. Logs never hold the recipient's address or the body (an SMTP
error's text can quote the address, so only its class is logged).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import TaskContext, task
from django.utils import timezone

logger = logging.getLogger(__name__)


def send_email(*, to: Iterable[str], subject: str, body: str) -> None:
    """Send one plain-text e-mail to these addresses, from a task. Nothing is sent to nobody."""
    recipients = [address for address in to if address]
    if not recipients:
        return
    deliver_email.enqueue(to=recipients, subject=subject, body=body, attempt=1)


def retry_delay(attempt: int) -> datetime.timedelta:
    """The wait after failed attempt number `attempt` (1, 2, …): doubling from EMAIL_RETRY_SECONDS,
    never longer than EMAIL_RETRY_MAX_SECONDS."""
    seconds = settings.EMAIL_RETRY_SECONDS * 2 ** (attempt - 1)
    return datetime.timedelta(seconds=min(seconds, settings.EMAIL_RETRY_MAX_SECONDS))


@task(takes_context=True)
def deliver_email(context: TaskContext, *, to: list[str], subject: str, body: str, attempt: int) -> str:
    """Send the e-mail; on failure enqueue the next attempt. Returns what happened, for the task's result."""
    try:
        EmailMessage(subject, body, None, to).send()
    except Exception as error:  # noqa: BLE001 - every mailer raises its own errors; all of them mean "try later"
        return _after_failure(context, to=to, subject=subject, body=body, attempt=attempt, error=error)
    if attempt > 1:
        logger.info(
            "email.sent: task %s, attempt %s",
            context.task_result.id,
            attempt,
            extra={"task_id": context.task_result.id, "attempt": attempt},
        )
    return "sent"


def _after_failure(context: TaskContext, *, to, subject, body, attempt: int, error: Exception) -> str:
    details = {"task_id": context.task_result.id, "attempt": attempt, "error": type(error).__name__}
    if attempt >= settings.EMAIL_MAX_ATTEMPTS or not deliver_email.get_backend().supports_defer:
        # Final: the task result keeps the message for someone to look at; the log says only which.
        logger.error("email.failed: task %(task_id)s, attempt %(attempt)s, %(error)s", details, extra=details)
        return "failed"
    run_after = timezone.now() + retry_delay(attempt)
    deliver_email.using(run_after=run_after).enqueue(to=to, subject=subject, body=body, attempt=attempt + 1)
    details["run_after"] = run_after.isoformat()
    logger.warning(
        "email.retry_scheduled: task %(task_id)s, attempt %(attempt)s, %(error)s, next at %(run_after)s",
        details,
        extra=details,
    )
    return "retry scheduled"

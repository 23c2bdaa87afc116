"""GOV.UK Notify behind Django's mail interface, for production (EMAIL_BACKEND=notify).

Notify sends from templates made in its web interface, not from raw messages. The service uses one
generic template whose subject is `((subject))` and whose body is `((body))`; NOTIFY_TEMPLATE_ID names
it. Every e-mail then goes through Notify unchanged, one request per address (Notify takes one
recipient at a time). Errors are raised, never swallowed: core.mail's task retries them, and when
some addresses of a message had already gone, only the others (`PartlySent`), so nobody gets it twice.
"""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.notifications import NotificationsAPIClient

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"


class PartlySent(Exception):  # noqa: N818 - it is what happened, not only an error
    """Notify failed after taking the message for some of its addresses: `remaining` did not go."""

    def __init__(self, remaining: list[str]):
        super().__init__(f"{len(remaining)} address(es) not sent")
        self.remaining = remaining


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, *, api_key: str, template_id: str, base_url: str = "", timeout: float = 10, **kwargs):
        super().__init__(**kwargs)
        self.template_id = template_id
        self.client = NotificationsAPIClient(api_key, base_url=base_url or DEFAULT_BASE_URL, timeout=timeout)

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            addresses = message.recipients()
            for done, address in enumerate(addresses):
                try:
                    self.client.send_email_notification(
                        email_address=address,
                        template_id=self.template_id,
                        personalisation={"subject": message.subject, "body": message.body},
                    )
                except Exception as error:
                    if done:
                        raise PartlySent(addresses[done:]) from error
                    raise
            sent += 1
        return sent

"""GOV.UK Notify behind Django's mail interface, for production (EMAIL_BACKEND=notify).

Notify sends from templates made in its web interface, not from raw messages. The service uses one
generic template whose subject is `((subject))` and whose body is `((body))`; NOTIFY_TEMPLATE_ID names
it. Every e-mail then goes through Notify unchanged, one request per address (Notify takes one
recipient at a time). Errors are raised, never swallowed: core.mail's task retries them.
"""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.notifications import NotificationsAPIClient

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, *, api_key: str, template_id: str, base_url: str = "", timeout: float = 10, **kwargs):
        super().__init__(**kwargs)
        self.template_id = template_id
        self.client = NotificationsAPIClient(api_key, base_url=base_url or DEFAULT_BASE_URL, timeout=timeout)

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            for address in message.recipients():
                self.client.send_email_notification(
                    email_address=address,
                    template_id=self.template_id,
                    personalisation={"subject": message.subject, "body": message.body},
                )
            sent += 1
        return sent

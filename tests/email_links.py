"""Every link in every e-mail the test suite sends is absolute, on the service, and leads to a page.

E-mails are read by people outside the service: a relative link ("/opportunities/7/") goes nowhere in
a mail program, and a link to another host or to no URL pattern is a dead end. Django's test set-up
sends every mailer's mail to its in-memory backend; `record_sent_mail()` makes that backend keep a copy
of each message (tests may clear `mail.outbox`; this record they cannot), and the autouse fixture in
`tests.guards` fails any test whose e-mails have a bad link.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend
from django.urls import Resolver404, resolve

# What was sent since the last `take_sent()`, from any thread (the live server sends from its own).
_sent: list[Sent] = []
_lock = threading.Lock()

ABSOLUTE_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
# A path standing alone in text: "/opportunities/7/" (not "and/or", "1/2/2026" or "https://…").
RELATIVE_PATH = re.compile(r"(?:^|(?<=[\s(\[<\"'=:]))/(?![/\s])[^\s<>\"'`]+")
TRAILING_PUNCTUATION = ".,;:!?)]}'\""
# Schemes that are not web pages but are fine in an e-mail.
OTHER_SCHEMES = ("mailto:", "tel:")


@dataclass(frozen=True)
class Sent:
    message: object
    base_url: str


def record_sent_mail() -> None:
    """Make Django's in-memory backend (the one every test sends through) also keep each message
    and the service address it was sent under. Idempotent."""
    if getattr(EmailBackend.send_messages, "records_links", False):
        return
    send_messages = EmailBackend.send_messages

    def recording_send_messages(self, messages):
        count = send_messages(self, messages)
        with _lock:
            _sent.extend(Sent(message=message, base_url=settings.SERVICE_BASE_URL) for message in messages)
        return count

    recording_send_messages.records_links = True
    EmailBackend.send_messages = recording_send_messages


def take_sent() -> list[Sent]:
    """The messages sent since the last call, forgetting them."""
    with _lock:
        sent = list(_sent)
        _sent.clear()
    return sent


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src", "action"} and value is not None:
                self.links.append(value.strip())

    def handle_data(self, data):
        self.text.append(data)


def _strip(url: str) -> str:
    return url.rstrip(TRAILING_PUNCTUATION)


def _check_url(url: str, base_url: str) -> str | None:
    """Why this link is bad, or None."""
    if url.lower().startswith(OTHER_SCHEMES):
        return None
    if not url.lower().startswith(("http://", "https://")):
        return "is relative: build it with core.links.service_url"
    base = base_url.rstrip("/")
    if not (url == base or url.startswith(base + "/") or url.startswith(base + "?")):
        return f"is not on the service ({base})"
    path = unquote(urlsplit(url).path) or "/"
    try:
        resolve(path)
    except Resolver404:
        return "leads to no page (no URL pattern matches it)"
    return None


def _texts(message) -> list[tuple[str, str]]:
    """(where, content) of each part of a message a person reads."""
    parts = [("subject", str(getattr(message, "subject", "") or "")), ("body", str(message.body or ""))]
    for number, alternative in enumerate(getattr(message, "alternatives", None) or []):
        content, mimetype = alternative[0], alternative[1]
        if isinstance(content, bytes):
            content = content.decode("utf-8", "replace")
        parts.append((f"alternative {number + 1} ({mimetype})", str(content)))
    return parts


def link_problems(message, base_url: str) -> list[str]:
    """Every bad link in one message, described for a test failure."""
    problems = []
    for where, content in _texts(message):
        links: list[str] = []
        text = content
        if "<" in content and ">" in content:
            parser = _Links()
            parser.feed(content)
            parser.close()
            links += parser.links
            text = " ".join(parser.text)
        links += [_strip(url) for url in ABSOLUTE_URL.findall(text)]
        # Relative paths in the words; absolute URLs are taken out first so their paths do not count twice.
        words = ABSOLUTE_URL.sub(" ", text)
        links += [_strip(path) for path in RELATIVE_PATH.findall(words)]
        for link in dict.fromkeys(links):
            reason = _check_url(link, base_url)
            if reason:
                problems.append(f'"{getattr(message, "subject", "")}" to {message.to}: {where} link {link!r} {reason}')
    return problems

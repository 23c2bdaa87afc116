"""The e-mail link guard: every link in an e-mail is absolute, on the service, and leads to a page."""

from __future__ import annotations

from django.core import mail
from django.core.mail import EmailMultiAlternatives

from core.links import service_url
from tests import email_links
from tests.subrun import run_pytest

BASE = "https://commission-probation.test"


def message(body: str, html: str | None = None, subject: str = "Hello") -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(subject, body, None, ["someone@example.org"])
    if html is not None:
        email.attach_alternative(html, "text/html")
    return email


def problems(body: str, html: str | None = None, subject: str = "Hello") -> list[str]:
    return email_links.link_problems(message(body, html, subject), BASE)


def test_absolute_links_to_pages_pass():
    assert problems(f"Open {service_url('core:start')} or {service_url('core:help')}.\nThanks.") == []
    assert problems(f"See: {BASE}/opportunities/12/?tab=lots#lot-2") == []
    assert problems("Write to mailto:help@example.org or call tel:+441234567890") == []


def test_words_with_slashes_are_not_links():
    assert problems("Yes / No, and/or, 12/05/2026, £1,000/year, 1/2 of the lots.") == []


def test_a_relative_link_fails():
    [problem] = problems("You can see your receipt in the service: /opportunities/1/bid/receipt/")
    assert "'/opportunities/1/bid/receipt/' is relative" in problem
    [problem] = problems("/opportunities/1/\nis where it is")
    assert "is relative" in problem


def test_a_link_to_another_host_fails():
    [problem] = problems("Open https://127.0.0.1:8000/opportunities/ now.")
    assert "is not on the service" in problem
    [problem] = problems(f"Open {BASE}.evil.example/opportunities/")
    assert "is not on the service" in problem


def test_a_link_that_leads_to_no_page_fails():
    [problem] = problems(f"Open {BASE}/no-such-page/.")
    assert f"'{BASE}/no-such-page/' leads to no page" in problem


def test_html_alternatives_are_checked_too():
    [problem] = problems("Plain text", html='<p>Open <a href="/opportunities/">your opportunities</a></p>')
    assert "alternative 1 (text/html)" in problem and "is relative" in problem
    [problem] = problems("Plain text", html=f"<p>Open {BASE}/nowhere/ today</p>")
    assert "leads to no page" in problem
    assert problems("Plain", html=f'<a href="{BASE}/help/">Help</a>') == []


def test_the_subject_is_checked_too():
    [problem] = problems("Body", subject="Read /opportunities/3/")
    assert "subject" in problem


def test_every_message_sent_is_recorded_even_if_a_test_clears_the_outbox():
    email_links.take_sent()
    good = message(f"Open {service_url('core:help')}")
    good.send()
    mail.outbox.clear()
    [sent] = email_links.take_sent()
    assert sent.message.body == good.body
    assert sent.base_url == BASE


def test_a_test_that_sends_a_bad_link_fails(tmp_path):
    """Runs one example test that e-mails a relative link, in its own pytest, and sees it fail."""
    code, output = run_pytest("tests/example_bad_email.py", tmp_path=tmp_path)
    assert code == 1, output
    assert "1 failed, 1 passed" in output, output
    assert "E-mails sent with bad links" in output, output
    assert "'/opportunities/1/bid/receipt/' is relative" in output, output
